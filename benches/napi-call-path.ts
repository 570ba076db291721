// The N-API call path: what one call into the addon costs, and how batching amortises it.
// Lines cross the boundary as one Buffer per batch; results come back as one JSON string.
//
//   npm run bench:napi            (node dist/benches/napi-call-path.js [--json])
//
// Rows: a call that does no engine work (`stats`), an empty batch, and the same sshd lines fed
// in batches of 1 to 10,000 lines: ns per call and ns per line, measured in one run. Then the
// async path: the round trip of an empty `processBatchAsync` (to the engine thread and back
// through the event loop), and what a 256 KiB `processBatchAsync` costs the calling thread
// (the copy of the lines and the promise; the batch itself runs on the engine thread).
import { bindings } from '../src/engine/native';
import { resolveEngineOptions } from '../src/engine/options';
import { distributedBruteForce } from '../src/bench/gen/distributed-bf';

interface Row {
  what: string;
  calls: number;
  nsPerCall: number;
  nsPerLine?: number;
}

function time(calls: number, f: (i: number) => void): number {
  for (let i = 0; i < Math.min(calls, 1000); i++) f(i); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) f(i);
  return Number(process.hrtime.bigint() - t0) / calls;
}

/** Awaits each call before the next: the round trip, in ns per call. */
async function timeAsync(calls: number, f: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(calls, 1000); i++) await f(i);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await f(i);
  return Number(process.hrtime.bigint() - t0) / calls;
}

async function main(): Promise<void> {
  const native = bindings();
  const engine = native.Engine.load(resolveEngineOptions({ mode: 'replay' }));
  // A source whose type no parser accepts: the engine splits the line and drops it at stage one.
  const unparsed = engine.source({ type: 'none' }, 'bench', 'file');
  const rows: Row[] = [];
  rows.push({ what: 'stats() (no engine work, JSON out)', calls: 200_000, nsPerCall: time(200_000, () => engine.stats()) });
  const empty = Buffer.alloc(0);
  rows.push({ what: 'processBatch(empty buffer)', calls: 200_000, nsPerCall: time(200_000, () => engine.processBatch(unparsed, empty)) });
  const oneUnparsed = Buffer.from('Nov 24 10:00:00 host x: y\n');
  const unparsedNs = time(200_000, () => engine.processBatch(unparsed, oneUnparsed));
  rows.push({ what: 'processBatch(1 unparsed line)', calls: 200_000, nsPerCall: unparsedNs, nsPerLine: unparsedNs });

  // Real sshd failures from distinct addresses (each opens buckets), cut into batches of n lines;
  // a fresh engine per batch size, each line poured once.
  const text = Buffer.concat([...distributedBruteForce({ ips: 100_000, startMs: Date.UTC(2026, 0, 2), spanSeconds: 20 })]);
  const lines: Buffer[] = [];
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf(10, start) + 1;
    lines.push(text.subarray(start, end));
    start = end;
  }
  for (const n of [1, 10, 100, 1000, 10_000]) {
    const fresh = native.Engine.load(resolveEngineOptions({ mode: 'replay' }));
    const src = fresh.source({ type: 'syslog' }, '/var/log/auth.log', 'file');
    const batches: Buffer[] = [];
    for (let i = 0; i + n <= lines.length; i += n) batches.push(Buffer.concat(lines.slice(i, i + n)));
    const t0 = process.hrtime.bigint();
    for (const b of batches) fresh.processBatch(src, b);
    const ns = Number(process.hrtime.bigint() - t0) / batches.length;
    rows.push({ what: `processBatch(${n.toLocaleString('en-US')} sshd lines)`, calls: batches.length, nsPerCall: ns, nsPerLine: ns / n });
  }

  const asyncEngine = native.Engine.load(resolveEngineOptions({ mode: 'replay' }));
  const asyncUnparsed = asyncEngine.source({ type: 'none' }, 'bench', 'file');
  rows.push({ what: 'processBatchAsync(empty), awaited', calls: 20_000, nsPerCall: await timeAsync(20_000, () => asyncEngine.processBatchAsync(asyncUnparsed, empty)) });
  // 256 KiB of lines no parser takes (the engine only splits them): the calling thread's share
  // is the call itself, timed alone, with the promises awaited outside the timing.
  const chunk = Buffer.from('Nov 24 10:00:00 host x: y\n'.repeat(Math.floor((256 * 1024) / 26)));
  for (const [what, buf] of [['processBatchAsync(empty), the call', empty], ['processBatchAsync(256 KiB), the call', chunk]] as const) {
    let ns = 0;
    const calls = 2000;
    for (let i = 0; i < calls; i++) {
      const t0 = process.hrtime.bigint();
      const pending = asyncEngine.processBatchAsync(asyncUnparsed, buf);
      ns += Number(process.hrtime.bigint() - t0);
      await pending;
    }
    rows.push({ what, calls, nsPerCall: ns / calls });
  }
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  console.log('call                                      calls     ns/call   ns/line');
  for (const r of rows) {
    console.log(`${r.what.padEnd(40)} ${String(r.calls).padStart(7)} ${r.nsPerCall.toFixed(0).padStart(11)} ${(r.nsPerLine === undefined ? '-' : r.nsPerLine.toFixed(0)).padStart(9)}`);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
