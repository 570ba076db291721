import type { FileHandle } from 'node:fs/promises';

/** Bytes read per fs call; each read becomes (at most) one processBatch call. */
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

/**
 * Cuts a byte stream into batches of whole lines without splitting it per line: each chunk is
 * cut at its last newline and the partial line is carried into the next one. The carry never
 * exceeds maxLineBytes: an over-long line is handed on as its head alone (one byte over the
 * limit, so the engine sees and counts it as truncated) and the rest up to its newline is
 * skipped, so a stream without newlines cannot grow memory without bound.
 *
 * Used by the replay reader and by every live source; `held` is what a source must not yet
 * count as consumed (its persisted position is the stream offset minus `held`).
 */
export class LineCutter {
  private carry: Buffer = EMPTY;
  private skipping = false;

  constructor(private readonly maxLineBytes: number) {}

  /** Bytes of a partial line held back, waiting for its newline. */
  get held(): number {
    return this.carry.length;
  }

  /** The next bytes of the stream; returns the whole lines they complete (zero, one or two buffers). */
  push(chunk: Buffer): Buffer[] {
    let data = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    this.carry = EMPTY;
    if (this.skipping) {
      const newline = data.indexOf(NEWLINE);
      if (newline < 0) return [];
      data = data.subarray(newline + 1);
      this.skipping = false;
    }
    const out: Buffer[] = [];
    const last = data.lastIndexOf(NEWLINE);
    if (last >= 0) out.push(data.subarray(0, last + 1));
    const rest = last < 0 ? data : data.subarray(last + 1);
    if (rest.length > this.maxLineBytes) {
      out.push(rest.subarray(0, this.maxLineBytes + 1));
      this.skipping = true;
    } else {
      // A copy: the caller may reuse the chunk's memory for its next read.
      this.carry = rest.length === 0 ? EMPTY : Buffer.from(rest);
    }
    return out;
  }

  /** End of stream: the partial line, if any, as a last line. */
  flush(): Buffer {
    const rest = this.carry;
    this.carry = EMPTY;
    this.skipping = false;
    return rest;
  }

  /** Forgets the carry (the stream was truncated or replaced). */
  reset(): void {
    this.carry = EMPTY;
    this.skipping = false;
  }
}

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

/** Reads a whole file as batches of whole lines (see LineCutter), for replay. */
export async function* readLineBatches(
  file: Pick<FileHandle, 'read'>,
  options: LineBatchOptions,
): AsyncGenerator<LineBatch> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const cutter = new LineCutter(options.maxLineBytes);
  let bytesRead = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(chunkBytes);
    const { bytesRead: n } = await file.read(buf, 0, chunkBytes, null);
    if (n === 0) break;
    bytesRead += n;
    const batches = cutter.push(buf.subarray(0, n));
    if (batches.length === 0) yield { lines: EMPTY, bytesRead };
    for (const lines of batches) yield { lines, bytesRead };
  }
  const rest = cutter.flush();
  if (rest.length > 0) yield { lines: rest, bytesRead };
}
