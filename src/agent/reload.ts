// SIGHUP: read the configuration again and apply what can change while running: parsers and
// scenarios (the engine keeps the live buckets of scenarios whose definition did not change),
// profiles, allowlist and simulation, and the acquisition sources (unchanged ones keep reading;
// new ones resume from their journaled positions). Everything is read and checked before
// anything is swapped, so a broken file leaves the daemon exactly as it was.
import { type AcquisEntry, type AcquisitionSource, createSource, type SourceOptions } from '../acquisition';
import type { RunningApi } from '../api/server';
import type { ApiConfig } from '../config/api-config';
import { formatDiagnostic } from '../engine/diagnostic';
import type { Engine, EngineOptions } from '../engine/native';
import type { Log } from '../log/logger';
import { DecisionMaker } from '../profiles/decisions';
import type { Agent } from './agent';

/** The configuration as it is on disk now. */
export interface Reread {
  config: ApiConfig;
  acquisition: AcquisEntry[];
}

export interface ReloadSummary {
  scenarios: { kept: string[]; reset: string[]; added: string[]; removed: string[] };
  sources: { kept: number; started: string[]; stopped: string[] };
  /** Settings that changed on disk but only apply at the next start. */
  restartNeeded: string[];
  warnings: string[];
}

/** What identifies a source across reloads: its settings, not its name or line in the file. */
export function sourceKey(entry: AcquisEntry): string {
  const { name: _name, origin: _origin, ...settings } = entry;
  return JSON.stringify(settings, (_k, v: unknown) => (v instanceof RegExp ? v.source : v));
}

/** Settings read once at start (by their config.yaml names): a change is reported, not applied. */
const RESTART_ONLY: Array<[keyof ApiConfig, string]> = [
  ['listen', 'api.listen'],
  ['tls', 'api.tls'],
  ['store', 'db'],
  ['prometheus', 'prometheus'],
  ['bouncers', 'bouncers'],
  ['log', 'common (logging)'],
  ['crowd', 'crowd'],
];

export interface ReloadTarget {
  engine: Engine;
  engineOptions(config: ApiConfig): EngineOptions;
  api: RunningApi | null;
  agent: Agent;
  /** The running sources, by `sourceKey`. */
  sources: Map<string, AcquisitionSource>;
  sourceOptions: SourceOptions;
  config: ApiConfig;
  log: Log;
}

export async function reloadDaemon(target: ReloadTarget, reread: () => Reread): Promise<ReloadSummary> {
  // 1. Read and check everything; any error leaves the running daemon untouched.
  const { config, acquisition } = reread();
  const decider = target.api ? DecisionMaker.load(config.profilesFile, config.allowlist, config.simulationFile) : null;
  const wanted = new Map(acquisition.map((entry) => [sourceKey(entry), entry]));
  // The engine swaps atomically, or throws with file:line and keeps running the old content. It
  // swaps between two batches: lines read before the reload go through the old content.
  const engineOptions = target.engineOptions(config);
  const report = await target.agent.exclusive(() => target.engine.reload(engineOptions));

  // 2. Apply.
  if (target.api && decider) target.api.ctx.decider = decider;
  const stopped: string[] = [];
  for (const [key, source] of target.sources) {
    if (wanted.has(key)) continue;
    target.sources.delete(key);
    await target.agent.removeSource(source);
    stopped.push(source.name);
  }
  const kept = [...wanted.keys()].filter((k) => target.sources.has(k)).length;
  const started: string[] = [];
  const warnings = report.warnings.map(formatDiagnostic);
  for (const [key, entry] of wanted) {
    if (target.sources.has(key)) continue;
    try {
      const source = createSource(entry, target.sourceOptions);
      await target.agent.addSource(source);
      target.sources.set(key, source);
      started.push(source.name);
    } catch (error) {
      warnings.push(`${entry.origin}: ${entry.name} not started: ${(error as Error).message}`);
    }
  }
  // What was applied is the running config now; restart-only settings keep their start values.
  const running = target.config;
  const restartNeeded = RESTART_ONLY.filter(([key]) => JSON.stringify(running[key]) !== JSON.stringify(config[key])).map(([, name]) => name);
  target.config = { ...config, ...Object.fromEntries(RESTART_ONLY.map(([key]) => [key, running[key]])) };
  return {
    scenarios: { kept: report.kept, reset: report.reset, added: report.added, removed: report.removed },
    sources: { kept, started, stopped },
    restartNeeded,
    warnings,
  };
}

export function describeReload(s: ReloadSummary): string {
  const parts = [
    `scenarios: ${s.scenarios.kept.length} kept with their buckets, ${s.scenarios.reset.length} changed (buckets reset), ${s.scenarios.added.length} added, ${s.scenarios.removed.length} removed`,
    `sources: ${s.sources.kept} kept, ${s.sources.started.length} started, ${s.sources.stopped.length} stopped`,
  ];
  if (s.restartNeeded.length > 0) parts.push(`changed and applied at the next start only: ${s.restartNeeded.join(', ')}`);
  return parts.join('; ');
}
