// The agent's ordered queue of engine work: one task at a time in queue order, a failure does
// not stop it, the bytes of lines waiting are counted until their task has finished, and the
// high and low marks are reported once per crossing.
import test from 'ava';
import { EngineQueue } from '../../src/agent/engine-queue';

/** A promise and its resolver, to finish a task when the test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

test('tasks run one at a time, in queue order; `first` goes before the tasks still waiting', async (t) => {
  const queue = new EngineQueue();
  const log: string[] = [];
  let running = 0;
  const task = (name: string, wait?: Promise<void>) => async (): Promise<string> => {
    running++;
    t.is(running, 1, `${name} runs alone`);
    log.push(`start ${name}`);
    await wait;
    log.push(`end ${name}`);
    running--;
    return name;
  };
  const a = gate();
  const results = [queue.run(task('a', a.promise)), queue.run(task('b')), queue.run(task('c'))];
  t.deepEqual(log, ['start a'], 'a task queued on an idle queue starts inside run()');
  results.push(queue.run(task('stats'), { first: true }));
  a.open();
  t.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'stats']);
  t.deepEqual(log, ['start a', 'end a', 'start stats', 'end stats', 'start b', 'end b', 'start c', 'end c']);
  t.true(queue.idle);
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
