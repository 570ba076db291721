// CoalescedSync: flushes run one at a time, off the event loop; requests made before a flush
// starts share it, a request made while one runs gets the next; a failed flush rejects only the
// requests it answers.
import * as fs from 'node:fs';
import * as path from 'node:path';
// The module object itself (`import * as` only has getters), to hold back its flushes.
import nodeFs from 'node:fs';
import test from 'ava';
import { CoalescedSync } from '../../src/files/coalesced-sync';
import { tempDir } from '../helpers/run-cli';

test.serial('requests share the flush not started yet; one made during a flush gets the next; a failure rejects only its own', async (t) => {
  const file = path.join(tempDir('coalesced-sync'), 'f');
  const fd = fs.openSync(file, 'w');
  const held: Array<(error?: NodeJS.ErrnoException) => void> = [];
  const fsync = nodeFs.fsync;
  (nodeFs as { fsync: unknown }).fsync = (f: number, done: (error: NodeJS.ErrnoException | null) => void): void =>
    void held.push((error) => (error ? done(error) : fsync(f, done)));
  try {
    const sync = new CoalescedSync(() => fd);
    const settled: string[] = [];
    const track = (name: string, p: Promise<void>): Promise<void> =>
      p.then(
        () => void settled.push(`${name} ok`),
        (e: Error) => void settled.push(`${name} ${e.message}`),
      );
    const a = track('a', sync.request());
    const b = track('b', sync.request());
    await new Promise((r) => setImmediate(r));
    t.is(held.length, 1, 'a and b share one flush');
    const c = track('c', sync.request());
    const d = track('d', sync.request());
    await new Promise((r) => setImmediate(r));
    t.is(held.length, 1, 'c and d wait for the flush running to end');
    held[0]();
    await Promise.all([a, b]);
    await new Promise((r) => setImmediate(r));
    t.is(held.length, 2, 'then one more flush starts, for c and d');
    held[1](Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    await Promise.all([c, d]);
    t.deepEqual(settled, ['a ok', 'b ok', 'c EIO: i/o error', 'd EIO: i/o error']);
    const e = sync.request();
    await new Promise((r) => setImmediate(r));
    held[2]();
    await e;
    t.is(sync.flushes, 3);
  } finally {
    nodeFs.fsync = fsync;
    fs.closeSync(fd);
  }
});
