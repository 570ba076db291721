// Attack line written → ban decision visible through the API, with `crowdwatch run` following
// files under background traffic. The daemon runs as its own process; this process writes the
// logs (benign nginx lines at --rate per second, an ssh brute force from a new address every
// --every ms), and a worker thread (latency-probes.ts) watches decisions arrive on a
// long-polling stream, as our bouncers do, and polls the API's /health every --health-every ms.
//
// Once a second it also samples the daemon: resident memory, CPU (all threads, the main thread
// and the engine thread), the event-loop delay and the engine queue the daemon reports, so a slow
// figure comes with where the time went. The report gives the whole run and a curve: each
// --window seconds (attack latency and /health p50/p99/max, RSS), so a long run shows drift.
//
//   node dist/benches/detection-latency.js [--rate 10000] [--seconds 20] [--every 250]
//       [--health-every 100] [--window 30] [--session 40] [--parallel] [--json]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { nginxTime, syslogTime } from '../src/bench/gen/common';
import { parseExposition } from '../src/metrics/exposition';
import { runToCompletion, sleep } from '../src/reference/processes';
import { percentile } from './api-load';
import { numberArg } from './args';
import { CLI, startFollowingDaemon } from './daemon-harness';
import type { ProbeMessage, ProbeOptions } from './latency-probes';

const RATE = numberArg('--rate', 10_000);
const SECONDS = numberArg('--seconds', 20);
const EVERY_MS = numberArg('--every', 250);
const HEALTH_EVERY_MS = numberArg('--health-every', 100);
const WINDOW_S = numberArg('--window', 30);
/** Requests per benign client before it leaves (0: the clients never leave); see benignLines. */
const SESSION = numberArg('--session', 40);
const TARGET = 'attack line -> ban p99 < 50 ms at 100,000 lines/s; /health p99 < 10 ms';

interface DaemonSample {
  t_s: number;
  rss_mib: number;
  /** Share of one core the daemon used since the previous sample: all threads, main thread, engine thread. */
  cpu: number;
  main_cpu: number;
  engine_cpu: number;
  /** Event-loop delay since the previous sample, p99 and max (ms). */
  lag_p99_ms: number;
  lag_max_ms: number;
  /** Bytes of lines read and waiting for the engine (NaN for a daemon without the gauge). */
  queue_kib: number;
  /** Where the resident memory goes: the engine's Rust heap, the JS heap, buffers outside it. */
  engine_heap_mib: number;
  js_heap_mib: number;
  external_mib: number;
}

interface Summary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

interface WindowRow {
  from_s: number;
  to_s: number;
  attack_ms: Summary;
  health_ms: Summary & { failed: number };
  rss_mib: number;
  engine_heap_mib: number;
  js_heap_mib: number;
  cpu: number;
  queue_kib_max: number;
}

const now = (): number => performance.timeOrigin + performance.now();
const round1 = (n: number): number => Math.round(n * 10) / 10;

/** The mean of a CPU share over samples, to 0.01 of a core. */
function meanShare(samples: DaemonSample[], pick: (s: DaemonSample) => number): number {
  return round1((samples.reduce((n, s) => n + pick(s), 0) / Math.max(1, samples.length)) * 10) / 10;
}

function summary(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: round1(percentile(sorted, 50)), p99: round1(percentile(sorted, 99)), max: round1(sorted[sorted.length - 1] ?? NaN) };
}

/** CPU seconds (user + system) of a /proc stat file, and the thread name in it. */
function statCpu(file: string): { name: string; cpu_s: number } {
  const stat = fs.readFileSync(file, 'utf8');
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { name, cpu_s: (Number(fields[11]) + Number(fields[12])) / 100 };
}

