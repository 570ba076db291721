import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CHUNK_BYTES, LineCutter } from '../engine/line-batches';
import type { Position } from './source';

export type FilePosition = Extract<Position, { kind: 'file' }>;

export interface TailOutput {
  lines(lines: Buffer, position: FilePosition): void;
  warn(message: string): void;
  /** A rotated-away file was read to its end (at `position`) and let go. */
  retired?(position: FilePosition): void;
  /** The followed path is gone (deleted, or renamed with nothing in its place) and its file read to its end: the tail can go. */
  vanished?(): void;
}

/** Bytes of a file's start that identify it (Vector's checksum fingerprint reads 256 too). */
export const HEAD_BYTES = 256;
/** A followed path missing this long, its file still linked elsewhere (renamed), is let go. */
export const GONE_GRACE_MS = 60_000;

/**
 * Bytes per read when following: each read is one engine batch. The engine runs them on its own
 * thread, one at a time, the sources taking turns (src/agent/engine-queue.ts), so an attack line
 * in another file waits for the batch in the engine and at most one batch of each busy source
 * (128 KiB made no difference to that wait in the latency benchmark). A quarter of the replay
 * chunk keeps one batch of nginx lines near 10 ms of engine time, while the cost of a call
 * on the event loop (~20 µs, and ~45 µs to copy 256 KiB of lines) stays amortised over ~1,500
 * lines.
 */
export const FOLLOW_CHUNK_BYTES = DEFAULT_CHUNK_BYTES / 4;
/** Bytes one poll reads before it lets the event loop breathe (the API shares it). */
const POLL_BUDGET_BYTES = 8 * DEFAULT_CHUNK_BYTES;

interface Opened {
  handle: fs.promises.FileHandle;
  dev: number;
  ino: number;
  /** Bytes of this file read so far. */
  offset: number;
  /** The digest of its first `len` bytes, once read (grown up to HEAD_BYTES as the file does). */
  head: { len: number; digest: string } | null;
  /** When the file last changed, as of the last pass (a change makes the head be checked). */
  mtimeMs: number;
}

/** The digest of the first `len` bytes of `handle`'s file, or null if it has fewer. */
async function headDigest(handle: fs.promises.FileHandle, len: number): Promise<string | null> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await handle.read(buf, 0, len, 0);
  if (bytesRead < len) return null;
  return createHash('sha256').update(buf).digest('hex').slice(0, 32);
}

async function statOrNull(file: string): Promise<fs.Stats | null> {
  try {
    return await fs.promises.stat(file);
  } catch {
    return null;
  }
}

/** The file in `dir` that is this inode (a log rotated away by rename while we were not looking). */
async function findByInode(dir: string, dev: number, ino: number): Promise<string | null> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return null;
  }
  for (const name of names) {
    const st = await statOrNull(path.join(dir, name));
    if (st && st.isFile() && st.dev === dev && st.ino === ino) return path.join(dir, name);
  }
  return null;
}

/**
 * Follows one log file the way `tail -F` should: new bytes as whole lines, rename-and-create
 * rotation (the old file is read to its end before the new one starts), copytruncate (the file
 * shrinks: read again from 0) and a file that disappears and comes back. Each batch of lines
 * carries the position after it, so a restart resumes there, even when the file was rotated in
 * between (the old inode is looked up next to it and finished first).
 */
export class FileTail {
  private current: Opened | null = null;
  private readonly cutter: LineCutter;
  private readonly buf = Buffer.allocUnsafe(FOLLOW_CHUNK_BYTES);
  private busy: Promise<void> | null = null;
  private again = false;
  private paused = false;
  private closed = false;
  /** Since when the followed path has been missing. */
  private goneSince: number | null = null;

  constructor(
    readonly file: string,
    private readonly out: TailOutput,
    maxLineBytes: number,
  ) {
    this.cutter = new LineCutter(maxLineBytes);
  }

  /**
   * Opens at the persisted position when it still applies, else at the start (`fresh: 'start'`,
   * a file that appeared while we run) or at the end (a file that was there before us).
   */
  async open(saved: FilePosition | undefined, fresh: 'start' | 'end'): Promise<void> {
    const st = await statOrNull(this.file);
    if (saved && st && st.dev === saved.dev && st.ino === saved.ino) {
      await this.switchTo(st.size >= saved.offset ? saved.offset : 0);
      const cur = this.current;
      if (cur && saved.head && saved.headLen && (await headDigest(cur.handle, saved.headLen)) !== saved.head) {
        // The inode was reused (the file deleted and another created) or the file replaced in
        // place: a different file, read from its start.
        this.out.warn(`${this.file}: not the file of the saved position (its first ${saved.headLen} bytes differ), reading from the start`);
        cur.offset = 0;
        this.cutter.reset();
      }
      return;
    }
    if (saved) {
      // Rotated while we were down: finish the old file first, if it is still beside this one.
      const old = await findByInode(path.dirname(this.file), saved.dev, saved.ino);
      if (old) {
        this.current = await this.openFile(old, saved.offset);
        if (this.current) await this.drain();
        await this.closeCurrent(true);
      }
      if (st) await this.switchTo(0);
      return;
    }
    if (st) await this.switchTo(fresh === 'end' ? st.size : 0);
  }

