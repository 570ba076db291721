// The agent over the real engine (its async calls, on the engine thread), fed by stand-in
// sources: lines reach the engine in the order they were read within each source; a journal
// record carries exactly the positions of the lines processed so far and the alerts they
// produced; reading pauses while too many bytes wait for the engine and resumes below the low
// mark, without resuming what the outbox still pauses, and only for the sources with lines
// waiting; stop() processes every line already read first.
// Test content: each `seq N from IP` line is worth one alert (daemon-seq), so alerts count lines.
import * as fs from 'node:fs';
// The module object itself (the namespace above only has getters), to hold back its fsync.
import nodeFs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import type { AcquisitionSource, LineSink, Position, Stream } from '../../src/acquisition';
import { Agent } from '../../src/agent/agent';
import { AgentJournal } from '../../src/agent/journal';
import type { AlertPusher } from '../../src/agent/outbox';
import { bindings } from '../../src/engine/native';
import { resolveEngineOptions } from '../../src/engine/options';
import { sleep } from '../../src/reference/processes';
import { fixture, tempDir } from '../helpers/run-cli';

/** A source the test drives: it records pause and resume and hands lines to the agent on demand. */
class StandInSource implements AcquisitionSource {
  sink: LineSink | null = null;
  paused = false;
  pauses = 0;
  constructor(readonly name: string) {}
  async start(sink: LineSink): Promise<void> {
    this.sink = sink;
  }
  pause(): void {
    this.paused = true;
    this.pauses++;
  }
  resume(): void {
    this.paused = false;
  }
  async stop(): Promise<void> {
    this.sink = null;
  }
}

/** Line g of the test, from stream `stream`: its address encodes g. */
const ipOf = (g: number): string => `10.${1 + (g >> 16)}.${(g >> 8) & 255}.${g & 255}`;
const gOf = (ip: string): number => {
  const [, a, b, c] = ip.split('.').map(Number);
  return ((a - 1) << 16) | (b << 8) | c;
};

interface Fed {
  streams: Stream[];
  /** Lines fed per stream so far: the stand-in position's offset. */
  fedPerStream: number[];
  next: number;
  /** Every batch fed: its stream, its lines (global numbers) and the position after it. */
  batches: Array<{ stream: number; from: number; to: number; offset: number }>;
}

function streamOf(i: number): Stream {
  return { key: `file:/logs/s${i}.log`, labels: { type: 'seq' }, src: `/logs/s${i}.log`, module: 'file' };
}

/** `count` lines of stream `s` as one batch, with the position after them (offset: lines of that stream so far). */
function feed(agent: LineSink, fed: Fed, s: number, count: number): void {
  let text = '';
  const from = fed.next;
  for (let i = 0; i < count; i++) text += `seq ${fed.next} from ${ipOf(fed.next++)}\n`;
  fed.fedPerStream[s] += count;
  fed.batches.push({ stream: s, from, to: fed.next, offset: fed.fedPerStream[s] });
  const position: Position = { kind: 'file', dev: 1, ino: s, offset: fed.fedPerStream[s] };
  // The same memory is reused for the next batch, as a file follower reuses its read buffer.
  const buf = Buffer.from(text);
  agent.lines(fed.streams[s], buf, position);
  buf.fill(0x21);
}

function setup(options: { queueHighBytes?: number; queueLowBytes?: number; pusher?: AlertPusher; highWater?: number; lowWater?: number } = {}) {
  const dir = tempDir('agent-engine');
  const journalFile = path.join(dir, 'journal.jsonl');
  const journal = AgentJournal.open(journalFile);
  const engine = bindings().Engine.load(resolveEngineOptions({ configDir: fixture('daemon-seq'), mode: 'live' }));
  const sources = [new StandInSource('a'), new StandInSource('b')];
  const logs: string[] = [];
  const pushed: string[] = [];
  const agent = new Agent({
    engine,
    journal,
    sources: [...sources],
    pusher: options.pusher ?? { pushAlertJson: async (alerts) => (pushed.push(...alerts), []) },
    log: (m) => logs.push(m),
    tickMs: 50,
    checkpointMs: 50,
    ...options,
  });
  const fed: Fed = { streams: [streamOf(0), streamOf(1)], fedPerStream: [0, 0], next: 0, batches: [] };
  return { agent, journalFile, sources, fed, logs, pushed };
}

