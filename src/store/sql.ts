// The small SQL surface the store needs, implemented once for SQLite and once for PostgreSQL.
// Statements are written with `?` placeholders; the PostgreSQL adapter numbers them.

export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

export interface SqlExecutor {
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface TransactionOptions {
  /**
   * Called once the transaction has committed and readers see it, maybe before it is on disk
   * (the transaction's promise resolves once it is): to wake those who wait for the change.
   */
  committed?: () => void;
}

export interface SqlDatabase extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs `work` in one transaction: committed, and on disk, when it resolves; rolled back when
   * it throws. Every write resolves only once it is on disk.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * `run`, resolving once committed (readers see it), before it is on disk (it is shortly after):
   * for bookkeeping a power loss may roll back harmlessly, such as a bouncer's last pull (the
   * next pull then repeats a few decisions), kept off the path of an answer.
   */
  runUnflushed(sql: string, params?: readonly SqlValue[]): Promise<number>;
  close(): Promise<void>;
}

/** `?, ?, ?` for n parameters. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/**
 * An integer crowdwatch computed (an id, a revision, a time), written into SQL text. For values that
 * recur in every row of a statement, where binding each occurrence costs more than the work.
 */
export function sqlInteger(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return String(n);
}
