// The addon's heap counter and tick(at): buckets opened by a replay are collected when ticked
// past their lifetime, the heap they held is given back, and so are the pages under it.
import * as fs from 'node:fs';
import test from 'ava';
import { bindings } from '../../src/engine/native';
import { resolveEngineOptions } from '../../src/engine/options';
import { distributedBruteForce } from '../../src/bench/gen/distributed-bf';

test('tick(at) collects underflowed buckets and nativeMemory() sees their heap go', (t) => {
  const native = bindings();
  const engine = native.Engine.load(resolveEngineOptions({ mode: 'replay' }));
  const source = engine.source({ type: 'syslog' }, '/var/log/auth.log', 'file');
  const startMs = Date.UTC(new Date().getUTCFullYear(), 0, 3, 10);
  // Regexes are built by the first lines that reach them and kept: warm up on the same kind of
  // lines (a day earlier, buckets collected) so only bucket memory is measured.
  for (const batch of distributedBruteForce({ ips: 20, startMs: startMs - 2 * 86_400_000 })) engine.processBatch(source, batch);
  engine.tick(new Date(startMs - 86_400_000));
  t.is(engine.stats().live_buckets, 0);
  const before = native.nativeMemory().heapBytes;
  for (const batch of distributedBruteForce({ ips: 2000, startMs })) engine.processBatch(source, batch);
  const live = native.nativeMemory().heapBytes;
  t.is(engine.stats().live_buckets, 3 * 2000);
  t.true(live > before, `heap ${before} -> ${live}`);

  // A tick inside the buckets' lifetime keeps them; one far past it collects them all.
  t.deepEqual(engine.tick(startMs + 40_000), []);
  t.is(engine.stats().live_buckets, 3 * 2000);
  t.deepEqual(engine.tick(new Date(startMs + 86_400_000)), []);
  t.is(engine.stats().live_buckets, 0);
  const after = native.nativeMemory().heapBytes;
  t.true(after - before < (live - before) / 4, `heap ${before} -> ${live} -> ${after}`);

  t.throws(() => engine.tick(Number.NaN), { instanceOf: TypeError });
});

// glibc's main arena is the `[heap]` mapping; V8's heap lives elsewhere, so this figure moves with
// the addon's small allocations and not with the JS garbage the test itself makes.
function mainArenaRssBytes(): number {
  const smaps = fs.readFileSync('/proc/self/smaps', 'utf8');
  const at = smaps.indexOf('[heap]\n');
  const rss = at < 0 ? null : /\nRss:\s+(\d+) kB/.exec(smaps.slice(at));
  if (rss === null) throw new Error('no [heap] mapping in /proc/self/smaps');
  return Number(rss[1]) * 1024;
}

// Node's report names the glibc it runs on, and only when it runs on one.
const report = process.report.getReport() as { header: { glibcVersionRuntime?: string } };
const glibc = process.platform === 'linux' && report.header.glibcVersionRuntime !== undefined;

// Four failures from each address make every bucket's record outgrow its inline room, so each
// bucket holds a small chunk of glibc's main arena. Freed, those chunks stay resident (glibc
// returns only a free top of the heap) unless the addon trims after the tick that freed them.
(glibc ? test : test.skip)('a tick that frees many buckets gives their pages back to the system (malloc_trim)', (t) => {
  const native = bindings();
  const engine = native.Engine.load(resolveEngineOptions({ mode: 'replay' }));
  const source = engine.source({ type: 'syslog' }, '/var/log/auth.log', 'file');
  const startMs = Date.UTC(new Date().getUTCFullYear(), 0, 5, 10);
  const ips = 75_000;
  const before = mainArenaRssBytes();
  const trimsBefore = native.nativeMemory().trims;
  for (let pass = 0; pass < 4; pass++) {
    for (const batch of distributedBruteForce({ ips, startMs: startMs + pass * 1000 })) engine.processBatch(source, batch);
  }
  t.is(engine.stats().live_buckets, 3 * ips);
  const live = mainArenaRssBytes();
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  t.true(live - before > 16 << 20, `the buckets' records live in the main arena: ${mib(before)} -> ${mib(live)}`);

  engine.tick(new Date(startMs + 86_400_000));
  t.is(engine.stats().live_buckets, 0);
  const after = mainArenaRssBytes();
  t.log(`main arena resident: ${mib(before)} before, ${mib(live)} live, ${mib(after)} after the tick`);
  t.true(native.nativeMemory().trims > trimsBefore, 'the tick that freed them trimmed');
  t.true(after - before < (live - before) / 3, `main arena resident: ${mib(before)} -> ${mib(live)} -> ${mib(after)}`);
  t.is(typeof native.trimMemory().released, 'boolean');
});
