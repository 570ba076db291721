import * as fs from 'node:fs';
import * as path from 'node:path';
import sqlite3 from 'sqlite3';
import type { Row, SqlDatabase, SqlExecutor, SqlValue } from './sql';

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
 * `synchronous=FULL`: an acknowledged decision survives `kill -9` and power loss alike.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly writes = new Mutex();

  private constructor(
    private readonly writer: sqlite3.Database,
    private readonly reader: sqlite3.Database,
  ) {}

  static async open(file: string): Promise<SqliteDatabase> {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const writer = await open(file, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE);
    await exec(writer, 'PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;');
    writer.configure('busyTimeout', 10000);
    fs.chmodSync(file, 0o600);
    const reader = await open(file, sqlite3.OPEN_READONLY);
    await exec(reader, 'PRAGMA busy_timeout=10000;');
    reader.configure('busyTimeout', 10000);
    return new SqliteDatabase(writer, reader);
  }

  all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    // RETURNING makes a statement a write even when it is read with all().
    if (/^\s*(insert|update|delete)\b/i.test(sql)) return this.writes.lock(() => all<T>(this.writer, sql, params));
    return all<T>(this.reader, sql, params);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.writes.lock(() => run(this.writer, sql, params));
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.writes.lock(async () => {
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
  }

  async close(): Promise<void> {
    await this.writes.lock(async () => {
      await close(this.reader);
      await close(this.writer);
    });
  }
}
