export interface HttpOptions {
  token?: string;
  body?: unknown;
  /** A body sent as it is (malformed JSON, say). */
  raw?: string;
  headers?: Record<string, string>;
}

export interface HttpAnswer {
  status: number;
  text: string;
  json: any;
  headers: Headers;
}

/** One request with a CrowdSec user agent; the answer's body as text and, when it parses, JSON. */
export async function httpRequest(base: string, method: string, path: string, opts: HttpOptions = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = { 'user-agent': 'crowdsec/v1.4.6', ...(opts.headers ?? {}) };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined || opts.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = opts.raw ?? JSON.stringify(opts.body);
  }
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let json: any;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}
