// Which client nginx is asking about: the address in one request header (X-Real-IP, which the
// printed config sets from $remote_addr, or the first address of an X-Forwarded-For list).
import type { IncomingHttpHeaders } from 'node:http';
import { isIpAddress } from '../../store/ip-range';

export type ClientAddress = { address: string } | { problem: string };

/** Longest header value looked at; an address is at most 45 characters plus brackets and port. */
const MAX_HEADER = 256;

/** Drops `[…]` and a port (`[2001:db8::1]:443`, `192.0.2.1:8080`), which some proxies add. */
function bare(text: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) return bracketed[1];
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  return v4port ? v4port[1] : text;
}

/** `header` is lower case (Node's spelling of incoming header names). */
export function clientAddress(headers: IncomingHttpHeaders, header: string): ClientAddress {
  const raw = headers[header];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === '') return { problem: `no ${header} header` };
  if (value.length > MAX_HEADER) return { problem: `${header} header of ${value.length} bytes` };
  // Node joins repeated headers with ", "; X-Forwarded-For lists the client first.
  const first = bare(value.split(',')[0].trim());
  if (!isIpAddress(first)) return { problem: `${header} '${first.slice(0, 64)}' is not an IP address` };
  return { address: first };
}
