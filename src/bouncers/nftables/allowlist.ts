// Addresses the bouncer never drops: loopback, its own API's addresses, and the configured list.
import * as dns from 'node:dns';
import { type Family, spanOf } from './addresses';
import { mergeSpans, type Span } from './intervals';

export class Allowlist {
  readonly holes: Record<Family, Span[]>;

  constructor(entries: readonly string[]) {
    const by: Record<Family, Span[]> = { 4: [], 6: [] };
    for (const e of entries) {
      const s = spanOf(e);
      if (!s) throw Object.assign(new Error(`allowlist entry '${e}' is not an IP address or CIDR range`), { code: 'CW_USAGE' });
      by[s.family].push(s.span);
    }
    this.holes = { 4: mergeSpans(by[4]), 6: mergeSpans(by[6]) };
  }

  /** Whether the whole span lies inside one allowlisted span. */
  covers(family: Family, s: Span): boolean {
    const holes = this.holes[family];
    let lo = 0;
    let hi = holes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const h = holes[mid];
      if (h.end < s.start) lo = mid + 1;
      else if (h.start > s.end) hi = mid - 1;
      else return h.start <= s.start && h.end >= s.end;
    }
    return false;
  }
}

export const LOOPBACK = ['127.0.0.0/8', '::1/128'];

/** The addresses `url`'s host resolves to (the bouncer must never cut itself off from its API). */
export async function apiAddresses(url: string): Promise<string[]> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return [];
  }
  try {
    return (await dns.promises.lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return [];
  }
}
