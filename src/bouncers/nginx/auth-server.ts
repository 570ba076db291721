// The HTTP endpoint nginx's auth_request asks (GET /crowdwatch/check): 204 lets the request
// through, 403 refuses it (ban), 401 asks for a captcha; auth_request understands only 2xx, 401
// and 403. Every answer says for how long nginx may cache it (X-Accel-Expires), never past the
// end of the decision it reflects. /crowdwatch/ban and /crowdwatch/captcha serve the pages nginx
// shows refused clients.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AddressIndex, Verdict } from './address-index';
import { clientAddress } from './client-address';
import type { Pages } from './pages';
import type { IpRangeSet } from '../../store/ip-range';

export interface AuthServerOptions {
  index: AddressIndex;
  /** Lower-case name of the header holding the client address. */
  clientHeader: string;
  /** Proxies whose entries of an X-Forwarded-For list are skipped (read from the right). */
  trustedProxies?: IpRangeSet;
  /** Longest time nginx may cache an answer, in seconds. */
  cacheSeconds: number;
  pages: Pages;
  /** False until the first full decision list arrived: meanwhile every client passes. */
  synced: () => boolean;
  log: (message: string) => void;
  verbose?: boolean;
}

export const REMEDIATION_HEADER = 'x-crowdwatch-remediation';
/** Headers are only read for one address; the room is for proxies that forward everything. */
const MAX_HEADER_BYTES = 64 * 1024;
const WARN_EVERY_MS = 10_000;

/** One warning per kind every 10 s, with a count of the ones held back. */
function throttled(log: (m: string) => void): (kind: string, message: string) => void {
  const last = new Map<string, { at: number; held: number }>();
  return (kind, message) => {
    const now = Date.now();
    const seen = last.get(kind);
    if (seen && now - seen.at < WARN_EVERY_MS) {
      seen.held++;
      return;
    }
    log(seen?.held ? `${message} (and ${seen.held} more like it)` : message);
    last.set(kind, { at: now, held: 0 });
  };
}

export function cacheSeconds(verdict: Verdict | undefined, now: number, max: number): number {
  if (!verdict) return max;
  return Math.max(0, Math.min(max, Math.floor((verdict.decision.until - now) / 1000)));
}

function answerCheck(o: AuthServerOptions, req: http.IncomingMessage, res: http.ServerResponse, warn: ReturnType<typeof throttled>): void {
  const now = Date.now();
  const client = clientAddress(req.headers, o.clientHeader, o.trustedProxies);
  let verdict: Verdict | undefined;
  if ('problem' in client) {
    // Fail open, as CrowdSec's nginx bouncer does: nginx sets this header itself, so a bad one
    // is a configuration mistake to fix, not a client to refuse.
    warn('address', `letting a request through: ${client.problem} (check the auth location's proxy_set_header)`);
  } else if (!o.synced()) {
    warn('sync', `letting ${client.address} through: no decision list from the API yet`);
  } else {
    verdict = o.index.verdict(client.address, now);
  }
  const ttl = 'problem' in client || !o.synced() ? 0 : cacheSeconds(verdict, now, o.cacheSeconds);
  const headers: http.OutgoingHttpHeaders = { 'x-accel-expires': String(ttl), 'cache-control': ttl > 0 ? `max-age=${ttl}` : 'no-store', 'content-length': 0 };
  if (verdict) headers[REMEDIATION_HEADER] = verdict.remediation;
  const status = !verdict ? 204 : verdict.remediation === 'ban' ? 403 : 401;
  if (o.verbose && 'address' in client) o.log(`${client.address}: ${verdict ? `${verdict.remediation} (decision ${verdict.decision.id})` : 'allow'}, cache ${ttl}s`);
  res.writeHead(status, headers).end();
}

function answerPage(res: http.ServerResponse, html: string, remediation: string): void {
  res.writeHead(403, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', [REMEDIATION_HEADER]: remediation });
  res.end(html);
}

export function createAuthServer(o: AuthServerOptions): http.Server {
  const warn = throttled(o.log);
  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-length': 0 }).end();
    } else if (path === '/crowdwatch/check') answerCheck(o, req, res, warn);
    else if (path === '/crowdwatch/ban') answerPage(res, o.pages.ban, 'ban');
    else if (path === '/crowdwatch/captcha') answerPage(res, o.pages.captcha, 'captcha');
    else res.writeHead(404, { 'content-length': 0 }).end();
  });
  // Longer than nginx's upstream keepalive_timeout (60s), so nginx, not us, closes idle connections.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Requests that do not parse (headers past 64 KiB): refused. Only a client can make headers
  // that large, and nginx turns the refusal into an error for that client, so it is not an
  // opening for it.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    warn('parse', `refusing a request that does not parse: ${err.code ?? err.message}`);
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  return server;
}

/** Listens on `host:port`; resolves to the address actually bound. */
export function listen(server: http.Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
