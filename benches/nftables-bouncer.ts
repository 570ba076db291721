// The nftables bouncer's two figures, in a network namespace the bench creates: the time to put
// N active decisions into the kernel sets (bouncer start to the last element), and the time from
// a decision to its kernel element (an alert posted to the API as the daemon would, then seen by
// `nft monitor`). With --vs crowdsec, Debian's crowdsec-firewall-bouncer 0.0.25 is measured the
// same way against the same API (it polls: update_frequency 1s).
//
//   node dist/benches/nftables-bouncer.js [--decisions 100000] [--samples 50] [--fill-timeout 300] [--vs crowdsec] [-o json]
//
// The parent creates the namespace and runs itself inside it (--in-netns), so the API, the
// bouncers, nft and the monitor share one private loopback and one private ruleset.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WatcherClient } from '../src/api/client';
import { defaultNft, systemTool } from '../src/bouncers/nftables/nft';
import { packageRoot } from '../src/engine/package-root';
import { freeLoopbackPort, runToCompletion, Server, sleep } from '../src/reference/processes';
import { FIREWALL_BOUNCER_BIN, FIREWALL_SETS, writeFirewallBouncerConfig } from '../src/reference/firewall-bouncer';
import { alertBody, percentile } from './api-load';
import { numberArg } from './args';
import { BENCH_CREDENTIALS, seedCrowdwatchStore } from './api-targets';

const CLI = path.join(packageRoot, 'bin/crowdwatch.js');
const NFT = defaultNft();
const IP = systemTool('ip') ?? 'ip';

interface Plan {
  decisions: number;
  fillTimeoutMs: number;
  samples: number;
  vsCrowdsec: boolean;
  json: boolean;
}

interface BouncerFigures {
  name: string;
  /** Seconds from the bouncer's start to all N decisions in the kernel; null past --fill-timeout. */
  fillSeconds: number | null;
  /** Decisions in the kernel when the fill ended (N, or what the timeout found). */
  reached: number;
  /** Decision (alert accepted by the API) to kernel element, milliseconds. */
  latency: { p50: number; p99: number; max: number; samples: number; missed: number };
}


function plan(): Plan {
  return {
    decisions: numberArg('--decisions', 100_000),
    fillTimeoutMs: numberArg('--fill-timeout', 300) * 1000,
    samples: Math.min(250, numberArg('--samples', 50)),
    vsCrowdsec: process.argv.includes('--vs') && process.argv[process.argv.indexOf('--vs') + 1] === 'crowdsec',
    json: process.argv.includes('-o') && process.argv[process.argv.indexOf('-o') + 1] === 'json',
  };
}

const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** `nft monitor elements`: when each address first appeared in an `add element` line. */
class ElementMonitor {
  readonly seen = new Map<string, number>();
  /** `add element` lines, and the elements in them. */
  added = 0;
  private readonly child: ChildProcess;
  private buffered = '';

  constructor() {
    this.child = spawn(NFT, ['monitor', 'elements'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.child.stdout?.on('data', (b: Buffer) => {
      const at = Date.now();
      this.buffered += b.toString();
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('add element')) continue;
        for (const m of line.matchAll(/(\d+\.\d+\.\d+\.\d+) timeout/g)) {
          this.added++;
          if (!this.seen.has(m[1])) this.seen.set(m[1], at);
        }
      }
    });
  }

  /** Resolves once the monitor demonstrably sees additions (a canary element in a table of its own). */
  async ready(): Promise<void> {
    const canary = '192.0.2.255';
    execFileSync(NFT, ['-f', '-'], { input: 'add table inet cwbench\nadd set inet cwbench canary { type ipv4_addr; flags timeout; }\n' });
    await until('nft monitor to start', () => {
      execFileSync(NFT, ['add', 'element', 'inet', 'cwbench', 'canary', `{ ${canary} timeout 1s }`]);
      return this.seen.has(canary);
    }, 10_000);
    execFileSync(NFT, ['delete', 'table', 'inet', 'cwbench']);
    this.seen.delete(canary);
    this.added = 0;
  }

  stop(): void {
    this.child.kill();
  }
}

