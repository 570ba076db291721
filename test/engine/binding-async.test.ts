// The async engine calls (`processBatchAsync`, `tickAsync`): they run on the engine's own thread
// and must answer exactly what the sync calls answer, each source's in call order, whatever is
// in flight, while a quiet source's batch does not wait behind a busy source's backlog; keep
// the error contract (CW_ARG for misuse, a panic rejects with CW_PANIC and the next call works,
// the process lives on); and refuse sync calls with CW_BUSY while any is pending, so no sync call
// overtakes a queued batch or waits for one on the event loop.
import * as fs from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import sqlite3 from 'sqlite3';
import { syslogTime } from '../../src/bench/gen/common';
import { bindings, type BatchResult, type Engine, type EngineError, type SourceHandle } from '../../src/engine/native';
import { resolveEngineOptions } from '../../src/engine/options';

/** The raw async exports, fed anything. */
interface RawAddon {
  loadEngine(options: unknown): object;
  registerSource(handle: unknown, spec: unknown): number;
  processBatch(handle: unknown, source: unknown, lines: unknown): string;
  processBatchAsync(handle: unknown, source: unknown, lines: unknown): Promise<string>;
  tickAsync(handle: unknown, atMs: unknown): Promise<string>;
  stats(handle: unknown): string;
  statsAsync(handle: unknown): Promise<string>;
  __panicForTestAsync(handle: unknown, source: unknown, lines: unknown): Promise<void>;
}

interface CodedError extends Error {
  code?: string;
}

function raw(): RawAddon {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built addon, by its run-time path (see src/engine/native.ts)
  return require(bindings().addonPath) as RawAddon;
}

const START_MS = Date.UTC(2026, 0, 2, 10, 0, 0);
const replay = (): Engine => bindings().Engine.load(resolveEngineOptions({ mode: 'replay' }));

/**
 * sshd failures from 10 addresses, four lines a second of log time, each address failing every
 * 2.5 s (faster than ssh-bf leaks, so its buckets overflow again and again); cut into batches of
 * 25 lines alternating between two sources, the first five addresses on the first source and
 * the others on the second. The ssh scenarios group by address, so which batch an alert comes
 * out of depends on every line of its source before it having been poured first, and not on how
 * the two sources' batches interleave.
 */
function interleavedBatches(): Array<{ source: 0 | 1; lines: Buffer }> {
  const perSource: [string[], string[]] = [[], []];
  for (let i = 0; i < 320; i++) {
    const n = (i * 7) % 10;
    perSource[n < 5 ? 0 : 1].push(`${syslogTime(new Date(START_MS + i * 250))} gw sshd[${1000 + i}]: Failed password for root from 198.51.100.${n} port ${40000 + i} ssh2\n`);
  }
  const batches: Array<{ source: 0 | 1; lines: Buffer }> = [];
  for (let i = 0; i < 160; i += 25) {
    for (const source of [0, 1] as const) batches.push({ source, lines: Buffer.from(perSource[source].slice(i, i + 25).join('')) });
  }
  return batches;
}

/** A result without its engine time (which no two runs share). */
function withoutTime(result: BatchResult): Omit<BatchResult, 'engineMs'> {
  const { engineMs, ...rest } = result;
  void engineMs;
  return rest;
}

function twoSources(engine: Engine): [SourceHandle, SourceHandle] {
  return [engine.source({ type: 'syslog' }, '/var/log/auth.log', 'file'), engine.source({ type: 'syslog' }, '/var/log/auth-2.log', 'file')];
}

async function rejectsCode(t: ExecutionContext, code: string, p: () => Promise<unknown>, what: string): Promise<CodedError> {
  const err = await t.throwsAsync<CodedError>(p);
  t.is(err?.code, code, `${what}: ${err?.message}`);
  return err;
}