/** The daemon's CPU so far (all, main thread, engine thread) and its resident memory in MiB. */
function usage(pid: number): { cpu_s: number; main_s: number; engine_s: number; rss_mib: number } {
  let engine = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const t = statCpu(`/proc/${pid}/task/${tid}/stat`);
      if (t.name === 'cw-engine') engine += t.cpu_s;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpu_s: statCpu(`/proc/${pid}/stat`).cpu_s, main_s: statCpu(`/proc/${pid}/task/${pid}/stat`).cpu_s, engine_s: engine, rss_mib: round1(rss / 1024) };
}

/**
 * Benign nginx lines: 65,536 clients at a time, round-robin, each reading a dynamic page a
 * request (/articles/<n mod 5000>.html). With --session N, a client leaves after N requests and
 * a new address takes its place, departures spread evenly (100.64.0.0/10, 64 generations of 65,536 addresses), as
 * visitors come and go; with --session 0 the same 65,536 addresses stay for the whole run, each
 * reading a new page about every 0.65 s, under what http-crawl-non-statics counts, so each of
 * their buckets lives on and its `distinct` record keeps every page it saw (625 per address
 * here): memory then grows for ~7 minutes, with CrowdSec as with us, by design of `distinct`.
 */
function benignLines(count: number, seq: number): string {
  const stamp = nginxTime(new Date());
  let out = '';
  for (let i = 0; i < count; i++) {
    const n = seq + i;
    let address: string;
    if (SESSION > 0) {
      // Slot k's client leaves after SESSION requests, the slots staggered so that as many
      // leave every second (all at once, the live buckets would swing with each generation).
      const slot = n & 0xffff;
      const id = Math.floor((Math.floor(n / 65_536) + (slot % SESSION)) / SESSION) * 65_536 + slot;
      address = `100.${64 + ((id >> 16) & 63)}.${(id >> 8) & 255}.${id & 255}`;
    } else address = `198.18.${(n >> 8) & 255}.${n & 255}`;
    out += `${address} - - [${stamp}] "GET /articles/${n % 5000}.html HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (X11; Linux x86_64)"\n`;
  }
  return out;
}

function windows(attacks: Array<{ t_s: number; ms: number }>, health: Array<{ t_s: number; ms: number; ok: boolean }>, samples: DaemonSample[], seconds: number): WindowRow[] {
  const rows: WindowRow[] = [];
  for (let from = 0; from < seconds - 1; from += WINDOW_S) {
    const to = Math.min(seconds, from + WINDOW_S);
    const inside = <T extends { t_s: number }>(xs: T[]): T[] => xs.filter((x) => x.t_s >= from && x.t_s < to);
    const h = inside(health);
    const s = inside(samples);
    rows.push({
      from_s: from,
      to_s: round1(to),
      attack_ms: summary(inside(attacks).map((a) => a.ms)),
      health_ms: { ...summary(h.filter((x) => x.ok).map((x) => x.ms)), failed: h.filter((x) => !x.ok).length },
      rss_mib: s[s.length - 1]?.rss_mib ?? NaN,
      engine_heap_mib: s[s.length - 1]?.engine_heap_mib ?? NaN,
      js_heap_mib: s[s.length - 1]?.js_heap_mib ?? NaN,
      cpu: round1(s.reduce((n, x) => n + x.cpu, 0) / Math.max(1, s.length)),
      queue_kib_max: Math.max(...s.map((x) => x.queue_kib)),
    });
  }
  return rows;
}

