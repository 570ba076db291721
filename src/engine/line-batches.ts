import type { FileHandle } from 'node:fs/promises';

/** Bytes read per fs call; each read becomes (at most) one processBatch call. */
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

export interface LineBatch {
  /** Whole lines (the last may lack its newline only at end of file); may be empty. */
  lines: Buffer;
  /** Bytes of the file consumed so far, for progress. */
  bytesRead: number;
}

export interface LineBatchOptions {
  chunkBytes?: number;
  /** A line longer than this is passed as its first maxLineBytes + 1 bytes, the rest skipped. */
  maxLineBytes: number;
}

/**
 * Cuts a file into batches of whole lines without splitting it per line: each chunk is cut
 * at its last newline and the partial line is carried into the next read. The carry never
 * exceeds maxLineBytes: an over-long line is handed on as its head alone (one byte over the
 * limit, so the engine sees and counts it as truncated) and the rest up to its newline is
 * skipped, so a file without newlines cannot grow memory without bound.
 */
export async function* readLineBatches(
  file: Pick<FileHandle, 'read'>,
  options: LineBatchOptions,
): AsyncGenerator<LineBatch> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const { maxLineBytes } = options;
  let carry: Buffer = EMPTY;
  let skipping = false;
  let bytesRead = 0;
  for (;;) {
    // A fresh buffer per read: the carry and yielded batches are views into it.
    const buf = Buffer.allocUnsafe(carry.length + chunkBytes);
    carry.copy(buf, 0);
    const { bytesRead: n } = await file.read(buf, carry.length, chunkBytes, null);
    if (n === 0) break;
    bytesRead += n;
    let data = buf.subarray(0, carry.length + n);
    carry = EMPTY;
    if (skipping) {
      const newline = data.indexOf(NEWLINE);
      if (newline < 0) {
        yield { lines: EMPTY, bytesRead };
        continue;
      }
      data = data.subarray(newline + 1);
      skipping = false;
    }
    const last = data.lastIndexOf(NEWLINE);
    const complete = last < 0 ? EMPTY : data.subarray(0, last + 1);
    let rest = last < 0 ? data : data.subarray(last + 1);
    yield { lines: complete, bytesRead };
    if (rest.length > maxLineBytes) {
      yield { lines: rest.subarray(0, maxLineBytes + 1), bytesRead };
      skipping = true;
      rest = EMPTY;
    }
    carry = rest;
  }
  if (carry.length > 0) yield { lines: carry, bytesRead };
}
