// Attack line written → ban decision visible through the API, with `crowdwatch run` following
// files under background traffic. The daemon runs as its own process; this process writes the
// logs (benign nginx lines at --rate per second, an ssh brute force from a new address every
// --every ms) and watches decisions arrive on a long-polling stream, as our bouncers do.
//
// Once a second it also samples the daemon: resident memory, CPU, and the event-loop delay the
// daemon reports (how long a line read waited for the engine), so a slow figure comes with
// where the time went.
//
//   node dist/benches/detection-latency.js [--rate 10000] [--seconds 20] [--every 250] [--parallel] [--json]
import * as fs from 'node:fs';
import { nginxTime, syslogTime } from '../src/bench/gen/common';
import { parseExposition } from '../src/metrics/exposition';
import { runToCompletion, sleep } from '../src/reference/processes';
import { percentile } from './api-load';
import { numberArg } from './args';
import { CLI, startFollowingDaemon } from './daemon-harness';

const RATE = numberArg('--rate', 10_000);
const SECONDS = numberArg('--seconds', 20);
const EVERY_MS = numberArg('--every', 250);

interface DaemonSample {
  t_s: number;
  rss_mib: number;
  /** Share of one core the daemon used since the previous sample. */
  cpu: number;
  /** Event-loop delay since the previous sample, p99 and max (ms). */
  lag_p99_ms: number;
  lag_max_ms: number;
}

/** User + system CPU seconds of `pid` so far, and its resident memory in MiB. */
function usage(pid: number): { cpu_s: number; rss_mib: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpu_s: ticks / 100, rss_mib: Math.round((rss / 1024) * 10) / 10 };
}

function benignLines(count: number, seq: number): string {
  const stamp = nginxTime(new Date());
  let out = '';
  for (let i = 0; i < count; i++) {
    const n = seq + i;
    out += `198.18.${(n >> 8) & 255}.${n & 255} - - [${stamp}] "GET /articles/${n % 5000}.html HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (X11; Linux x86_64)"\n`;
  }
  return out;
}

async function main(): Promise<void> {
  let key = '';
  const { access, auth, url, daemon, metricsUrl, stop } = await startFollowingDaemon('latency', async (dir) => {
    key = (await runToCompletion(process.execPath, [CLI, 'bouncers', 'add', 'bench', '-o', 'raw', '--data-dir', dir], { cwd: dir, env: process.env, timeoutMs: 30_000 })).stdout.trim();
  }, process.argv.includes('--parallel') ? ['--parallel'] : []);
  const written = new Map<string, number>();
  const latencies: number[] = [];
  /** Latencies in attack order: the first ones pay for warm-up (first use of each regex). */
  const inOrder: number[] = [];
  let running = true;
  try {
    // The observer: a bouncer long-polling the stream, timestamping each new ban.
    const observer = (async () => {
      let startup = true;
      while (running) {
        const res = await fetch(`${url}/v1/decisions/stream?startup=${startup}&wait=2s`, { headers: { 'x-api-key': key } }).catch(() => null);
        startup = false;
        if (!res) continue;
        const body = (await res.json()) as { new: Array<{ value: string }> | null };
        const now = performance.now();
        for (const d of body.new ?? []) {
          const t0 = written.get(d.value);
          if (t0 !== undefined) {
            latencies.push(now - t0);
            inOrder.push(Math.round((now - t0) * 10) / 10);
            written.delete(d.value);
          }
        }
      }
    })();
    const started = performance.now();
    const samples: DaemonSample[] = [];
    const pid = daemon.child.pid!;
    let last = { t: started, cpu_s: usage(pid).cpu_s };
    await fetch(metricsUrl).catch(() => null); // resets the lag histogram
    const sampleDaemon = async (): Promise<void> => {
      const now = performance.now();
      const u = usage(pid);
      const m = parseExposition(await (await fetch(metricsUrl)).text());
      const lag = (q: string): number => (m.find((s) => s.name === 'crowdwatch_engine_lag_seconds' && s.labels.quantile === q)?.value ?? NaN) * 1000;
      samples.push({
        t_s: Math.round((now - started) / 100) / 10,
        rss_mib: u.rss_mib,
        cpu: Math.round(((u.cpu_s - last.cpu_s) / ((now - last.t) / 1000)) * 100) / 100,
        lag_p99_ms: Math.round(lag('0.99') * 10) / 10,
        lag_max_ms: Math.round(lag('1') * 10) / 10,
      });
      last = { t: now, cpu_s: u.cpu_s };
    };
    let nextSample = started + 1000;
    let seq = 0;
    let attacks = 0;
    let nextAttack = started;
    const perTick = Math.max(1, Math.round(RATE / 100));
    while (performance.now() - started < SECONDS * 1000) {
      const tick = performance.now();
      fs.appendFileSync(access, benignLines(perTick, seq));
      seq += perTick;
      if (tick >= nextAttack) {
        const ip = `203.0.${(attacks >> 8) & 255}.${attacks & 255}`;
        const stamp = syslogTime(new Date());
        const lines = Array.from({ length: 6 }, (_, i) => `${stamp} gw sshd[${1000 + i}]: Failed password for root from ${ip} port ${40000 + i} ssh2\n`).join('');
        fs.appendFileSync(auth, lines);
        written.set(ip, performance.now());
        attacks++;
        nextAttack += EVERY_MS;
      }
      if (tick >= nextSample) {
        nextSample += 1000;
        await sampleDaemon();
      }
      const wait = 10 - (performance.now() - tick);
      if (wait > 0) await sleep(wait);
    }
    const elapsed = (performance.now() - started) / 1000;
    await sleep(2000); // the last attacks' decisions
    running = false;
    await observer;
    latencies.sort((a, b) => a - b);
    const steady = samples.slice(Math.min(2, samples.length - 1));
    const result = {
      background_lines_per_s: Math.round(seq / elapsed),
      attacks,
      detected: latencies.length,
      latency_ms: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? NaN },
      target: 'p99 < 100 ms at 10,000 lines/s',
      daemon: {
        // The first two seconds are warm-up (first use of each regex, heap growth).
        rss_mib_first: steady[0]?.rss_mib ?? NaN,
        rss_mib_last: steady[steady.length - 1]?.rss_mib ?? NaN,
        rss_mib_peak: Math.max(...samples.map((s) => s.rss_mib)),
        cpu_mean: Math.round((steady.reduce((n, s) => n + s.cpu, 0) / Math.max(1, steady.length)) * 100) / 100,
        lag_max_ms: Math.max(...steady.map((s) => s.lag_max_ms)),
      },
      samples_ms: inOrder,
      daemon_samples: samples,
    };
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      process.stdout.write(`background traffic   ${result.background_lines_per_s.toLocaleString('en-US')} lines/s for ${elapsed.toFixed(1)} s\n`);
      process.stdout.write(`attacks detected     ${result.detected}/${result.attacks}\n`);
      const f = (n: number): string => `${n.toFixed(1)} ms`;
      process.stdout.write(`line -> decision     p50 ${f(result.latency_ms.p50)}, p99 ${f(result.latency_ms.p99)}, max ${f(result.latency_ms.max)}  (target: p99 < 100 ms)\n`);
      const d = result.daemon;
      process.stdout.write(`daemon               rss ${d.rss_mib_first} -> ${d.rss_mib_last} MiB (peak ${d.rss_mib_peak}), ${Math.round(d.cpu_mean * 100)}% of a core, event-loop delay max ${f(d.lag_max_ms)}\n`);
    }
  } finally {
    running = false;
    await stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
