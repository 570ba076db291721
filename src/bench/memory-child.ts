// Child process of `crowdwatch bench`: bucket memory. Loads the engine, pours a distributed
// sshd brute force (one failed password from each of N distinct addresses, all buckets live),
// then lets every bucket underflow. Reports resident memory (the whole process, as `ps` sees it)
// and the engine's own heap (counted by the addon's allocator) at each step.
import { bindings } from '../engine/native';
import { resolveEngineOptions } from '../engine/options';
import { childMain, peakRssBytes, reportProgress } from './child';
import { distributedBruteForce } from './gen/distributed-bf';

export interface MemoryChildArgs {
  ips: number;
  configDir?: string;
}

export interface MemorySnapshot {
  rssBytes: number;
  heapBytes: number;
  liveBuckets: number;
}

export interface MemoryMeasurement {
  ips: number;
  lines: number;
  feedMs: number;
  /** After loading and a warm-up of a few lines (buckets collected), before the first line. */
  baseline: MemorySnapshot;
  /** With every bucket live. */
  live: MemorySnapshot;
  /** After every bucket underflowed and was collected. */
  drained: MemorySnapshot;
  peakRssBytes: number;
}

const START_MS = Date.UTC(new Date().getUTCFullYear(), 0, 3, 10, 0, 0);
const DAY_MS = 86_400_000;

function settle(): void {
  // --expose-gc is passed by the parent: collect the generator's garbage before reading RSS.
  (globalThis as { gc?: () => void }).gc?.();
}

async function run(args: MemoryChildArgs): Promise<MemoryMeasurement> {
  const native = bindings();
  const engine = native.Engine.load(resolveEngineOptions({ configDir: args.configDir, mode: 'replay' }));
  const source = engine.source({ type: 'syslog' }, '/var/log/auth.log', 'file');
  const snapshot = (): MemorySnapshot => {
    settle();
    return { rssBytes: process.memoryUsage.rss(), heapBytes: native.nativeMemory().heapBytes, liveBuckets: engine.stats().live_buckets };
  };
  // Regexes are built by the first lines that reach them and kept for the engine's life: warm
  // up on a few lines of the same kind (two days earlier, their buckets collected) so that the
  // baseline holds them and the deltas are bucket memory only.
  for (const batch of distributedBruteForce({ ips: 20, startMs: START_MS - 2 * DAY_MS })) engine.processBatch(source, batch);
  engine.tick(START_MS - DAY_MS);
  const baseline = snapshot();
  let lines = 0;
  const t0 = performance.now();
  for (const batch of distributedBruteForce({ ips: args.ips, startMs: START_MS })) {
    lines += engine.processBatch(source, batch).counters.lines;
    reportProgress(lines, args.ips);
  }
  const feedMs = performance.now() - t0;
  const live = snapshot();
  // Far past every bucket's lifetime, whatever year the year-less syslog dates were given.
  engine.tick(Date.now() + 10 * 365 * 86_400_000);
  const drained = snapshot();
  return { ips: args.ips, lines, feedMs, baseline, live, drained, peakRssBytes: peakRssBytes() };
}

if (require.main === module) childMain(run);