test('async batches and ticks answer what the sync calls answer, each source in call order, with many in flight from two sources', async (t) => {
  const batches = interleavedBatches();
  const sync = replay();
  const syncSources = twoSources(sync);
  const expected: BatchResult[] = batches.map((b) => sync.processBatch(syncSources[b.source], b.lines));
  const expectedTick = sync.tick(START_MS + 3_600_000);
  t.true(expected.some((r) => r.alerts.length > 0), 'the input raises alerts');
  t.true(expected.every((r) => typeof r.engineMs === 'number' && r.engineMs > 0), 'each batch says how long the engine took');

  const engine = replay();
  const sources = twoSources(engine);
  const settled: Array<[number, number]> = [];
  // Every call made before any is awaited: all are in flight at once.
  const calls = batches.map((b, index) => engine.processBatchAsync(sources[b.source], b.lines).then((r) => (settled.push([b.source, index]), r)));
  // A tick in flight with them, at an instant before every line: it takes its turn and expires nothing.
  const earlyTick = engine.tickAsync(START_MS - 3_600_000);
  t.deepEqual((await Promise.all(calls)).map(withoutTime), expected.map(withoutTime));
  t.deepEqual(await earlyTick, []);
  for (const source of [0, 1]) {
    const order = settled.filter(([s]) => s === source).map(([, i]) => i);
    t.deepEqual(order, [...order].sort((a, b) => a - b), `source ${source}: promises settle in call order`);
  }
  t.deepEqual(await engine.tickAsync(START_MS + 3_600_000), expectedTick);
  t.deepEqual(engine.stats().counters, sync.stats().counters);
});

// Serial: the order promises settle in is the order the engine finished them only while the
// event loop is free to take each answer as it comes (answers waiting together are taken in call
// order), so no other test may keep it busy meanwhile.
test.serial("a quiet source's batch is served before a busy source's backlog, not behind it", async (t) => {
  const engine = replay();
  const [busy, quiet] = twoSources(engine);
  // Twenty batches of 2,000 lines (a few ms of engine work each), all queued at once.
  const big = Buffer.from(Array.from({ length: 2000 }, (_, i) => `${syslogTime(new Date(START_MS + i))} gw sshd[${i}]: Failed password for root from 198.51.${(i >> 8) & 255}.${i & 255} port ${i} ssh2\n`).join(''));
  const order: string[] = [];
  const backlog = Array.from({ length: 20 }, (_, i) => engine.processBatchAsync(busy, big).then(() => order.push(`busy ${i}`)));
  const attack = engine.processBatchAsync(quiet, interleavedBatches()[0].lines).then(() => order.push('quiet'));
  // A read of the engine's state (a metrics scrape) does not wait for the backlog either.
  const read = engine.statsAsync().then((stats) => (order.push('stats'), stats));
  const [stats] = await Promise.all([read, ...backlog, attack]);
  const at = order.indexOf('quiet');
  // In arrival order it would be last (20); served in turn it runs after the batch in the
  // engine and at most one more.
  t.true(at <= 2, `the quiet batch settled ${at}th: ${order.join(', ')}`);
  t.true(order.indexOf('stats') <= 3, `the stats read settled ${order.indexOf('stats')}th: ${order.join(', ')}`);
  t.true(stats.counters.lines < 21 * 2000, 'the stats were read before the backlog was done');
  t.deepEqual(order.filter((o) => o !== 'quiet' && o !== 'stats'), Array.from({ length: 20 }, (_, i) => `busy ${i}`), "the busy source's batches in order");
});

