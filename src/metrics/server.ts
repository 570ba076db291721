// The Prometheus endpoint of `crowdwatch run`: GET /metrics on its own loopback port (CrowdSec's
// 127.0.0.1:6060 by default), apart from the local API so scrapes never need credentials.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Log } from '../log/logger';
import { type Family, renderExposition } from './exposition';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Listens on host:port (0: any free port). A port already taken is not fatal to the daemon:
 * detection matters more than its figures, so this logs a warning and returns null.
 */
export async function startMetricsServer(host: string, port: number, collect: () => Promise<Family[]>, log: Log): Promise<MetricsServer | null> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    collect().then(
      (families) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(renderExposition(families)),
      (error: Error) => {
        log(`metrics: ${error.message}`, 'error');
        res.writeHead(500).end();
      },
    );
  });
  server.keepAliveTimeout = 5000;
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', (error) => {
      log(`metrics endpoint not started on ${host}:${port}: ${error.message}`, 'warning');
      resolve(false);
    });
    server.listen(port, host, () => resolve(true));
  });
  if (!listening) return null;
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}/metrics`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
