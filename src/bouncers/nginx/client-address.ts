// Which client nginx is asking about: the address in one request header (X-Real-IP, which the
// printed config sets from $remote_addr, or an X-Forwarded-For list read from the right past
// the trusted proxies).
import type { IncomingHttpHeaders } from 'node:http';
import { isIpAddress, type IpRangeSet } from '../../store/ip-range';

export type ClientAddress = { address: string } | { problem: string };

/** Longest header value looked at: a list of some 60 hops of the longest addresses. */
const MAX_HEADER = 4096;

/** Drops `[…]` and a port (`[2001:db8::1]:443`, `192.0.2.1:8080`), which some proxies add. */
function bare(text: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) return bracketed[1];
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  return v4port ? v4port[1] : text;
}

/**
 * The client behind `header` (lower case, Node's spelling of incoming header names). A list
 * (X-Forwarded-For: `client, proxy1, proxy2`) is read from the right, the end the nearest proxy
 * wrote, past the addresses of `trusted` proxies only: whatever lies further left was written by
 * someone we do not trust, the client itself included, so it is never taken.
 */
export function clientAddress(headers: IncomingHttpHeaders, header: string, trusted?: IpRangeSet): ClientAddress {
  const raw = headers[header];
  // Node joins repeated headers with ", ": the last one is the nearest proxy's.
  const value = Array.isArray(raw) ? raw.join(', ') : raw;
  if (value === undefined || value === '') return { problem: `no ${header} header` };
  if (value.length > MAX_HEADER) return { problem: `${header} header of ${value.length} bytes` };
  const hops = value.split(',').map((h) => bare(h.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (!isIpAddress(hop)) return { problem: `${header} '${hop.slice(0, 64)}' is not an IP address` };
    if (i > 0 && trusted?.covers(hop)) continue;
    return { address: hop };
  }
  return { problem: `no ${header} entry` };
}
