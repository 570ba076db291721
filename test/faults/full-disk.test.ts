// Fault: a full disk. The agent's journal appended with no care for a failed write: a record cut
// short by ENOSPC stayed in the file, and on the next start every record after it was discarded
// as a "torn tail" (the alerts and positions they held, lost). Atomic writes did not fsync. Now a
// failed append is cut back to the last whole line and the journal is rewritten whole at the next
// write that succeeds; an atomic write on a full disk leaves the old file and no temp file.
// On a real full file system: a small tmpfs this test mounts (root only).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { AgentJournal } from '../../src/agent/journal';
import type { Position } from '../../src/acquisition/source';
import { writeFileAtomic } from '../../src/files/atomic';
import { requires } from '../helpers/requirement';
import { tempDir } from '../helpers/run-cli';

function canMount(): string | null {
  if (process.getuid?.() !== 0) return 'root, to mount a small tmpfs';
  return null;
}

/** A 256 KiB tmpfs, then `use`, then unmounted. */
async function withSmallDisk(use: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = tempDir('full-disk');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
  try {
    await use(dir);
  } finally {
    execFileSync('umount', ['-l', dir]);
  }
}

/** Fills the file system but for `leaveBytes` (in whole pages), in a file `fill` removes. */
function fill(dir: string, leaveBytes: number): () => void {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const page = Buffer.alloc(4096, 1);
  try {
    for (;;) fs.writeSync(fd, page);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  fs.closeSync(fd);
  if (leaveBytes > 0) fs.truncateSync(filler, Math.max(0, fs.statSync(filler).size - leaveBytes));
  return () => fs.rmSync(filler, { force: true });
}

const at = (offset: number): Map<string, Position> => new Map([['file:/var/log/a.log', { kind: 'file', dev: 1, ino: 2, offset }]]);
const alert = (uuid: string, bytes = 100) => ({ uuid, json: JSON.stringify({ scenario: 's', message: 'x'.repeat(bytes) }) });

requires(test.serial, canMount())('a journal on a full disk: a cut record never hides the ones after it, and nothing is lost once space returns', async (t) => {
  await withSmallDisk(async (dir) => {
    const errors: string[] = [];
    const file = path.join(dir, 'agent-journal.jsonl');
    const journal = AgentJournal.open(file, { onError: (m) => errors.push(m) });
    await journal.recordBatch(at(100), [alert('before')]);
    // One page left: a 12 KiB batch is written in part, then ENOSPC.
    const free = fill(dir, 4096);
    await t.throwsAsync(journal.recordBatch(at(200), [alert('during', 12_000)]), { message: /ENOSPC/ });
    t.true(journal.pending.has('during'), 'the alert is still owed (the outbox pushes it)');
    t.notThrows(() => journal.recordPositions(at(300)), 'positions on a full disk are reported, not thrown');
    t.notThrows(() => journal.recordAcks(['before']));
    t.regex(errors.join('\n'), /journal: positions not written \(.*ENOSPC/);
    // What a crash now would find: the file as it was before the failed batch, whole.
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
    t.notThrows(() => lines.map((l) => JSON.parse(l) as unknown), 'no torn record in the file');

    free();
    journal.recordPositions(at(400));
    t.regex(errors.join('\n'), /written again whole/);
    journal.close();
    const again = AgentJournal.open(file);
    t.is(again.discarded, 0);
    t.deepEqual([...again.pending.keys()], ['during'], "'before' acknowledged, 'during' still owed");
    t.deepEqual(again.positions.get('file:/var/log/a.log'), { kind: 'file', dev: 1, ino: 2, offset: 400 });
    again.close();
  });
});

requires(test.serial, canMount())('an atomic write on a full disk throws, and leaves the old file whole and no temp file', async (t) => {
  await withSmallDisk((dir) => {
    const file = path.join(dir, 'simulation.yaml');
    writeFileAtomic(file, 'simulation: off\n');
    const free = fill(dir, 0);
    t.throws(() => writeFileAtomic(file, `simulation: on\nexclusions: [${'"a",'.repeat(5000)}"b"]\n`), { message: /ENOSPC/ });
    t.is(fs.readFileSync(file, 'utf8'), 'simulation: off\n');
    t.deepEqual(fs.readdirSync(dir).sort(), ['filler', 'simulation.yaml']);
    free();
    writeFileAtomic(file, 'simulation: on\n');
    t.is(fs.readFileSync(file, 'utf8'), 'simulation: on\n');
  });
});
