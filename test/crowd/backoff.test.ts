import test from 'ava';
import { MAX_BACKOFF_MS, nextDelayMs, Repeating, type Timer } from '../../src/crowd/backoff';

test('each failure doubles the wait up to the cap, with a ±10% spread; success resets it', (t) => {
  const mid = () => 0.5;
  t.is(nextDelayMs(30_000, 0, mid), 30_000);
  t.is(nextDelayMs(30_000, 1, mid), 60_000);
  t.is(nextDelayMs(30_000, 3, mid), 240_000);
  t.is(nextDelayMs(30_000, 10, mid), MAX_BACKOFF_MS);
  t.is(nextDelayMs(15 * 60_000, 2, mid), 15 * 60_000, 'a period above the cap is never shortened');
  t.is(nextDelayMs(30_000, 0, () => 0), 27_000);
  t.is(nextDelayMs(30_000, 0, () => 1), 33_000);
});

test('a failing loop backs off, logs each failure, and returns to its period once it works', async (t) => {
  const waits: number[] = [];
  let pending: (() => void) | null = null;
  const timer: Timer = (fn, ms) => {
    waits.push(ms);
    pending = fn;
    return { cancel: () => (pending = null) };
  };
  let calls = 0;
  const errors: number[] = [];
  const loop = new Repeating(
    1000,
    async () => {
      calls += 1;
      if (calls <= 3) throw new Error('central down');
    },
    (_e, failures) => errors.push(failures),
    timer,
  );
  loop.start(0);
  for (let i = 0; i < 5; i++) {
    const run = pending as (() => void) | null;
    t.truthy(run, `turn ${i} scheduled`);
    run!();
    await new Promise((r) => setImmediate(r));
  }
  t.deepEqual(errors, [1, 2, 3]);
  t.is(loop.failures, 0, 'the fourth turn worked');
  const [first, ...rest] = waits;
  t.is(first, 0);
  const near = (ms: number, base: number) => ms >= base * 0.9 && ms <= base * 1.1;
  t.true(near(rest[0], 2000) && near(rest[1], 4000) && near(rest[2], 8000), `backoff ${rest.join(',')}`);
  t.true(near(rest[3], 1000) && near(rest[4], 1000), `period again ${rest.join(',')}`);
  loop.stop();
  t.is(pending, null, 'stopping cancels the next turn');
});
