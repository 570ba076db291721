// The nftables bouncer as a running service: table prepared, stream pulled until stopped. Used
// by `crowdwatch bouncer nftables` and by `crowdwatch run` when its config has `bouncers.nftables`.
import { DecisionStream, type StreamOptions } from '../common/decision-stream';
import { apiAddresses, LOOPBACK } from './allowlist';
import { Nft } from './nft';
import { NftablesBouncer } from './nftables-bouncer';
import type { TableLayout } from './ruleset';

export const NFTABLES_USER_AGENT = 'crowdwatch-nftables-bouncer/0.1.0';

export interface NftablesServiceOptions {
  stream: StreamOptions;
  layout: TableLayout;
  types: ReadonlySet<string>;
  /** Besides loopback and the API's own addresses. */
  allow: readonly string[];
  nftBin?: string;
  verbose?: boolean;
}

export interface NftablesService {
  bouncer: NftablesBouncer;
  /** Resolves when the stream loop ends (after stop()). */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startNftablesService(o: NftablesServiceOptions): Promise<NftablesService> {
  const log = o.stream.log;
  const bouncer = new NftablesBouncer({
    nft: new Nft(o.nftBin),
    layout: o.layout,
    types: o.types,
    allow: [...LOOPBACK, ...(await apiAddresses(o.stream.url)), ...o.allow],
    log,
    verbose: o.verbose,
  });
  await bouncer.start();
  const { layout } = o;
  log(layout.mode === 'owned' ? `nftables: dropping in table inet ${layout.table} (hooks ${layout.hooks.join(', ')}, priority ${layout.priority})` : `nftables: filling sets of ${layout.tableFamily} ${layout.table}`);
  const abort = new AbortController();
  const done = new DecisionStream(o.stream).run((update) => bouncer.apply(update).then(() => undefined), abort.signal);
  return {
    bouncer,
    done,
    async stop() {
      abort.abort();
      await done;
    },
  };
}
