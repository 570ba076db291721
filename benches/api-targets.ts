// The two Local APIs the benchmark measures, each started alone with the same active decisions
// (ipOf(0) … ipOf(n - 1), 4 h bans), a bouncer key and a watcher: crowdwatch's (`crowdwatch api`
// in its own process, SQLite in a temp data dir) and Debian's CrowdSec 1.4.6 (its LAPI alone).
// Both load the same CSV file with their CLI's `decisions import`: crowdwatch's writes the store
// before the API starts, cscli posts to the running LAPI. Loading is timed and reported, but is
// not one of the compared figures.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashApiKey, hashPassword } from '../src/api/credentials';
import { loadApiConfig } from '../src/config/api-config';
import { packageRoot } from '../src/engine/package-root';
import { type ImportedDecision, importCsv, startCrowdsecLapi } from '../src/reference/lapi';
import { freeLoopbackPort, runToCompletion, Server, sleep, tail } from '../src/reference/processes';
import type { Reference } from '../src/reference/reference';
import { Store } from '../src/store/store';
import { ipOf, type ApiTarget } from './api-load';

export interface RunningTarget extends ApiTarget {
  /** Wall time to load the decisions, and how they were loaded. */
  load: { seconds: number; how: string };
  stop(): Promise<void>;
}

const BOUNCER_KEY = 'bench-bouncer-key-0123456789abcdef';
const MACHINE = { login: 'bench-agent', password: 'bench-password-0123456789' };
const BAN_MS = 4 * 3600_000;
const SCENARIO = 'bench/ssh-bf';
const IMPORT_TIMEOUT_MS = 10 * 60_000;

/** The decisions both targets load: ipOf(0) … ipOf(n - 1), 4 h bans, one reason. */
function benchDecisions(n: number): ImportedDecision[] {
  return Array.from({ length: n }, (_, i) => ({ duration: `${BAN_MS / 3600_000}h`, scope: 'Ip', value: ipOf(i), type: 'ban', reason: SCENARIO }));
}

/**
 * Writes a bouncer key and a watcher into the store of `dir`, then loads `decisions` bans
 * (ipOf(0) upward) with `crowdwatch decisions import` from the CSV file CrowdSec's cscli gets;
 * resolves to the seconds the import took (its process included, as cscli's is).
 */
export async function seedCrowdwatchStore(dir: string, decisions: number, progress: (line: string) => void): Promise<number> {
  const store = await Store.open(loadApiConfig({ dataDir: dir }).store);
  try {
    await store.bouncers.add('bench', hashApiKey(BOUNCER_KEY));
    await store.machines.add(MACHINE.login, await hashPassword(MACHINE.password), true);
  } finally {
    await store.close();
  }
  const csv = path.join(dir, 'bench-decisions.csv');
  fs.writeFileSync(csv, importCsv(benchDecisions(decisions)));
  progress(`loading ${decisions} decisions with crowdwatch decisions import`);
  const t0 = performance.now();
  const run = await runToCompletion(process.execPath, [path.join(packageRoot, 'bin/crowdwatch.js'), 'decisions', 'import', '-i', csv, '--data-dir', dir], {
    cwd: dir, env: process.env, timeoutMs: IMPORT_TIMEOUT_MS,
  });
  const seconds = (performance.now() - t0) / 1000;
  fs.rmSync(csv, { force: true });
  if (run.code !== 0) throw new Error(`crowdwatch decisions import failed (${run.code}):\n${tail(run.output)}`);
  return seconds;
}

export const BENCH_CREDENTIALS = { bouncerKey: BOUNCER_KEY, machine: MACHINE };

export async function startCrowdwatch(decisions: number, progress: (line: string) => void): Promise<RunningTarget> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crowdwatch-apibench-'));
  try {
    const seconds = await seedCrowdwatchStore(dir, decisions, progress);
    const port = await freeLoopbackPort();
    const api = new Server(process.execPath, [path.join(packageRoot, 'bin/crowdwatch.js'), 'api', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], { cwd: dir, env: process.env });
    for (let i = 0; !/listening/.test(api.output); i++) {
      if (i > 400 || !api.alive) {
        await api.stop();
        throw new Error(`crowdwatch api did not start:\n${api.output}`);
      }
      await sleep(50);
    }
    return {
      url: `http://127.0.0.1:${port}`,
      bouncerKey: BOUNCER_KEY,
      machine: MACHINE,
      load: { seconds, how: 'crowdwatch decisions import, into the store before start' },
      async stop() {
        await api.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export async function startCrowdsec(reference: Reference, decisions: number, importTimeoutMs: number): Promise<RunningTarget> {
  const lapi = await startCrowdsecLapi({ reference });
  try {
    await lapi.addBouncer('bench', BOUNCER_KEY);
    // Also cscli's own credentials: the import goes through the API as this machine.
    await lapi.addMachine(MACHINE.login, MACHINE.password);
    const t0 = performance.now();
    await lapi.importDecisions(benchDecisions(decisions), importTimeoutMs);
    const seconds = (performance.now() - t0) / 1000;
    return {
      url: lapi.url,
      bouncerKey: BOUNCER_KEY,
      machine: MACHINE,
      load: { seconds, how: 'cscli decisions import, through its API' },
      stop: () => lapi.stop(),
    };
  } catch (error) {
    await lapi.stop();
    throw error;
  }
}
