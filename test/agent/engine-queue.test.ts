// The agent's ordered queue of engine work: tasks start in queue order (async calls handed to
// the engine thread without waiting for each other, exclusive ones alone), a failure does not
// stop it, the bytes of lines waiting are counted until their task has finished, and the high
// and low marks are reported once per crossing.
import test from 'ava';
import { EngineQueue } from '../../src/agent/engine-queue';

/** Lets every pending promise callback run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A promise and its resolver, to finish a task when the test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

test('async tasks start in queue order without waiting for each other; an exclusive one waits for all before it and holds back the rest', async (t) => {
  const queue = new EngineQueue();
  const log: string[] = [];
  let exclusiveRunning = false;
  let running = 0;
  const task = (name: string, wait: Promise<void>, exclusive = false) => async (): Promise<string> => {
    t.false(exclusiveRunning, `${name} starts while no exclusive task runs`);
    if (exclusive) {
      t.is(running, 0, `${name} runs alone`);
      exclusiveRunning = true;
    }
    running++;
    log.push(`start ${name}`);
    await wait;
    log.push(`end ${name}`);
    running--;
    if (exclusive) exclusiveRunning = false;
    return name;
  };
  const gates = { a: gate(), b: gate(), reload: gate(), c: gate(), stats: gate() };
  const results = [
    queue.run(task('a', gates.a.promise)),
    queue.run(task('b', gates.b.promise)),
    queue.run(task('reload', gates.reload.promise, true), { exclusive: true }),
    queue.run(task('c', gates.c.promise)),
  ];
  t.deepEqual(log, ['start a', 'start b'], 'async tasks are handed over inside run(), the exclusive one waits');
  t.false(queue.startsNow(), 'a batch queued now would wait');
  results.push(queue.run(task('stats', gates.stats.promise, true), { exclusive: true, first: true }));
  gates.b.open();
  await settle();
  gates.a.open();
  await settle();
  t.deepEqual(log.slice(2), ['end b', 'end a', 'start stats'], '`first` went before the reload');
  gates.stats.open();
  await settle();
  t.deepEqual(log.slice(5), ['end stats', 'start reload'], 'the reload after it, still alone');
  gates.reload.open();
  gates.c.open();
  t.deepEqual(await Promise.all(results), ['a', 'b', 'reload', 'c', 'stats']);
  t.deepEqual(log.slice(7), ['end reload', 'start c', 'end c']);
  t.true(queue.idle);
  t.true(queue.startsNow({ exclusive: true }));
});

test('a failing task rejects its own promise and the queue goes on', async (t) => {
  const queue = new EngineQueue();
  const failing = queue.run(() => {
    throw Object.assign(new Error('boom'), { code: 'CW_PANIC' });
  });
  const next = queue.run(async () => 'after');
  t.is((await t.throwsAsync(failing))?.message, 'boom');
  t.is(await next, 'after');
});

test('bytes are counted until their task finished; reading pauses above the high mark and resumes at the low one', async (t) => {
  const pressure: boolean[] = [];
  const queue = new EngineQueue({ highBytes: 100, lowBytes: 40, onPressure: (full) => pressure.push(full) });
  const gates = Array.from({ length: 6 }, () => gate());
  const done = gates.map((g) => queue.run(() => g.promise, { bytes: 30 }));
  t.is(queue.bytes, 180);
  t.deepEqual(pressure, [true], 'crossed 100 once');
  t.true(queue.isFull);
  for (let i = 0; i < 4; i++) {
    gates[i].open();
    await done[i];
    await Promise.resolve();
  }
  // 180 - 4 * 30 = 60: still above the low mark.
  t.is(queue.bytes, 60);
  t.deepEqual(pressure, [true]);
  gates[4].open();
  await done[4];
  await Promise.resolve();
  t.is(queue.bytes, 30);
  t.deepEqual(pressure, [true, false]);
  t.false(queue.isFull);
  gates[5].open();
  await done[5];
  t.is(queue.pauses, 1);
});
