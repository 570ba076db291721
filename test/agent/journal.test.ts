import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { AgentJournal } from '../../src/agent/journal';
import type { Position } from '../../src/acquisition/source';
import { runCli, tempDir } from '../helpers/run-cli';

const at = (offset: number): Map<string, Position> => new Map([['file:/var/log/a.log', { kind: 'file', dev: 1, ino: 2, offset }]]);

test('the journal restores positions and unacknowledged alerts, and ignores a torn last record', async (t) => {
  const file = path.join(tempDir('journal'), 'agent-journal.jsonl');
  const j = AgentJournal.open(file);
  await j.recordBatch(at(100), [{ uuid: 'a', json: '{"scenario":"s"}' }, { uuid: 'b', json: '{"scenario":"s","events_count":2}' }]);
  j.recordAcks(['a']);
  j.recordPositions(at(250));
  j.close();
  // A crash in the middle of writing the next record.
  fs.appendFileSync(file, '{"p":{"file:/var/log/a.log":{"kind":"file","dev":1,"ino":2,"offset":400}},"a":[{"uuid":"c"');
  const again = AgentJournal.open(file);
  t.is(again.discarded, 1);
  t.deepEqual(again.positions.get('file:/var/log/a.log'), { kind: 'file', dev: 1, ino: 2, offset: 250 });
  t.deepEqual([...again.pending.values()], [{ uuid: 'b', json: '{"scenario":"s","events_count":2}' }]);
  again.close();
  // Opening compacts: one record, whole.
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  t.is(lines.length, 1);
  t.deepEqual(JSON.parse(lines[0]).a.map((p: { uuid: string }) => p.uuid), ['b']);
});

test("a batch's alerts are pending (for the outbox) as soon as their line is written, before its fsync, and no compaction drops them meanwhile", async (t) => {
  const file = path.join(tempDir('journal'), 'agent-journal.jsonl');
  const j = AgentJournal.open(file, { compactBytes: 64 });
  const opened = j.compactions;
  const durable = j.recordBatch(at(1), [{ uuid: 'a', json: '{"scenario":"s"}' }]);
  t.deepEqual([...j.pending.keys()], ['a'], 'pending before its fsync');
  // What a kill -9 now would leave: the line is in the file (the kernel has it).
  const written = fs.readFileSync(file, 'utf8').trim().split('\n');
  t.deepEqual(JSON.parse(written[written.length - 1]), { p: { 'file:/var/log/a.log': { kind: 'file', dev: 1, ino: 2, offset: 1 } }, a: [{ uuid: 'a', alert: { scenario: 's' } }] });
  j.recordPositions(at(2)); // past the compaction size, but the fsync is still on the pool
  t.is(j.compactions, opened, 'no compaction while an fsync is pending');
  await durable;
  j.recordPositions(at(3));
  t.is(j.compactions, opened + 1, 'the next append compacts');
  j.close();
  const again = AgentJournal.open(file);
  t.deepEqual([...again.pending.keys()], ['a']);
  t.deepEqual(again.positions.get('file:/var/log/a.log'), { kind: 'file', dev: 1, ino: 2, offset: 3 });
  again.close();
});

test('with more alerts pending than the compaction size, the journal still compacts only as it doubles', async (t) => {
  const file = path.join(tempDir('journal'), 'agent-journal.jsonl');
  const j = AgentJournal.open(file, { compactBytes: 4096 });
  const big = 'x'.repeat(200);
  // 100 alerts of ~250 bytes: the compacted journal alone is ~6x the compaction size.
  await j.recordBatch(at(1), Array.from({ length: 100 }, (_, i) => ({ uuid: `u${i}`, json: JSON.stringify({ scenario: 's', message: big }) })));
  const before = j.compactions;
  // Acknowledge them one at a time, as a slow API would.
  for (let i = 0; i < 100; i++) j.recordAcks([`u${i}`]);
  t.true(j.compactions - before <= 2, `compacted ${j.compactions - before} times for 100 small appends`);
  j.close();
  const again = AgentJournal.open(file);
  t.is(again.pending.size, 0);
  t.deepEqual(again.positions.get('file:/var/log/a.log'), { kind: 'file', dev: 1, ino: 2, offset: 1 });
  again.close();
});

test('crowdwatch run refuses to start with nothing to read, or a broken acquis file, with exit 2', async (t) => {
  const dir = tempDir('run-usage');
  const none = await runCli('run', '--data-dir', dir);
  t.is(none.code, 2);
  t.regex(none.stderr, /nothing to read/);
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, 'source: file\nfilename: /var/log/x.log\nlabels:\n  type: syslog\n  bad: [1, 2]\n');
  const broken = await runCli('run', '--data-dir', dir, '--acquis', acquis);
  t.is(broken.code, 2);
  t.regex(broken.stderr, new RegExp(`${acquis}:5: labels.bad must be a scalar`));
  const dsn = await runCli('run', '--data-dir', dir, '--dsn', 'file:///var/log/x.log');
  t.is(dsn.code, 2);
  t.regex(dsn.stderr, /--dsn needs --type/);
});