  /** `dev:ino` of the file being read, if any. */
  get inode(): string | null {
    return this.current ? `${this.current.dev}:${this.current.ino}` : null;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Reads what is new and checks for rotation; concurrent calls coalesce into one more pass. */
  poll(): Promise<void> {
    if (this.busy) {
      this.again = true;
      return this.busy;
    }
    this.busy = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again && !this.closed);
      } finally {
        this.busy = null;
      }
    })();
    return this.busy;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.busy?.catch(() => undefined);
    await this.closeCurrent(false);
  }

  private async pass(): Promise<void> {
    if (this.closed || this.paused) return;
    if (this.current) {
      await this.checkReplaced(this.current);
      const more = await this.drain(POLL_BUDGET_BYTES);
      if (more) {
        this.again = true;
        return;
      }
    }
    const st = await statOrNull(this.file);
    if (!st) {
      await this.gone();
      return;
    }
    this.goneSince = null;
    const cur = this.current;
    if (!cur) {
      await this.switchTo(0);
      this.again = true;
      return;
    }
    if (st.dev !== cur.dev || st.ino !== cur.ino) {
      // Renamed away and replaced: whatever the writer added before reopening is still in the
      // old inode; read it to the end, then start the new file from its first byte.
      await this.drain();
      await this.closeCurrent(true);
      await this.switchTo(0);
      this.again = true;
    } else if (st.size < cur.offset) {
      this.out.warn(`${this.file}: truncated (${cur.offset} -> ${st.size} bytes), reading again from the start`);
      this.restart(cur);
    }
  }

  /**
   * Truncated and written past the old offset between two passes: the size alone cannot tell,
   * the file's first bytes can. Checked when the file changed, before anything new is read, so
   * the middle of the new content is never taken for the rest of the old.
   */
  private async checkReplaced(cur: Opened): Promise<void> {
    const st = await cur.handle.stat().catch(() => null);
    if (!st || st.mtimeMs === cur.mtimeMs) return;
    cur.mtimeMs = st.mtimeMs;
    if (st.size < cur.offset) {
      this.out.warn(`${this.file}: truncated (${cur.offset} -> ${st.size} bytes), reading again from the start`);
      this.restart(cur);
    } else if (cur.head && (await headDigest(cur.handle, cur.head.len)) !== cur.head.digest) {
      this.out.warn(`${this.file}: replaced in place (its first ${cur.head.len} bytes changed), reading again from the start`);
      this.restart(cur);
    }
  }

  private restart(cur: Opened): void {
    cur.offset = 0;
    cur.head = null;
    this.cutter.reset();
    this.again = true;
  }

  /**
   * The path is missing. A file deleted (no link left) is read to its end and let go at once; one
   * renamed away waits for a file to take its name, as rotation does, for GONE_GRACE_MS.
   */
  private async gone(): Promise<void> {
    const cur = this.current;
    if (!cur) {
      this.out.vanished?.();
      return;
    }
    const linked = await cur.handle.stat().then((s) => s.nlink > 0, () => false);
    this.goneSince ??= Date.now();
    if (linked && Date.now() - this.goneSince < GONE_GRACE_MS) return;
    await this.drain();
    await this.closeCurrent(true);
    this.out.vanished?.();
  }

  /** Reads the current file up to its end (or `budget` bytes); true when it stopped on the budget. */
  private async drain(budget = Number.POSITIVE_INFINITY): Promise<boolean> {
    const cur = this.current;
    if (!cur) return false;
    let done = 0;
    while (!this.closed && !this.paused) {
      const { bytesRead } = await cur.handle.read(this.buf, 0, this.buf.length, cur.offset);
      if (bytesRead === 0) return false;
      cur.offset += bytesRead;
      done += bytesRead;
      const batches = this.cutter.push(this.buf.subarray(0, bytesRead));
      await this.learnHead(cur);
      const position = this.positionOf(cur, cur.offset - this.cutter.held);
      for (const lines of batches) this.out.lines(lines, position);
      if (done >= budget) return true;
    }
    return false;
  }

  /** Reads the file's first bytes into its head digest while there are fewer than HEAD_BYTES. */
  private async learnHead(cur: Opened): Promise<void> {
    if (cur.head?.len === HEAD_BYTES) return;
    const len = Math.min(HEAD_BYTES, cur.offset);
    if (len === 0 || cur.head?.len === len) return;
    const digest = await headDigest(cur.handle, len);
    if (digest !== null) cur.head = { len, digest };
  }

  private positionOf(cur: Opened, offset: number): FilePosition {
    const position: FilePosition = { kind: 'file', dev: cur.dev, ino: cur.ino, offset };
    if (cur.head) {
      position.head = cur.head.digest;
      position.headLen = cur.head.len;
    }
    return position;
  }

  private async openFile(file: string, offset: number): Promise<Opened | null> {
    try {
      const handle = await fs.promises.open(file, 'r');
      const st = await handle.stat();
      return { handle, dev: st.dev, ino: st.ino, offset: Math.min(offset, st.size), head: null, mtimeMs: st.mtimeMs };
    } catch (error) {
      this.out.warn(`${file}: cannot open: ${(error as Error).message}`);
      return null;
    }
  }

  private async switchTo(offset: number): Promise<void> {
    this.cutter.reset();
    this.current = await this.openFile(this.file, offset);
  }

  /** Closes the current handle; `rotated`: its unterminated last line is final, hand it on. */
  private async closeCurrent(rotated: boolean): Promise<void> {
    const cur = this.current;
    this.current = null;
    if (!cur) return;
    if (rotated) {
      const rest = this.cutter.flush();
      const position = this.positionOf(cur, cur.offset);
      if (rest.length > 0) this.out.lines(rest, position);
      this.out.retired?.(position);
    }
    await cur.handle.close().catch(() => undefined);
  }
}
