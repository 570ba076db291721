import { type AcquisEntry, type AcquisitionSource, createSource } from '../acquisition';
import { ApiClientError, WatcherClient, type WatcherCredentials } from '../api/client';
import { type RunningApi, startApi } from '../api/server';
import { STREAM_DEFAULTS } from '../bouncers/common/decision-stream';
import { NFTABLES_USER_AGENT, type NftablesService, startNftablesService } from '../bouncers/nftables/run';
import type { ApiConfig, NftablesConfig } from '../config/api-config';
import { bindings, type EngineOptions } from '../engine/native';
import { resolveEngineOptions } from '../engine/options';
import { Agent } from './agent';
import { BucketSnapshots, bucketSnapshotFile } from './bucket-snapshots';
import { localAgentCredentials, localBouncerKey } from './credentials';
import type { Log } from '../log/logger';
import { collectDaemonMetrics, engineLagMonitor } from '../metrics/daemon-metrics';
import { type MetricsServer, startMetricsServer } from '../metrics/server';
import { AgentJournal } from './journal';
import { type ReloadSummary, type ReloadTarget, reloadDaemon, type Reread, sourceKey } from './reload';

export interface DaemonOptions {
  config: ApiConfig;
  acquisition: AcquisEntry[];
  /** An API elsewhere (`--no-api`): the agent logs in there instead of starting one. */
  remote?: WatcherCredentials | undefined;
  /** `time-machine`: event time drives the buckets (replaying files); `live`: the wall clock. */
  mode: 'live' | 'time-machine';
  maxLineBytes: number;
  /** The engine's parallel mode (`run --parallel`). */
  parallel?: boolean;
  log: Log;
  /** The Prometheus endpoint, or null for none (`--no-metrics`, `prometheus.enabled: false`). */
  metrics: { host: string; port: number } | null;
  /** SIGHUP: the configuration and acquisition as they are on disk now. */
  reread?: () => Reread;
  /** Test hooks: faster ticks and checkpoints. */
  tickMs?: number;
  pollMs?: number;
  /** How often the buckets are written (default 5 min; and at every clean stop). */
  snapshotMs?: number;
}

export interface RunningDaemon {
  api: RunningApi | null;
  agent: Agent;
  /** The nftables bouncer, when config.yaml has `bouncers.nftables`. */
  nftables: NftablesService | null;
  metrics: MetricsServer | null;
  sources: AcquisitionSource[];
  /** Resolves when every source that can end (cat files, stdin) has ended. */
  sourcesEnded(): Promise<void>;
  /** Reads the configuration again and applies it (one reload at a time); throws if it is broken. */
  reload(): Promise<ReloadSummary>;
  stop(): Promise<void>;
}

/**
 * `crowdwatch run`: the engine (loaded first, so bad content fails before anything listens),
 * the local API unless an API elsewhere is given, then the agent and its sources.
 */
export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const { config, log } = options;
  const engineOptions = (c: ApiConfig): EngineOptions => resolveEngineOptions({
    configDir: c.agent.contentDir,
    mode: options.mode === 'live' ? 'live' : 'replay',
    maxLineBytes: options.maxLineBytes,
    parallel: options.parallel === true || c.agent.parallel === true,
  });
  const engine = bindings().Engine.load(engineOptions(config));
  const journal = AgentJournal.open(config.agent.journalFile, { onError: (m) => options.log(m, 'warning') });
  let api: RunningApi | null = null;
  let nftables: NftablesService | null = null;
  let metrics: MetricsServer | null = null;
  try {
    let creds = options.remote;
    if (!creds) {
      api = await startApi(config, log);
      creds = await localAgentCredentials(api.ctx.store, config.dataDir, api.url);
    }
    if (config.bouncers.nftables && !api) throw Object.assign(new Error('bouncers.nftables runs beside the local API: remove it or drop --no-api'), { code: 'CW_USAGE' });
    if (config.bouncers.nftables && api) nftables = await startNftables(config.bouncers.nftables, api, config.dataDir, log);
    const client = new WatcherClient(creds);
    await logInAtStart(client, log);
    const sourceOptions = { maxLineBytes: options.maxLineBytes, ...(options.pollMs ? { pollMs: options.pollMs } : {}) };
    const sources = options.acquisition.map((entry) => createSource(entry, sourceOptions));
    const running = new Map(options.acquisition.map((entry, i) => [sourceKey(entry), sources[i]]));
    // Live buckets survive a restart (a replay's are about its file alone).
    const snapshots = options.mode === 'live' ? new BucketSnapshots(bucketSnapshotFile(config.dataDir), engine, log) : undefined;
    await snapshots?.restore();
    const agent = new Agent({
      engine,
      journal,
      pusher: client,
      sources,
      log,
      ...(snapshots ? { snapshots } : {}),
      ...(options.snapshotMs ? { snapshotMs: options.snapshotMs } : {}),
      ...(options.tickMs ? { tickMs: options.tickMs, checkpointMs: options.tickMs } : {}),
    });
    await agent.start();
    const target: ReloadTarget = { engine, engineOptions, api, agent, sources: running, sourceOptions, config, log };
    let reloading: Promise<unknown> = Promise.resolve();
    const lag = engineLagMonitor();
    metrics = options.metrics && await startMetricsServer(options.metrics.host, options.metrics.port, () => collectDaemonMetrics({ agent, api, level: config.prometheus.level, lag }), log);
    return {
      api,
      agent,
      nftables,
      metrics,
      sources,
      async sourcesEnded() {
        await Promise.all(sources.map((s) => s.ended ?? new Promise<void>(() => undefined)));
      },
      reload() {
        const reread = options.reread ?? (() => ({ config: target.config, acquisition: options.acquisition }));
        const next = reloading.then(() => reloadDaemon(target, reread));
        reloading = next.catch(() => undefined);
        return next;
      },
      async stop() {
        lag.disable();
        await metrics?.close();
        await agent.stop();
        await nftables?.stop();
        await api?.close();
      },
    };
  } catch (error) {
    await metrics?.close();
    journal.close();
    await nftables?.stop();
    await api?.close();
    throw error;
  }
}

/**
 * Logs in before the first alert, so the first ban does not wait for the password check, and
 * wrong credentials (a 4xx answer) stop the daemon at start with a clear error. An API that cannot be reached
 * yet is not fatal: the outbox keeps alerts journaled and retries.
 */
async function logInAtStart(client: WatcherClient, log: Log): Promise<void> {
  try {
    await client.login();
  } catch (error) {
    if (error instanceof ApiClientError && error.status !== undefined && error.status < 500) throw error;
    log(`${(error as Error).message}; alerts are kept and pushed once it answers`, 'warning');
  }
}

async function startNftables(c: NftablesConfig, api: RunningApi, dataDir: string, log: Log): Promise<NftablesService> {
  return startNftablesService({
    stream: {
      url: api.url,
      apiKey: await localBouncerKey(api.ctx.store, dataDir, 'nftables'),
      userAgent: NFTABLES_USER_AGENT,
      ...STREAM_DEFAULTS,
      log,
    },
    layout: { mode: 'owned', table: c.table, hooks: c.hooks, priority: c.priority, size: c.setSize },
    types: new Set(c.types),
    allow: c.allow,
  });
}
