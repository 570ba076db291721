// Bucket snapshots: what writing and restoring the live buckets costs, by how many there are.
//
//   npm run bench:snapshot -- [--ips 100000,1000000] [--json]
//
// For each size: a distributed sshd brute force of N addresses (one failed password each, so
// each opens a bucket in every ssh scenario) through our content in live mode, then
// `snapshotBucketsToFileAsync` and `restoreBucketsFromFileAsync` into a fresh engine: their
// time, the file's bytes per bucket, and the longest the event loop went without running a 10 ms
// timer meanwhile (both run on the engine thread, so the API keeps answering).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bindings } from '../src/engine/native';
import { resolveEngineOptions } from '../src/engine/options';
import { distributedBruteForce } from '../src/bench/gen/distributed-bf';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** Runs `work` while a 10 ms timer ticks; returns its result and the longest gap between ticks. */
async function withLoopProbe<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; maxStallMs: number }> {
  let last = performance.now();
  let maxStall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxStall = Math.max(maxStall, now - last);
    last = now;
  }, 10);
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  clearInterval(timer);
  return { result, ms, maxStallMs: Math.max(maxStall, performance.now() - last) };
}

async function main(): Promise<void> {
  const sizes = flag('--ips', '100000,1000000').split(',').map(Number);
  const json = process.argv.includes('--json');
  const opts = resolveEngineOptions({ mode: 'live' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crowdwatch-snapshot-bench-'));
  const rows = [];
  for (const ips of sizes) {
    const engine = bindings().Engine.load(opts);
    const source = engine.source({ type: 'syslog' });
    for (const batch of distributedBruteForce({ ips, startMs: Date.now() - 30_000 })) engine.processBatch(source, batch);
    const buckets = engine.stats().live_buckets;
    const file = path.join(dir, `buckets-${ips}.snapshot`);
    const write = await withLoopProbe(() => engine.snapshotBucketsToFileAsync(file));
    const fresh = bindings().Engine.load(opts);
    const read = await withLoopProbe(() => fresh.restoreBucketsFromFileAsync(file));
    rows.push({
      ips,
      buckets,
      restored: read.result.buckets,
      bytesPerBucket: Math.round(write.result.bytes / buckets),
      writeMs: Math.round(write.ms),
      restoreMs: Math.round(read.ms),
      nsPerBucketWritten: Math.round((write.ms * 1e6) / buckets),
      maxLoopStallMs: Math.round(Math.max(write.maxStallMs, read.maxStallMs)),
    });
    fs.rmSync(file);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  if (json) console.log(JSON.stringify(rows));
  else console.table(rows);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
