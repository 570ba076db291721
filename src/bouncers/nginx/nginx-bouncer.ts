// The nginx bouncer process: the decision stream fills an AddressIndex, the auth endpoint answers
// nginx from it. Nothing is asked of the API per request.
import type { AddressInfo } from 'node:net';
import type { StreamUpdate } from '../common/decision-stream';
import { AddressIndex } from './address-index';
import { createAuthServer, listen } from './auth-server';
import type { Pages } from './pages';
import type { IpRangeSet } from '../../store/ip-range';

export interface NginxBouncerOptions {
  types: ReadonlySet<string>;
  clientHeader: string;
  /** Proxies whose X-Forwarded-For entries are skipped. */
  trustedProxies?: IpRangeSet;
  cacheSeconds: number;
  pages: Pages;
  log: (message: string) => void;
  verbose?: boolean;
}

/** How often ended decisions are dropped from memory (lookups ignore them at once). */
const SWEEP_MS = 60_000;

export class NginxBouncer {
  readonly index: AddressIndex;
  private synced = false;
  private readonly server;
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly opts: NginxBouncerOptions) {
    this.index = new AddressIndex(opts.types, opts.log);
    this.server = createAuthServer({ ...opts, index: this.index, synced: () => this.synced });
    this.sweep = setInterval(() => this.index.expire(Date.now()), SWEEP_MS);
    this.sweep.unref();
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return listen(this.server, host, port);
  }

  async apply(update: StreamUpdate): Promise<void> {
    this.index.apply(update);
    if (update.full && !this.synced) this.opts.log(`decision list loaded: ${this.index.size} address(es) and range(s) under a decision`);
    if (update.full) this.synced = true;
    else if (this.opts.verbose) this.opts.log(`update: +${update.fresh.length} -${update.deleted.length}, ${this.index.size} under a decision`);
  }

  close(): Promise<void> {
    clearInterval(this.sweep);
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
