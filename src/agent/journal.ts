import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Position } from '../acquisition';
import { CoalescedSync } from '../files/coalesced-sync';

/**
 * An alert the agent owes the API, under the id that makes its push idempotent. It is kept as
 * its JSON text: written to the journal and pushed as it is, and a tenth of the memory of the
 * object (thousands wait while the API catches up with an attack storm).
 */
export interface PendingAlert {
  uuid: string;
  json: string;
}

/**
 * One line of the journal. `p`: every stream's position; `a`: alerts produced by the lines
 * before those positions; `k`: alerts the API acknowledged.
 */
interface JournalRecord {
  p?: Record<string, Position | null>;
  a?: Array<{ uuid: string; alert: unknown }>;
  k?: string[];
}

/** The `a` list of a record, from the alerts' own JSON (never parsed and re-serialised). */
function alertsJson(alerts: Iterable<PendingAlert>): string {
  const parts: string[] = [];
  for (const a of alerts) parts.push(`{"uuid":${JSON.stringify(a.uuid)},"alert":${a.json}}`);
  return `[${parts.join(',')}]`;
}

/** `writeSync` until every byte is written (a short write is possible on a filling disk). */
function writeAll(fd: number, bytes: Buffer): void {
  for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off);
}

/**
 * Compact when the journal grows past this, or past twice its size after the last compaction,
 * whichever is larger: with many alerts pending, the compacted journal alone can exceed a fixed
 * limit, and compacting on every append would rewrite it each time (quadratic).
 */
const COMPACT_BYTES = 8 << 20;

/**
 * The agent's write-ahead journal: read positions and the alerts they produced, written in one
 * appended line before the alerts are pushed. After a crash of the process (kill -9 included:
 * what was written is in the kernel's page cache), the last whole line says where each stream
 * resumes and which alerts still wait for the API, so every line's effect happens exactly once:
 * a batch either has its alerts and its position in the journal together, or neither, and is
 * read again. A torn last line is ignored. Lines holding alerts are also fsync'd, on libuv's
 * pool, never on the event loop (usually ~0.3 ms, but behind the followed logs' own writes to
 * the same file system up to 190 ms at 100,000 nginx lines/s, and the API, the long polls and
 * /health stalled with it), and the alerts do not wait for it: a power loss before it ends can
 * lose the line, its lines are then read again and an alert already pushed may be raised twice,
 * never lost (see ARCHITECTURE.md).
 */
export class AgentJournal {
  readonly positions = new Map<string, Position>();
  readonly pending = new Map<string, PendingAlert>();
  private fd: number;
  private bytes = 0;
  private compactAt: number;
  /** Times the journal was rewritten (it is at open, then as it grows). */
  compactions = 0;
  /** Lines of a torn or corrupt tail found when opening (reported once). */
  readonly discarded: number;
  /** The fsyncs, one at a time, shared by the lines written before each starts. */
  private readonly fsync = new CoalescedSync(() => this.fd);
  /** Batches whose fsync is not done: compaction (which closes the file) waits for none. */
  private syncing = 0;
  /**
   * An append failed (a full disk): the state in memory is ahead of the file, whose tail was cut
   * back to its last whole line. The next write rewrites the whole state instead of appending, so
   * nothing recorded meanwhile (alerts above all) is missing from the file once it succeeds.
   */
  private behind = false;
  /** Appends that failed (the disk was full or failing). */
  writeFailures = 0;

  private constructor(
    private readonly file: string,
    private readonly compactBytes: number,
    private readonly onError: (message: string) => void,
  ) {
    this.discarded = this.recover();
    this.compactAt = compactBytes;
    this.fd = this.compact();
  }

  /** `onError`: told when a write fails (positions and acknowledgements are written best-effort). */
  static open(file: string, options: { compactBytes?: number; onError?: (message: string) => void } = {}): AgentJournal {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return new AgentJournal(file, options.compactBytes ?? COMPACT_BYTES, options.onError ?? (() => undefined));
  }

  private recover(): number {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return 0;
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (const [i, line] of lines.entries()) {
      let record: JournalRecord;
      try {
        record = JSON.parse(line) as JournalRecord;
      } catch {
        return lines.length - i;
      }
      this.apply(record);
    }
    return 0;
  }

  private apply(record: JournalRecord): void {
    if (record.p) this.applyPositions(record.p);
    for (const a of record.a ?? []) this.pending.set(a.uuid, { uuid: a.uuid, json: JSON.stringify(a.alert) });
    for (const uuid of record.k ?? []) this.pending.delete(uuid);
  }

  /** A null position is a stream forgotten (`forgetPositions`). */
  private applyPositions(p: Record<string, Position | null>): void {
    for (const [key, pos] of Object.entries(p)) {
      if (pos === null) this.positions.delete(key);
      else this.positions.set(key, pos);
    }
  }