async function main(): Promise<void> {
  let key = '';
  const { url, access, auth, daemon, metricsUrl, stop } = await startFollowingDaemon('latency', async (dir) => {
    key = (await runToCompletion(process.execPath, [CLI, 'bouncers', 'add', 'bench', '-o', 'raw', '--data-dir', dir], { cwd: dir, env: process.env, timeoutMs: 30_000 })).stdout.trim();
  }, process.argv.includes('--parallel') ? ['--parallel'] : []);
  /** Epoch ms each attacker's lines were written, until its ban arrives. */
  const written = new Map<string, number>();
  const attackLatencies: Array<{ t_s: number; ms: number }> = [];
  const healthLatencies: Array<{ t_s: number; ms: number; ok: boolean }> = [];
  let attacks = 0;
  const started = now();
  const probeOptions: ProbeOptions = { url, apiKey: key, healthEveryMs: HEALTH_EVERY_MS };
  const probes = new Worker(path.join(__dirname, 'latency-probes.js'), { workerData: probeOptions });
  const probesStopped = new Promise<void>((resolve, reject) => {
    probes.on('error', reject);
    probes.on('exit', () => resolve());
  });
  probes.on('message', (m: ProbeMessage) => {
    if (m.kind === 'ban') {
      const t0 = written.get(m.value);
      if (t0 === undefined) return;
      written.delete(m.value);
      attackLatencies.push({ t_s: (t0 - started) / 1000, ms: m.at - t0 });
    } else if (m.kind === 'health') {
      if (m.sentAt - started < SECONDS * 1000) healthLatencies.push({ t_s: (m.sentAt - started) / 1000, ms: m.ms, ok: m.ok });
    }
  });
  try {
    const samples: DaemonSample[] = [];
    const pid = daemon.child.pid!;
    let last = { t: started, ...usage(pid) };
    await fetch(metricsUrl).catch(() => null); // resets the lag histogram
    const sampleDaemon = async (): Promise<void> => {
      const t = now();
      const u = usage(pid);
      const m = parseExposition(await (await fetch(metricsUrl)).text());
      const metric = (name: string, quantile?: string): number => m.find((s) => s.name === name && (quantile === undefined || s.labels.quantile === quantile))?.value ?? NaN;
      const share = (cpu: number, before: number): number => round1(((cpu - before) / ((t - last.t) / 1000)) * 100) / 100;
      samples.push({
        t_s: round1((t - started) / 1000),
        rss_mib: u.rss_mib,
        cpu: share(u.cpu_s, last.cpu_s),
        main_cpu: share(u.main_s, last.main_s),
        engine_cpu: share(u.engine_s, last.engine_s),
        lag_p99_ms: round1(metric('crowdwatch_engine_lag_seconds', '0.99') * 1000),
        lag_max_ms: round1(metric('crowdwatch_engine_lag_seconds', '1') * 1000),
        queue_kib: round1(metric('crowdwatch_engine_queue_bytes') / 1024),
        engine_heap_mib: round1(metric('crowdwatch_engine_heap_bytes') / 1048576),
        js_heap_mib: round1(metric('crowdwatch_js_heap_used_bytes') / 1048576),
        external_mib: round1(metric('crowdwatch_js_external_bytes') / 1048576),
      });
      last = { t, ...u };
    };
    let nextSample = started + 1000;
    let seq = 0;
    let nextAttack = started;
    const perTick = Math.max(1, Math.round(RATE / 100));
    while (now() - started < SECONDS * 1000) {
      const tick = now();
      fs.appendFileSync(access, benignLines(perTick, seq));
      seq += perTick;
      if (tick >= nextAttack) {
        const ip = `203.0.${(attacks >> 8) & 255}.${attacks & 255}`;
        const stamp = syslogTime(new Date());
        const lines = Array.from({ length: 6 }, (_, i) => `${stamp} gw sshd[${1000 + i}]: Failed password for root from ${ip} port ${40000 + i} ssh2\n`).join('');
        fs.appendFileSync(auth, lines);
        written.set(ip, now());
        attacks++;
        nextAttack += EVERY_MS;
      }
      if (tick >= nextSample) {
        nextSample += 1000;
        await sampleDaemon();
      }
      const wait = 10 - (now() - tick);
      if (wait > 0) await sleep(wait);
    }
    const elapsed = (now() - started) / 1000;
    await sleep(2000); // the last attacks' decisions
    probes.postMessage('stop');
    await probesStopped;
    const steady = samples.slice(Math.min(2, samples.length - 1));
    const all = summary(attackLatencies.map((a) => a.ms));
    const result = {
      background_lines_per_s: Math.round(seq / elapsed),
      session_requests: SESSION,
      seconds: round1(elapsed),
      attacks,
      detected: attackLatencies.length,
      latency_ms: { p50: all.p50, p99: all.p99, max: all.max },
      health_ms: { ...summary(healthLatencies.filter((h) => h.ok).map((h) => h.ms)), failed: healthLatencies.filter((h) => !h.ok).length },
      target: TARGET,
      daemon: {
        // The first two seconds are warm-up (first use of each regex, heap growth).
        rss_mib_first: steady[0]?.rss_mib ?? NaN,
        rss_mib_last: steady[steady.length - 1]?.rss_mib ?? NaN,
        rss_mib_peak: Math.max(...samples.map((s) => s.rss_mib)),
        cpu_mean: meanShare(steady, (s) => s.cpu),
        main_cpu_mean: meanShare(steady, (s) => s.main_cpu),
        engine_cpu_mean: meanShare(steady, (s) => s.engine_cpu),
        lag_max_ms: Math.max(...steady.map((s) => s.lag_max_ms)),
        queue_kib_max: Math.max(...steady.map((s) => s.queue_kib)),
      },
      windows: windows(attackLatencies, healthLatencies, samples, elapsed),
      samples_ms: attackLatencies.map((a) => round1(a.ms)),
      daemon_samples: samples,
    };
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const out = (line: string): boolean => process.stdout.write(`${line}\n`);
      const f = (n: number): string => `${n.toFixed(1)} ms`;
      const s3 = (s: Summary): string => `${s.p50.toFixed(1)} / ${s.p99.toFixed(1)} / ${s.max.toFixed(1)}`;
      out(`background traffic   ${result.background_lines_per_s.toLocaleString('en-US')} lines/s for ${elapsed.toFixed(1)} s, ${SESSION > 0 ? `clients leave after ${SESSION} requests` : 'the same 65,536 clients throughout'}`);
      out(`attacks detected     ${result.detected}/${result.attacks}`);
      out(`line -> decision     p50 ${f(result.latency_ms.p50)}, p99 ${f(result.latency_ms.p99)}, max ${f(result.latency_ms.max)}`);
      const h = result.health_ms;
      out(`GET /health          p50 ${f(h.p50)}, p99 ${f(h.p99)}, max ${f(h.max)} (${h.count} polls every ${HEALTH_EVERY_MS} ms, ${h.failed} failed)`);
      out(`target               ${TARGET}`);
      const d = result.daemon;
      const pct = (n: number): string => (Number.isNaN(n) ? '-' : `${Math.round(n * 100)}%`);
      out(`daemon               rss ${d.rss_mib_first} -> ${d.rss_mib_last} MiB (peak ${d.rss_mib_peak}), ${pct(d.cpu_mean)} of a core (main thread ${pct(d.main_cpu_mean)}, engine thread ${pct(d.engine_cpu_mean)}), event-loop delay max ${f(d.lag_max_ms)}, engine queue max ${Number.isFinite(d.queue_kib_max) ? `${d.queue_kib_max} KiB` : '-'}`);
      out('');
      out(`window (s)   attacks  line -> decision ms p50 / p99 / max   /health ms p50 / p99 / max   rss (engine, js heap) MiB   cpu`);
      for (const w of result.windows) {
        const memory = `${w.rss_mib} (${w.engine_heap_mib}, ${w.js_heap_mib})`;
        out(`${`${w.from_s}-${w.to_s}`.padEnd(12)} ${String(w.attack_ms.count).padStart(7)}  ${s3(w.attack_ms).padEnd(36)} ${s3(w.health_ms).padEnd(28)} ${memory.padEnd(27)} ${pct(w.cpu)}`);
      }
    }
  } finally {
    probes.postMessage('stop');
    await probesStopped.catch(() => undefined);
    await stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
