import { type AcquisEntry, type AcquisitionSource, createSource } from '../acquisition';
import { WatcherClient, type WatcherCredentials } from '../api/client';
import { type RunningApi, startApi } from '../api/server';
import type { ApiConfig } from '../config/api-config';
import { bindings } from '../engine/native';
import { resolveEngineOptions } from '../engine/options';
import { Agent } from './agent';
import { localAgentCredentials } from './credentials';
import { AgentJournal } from './journal';

export interface DaemonOptions {
  config: ApiConfig;
  acquisition: AcquisEntry[];
  /** An API elsewhere (`--no-api`): the agent logs in there instead of starting one. */
  remote?: WatcherCredentials | undefined;
  /** `time-machine`: event time drives the buckets (replaying files); `live`: the wall clock. */
  mode: 'live' | 'time-machine';
  maxLineBytes: number;
  log: (message: string) => void;
  /** Test hooks: faster ticks and checkpoints. */
  tickMs?: number;
  pollMs?: number;
}

export interface RunningDaemon {
  api: RunningApi | null;
  agent: Agent;
  sources: AcquisitionSource[];
  /** Resolves when every source that can end (cat files, stdin) has ended. */
  sourcesEnded(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `crowdwatch run`: the engine (loaded first, so bad content fails before anything listens),
 * the local API unless an API elsewhere is given, then the agent and its sources.
 */
export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const { config, log } = options;
  const engine = bindings().Engine.load(resolveEngineOptions({
    configDir: config.agent.contentDir,
    mode: options.mode === 'live' ? 'live' : 'replay',
    maxLineBytes: options.maxLineBytes,
  }));
  const journal = AgentJournal.open(config.agent.journalFile);
  let api: RunningApi | null = null;
  try {
    let creds = options.remote;
    if (!creds) {
      api = await startApi(config, log);
      creds = await localAgentCredentials(api.ctx.store, config.dataDir, api.url);
    }
    const sources = options.acquisition.map((entry) => createSource(entry, { maxLineBytes: options.maxLineBytes, ...(options.pollMs ? { pollMs: options.pollMs } : {}) }));
    const agent = new Agent({ engine, journal, pusher: new WatcherClient(creds), sources, log, ...(options.tickMs ? { tickMs: options.tickMs, checkpointMs: options.tickMs } : {}) });
    await agent.start();
    return {
      api,
      agent,
      sources,
      async sourcesEnded() {
        await Promise.all(sources.map((s) => s.ended ?? new Promise<void>(() => undefined)));
      },
      async stop() {
        await agent.stop();
        await api?.close();
      },
    };
  } catch (error) {
    journal.close();
    await api?.close();
    throw error;
  }
}
