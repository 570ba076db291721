// The pages nginx shows a refused client (through `error_page`): built-in defaults, or the
// operator's own HTML files (--ban-page, --captcha-page), read once at start.
import * as fs from 'node:fs';

export interface Pages {
  ban: string;
  captcha: string;
}

const MAX_PAGE_BYTES = 1 << 20;

export const DEFAULT_BAN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Access denied</title></head>
<body><h1>Access denied</h1>
<p>Your address has been blocked by this site's intrusion prevention (crowdwatch).</p>
<p>If you think this is a mistake, contact the site's administrator.</p></body></html>
`;

// Solving a captcha needs a provider (hCaptcha, reCAPTCHA, Turnstile) reachable over the
// network, and a route that verifies the answer and lifts the decision. That validation is left
// out: this page only tells the visitor why they are held back. Put a real challenge in your own
// page with --captcha-page.
export const DEFAULT_CAPTCHA_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Verification required</title></head>
<body><h1>Verification required</h1>
<!-- crowdwatch: captcha validation is not built in; serve your own page with --captcha-page -->
<p>Unusual activity was seen from your address, so this site asks for a check before letting you in.</p>
<p>Please try again later.</p></body></html>
`;

/** Reads an operator's page; throws with the file name when it cannot be used. */
export function readPage(file: string): string {
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new Error(`${file} is not a file`);
  if (stat.size > MAX_PAGE_BYTES) throw new Error(`${file} is larger than 1 MiB`);
  return fs.readFileSync(file, 'utf8');
}