function kernelCount(family: string, table: string, name: string): number {
  try {
    const out = execFileSync(NFT, ['-j', 'list', 'set', family, table, name], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
    const set = (JSON.parse(out) as { nftables: { set?: { elem?: unknown[] } }[] }).nftables.find((o) => o.set)?.set;
    return set?.elem?.length ?? 0;
  } catch {
    return 0;
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
  return Date.now();
}

interface Contender {
  name: string;
  /** Its IPv4 address set, counted when the fill times out. */
  v4Set: { family: string; table: string; set: string };
  start(apiUrl: string, dir: string): Server;
  /**
   * Whether all N decisions are in the kernel, checked without loading the machine: our bouncer
   * says so; for theirs, `nft monitor` counts the elements added (a full listing of 100,000
   * elements costs a second of CPU, which would slow the bouncer being timed), with a listing
   * every 5 s as a fallback should the monitor lose events.
   */
  filled(server: Server, n: number, monitor: ElementMonitor): boolean;
  cleanup(): Promise<void>;
}

const ours: Contender = {
  name: 'crowdwatch bouncer nftables',
  v4Set: { family: 'inet', table: 'crowdwatch', set: 'banned-v4' },
  start: (apiUrl, dir) =>
    new Server(process.execPath, [CLI, 'bouncer', 'nftables', '--api-url', apiUrl, '--api-key', BENCH_CREDENTIALS.bouncerKey, '--set-size', '262144'], { cwd: dir, env: process.env }),
  filled: (server, n, _monitor) => new RegExp(`reconciled with the kernel: \\+${n} `).test(server.output),
  cleanup: async () => {
    await runToCompletion(process.execPath, [CLI, 'bouncer', 'nftables', '--remove'], { cwd: packageRoot, env: process.env, timeoutMs: 30_000 });
  },
};

let lastListing = 0;

const theirs: Contender = {
  name: 'crowdsec-firewall-bouncer 0.0.25',
  v4Set: FIREWALL_SETS.v4,
  start(apiUrl, dir) {
    const config = writeFirewallBouncerConfig(dir, apiUrl, BENCH_CREDENTIALS.bouncerKey);
    return new Server(FIREWALL_BOUNCER_BIN, ['-c', config], { cwd: dir, env: process.env });
  },
  filled: (_server, n, monitor) => {
    if (monitor.added >= n) return true;
    if (Date.now() - lastListing < 5000) return false;
    lastListing = Date.now();
    return kernelCount(theirs.v4Set.family, theirs.v4Set.table, theirs.v4Set.set) >= n;
  },
  cleanup: async () => {
    for (const t of [FIREWALL_SETS.v4, FIREWALL_SETS.v6]) await runToCompletion(NFT, ['delete', 'table', t.family, t.table], { cwd: '/', env: process.env, timeoutMs: 30_000 });
  },
};

async function measure(c: Contender, apiUrl: string, dir: string, p: Plan, round: number): Promise<BouncerFigures> {
  const filling = new ElementMonitor();
  let monitor: ElementMonitor | undefined = filling;
  await filling.ready();
  const started = Date.now();
  const server = c.start(apiUrl, dir);
  try {
    let fillSeconds: number | null = null;
    let reached = p.decisions;
    try {
      const done = await until(`${c.name} to fill its sets`, () => {
        if (!server.alive) throw new Error(`${c.name} exited:\n${server.output}`);
        return c.filled(server, p.decisions, filling);
      }, p.fillTimeoutMs, 50);
      fillSeconds = (done - started) / 1000;
      progress(`${c.name}: ${p.decisions} decisions in the kernel after ${fillSeconds.toFixed(2)} s`);
    } catch (error) {
      if (!server.alive) throw error;
      reached = kernelCount(c.v4Set.family, c.v4Set.table, c.v4Set.set);
      progress(`${c.name}: ${reached} of ${p.decisions} decisions in the kernel after ${p.fillTimeoutMs / 1000} s; measuring latency anyway`);
    }
    filling.stop();
    // Watching starts after the fill: the monitor must not be working through 100,000 old events.
    const watching = new ElementMonitor();
    monitor = watching;
    await watching.ready();
    const agent = new WatcherClient({ url: apiUrl, machineId: BENCH_CREDENTIALS.machine.login, password: BENCH_CREDENTIALS.machine.password });
    const latencies: number[] = [];
    let missed = 0;
    for (let k = 0; k < p.samples; k++) {
      const ip = `${round === 0 ? '198.51.100' : '203.0.113'}.${k + 1}`;
      const posted = Date.now();
      await agent.pushAlerts([alertBody(ip)]);
      try {
        await until(`${ip} in the kernel`, () => watching.seen.has(ip), 10_000, 2);
        latencies.push((watching.seen.get(ip) as number) - posted);
      } catch {
        missed++;
      }
      await sleep(20 + (k % 7) * 10);
    }
    latencies.sort((a, b) => a - b);
    const latency = { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? NaN, samples: latencies.length, missed };
    progress(`${c.name}: decision to kernel element p50 ${latency.p50} ms, p99 ${latency.p99} ms over ${latency.samples}`);
    return { name: c.name, fillSeconds, reached, latency };
  } finally {
    monitor?.stop();
    await server.stop();
    await c.cleanup();
  }
}

async function inNetns(): Promise<void> {
  const p = plan();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crowdwatch-nftbench-'));
  let api: Server | undefined;
  try {
    await runToCompletion(IP, ['link', 'set', 'lo', 'up'], { cwd: '/', env: process.env, timeoutMs: 10_000 });
    await seedCrowdwatchStore(dir, p.decisions, progress);
    const port = await freeLoopbackPort();
    api = new Server(process.execPath, [CLI, 'api', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], { cwd: dir, env: process.env });
    await until('the API', () => /listening/.test(api?.output ?? ''), 30_000);
    const url = `http://127.0.0.1:${port}`;
    const figures = [await measure(ours, url, dir, p, 0)];
    if (p.vsCrowdsec) {
      if (fs.existsSync(FIREWALL_BOUNCER_BIN)) figures.push(await measure(theirs, url, dir, p, 1));
      else progress(`--vs crowdsec: ${FIREWALL_BOUNCER_BIN} missing (scripts/fetch-reference.sh fetches it)`);
    }
    process.stdout.write(`${JSON.stringify({ decisions: p.decisions, figures })}\n`);
  } finally {
    await api?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function report(result: { decisions: number; figures: BouncerFigures[] }): string {
  const fill = (f: BouncerFigures): string => (f.fillSeconds === null ? `>${plan().fillTimeoutMs / 1000} s (${f.reached})` : `${f.fillSeconds.toFixed(2)} s`);
  const rows = result.figures.map((f) => `  ${f.name.padEnd(34)} ${fill(f).padStart(10)}   p50 ${String(f.latency.p50).padStart(5)} ms   p99 ${String(f.latency.p99).padStart(5)} ms   (${f.latency.samples} samples${f.latency.missed ? `, ${f.latency.missed} missed` : ''})`);
  const lines = [`nftables bouncers, ${result.decisions} active decisions (own network namespace; crowdwatch's API for both)`, `  ${'bouncer'.padEnd(34)} ${'fill'.padStart(10)}   decision -> kernel element`, ...rows];
  if (result.figures.length === 2) {
    const [a, b] = result.figures;
    const fillRatio = a.fillSeconds !== null && b.fillSeconds !== null ? `${(b.fillSeconds / a.fillSeconds).toFixed(1)}x` : b.fillSeconds === null && a.fillSeconds !== null ? `>${(plan().fillTimeoutMs / 1000 / a.fillSeconds).toFixed(0)}x` : 'n/a';
    lines.push(`  ratio (theirs / ours): fill ${fillRatio}, latency p50 ${(b.latency.p50 / a.latency.p50).toFixed(1)}x, p99 ${(b.latency.p99 / a.latency.p99).toFixed(1)}x`);
  }
  return `${lines.join('\n')}\n`;
}

async function parent(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('this bench needs root (a network namespace and nftables)');
  const p = plan();
  const ns = `cwnftb-${process.pid}`;
  await runToCompletion(IP, ['netns', 'add', ns], { cwd: '/', env: process.env, timeoutMs: 10_000 });
  try {
    const child = spawn(IP, ['netns', 'exec', ns, process.execPath, __filename, '--in-netns', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`the bench failed inside the namespace (exit ${code})`);
    const result = JSON.parse(out.trim().split('\n').pop() as string) as { decisions: number; figures: BouncerFigures[] };
    process.stdout.write(p.json ? `${JSON.stringify(result, null, 2)}\n` : report(result));
  } finally {
    await runToCompletion(IP, ['netns', 'del', ns], { cwd: '/', env: process.env, timeoutMs: 10_000 });
  }
}

(process.argv.includes('--in-netns') ? inNetns() : parent()).catch((error: Error) => {
  process.stderr.write(`nftables bench: ${error.message}\n`);
  process.exitCode = 1;
});
