import * as fs from 'node:fs';
import * as path from 'node:path';
import sqlite3 from 'sqlite3';
import { CoalescedSync } from '../files/coalesced-sync';
import type { Row, SqlDatabase, SqlExecutor, SqlValue, TransactionOptions } from './sql';

/** One async mutex: node-sqlite3 shares a connection between callers, and a transaction must not. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();

  lock<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

function open(file: string, mode: number): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, mode, (err) => (err ? reject(err) : resolve(db)));
  });
}

function all<T>(db: sqlite3.Database, sql: string, params: readonly SqlValue[]): Promise<T[]> {
  return new Promise((resolve, reject) => {
    db.all(sql, params as SqlValue[], (err, rows) => (err ? reject(err) : resolve(rows as T[])));
  });
}

function run(db: sqlite3.Database, sql: string, params: readonly SqlValue[]): Promise<number> {
  return new Promise((resolve, reject) => {
    db.run(sql, params as SqlValue[], function done(this: sqlite3.RunResult, err: Error | null) {
      if (err) reject(err);
      else resolve(this.changes);
    });
  });
}

function exec(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
}

function close(db: sqlite3.Database): Promise<void> {
  return new Promise((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
}

/**
 * SQLite in WAL mode with two connections: a writer that every write and transaction goes
 * through one at a time, and a reader, so a read never sees a transaction that has not committed.
 * A write resolves once it is on disk: it survives `kill -9` and power loss alike. SQLite's own
 * `synchronous=FULL` would flush the WAL inside each commit, holding the writer (and everything
 * queued behind it) for the flush; here SQLite runs with `synchronous=NORMAL` (it still flushes
 * around checkpoints) and we flush the WAL after each commit ourselves, on libuv's pool, shared
 * by the commits made meanwhile (`CoalescedSync`): what FULL adds to NORMAL, without the wait
 * under the lock. A transaction's `committed` callback runs between the two, so long-polling
 * bouncers hear of a ban without waiting for the flush (at 100,000 nginx lines/s the commit's
 * flush took up to 130 ms behind the followed logs' writes).
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly writes = new Mutex();
  private wal: number | null = null;
  private readonly walSync = new CoalescedSync(() => this.walFd(), true);

  private constructor(
    private readonly file: string,
    private readonly writer: sqlite3.Database,
    private readonly reader: sqlite3.Database,
  ) {}

  static async open(file: string): Promise<SqliteDatabase> {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const writer = await open(file, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE);
    await exec(writer, 'PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;');
    writer.configure('busyTimeout', 10000);
    fs.chmodSync(file, 0o600);
    const reader = await open(file, sqlite3.OPEN_READONLY);
    await exec(reader, 'PRAGMA busy_timeout=10000;');
    reader.configure('busyTimeout', 10000);
    return new SqliteDatabase(file, writer, reader);
  }

  /** The WAL file, opened once it exists (SQLite keeps it, and its inode, while we are open). */
  private walFd(): number {
    this.wal ??= fs.openSync(`${this.file}-wal`, 'r');
    return this.wal;
  }

  /** Flushes done on the WAL (tests). */
  get walFlushes(): number {
    return this.walSync.flushes;
  }

  all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    // RETURNING makes a statement a write even when it is read with all().
    if (/^\s*(insert|update|delete)\b/i.test(sql)) return this.durable(this.writes.lock(() => all<T>(this.writer, sql, params)));
    return all<T>(this.reader, sql, params);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.durable(this.writes.lock(() => run(this.writer, sql, params)));
  }

  runUnflushed(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const write = this.writes.lock(() => run(this.writer, sql, params));
    // Flushed with the next writes all the same; nobody waits for it.
    this.durable(write).catch(() => undefined);
    return write;
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const committed = this.writes.lock(async () => {
      const tx: SqlExecutor = {
        all: <R = Row>(sql: string, params: readonly SqlValue[] = []) => all<R>(this.writer, sql, params),
        run: (sql: string, params: readonly SqlValue[] = []) => run(this.writer, sql, params),
      };
      await exec(this.writer, 'BEGIN IMMEDIATE');
      try {
        const result = await work(tx);
        await exec(this.writer, 'COMMIT');
        return result;
      } catch (error) {
        await exec(this.writer, 'ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
    return this.durable(
      committed.then((result) => {
        options.committed?.();
        return result;
      }),
    );
  }

  /** `write`'s result once what it committed is on disk (the WAL flushed after it). */
  private async durable<T>(write: Promise<T>): Promise<T> {
    const result = await write;
    await this.walSync.request();
    return result;
  }

  async close(): Promise<void> {
    await this.writes.lock(async () => {
      await this.walSync.request().catch(() => undefined);
      await close(this.reader);
      await close(this.writer);
      if (this.wal !== null) fs.closeSync(this.wal);
      this.wal = null;
    });
  }
}
