import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { readLineBatches } from '../../src/engine/line-batches';
import { tempDir } from '../helpers/run-cli';

async function batchesOf(content: Buffer, chunkBytes: number, maxLineBytes: number): Promise<string[]> {
  const file = path.join(tempDir('batches'), 'input.log');
  fs.writeFileSync(file, content);
  const handle = await fs.promises.open(file, 'r');
  const out: string[] = [];
  try {
    for await (const { lines } of readLineBatches(handle, { chunkBytes, maxLineBytes })) {
      if (lines.length > 0) out.push(lines.toString('latin1'));
    }
  } finally {
    await handle.close();
  }
  return out;
}

test('every batch ends at a line boundary and the carry joins split lines', async (t) => {
  const batches = await batchesOf(Buffer.from('aaaa\nbbbb\ncccc\ndd'), 7, 100);
  for (const batch of batches.slice(0, -1)) t.true(batch.endsWith('\n'), JSON.stringify(batch));
  t.is(batches.join(''), 'aaaa\nbbbb\ncccc\ndd');
});

test('one batch per chunk, not per line', async (t) => {
  const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join('');
  const batches = await batchesOf(Buffer.from(lines), 1 << 20, 1024);
  t.is(batches.length, 1);
});

test('a line longer than maxLineBytes is passed as its head and the rest is skipped', async (t) => {
  const long = 'x'.repeat(5000);
  const batches = await batchesOf(Buffer.from(`first\n${long}\nlast\n`), 256, 100);
  const all = batches.join('');
  t.true(all.startsWith('first\n'));
  t.true(all.endsWith('last\n'));
  t.true(batches.includes('x'.repeat(101)), 'head of maxLineBytes + 1 bytes');
  t.is(all.length, 'first\n'.length + 101 + 'last\n'.length);
});

test('a long line within maxLineBytes is carried whole across reads', async (t) => {
  const long = 'y'.repeat(3000);
  const batches = await batchesOf(Buffer.from(`a\n${long}\nb`), 256, 4096);
  t.true(batches.some((b) => b.includes(`${long}\n`)));
  t.is(batches.join(''), `a\n${long}\nb`);
});