// Serial, as above.
test.serial("a batch runs a slice of its lines per turn: a quiet source's batch sent after a big one settles first, and the big one answers what the sync call answers", async (t) => {
  // 6,000 sshd failures from 200 addresses, one every 2 s each, none of them the quiet batch's
  // (~570 KiB: several 64 KiB slices, tens of ms of engine work), with empty lines, CRLF
  // endings and a last line without its newline, which a slice boundary must neither drop nor
  // split.
  const lines = Array.from({ length: 6000 }, (_, i) => `${syslogTime(new Date(START_MS + i * 10))} gw sshd[${i}]: Failed password for root from 198.51.101.${i % 200} port ${i} ssh2${i % 7 === 0 ? '\r' : ''}\n${i % 11 === 0 ? '\n' : ''}`);
  const whole = Buffer.from(lines.join('').trimEnd());
  t.true(whole.length > 8 * 64 * 1024, `${whole.length} bytes`);
  const sync = replay();
  const expected = withoutTime(sync.processBatch(twoSources(sync)[0], whole));
  t.true(expected.alerts.length > 0, 'the batch raises alerts');

  const engine = replay();
  const [busy, quiet] = twoSources(engine);
  const order: string[] = [];
  const big = engine.processBatchAsync(busy, whole).then((r) => (order.push('big'), r));
  const small = engine.processBatchAsync(quiet, interleavedBatches()[1].lines).then((r) => (order.push('quiet'), r));
  const [bigAnswer] = await Promise.all([big, small]);
  t.deepEqual(order, ['quiet', 'big'], 'the quiet batch ran between two slices of the big one');
  t.deepEqual(withoutTime(bigAnswer), expected);
  t.deepEqual(engine.stats().counters.lines, sync.stats().counters.lines + 25);
});

test('the engine thread runs below the event loop\'s CPU priority (nice +10), and only it', async (t) => {
  const engine = replay();
  await engine.tickAsync(START_MS); // starts the engine thread
  // Field 19 of /proc/<pid>/task/<tid>/stat is the nice value (after the command in parentheses).
  const niceOf = (tid: string): number => Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[16]);
  const tasks = fs.readdirSync('/proc/self/task').map((tid) => ({ tid, name: fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() }));
  const engines = tasks.filter((task) => task.name === 'cw-engine');
  t.true(engines.length > 0, 'an engine thread is running');
  const main = niceOf(String(process.pid));
  for (const e of engines) t.is(niceOf(e.tid), Math.min(19, main + 10), `thread ${e.tid}`);
});

test('the lines are copied at the call: the caller may reuse its buffer at once', async (t) => {
  const engine = replay();
  const [source] = twoSources(engine);
  const buf = Buffer.from(`${syslogTime(new Date(START_MS))} gw sshd[1]: Failed password for root from 198.51.100.1 port 1 ssh2\n`);
  const pending = engine.processBatchAsync(source, buf);
  buf.fill(0x0a); // empty lines, if the engine read the buffer now
  const result = await pending;
  t.is(result.counters.lines, 1);
  t.is(result.counters.parsed, 1);
  t.is(result.counters.empty, 0);
});

test('sync calls are refused with CW_BUSY while async calls are pending, and work once they have settled', async (t) => {
  const engine = replay();
  const [source] = twoSources(engine);
  const batch = interleavedBatches()[0].lines;
  const pending = [engine.processBatchAsync(source, batch), engine.tickAsync(START_MS)];
  const busy: Array<[string, () => unknown]> = [
    ['processBatch', () => engine.processBatch(source, batch)],
    ['tick', () => engine.tick(START_MS)],
    ['stats', () => engine.stats()],
    ['source', () => engine.source({ type: 'syslog' }, 'x', 'file')],
    ['explain', () => engine.explain(source, 'x')],
    ['reload', () => engine.reload(resolveEngineOptions({ mode: 'replay' }))],
  ];
  for (const [what, call] of busy) t.is(t.throws<EngineError>(call).code, 'CW_BUSY', what);
  await Promise.all(pending);
  // Settled: the pending count fell before the promise did, so a sync call right after works.
  t.is(engine.stats().counters.lines, 25);
  t.is(engine.processBatch(source, batch).counters.lines, 25);
});