interface Record {
  p?: { [key: string]: { offset: number } };
  a?: Array<{ alert: { source: { ip: string } } }>;
}

function records(file: string): Record[] {
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record);
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('lines reach the engine in read order within each source, and each journal record carries the positions that account for its alerts', async (t) => {
  const { agent, journalFile, fed } = setup();
  await agent.start();
  // Two streams, interleaved batches of various sizes, all fed before the engine finishes any.
  for (let i = 0; i < 60; i++) feed(agent, fed, i % 3 === 0 ? 1 : 0, 1 + (i % 7));
  t.true(agent.queuedBytes > 0, 'batches wait for the engine');
  await agent.stop();

  // The lines a record's positions account for: those of every batch that ends at or before them.
  const accountedFor = (offsets: number[]): Set<number> => {
    const out = new Set<number>();
    for (const b of fed.batches) if (b.offset <= offsets[b.stream]) for (let g = b.from; g < b.to; g++) out.add(g);
    return out;
  };
  const alerts: number[] = [];
  let before = [0, 0];
  for (const r of records(journalFile)) {
    if (!r.p) continue; // acknowledgements
    const offsets = [0, 1].map((s) => r.p?.[streamOf(s).key]?.offset ?? 0);
    t.true(offsets.every((o, s) => o >= before[s]), 'positions never go back');
    const now = accountedFor(offsets);
    const earlier = accountedFor(before);
    for (const a of r.a ?? []) {
      const g = gOf(a.alert.source.ip);
      alerts.push(g);
      // Journaled with the position after its line, and no earlier record skipped past that line.
      t.true(now.has(g) && !earlier.has(g), `alert of line ${g} journaled with the positions of its own batch`);
    }
    before = offsets;
  }
  t.deepEqual([...alerts].sort((a, b) => a - b), Array.from({ length: fed.next }, (_, g) => g), 'one alert per line');
  // The engine thread serves the streams in turn: read order holds within each stream.
  const streamOfLine = new Map(fed.batches.flatMap((b) => Array.from({ length: b.to - b.from }, (_, i) => [b.from + i, b.stream] as const)));
  for (const s of [0, 1]) {
    const own = alerts.filter((g) => streamOfLine.get(g) === s);
    t.deepEqual(own, [...own].sort((a, b) => a - b), `stream ${s}: alerts in read order`);
  }
  t.deepEqual(before, fed.fedPerStream, 'the last record holds where each stream stopped');
});

// Serial: it holds back every fsync of this process for a while.
test.serial("alerts go to the outbox once their journal line is written, without waiting for its fsync", async (t) => {
  const held: Array<() => void> = [];
  const fsync = nodeFs.fsync;
  const holding = (fd: number, done: (error: NodeJS.ErrnoException | null) => void): void => void held.push(() => fsync(fd, done));
  (nodeFs as { fsync: unknown }).fsync = holding;
  try {
    const { agent, fed, pushed, journalFile } = setup();
    await agent.start();
    feed(agent, fed, 0, 3);
    await until('three alerts pushed', () => pushed.length === 3);
    t.true(held.length > 0, "the journal line's fsync has not run yet");
    t.is(records(journalFile).flatMap((r) => r.a ?? []).length, 3, 'the alerts are in the journal file');
    for (const release of held.splice(0)) release();
    nodeFs.fsync = fsync;
    await agent.stop();
  } finally {
    nodeFs.fsync = fsync;
  }
});

test('reading pauses while the engine queue is above its high mark and resumes below the low mark; nothing is lost', async (t) => {
  const { agent, sources, fed, pushed } = setup({ queueHighBytes: 4096, queueLowBytes: 1024 });
  await agent.start();
  for (let i = 0; i < 200; i++) feed(agent, fed, i % 2, 20); // ~120 KiB at once
  t.true(sources.every((s) => s.paused), 'paused above the mark');
  t.deepEqual(agent.pausedFor, ['engine']);
  await until('the queue to drain', () => agent.queuedBytes === 0);
  t.true(sources.every((s) => !s.paused && s.pauses === 1), 'resumed once below the low mark');
  t.is(agent.queuePauses, 1);
  await agent.stop();
  t.is(pushed.length, fed.next, 'every line made its alert and it was pushed');
});

