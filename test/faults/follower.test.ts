// Faults of the file follower. Followed files that disappeared were never closed (an fd, and the
// disk space of every deleted date-stamped log, held for ever; the positions map grew without
// end); a file truncated and written past the old offset between two polls was read from the
// old offset (the new start lost, the middle taken for the rest of the old file); and a saved
// position was applied to any file with the same inode (reused after a delete). Now a deleted
// file is read to its end and let go, its position forgotten, and files are recognised by a
// digest of their first 256 bytes as well as their inode (Vector's checksum fingerprint).
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { type FilePosition, FileTail } from '../../src/acquisition/file-tail';
import { AgentJournal } from '../../src/agent/journal';
import { tempDir } from '../helpers/run-cli';

function recorder(file: string) {
  const got: string[] = [];
  const warnings: string[] = [];
  let vanished = 0;
  let position: FilePosition | undefined;
  const tail = new FileTail(file, {
    lines: (lines, pos) => {
      got.push(...lines.toString('utf8').split('\n').filter((l) => l !== ''));
      position = pos;
    },
    warn: (m) => warnings.push(m),
    vanished: () => vanished++,
  }, 4096);
  return { tail, got, warnings, vanished: () => vanished, position: () => position };
}

const lines = (tag: string, n: number): string => Array.from({ length: n }, (_, i) => `${tag} line ${i} with some padding to make it longer\n`).join('');
const openDeleted = (file: string): number =>
  fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`) === `${file} (deleted)`;
    } catch {
      return false;
    }
  }).length;

test('a deleted file is read to its end, closed (its space comes back) and let go', async (t) => {
  const file = path.join(tempDir('follow-del'), 'app-2026-12-07.log');
  fs.writeFileSync(file, '');
  const r = recorder(file);
  await r.tail.open(undefined, 'end');
  fs.appendFileSync(file, lines('old', 3));
  await r.tail.poll();
  // The last lines and the delete happen between two polls (a retention job).
  fs.appendFileSync(file, lines('last', 2));
  fs.unlinkSync(file);
  await r.tail.poll();
  t.is(r.got.length, 5, 'the lines written before the delete are read');
  t.is(r.vanished(), 1);
  t.is(openDeleted(file), 0, 'no descriptor keeps the deleted file');
  await r.tail.close();
});

test('truncated and written past the old offset between two polls: read again from the new start, once', async (t) => {
  const file = path.join(tempDir('follow-trunc'), 'app.log');
  fs.writeFileSync(file, '');
  const r = recorder(file);
  await r.tail.open(undefined, 'end');
  fs.appendFileSync(file, lines('before', 5));
  await r.tail.poll();
  t.is(r.got.length, 5);
  // copytruncate, then the service writes more than there was before the next poll.
  fs.truncateSync(file, 0);
  fs.appendFileSync(file, lines('after', 12));
  await r.tail.poll();
  t.deepEqual(r.got.slice(5), lines('after', 12).trim().split('\n'), 'every new line, from the first, once');
  t.regex(r.warnings.join('\n'), /replaced in place \(its first \d+ bytes changed\)/);
  await r.tail.close();
});

test('a saved position is not applied to another file on the same inode', async (t) => {
  const file = path.join(tempDir('follow-reuse'), 'app.log');
  fs.writeFileSync(file, '');
  const first = recorder(file);
  await first.tail.open(undefined, 'end');
  fs.appendFileSync(file, lines('first', 8));
  await first.tail.poll();
  const saved = first.position();
  await first.tail.close();
  t.truthy(saved?.head, 'positions carry the head digest');
  // While the daemon is down, the file is replaced by another one on the same inode (what a
  // reused inode looks like to us) and grows past the saved offset.
  fs.truncateSync(file, 0);
  fs.appendFileSync(file, lines('second', 12));
  const again = recorder(file);
  await again.tail.open(saved, 'end');
  await again.tail.poll();
  t.deepEqual(again.got, lines('second', 12).trim().split('\n'));
  t.regex(again.warnings.join('\n'), /not the file of the saved position/);
  await again.tail.close();

  // The same file, grown: the position applies and nothing is read twice.
  const grown = recorder(file);
  const at = again.position();
  fs.appendFileSync(file, lines('third', 2));
  await grown.tail.open(at, 'end');
  await grown.tail.poll();
  t.deepEqual(grown.got, lines('third', 2).trim().split('\n'));
  t.deepEqual(grown.warnings, []);
  await grown.tail.close();
});

test('forgotten streams leave the journal, across a restart', (t) => {
  const file = path.join(tempDir('follow-journal'), 'agent-journal.jsonl');
  const j = AgentJournal.open(file);
  const pos = (offset: number) => ({ kind: 'file' as const, dev: 1, ino: 2, offset });
  j.recordPositions(new Map([['file:/var/log/a-1.log', pos(10)], ['file:/var/log/a-2.log', pos(20)]]));
  j.forgetPositions(['file:/var/log/a-1.log']);
  t.deepEqual([...j.positions.keys()], ['file:/var/log/a-2.log']);
  j.close();
  const again = AgentJournal.open(file);
  t.deepEqual([...again.positions.keys()], ['file:/var/log/a-2.log']);
  again.close();
});

test('the daemon: a deleted date-stamped log leaves no descriptor and no position behind', async (t) => {
  const { DaemonProcess, eventually } = await import('../helpers/daemon');
  const { syslogTime } = await import('../../src/bench/gen/common');
  const dir = tempDir('follow-daemon');
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs);
  const old = path.join(logs, 'auth-2026-12-06.log');
  fs.writeFileSync(old, `${syslogTime(new Date())} gw sshd[1]: Server listening on 0.0.0.0 port 22.\n`);
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filenames:\n  - ${logs}/auth-*.log\nlabels:\n  type: syslog\n`);
  const daemon = await DaemonProcess.start(dir, ['--acquis', acquis]);
  const journal = path.join(dir, 'agent-journal.jsonl');
  const keys = (): string[] => {
    const copy = path.join(tempDir('journal-copy'), 'j.jsonl');
    fs.copyFileSync(journal, copy);
    const j = AgentJournal.open(copy);
    const out = [...j.positions.keys()];
    j.close();
    return out;
  };
  try {
    fs.appendFileSync(old, `${syslogTime(new Date())} gw sshd[2]: Connection closed by 192.0.2.1 port 22\n`);
    await eventually('its position journaled', 10_000, async () => (keys().includes(`file:${old}`) ? true : undefined));
    fs.unlinkSync(old);
    await eventually('its position forgotten', 10_000, async () => (keys().includes(`file:${old}`) ? undefined : true));
    const pid = daemon.server.child.pid;
    const held = fs.readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(old);
      } catch {
        return false;
      }
    });
    t.deepEqual(held, []);
  } finally {
    await daemon.stop();
  }
});
