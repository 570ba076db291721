import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { type FilePosition, FileTail } from '../../src/acquisition/file-tail';
import { tempDir } from '../helpers/run-cli';

/** A tail over `file` that records every line it hands on and the last position. */
function recorder(file: string) {
  const got: string[] = [];
  const warnings: string[] = [];
  let position: FilePosition | undefined;
  const tail = new FileTail(file, {
    lines: (lines, pos) => {
      got.push(...lines.toString('utf8').split('\n').filter((l) => l !== ''));
      position = pos;
    },
    warn: (m) => warnings.push(m),
  }, 1024);
  return { tail, got, warnings, position: () => position };
}

const numbered = (from: number, to: number): string => Array.from({ length: to - from }, (_, i) => `line ${from + i}\n`).join('');
const expected = (from: number, to: number): string[] => numbered(from, to).trim().split('\n');

test('a file present at start is followed from its end; appended lines arrive whole', async (t) => {
  const file = path.join(tempDir('tail'), 'app.log');
  fs.writeFileSync(file, numbered(0, 5));
  const r = recorder(file);
  await r.tail.open(undefined, 'end');
  fs.appendFileSync(file, `${numbered(5, 8)}partial`);
  await r.tail.poll();
  t.deepEqual(r.got, expected(5, 8));
  fs.appendFileSync(file, ' line\n');
  await r.tail.poll();
  t.deepEqual(r.got, [...expected(5, 8), 'partial line']);
  await r.tail.close();
});

test('rename rotation: the old file is read to its end, then the new one from its start', async (t) => {
  const dir = tempDir('tail');
  const file = path.join(dir, 'app.log');
  fs.writeFileSync(file, '');
  const r = recorder(file);
  await r.tail.open(undefined, 'end');
  fs.appendFileSync(file, numbered(0, 3));
  await r.tail.poll();
  // The writer still writes to the renamed file before it reopens: those lines must not be lost.
  fs.renameSync(file, `${file}.1`);
  fs.appendFileSync(`${file}.1`, numbered(3, 5));
  fs.writeFileSync(file, numbered(5, 7));
  await r.tail.poll();
  t.deepEqual(r.got, expected(0, 7));
  await r.tail.close();
});

test('copytruncate: a file that shrinks is read again from its start', async (t) => {
  const file = path.join(tempDir('tail'), 'app.log');
  fs.writeFileSync(file, '');
  const r = recorder(file);
  await r.tail.open(undefined, 'end');
  fs.appendFileSync(file, numbered(0, 4));
  await r.tail.poll();
  fs.copyFileSync(file, `${file}.1`);
  fs.truncateSync(file, 0);
  fs.appendFileSync(file, numbered(4, 6));
  await r.tail.poll();
  t.deepEqual(r.got, expected(0, 6));
  t.true(r.warnings.some((w) => w.includes('truncated')));
  await r.tail.close();
});

test('a restart resumes at the saved position, and finishes a file rotated away meanwhile', async (t) => {
  const dir = tempDir('tail');
  const file = path.join(dir, 'app.log');
  fs.writeFileSync(file, '');
  const first = recorder(file);
  await first.tail.open(undefined, 'end');
  fs.appendFileSync(file, numbered(0, 3));
  await first.tail.poll();
  await first.tail.close();
  const saved = first.position();
  t.truthy(saved);
  // While we are down: more lines, a rotation, lines in the new file.
  fs.appendFileSync(file, numbered(3, 5));
  fs.renameSync(file, `${file}.1`);
  fs.writeFileSync(file, numbered(5, 6));
  const second = recorder(file);
  await second.tail.open(saved, 'end');
  await second.tail.poll();
  t.deepEqual(second.got, expected(3, 6));
  await second.tail.close();
});

test('a restart on the same file resumes exactly after the last whole line', async (t) => {
  const file = path.join(tempDir('tail'), 'app.log');
  fs.writeFileSync(file, '');
  const first = recorder(file);
  await first.tail.open(undefined, 'start');
  fs.appendFileSync(file, `${numbered(0, 2)}half`);
  await first.tail.poll();
  await first.tail.close();
  fs.appendFileSync(file, ` done\n${numbered(2, 3)}`);
  const second = recorder(file);
  await second.tail.open(first.position(), 'end');
  await second.tail.poll();
  t.deepEqual(first.got, expected(0, 2));
  t.deepEqual(second.got, ['half done', ...expected(2, 3)]);
  await second.tail.close();
});
