// The two Local APIs the benchmark measures, each started alone with the same active decisions
// (ipOf(0) … ipOf(n - 1), 4 h bans), a bouncer key and a watcher: crowdwatch's (`crowdwatch api`
// in its own process, SQLite in a temp data dir, decisions written through the store) and Debian's
// CrowdSec 1.4.6 (its LAPI alone, decisions loaded with `cscli decisions import`). Loading is timed
// but is not one of the figures.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashApiKey, hashPassword } from '../src/api/credentials';
import { loadApiConfig } from '../src/config/api-config';
import { packageRoot } from '../src/engine/package-root';
import { startCrowdsecLapi } from '../src/reference/lapi';
import { freeLoopbackPort, Server, sleep } from '../src/reference/processes';
import type { Reference } from '../src/reference/reference';
import { Store } from '../src/store/store';
import type { NewAlert } from '../src/store/types';
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

/**
 * Writes a bouncer key, a watcher and `decisions` bans (ipOf(0) upward) into the store of
 * `dir`, through the store; resolves to the seconds it took.
 */
export async function seedCrowdwatchStore(dir: string, decisions: number, progress: (line: string) => void): Promise<number> {
  const store = await Store.open(loadApiConfig({ dataDir: dir }).store);
  try {
    await store.bouncers.add('bench', hashApiKey(BOUNCER_KEY));
    await store.machines.add(MACHINE.login, await hashPassword(MACHINE.password), true);
    const now = Date.now();
    const t0 = performance.now();
    for (let i = 0; i < decisions; i += 1000) {
      await store.alerts.insert(Array.from({ length: Math.min(1000, decisions - i) }, (_, j) => alertFor(ipOf(i + j), now)), now);
      progress(`loading decisions ${Math.min(i + 1000, decisions)}/${decisions}`);
    }
    return (performance.now() - t0) / 1000;
  } finally {
    await store.close();
  }
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
      load: { seconds, how: 'written through the store before start' },
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
    const rows = Array.from({ length: decisions }, (_, i) => ({ duration: `${BAN_MS / 3600_000}h`, scope: 'Ip', value: ipOf(i), type: 'ban', reason: SCENARIO }));
    const t0 = performance.now();
    await lapi.importDecisions(rows, importTimeoutMs);
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

function alertFor(ip: string, now: number): NewAlert {
  const t = new Date(now).toISOString();
  return {
    machineId: MACHINE.login, scenario: SCENARIO, scenarioHash: '', scenarioVersion: '', message: 'bench', eventsCount: 6,
    startAt: t, stopAt: t, stopAtMs: now, capacity: 5, leakspeed: '10s', simulated: false, remediation: true,
    source: { scope: 'Ip', value: ip, ip }, events: [], meta: [], labels: [],
    decisions: [{ type: 'ban', scope: 'Ip', value: ip, origin: 'crowdsec', scenario: SCENARIO, simulated: false, until: now + BAN_MS }],
  };
}