  /**
   * Rewrites the journal as one record of the current state (atomically) and reopens it. On a
   * failure (a full disk) the temp file is removed and the journal is left as it was.
   */
  private compact(): number {
    const tmp = `${this.file}.tmp`;
    const line = `{"p":${JSON.stringify(Object.fromEntries(this.positions))},"a":${alertsJson(this.pending.values())}}\n`;
    try {
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        writeAll(fd, Buffer.from(line));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.file);
    } catch (error) {
      fs.rmSync(tmp, { force: true });
      throw error;
    }
    const dir = fs.openSync(path.dirname(this.file), 'r');
    fs.fsyncSync(dir);
    fs.closeSync(dir);
    this.bytes = Buffer.byteLength(line);
    this.compactAt = Math.max(this.compactBytes, 2 * this.bytes);
    this.compactions++;
    return fs.openSync(this.file, 'a', 0o600);
  }

  /**
   * Appends one record. A write that fails part-way (ENOSPC) is cut back to the last whole line,
   * so the file never holds a torn record before later ones, and the journal is marked behind:
   * the next write is a whole rewrite (see `behind`). Throws what the write threw.
   */
  private append(line: string): void {
    if (this.behind) {
      if (this.syncing > 0) throw new Error('the journal is behind a failed write; rewriting it waits for an fsync in progress');
      this.rewrite();
      return;
    }
    const before = this.bytes;
    try {
      writeAll(this.fd, Buffer.from(line));
    } catch (error) {
      this.behind = true;
      this.writeFailures++;
      try {
        fs.ftruncateSync(this.fd, before);
      } catch {
        // Also failing: the rewrite replaces the file whole.
      }
      throw error;
    }
    this.bytes += Buffer.byteLength(line);
    // Compacting closes the file: not while an fsync of it is on the pool (the next append will).
    if (this.bytes > this.compactAt && this.syncing === 0) {
      try {
        const fd = this.compact();
        fs.closeSync(this.fd);
        this.fd = fd;
      } catch (error) {
        // The appended file is whole; compaction is tried again at the next append.
        this.onError(`journal: compaction failed (${(error as Error).message}); still appending`);
      }
    }
  }

  /** The whole state, written again after a failed append; `behind` stays set if it fails too. */
  private rewrite(): void {
    const fd = this.compact();
    fs.closeSync(this.fd);
    this.fd = fd;
    this.behind = false;
    this.onError('journal: written again whole after a failed write; nothing recorded meanwhile is missing');
  }

  /** Best-effort records (positions, acknowledgements): a failure is reported, never thrown. */
  private appendQuietly(line: string, what: string): void {
    try {
      this.append(line);
    } catch (error) {
      if (this.writeFailures <= 1 || this.writeFailures % 100 === 0) this.onError(`journal: ${what} not written (${(error as Error).message}); the whole state is written again at the next write that succeeds`);
    }
  }

  /**
   * Positions after a batch and the alerts it produced. The alerts are pending (what the outbox
   * pushes) once this returns its promise (the part before the fsync runs at the call): the
   * line is written, so a crash of the process finds them with the positions that account for
   * them. The promise resolves once the line is on disk (an fsync on libuv's pool), and rejects
   * if the fsync fails; the alerts stay pending either way.
   */
  async recordBatch(positions: ReadonlyMap<string, Position>, alerts: PendingAlert[]): Promise<void> {
    const p = Object.fromEntries(positions);
    this.applyPositions(p);
    // Pending before the append: a compaction from here on keeps them.
    for (const a of alerts) this.pending.set(a.uuid, a);
    // No compaction (which closes the file) until this line's fsync is done.
    this.syncing++;
    try {
      this.append(`{"p":${JSON.stringify(p)},"a":${alertsJson(alerts)}}\n`);
      await this.fsync.request();
    } finally {
      this.syncing--;
    }
  }

  /** Positions alone (lines without alerts): losing this only means reading them again. */
  recordPositions(positions: ReadonlyMap<string, Position>): void {
    const p = Object.fromEntries(positions);
    this.applyPositions(p);
    this.appendQuietly(`${JSON.stringify({ p })}\n`, 'positions');
  }

  /** Streams gone for good (deleted files): their positions are dropped (best-effort, as positions). */
  forgetPositions(keys: string[]): void {
    if (keys.length === 0) return;
    for (const key of keys) this.positions.delete(key);
    this.appendQuietly(`${JSON.stringify({ p: Object.fromEntries(keys.map((k) => [k, null])) })}\n`, 'forgotten positions');
  }

  /** Alerts the API accepted; if the write fails they are pushed again after a crash (the API stores a uuid once). */
  recordAcks(uuids: string[]): void {
    if (uuids.length === 0) return;
    for (const uuid of uuids) this.pending.delete(uuid);
    this.appendQuietly(`${JSON.stringify({ k: uuids })}\n`, 'acknowledgements');
  }

  /**
   * An alert the API refused for good (a 4xx for that alert alone): appended with the reason to
   * the dead-letter file beside the journal (fsync'd, one JSON line each, for the operator to
   * read or push again), then acknowledged so it no longer holds the ones after it. A crash
   * between the two pushes it again on the next start and writes it twice, never loses it.
   */
  recordRefused(alert: PendingAlert, reason: string): void {
    const line = `{"uuid":${JSON.stringify(alert.uuid)},"refused_at":${JSON.stringify(new Date().toISOString())},"reason":${JSON.stringify(reason)},"alert":${alert.json}}\n`;
    const fd = fs.openSync(this.refusedFile, 'a', 0o600);
    try {
      fs.writeSync(fd, line);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.recordAcks([alert.uuid]);
  }

  /** Where refused alerts go: `refused-alerts.jsonl` beside the journal. */
  get refusedFile(): string {
    return path.join(path.dirname(this.file), 'refused-alerts.jsonl');
  }

  /** The oldest `n` alerts still owed to the API, in the order they were raised. */
  oldestPending(n: number): PendingAlert[] {
    const out: PendingAlert[] = [];
    for (const a of this.pending.values()) {
      if (out.length === n) break;
      out.push(a);
    }
    return out;
  }

  /** At stop, once every `recordBatch` has resolved. */
  close(): void {
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
  }
}