test('misuse: a foreign handle or a wrong argument is CW_ARG at the call; an unknown source rejects with CW_ARG', async (t) => {
  const addon = raw();
  const engine = addon.loadEngine(JSON.stringify(resolveEngineOptions({ mode: 'replay' })));
  const source = addon.registerSource(engine, JSON.stringify({ labels: { type: 'syslog' } }));
  const db = new sqlite3.Database(':memory:');
  try {
    const foreign: Record<string, unknown> = { 'a plain object': {}, "another addon's wrapped object": db, null: null, 'a number': 1 };
    for (const [what, value] of Object.entries(foreign)) {
      t.is(t.throws<CodedError>(() => addon.processBatchAsync(value, source, Buffer.from('x\n'))).code, 'CW_ARG', `processBatchAsync(${what})`);
      t.is(t.throws<CodedError>(() => addon.tickAsync(value, Date.now())).code, 'CW_ARG', `tickAsync(${what})`);
      t.is(t.throws<CodedError>(() => addon.statsAsync(value)).code, 'CW_ARG', `statsAsync(${what})`);
    }
  } finally {
    db.close();
  }
  t.is(t.throws<CodedError>(() => addon.processBatchAsync(engine, source, 'not a buffer')).code, 'CW_ARG');
  t.is(t.throws<CodedError>(() => addon.processBatchAsync(engine, -1, Buffer.from('x\n'))).code, 'CW_ARG');
  t.is(t.throws<CodedError>(() => addon.tickAsync(engine, Number.NaN)).code, 'CW_ARG');
  t.is(t.throws<CodedError>(() => addon.__panicForTestAsync(engine, source, Buffer.from('x\n'))).code, 'CW_ARG', 'without CROWDWATCH_TEST_PANIC');
  // Only the engine knows its sources: that misuse rejects.
  await rejectsCode(t, 'CW_ARG', () => addon.processBatchAsync(engine, 7, Buffer.from('x\n')), 'unknown source');
  // Through bindings/index.js every misuse is a rejection.
  const typed = replay();
  const [src] = twoSources(typed);
  await rejectsCode(t, 'CW_ARG', () => typed.processBatchAsync({ ...src, id: 9 }, Buffer.from('x\n')), 'unknown source (typed)');
  await t.throwsAsync(() => typed.tickAsync(Number.NaN), { instanceOf: TypeError });
  t.is(JSON.parse(addon.stats(engine)).counters.lines, 0, 'nothing reached the engine');
});

test('a panic on the engine thread rejects with CW_PANIC; the calls queued behind it and after it work', async (t) => {
  const addon = raw();
  const engine = addon.loadEngine(JSON.stringify(resolveEngineOptions({ mode: 'replay' })));
  const source = addon.registerSource(engine, JSON.stringify({ labels: { type: 'syslog' } }));
  const line = (n: number): Buffer => Buffer.from(`${syslogTime(new Date(START_MS + n * 1000))} gw sshd[1]: Failed password for root from 198.51.100.9 port ${n} ssh2\n`);
  process.env.CROWDWATCH_TEST_PANIC = '1';
  let panicked: Promise<void>;
  try {
    panicked = addon.__panicForTestAsync(engine, source, line(1));
  } finally {
    delete process.env.CROWDWATCH_TEST_PANIC;
  }
  const behind = addon.processBatchAsync(engine, source, line(2));
  const err = await rejectsCode(t, 'CW_PANIC', () => panicked, '__panicForTestAsync');
  t.true(err instanceof Error);
  t.regex(err.message, /forced panic/);
  t.is(JSON.parse(await behind).counters.parsed, 1, 'the batch queued behind the panic ran');
  t.is(JSON.parse(await addon.processBatchAsync(engine, source, line(3))).counters.parsed, 1);
  t.is(typeof (await addon.tickAsync(engine, START_MS)), 'string');
  // The lock the panic poisoned was taken back: sync calls work too; the line poured before the
  // panic stays poured (its counters were lost with the call).
  t.is(JSON.parse(addon.stats(engine)).scenarios.reduce((n: number, s: { poured: number }) => n + s.poured, 0) > 0, true);
  t.is(JSON.parse(addon.processBatch(engine, source, line(4))).counters.parsed, 1);
});