test('above the high mark only sources with lines waiting pause: a quiet source reads on, one batch at a time (the engine thread serves it next: binding-async.test.ts)', async (t) => {
  const { agent, sources, fed, pushed } = setup({ queueHighBytes: 4096, queueLowBytes: 1024 });
  await agent.start();
  const via = (s: number): LineSink => sources[s].sink as LineSink;
  // Source a floods: 100 batches of 200 lines (~6 KiB each), all read before the engine answers any.
  for (let i = 0; i < 100; i++) feed(via(0), fed, 0, 200);
  t.deepEqual(agent.pausedFor, ['engine']);
  t.true(sources[0].paused, 'the flooding source pauses');
  t.false(sources[1].paused, 'a source with nothing waiting reads on');
  feed(via(1), fed, 1, 5);
  t.true(sources[1].paused, 'it pauses while its batch waits');
  await until("the quiet source's batch", () => !sources[1].paused);
  await until('the queue to drain', () => agent.queuedBytes === 0);
  await agent.stop();
  t.is(pushed.length, fed.next, 'every line made its alert and it was pushed');
});

test('the engine queue draining does not resume reading the outbox still pauses, and the other way round', async (t) => {
  let release = (): void => undefined;
  const blocked = new Promise<void>((resolve) => (release = resolve));
  const pushed: string[] = [];
  const pusher: AlertPusher = {
    pushAlertJson: async (alerts) => {
      await blocked;
      pushed.push(...alerts);
      return [];
    },
  };
  const { agent, sources, fed } = setup({ queueHighBytes: 4096, queueLowBytes: 1024, pusher, highWater: 5, lowWater: 0 });
  await agent.start();
  for (let i = 0; i < 100; i++) feed(agent, fed, i % 2, 20);
  t.deepEqual(agent.pausedFor, ['engine']);
  await until('the queue to drain', () => agent.queuedBytes === 0);
  // The alerts wait for the API: the outbox holds reading paused though the engine caught up.
  t.deepEqual(agent.pausedFor, ['outbox']);
  t.true(sources.every((s) => s.paused), 'still paused for the outbox');
  release();
  await until('the outbox to drain', () => agent.backlog === 0);
  t.deepEqual(agent.pausedFor, []);
  t.true(sources.every((s) => !s.paused));
  await agent.stop();
  t.is(pushed.length, fed.next);
});

test('stop() lets the engine finish every line already read, then journals where each stream stopped', async (t) => {
  const { agent, journalFile, fed, pushed } = setup();
  await agent.start();
  for (let i = 0; i < 300; i++) feed(agent, fed, i % 2, 10);
  await agent.stop();
  t.is(agent.queuedBytes, 0);
  t.is(pushed.length, fed.next);
  const last = records(journalFile).at(-1);
  t.deepEqual([0, 1].map((s) => last?.p?.[streamOf(s).key]?.offset), fed.fedPerStream);
  const stats = [...agent.streams.values()];
  t.is(stats.reduce((n, s) => n + s.counters.lines, 0), fed.next, 'per-stream counters');
  t.is(stats.reduce((n, s) => n + s.batches, 0), 300, 'per-stream batches');
  t.true(stats.every((s) => s.engineMs > 0), 'engine time counted per stream');
});

test('a reload or a read of the engine queued among batches runs between them: after every batch before it, before any after it', async (t) => {
  const { agent, fed, pushed } = setup();
  await agent.start();
  for (let i = 0; i < 20; i++) feed(agent, fed, i % 2, 10);
  const linesBefore = fed.next;
  // Sync calls: the addon would refuse them (CW_BUSY) if a batch were still on the engine thread.
  const seen = agent.exclusive((engine) => engine.stats().counters.lines);
  const reloaded = agent.exclusive((engine) => engine.reload(resolveEngineOptions({ configDir: fixture('daemon-seq'), mode: 'live' })));
  for (let i = 0; i < 20; i++) feed(agent, fed, i % 2, 10);
  t.is(await seen, linesBefore);
  t.deepEqual((await reloaded).kept, ['test/seq-trigger']);
  await agent.stop();
  t.is(pushed.length, fed.next, 'every line before and after the reload made its alert');
});
