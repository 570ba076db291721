// The addon's heap counter and tick(at): buckets opened by a replay are collected when ticked
// past their lifetime, and the heap they held is given back.
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
