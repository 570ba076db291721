import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bindings } from '../engine/native';
import type { AssertOutcome, Dump, Engine, SourceHandle } from '../engine/native';
import { defaultGeoIp } from '../engine/geoip';
import { DEFAULT_MAX_LINE_BYTES } from '../engine/options';
import { basePatternsFile } from '../engine/package-root';
import { type CaseConfig, readCaseConfig } from './case-config';
import type { HubLocation } from './hub';
import { goSort } from './go-sort';
import { installCase } from './install';

export interface AssertReport {
  file: string;
  total: number;
  passed: number;
  /** The lines that did not hold, with what was found. */
  failures: AssertOutcome[];
}

export interface CaseResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  /** Why it failed without reaching its assertions, or why it was skipped. */
  reason?: string;
  parser?: AssertReport;
  scenario?: AssertReport;
  warnings: string[];
  elapsedMs: number;
}

/** What a case's replay produced, before any assertion (also what `create` and `explain` use). */
export interface CaseReplay {
  config: CaseConfig;
  caseDir: string;
  dump: Dump;
  warnings: string[];
}

export function caseDirOf(hub: HubLocation, name: string): string {
  return path.join(hub.hubDir, '.tests', name);
}

/** A case's engine, loaded with exactly its items, and its log registered as a file source. */
export interface CaseEngine {
  engine: Engine;
  source: SourceHandle;
  logFile: string;
  warnings: string[];
}

/** Installs the case's items in a scratch config dir, loads an engine on it, runs `use`, cleans up. */
export function withCaseEngine<T>(hub: HubLocation, name: string, config: CaseConfig, use: (c: CaseEngine) => T): T {
  const caseDir = caseDirOf(hub, name);
  const runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crowdwatch-hubtest-'));
  try {
    const warnings = installCase(hub, caseDir, config, runtimeDir);
    const native = bindings();
    const engine = loadShowingHubPaths(() =>
      native.Engine.load({
        configDirs: [runtimeDir],
        // grokky's built-in names, which CrowdSec's patterns build on (first definition wins).
        basePatterns: basePatternsFile,
        mode: 'replay',
        maxLineBytes: DEFAULT_MAX_LINE_BYTES,
        geoip: defaultGeoIp(),
      }),
    );
    const logFile = path.resolve(caseDir, config.logFile);
    const source = engine.source({ ...config.labels, type: config.logType }, logFile, 'file');
    return use({ engine, source, logFile, warnings });
  } finally {
    fs.rmSync(runtimeDir, { recursive: true, force: true });
  }
}

/** Replays the case's log and returns the dumps. */
export function replayCase(hub: HubLocation, name: string, config = readCaseConfig(caseDirOf(hub, name))): CaseReplay {
  return withCaseEngine(hub, name, config, ({ engine, source, logFile, warnings }) => ({
    config,
    caseDir: caseDirOf(hub, name),
    dump: engine.dumpBatch(source, fs.readFileSync(logFile)),
    warnings,
  }));
}

/** Runs `load`; the problems of a refused load name the hub's files, not their links in the scratch dir. */
function loadShowingHubPaths<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    for (const d of (error as { diagnostics?: { file: string }[] }).diagnostics ?? []) {
      try {
        d.file = fs.realpathSync(d.file);
      } catch {
        // Not a file we linked: shown as is.
      }
    }
    throw error;
  }
}

/** CrowdSec's order of scenario results: by scenario name and sources, descending. */
export function sortedOverflows(overflows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const keyOf = (o: Record<string, unknown>): string => {
    const overflow = o.Overflow as { Alert?: { Scenario?: string }; Sources?: Record<string, unknown> } | undefined;
    return `${overflow?.Alert?.Scenario ?? ''}${Object.keys(overflow?.Sources ?? {}).sort().join('@')}`;
  };
  const sorted = [...overflows];
  // Go's unstable sort.Sort, as cscli: results with equal keys keep its order, not ours.
  goSort(sorted, (a, b) => keyOf(a) > keyOf(b));
  return sorted;
}

function assertFile(file: string, results: unknown): AssertReport {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const outcomes = bindings().evaluateAsserts(text, results);
  const failures = outcomes.filter((o) => !o.passed);
  return { file, total: outcomes.length, passed: outcomes.length - failures.length, failures };
}

/** Runs one case as `cscli hubtest run` does: both assert files must hold, and be non-empty. */
export function runCase(hub: HubLocation, name: string): CaseResult {
  const started = performance.now();
  const result: CaseResult = { name, status: 'failed', warnings: [], elapsedMs: 0 };
  try {
    const config = readCaseConfig(caseDirOf(hub, name));
    if (config.unsupported !== undefined) {
      result.status = 'skipped';
      result.reason = config.unsupported;
      return result;
    }
    const replay = replayCase(hub, name, config);
    result.warnings = replay.warnings;
    if (!config.ignoreParsers) result.parser = assertFile(path.join(replay.caseDir, 'parser.assert'), replay.dump.parsers);
    if (config.scenarios.length > 0) {
      result.scenario = assertFile(path.join(replay.caseDir, 'scenario.assert'), sortedOverflows(replay.dump.overflows));
    }
    const reports = [result.parser, result.scenario].filter((r) => r !== undefined);
    const empty = reports.find((r) => r.total === 0);
    if (empty !== undefined) result.reason = `${path.basename(empty.file)} has no assertions: write them with \`crowdwatch hubtest create\``;
    else if (reports.length === 0) result.reason = 'nothing to assert: ignore_parsers is set and no scenario is listed';
    result.status = result.reason === undefined && reports.every((r) => r.failures.length === 0) ? 'passed' : 'failed';
  } catch (error) {
    result.reason = describe(error);
  } finally {
    result.elapsedMs = performance.now() - started;
  }
  return result;
}

function describe(error: unknown): string {
  const e = error as { message?: string; diagnostics?: { file: string; line: number; message: string; severity?: string }[] };
  const diagnostics = (e.diagnostics ?? []).filter((d) => d.severity !== 'warning');
  if (diagnostics.length > 0) return `the items failed to load:\n${diagnostics.map((d) => `  ${d.file}:${d.line}: ${d.message}`).join('\n')}`;
  return e.message ?? String(error);
}
