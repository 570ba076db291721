// Soak: a million lines through `crowdwatch run` following two files, with the daemon's memory
// sampled once a second. The traffic mixes benign nginx requests, 404 probing and ssh password
// failures from a large pool of addresses, so buckets are created, overflow and expire all along;
// a leak shows as resident memory that keeps climbing while the live bucket count is flat.
//
//   node dist/benches/daemon-soak.js [--lines 1000000] [--rate 15000] [--attackers 50000] [--parallel] [--json]
import * as fs from 'node:fs';
import { nginxTime, syslogTime } from '../src/bench/gen/common';
import { parseExposition, type ParsedSample } from '../src/metrics/exposition';
import { sleep } from '../src/reference/processes';
import { numberArg } from './args';
import { startFollowingDaemon } from './daemon-harness';

const LINES = numberArg('--lines', 1_000_000);
const RATE = numberArg('--rate', 15_000);
const ATTACKERS = numberArg('--attackers', 50_000);
const MiB = 1 << 20;

interface MemorySample {
  t_s: number;
  lines_written: number;
  lines_read: number;
  rss_mib: number;
  engine_heap_mib: number;
  js_heap_mib: number;
  external_mib: number;
  live_buckets: number;
  alerts_raised: number;
  alerts_waiting: number;
}

function total(samples: ParsedSample[], name: string): number {
  return samples.filter((s) => s.name === name).reduce((n, s) => n + s.value, 0);
}

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** The lines of one 10 ms tick: 70% nginx (a tenth of them 404 probes), 30% sshd failures. */
function tick(count: number, seq: number): { nginx: string; sshd: string } {
  const now = new Date();
  const web = nginxTime(now);
  const sys = syslogTime(now);
  let nginx = '';
  let sshd = '';
  for (let i = 0; i < count; i++) {
    const n = seq + i;
    const attacker = `198.51.${(n % ATTACKERS) >> 8 & 255}.${n % ATTACKERS & 255}`;
    const r = n % 10;
    if (r < 6) nginx += `192.0.2.${n % 200} - - [${web}] "GET /articles/${n % 5000}.html HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (X11; Linux x86_64)"\n`;
    else if (r === 6) nginx += `${attacker} - - [${web}] "GET /probe-${n % 97}.php HTTP/1.1" 404 153 "-" "Mozilla/5.0"\n`;
    else sshd += `${sys} gw sshd[${1000 + (n % 30000)}]: Failed password for invalid user u${n % 50} from ${attacker} port ${20000 + (n % 40000)} ssh2\n`;
  }
  return { nginx, sshd };
}

async function main(): Promise<void> {
  const { access, auth, daemon, metricsUrl, stop } = await startFollowingDaemon('soak', undefined, process.argv.includes('--parallel') ? ['--parallel'] : []);
  const curve: MemorySample[] = [];
  try {
    const pid = daemon.child.pid!;
    const started = performance.now();
    let written = 0;
    let read = 0;
    const sample = async (): Promise<void> => {
      const m = parseExposition(await (await fetch(metricsUrl)).text());
      read = total(m, 'cs_parser_hits_total');
      curve.push({
        t_s: Math.round((performance.now() - started) / 100) / 10,
        lines_written: written,
        lines_read: read,
        rss_mib: Math.round((rssOf(pid) / MiB) * 10) / 10,
        engine_heap_mib: Math.round((total(m, 'crowdwatch_engine_heap_bytes') / MiB) * 10) / 10,
        js_heap_mib: Math.round((total(m, 'crowdwatch_js_heap_used_bytes') / MiB) * 10) / 10,
        external_mib: Math.round((total(m, 'crowdwatch_js_external_bytes') / MiB) * 10) / 10,
        live_buckets: total(m, 'cs_buckets'),
        alerts_raised: total(m, 'crowdwatch_alerts_raised_total'),
        alerts_waiting: total(m, 'crowdwatch_outbox_alerts'),
      });
      if (!process.argv.includes('--json')) {
        const s = curve[curve.length - 1];
        process.stderr.write(`\r${s.t_s.toFixed(0)} s  written ${s.lines_written}  read ${s.lines_read}  rss ${s.rss_mib} MiB  heap ${s.engine_heap_mib} MiB  buckets ${s.live_buckets}   `);
      }
    };
    let nextSample = started;
    const perTick = Math.max(1, Math.round(RATE / 100));
    while (written < LINES) {
      const t0 = performance.now();
      const n = Math.min(perTick, LINES - written);
      const { nginx, sshd } = tick(n, written);
      fs.appendFileSync(access, nginx);
      fs.appendFileSync(auth, sshd);
      written += n;
      if (t0 >= nextSample) {
        await sample();
        nextSample += 1000;
      }
      const wait = 10 - (performance.now() - t0);
      if (wait > 0) await sleep(wait);
    }
    const writeSeconds = (performance.now() - started) / 1000;
    // Let the daemon finish reading, then watch a little longer (buckets expire).
    const drainDeadline = performance.now() + 120_000;
    while (read < LINES && performance.now() < drainDeadline) {
      await sleep(1000);
      await sample();
    }
    const caughtUp = (performance.now() - started) / 1000;
    for (let i = 0; i < 10; i++) {
      await sleep(1000);
      await sample();
    }
    const half = curve.filter((s) => s.lines_read >= LINES / 2);
    const first = half[0];
    const last = curve[curve.length - 1];
    const result = {
      lines: LINES,
      target_rate: RATE,
      write_seconds: Math.round(writeSeconds * 10) / 10,
      read_all_after_s: Math.round(caughtUp * 10) / 10,
      lines_read: read,
      peak_rss_mib: Math.max(...curve.map((s) => s.rss_mib)),
      final_rss_mib: last.rss_mib,
      peak_live_buckets: Math.max(...curve.map((s) => s.live_buckets)),
      // Growth over the second half of the stream: what a leak would show.
      rss_growth_second_half_mib: first ? Math.round((last.rss_mib - first.rss_mib) * 10) / 10 : NaN,
      heap_growth_second_half_mib: first ? Math.round((last.engine_heap_mib - first.engine_heap_mib) * 10) / 10 : NaN,
      reading_paused: (daemon.output.match(/reading paused/g) ?? []).length,
      curve,
    };
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      process.stderr.write('\n');
      const every = Math.max(1, Math.floor(curve.length / 20));
      process.stdout.write('   t(s)    written       read   rss MiB  heap MiB   buckets\n');
      for (const [i, s] of curve.entries()) {
        if (i % every !== 0 && i !== curve.length - 1) continue;
        process.stdout.write(`${s.t_s.toFixed(0).padStart(7)}${String(s.lines_written).padStart(11)}${String(s.lines_read).padStart(11)}${s.rss_mib.toFixed(1).padStart(10)}${s.engine_heap_mib.toFixed(1).padStart(10)}${String(s.live_buckets).padStart(10)}\n`);
      }
      process.stdout.write(`\n${LINES.toLocaleString('en-US')} lines at ${RATE.toLocaleString('en-US')}/s: all read after ${result.read_all_after_s} s (writing took ${result.write_seconds} s)\n`);
      process.stdout.write(`peak RSS ${result.peak_rss_mib} MiB, final ${result.final_rss_mib} MiB; peak live buckets ${result.peak_live_buckets}\n`);
      process.stdout.write(`growth over the second half: RSS ${result.rss_growth_second_half_mib} MiB, engine heap ${result.heap_growth_second_half_mib} MiB\n`);
    }
    if (read < LINES) process.exitCode = 1;
  } finally {
    await stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
