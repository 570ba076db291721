// `crowdwatch bench` end to end on small logs: every step runs (generation, floor, replay in a
// child process, bucket memory), detection is scored against the generator's manifest, and
// memory returns once buckets underflow. Figures are not asserted (no timed tests).
import test from 'ava';
import type { BenchReport } from '../../src/bench/run';
import { runCli } from '../helpers/run-cli';

test('bench --json: both logs replayed with our content (one thread, then two), every planted attack found, memory drained', async (t) => {
  const run = await runCli('bench', '--lines', '6000', '--buckets', '5000', '--content', 'ours', '--seed', '3', '--json', '--no-progress');
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as BenchReport;
  t.deepEqual(report.logs.map((l) => l.log), ['nginx', 'sshd']);
  for (const log of report.logs) {
    t.is(log.lines, 6000);
    t.is(log.floor.lines, 6000, `${log.log}: the floor counts every line`);
    t.is(log.runs.length, 2);
    const [ours, parallel] = log.runs;
    t.is(ours.content, 'ours');
    t.is(ours.threads, 1);
    t.is(parallel.threads, 2, 'the parallel mode is measured too');
    t.deepEqual(parallel.detection, ours.detection, `${log.log}: the parallel mode finds the same alerts`);
    t.true(ours.detection.attacks > 0, `${log.log}: the generator plants attacks`);
    t.deepEqual(ours.detection.missed, [], `${log.log}: every planted attack alerts`);
    t.is(ours.detection.benignAlerts, 0, `${log.log}: no benign client is flagged`);
    t.true(ours.peakRssBytes > 0 && ours.linesPerSec > 0 && ours.floorRatio > 0);
  }
  t.is(report.memory.length, 1);
  const [mem] = report.memory;
  t.is(mem.lines, 5000);
  // Our content has three ssh scenarios; each distinct address opens a bucket in each.
  t.is(mem.live.liveBuckets, 3 * 5000);
  t.is(mem.drained.liveBuckets, 0, 'every bucket underflows');
  t.true(mem.live.heapBytes > mem.baseline.heapBytes, 'live buckets hold heap');
  t.true(mem.heapBytesPerBucket > 0);
  // Collected buckets give their heap back (a little slack for tables kept for reuse).
  t.true(
    mem.drained.heapBytes - mem.baseline.heapBytes < (mem.live.heapBytes - mem.baseline.heapBytes) / 4,
    `heap after underflow ${mem.drained.heapBytes} vs baseline ${mem.baseline.heapBytes} and live ${mem.live.heapBytes}`,
  );
});

test('bench human output: replay and memory tables; bad arguments are usage errors', async (t) => {
  const run = await runCli('bench', '--lines', '2000', '--buckets', '1000', '--logs', 'sshd', '--content', 'ours', '--no-progress');
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^LOG +CONTENT +LINES +FLOOR +END TO END/m);
  t.regex(run.stdout, /^sshd +ours +2,000 /m);
  t.regex(run.stdout, /^Bucket memory/m);
  t.regex(run.stdout, /^ours +1,000 +3,000 /m);

  const bad = await runCli('bench', '--logs', 'apache');
  t.is(bad.code, 2);
  t.regex(bad.stderr, /nginx, sshd/);
  const negative = await runCli('bench', '--lines', '-5');
  t.is(negative.code, 2);
});

test('bench --baseline: each replay also runs in the other checkout, next to ours, with the ratio; a checkout not built is refused', async (t) => {
  // This checkout as its own baseline: the mechanism, not a comparison.
  const run = await runCli('bench', '--lines', '2000', '--buckets', '0', '--logs', 'sshd', '--content', 'ours', '--no-parallel', '--baseline', '.', '--json', '--no-progress');
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as BenchReport;
  t.truthy(report.baseline);
  const [log] = report.logs;
  t.deepEqual(log.runs.map((r) => r.build), ['this', 'baseline']);
  const [ours, baseline] = log.runs;
  t.deepEqual(baseline.detection, ours.detection, 'the same build finds the same alerts');
  t.is(ours.vsBaseline, ours.linesPerSec / baseline.linesPerSec);
  t.is(baseline.vsBaseline, undefined);

  const human = await runCli('bench', '--lines', '1000', '--buckets', '0', '--logs', 'sshd', '--content', 'ours', '--no-parallel', '--baseline', '.', '--no-progress');
  t.is(human.code, 0, human.stderr);
  t.regex(human.stdout, /VS BASELINE/);
  t.regex(human.stdout, /^sshd +ours \(baseline\) /m);

  const missing = await runCli('bench', '--lines', '1000', '--buckets', '0', '--logs', 'sshd', '--baseline', '/nonexistent-checkout', '--no-progress');
  t.not(missing.code, 0);
  t.regex(missing.stderr, /build that checkout first/);
});
