import pg from 'pg';
import type { Row, SqlDatabase, SqlExecutor, SqlValue, TransactionOptions } from './sql';

// BIGINT columns hold epoch milliseconds and ids: well inside a double's exact range.
pg.types.setTypeParser(20, (text) => Number(text));

/** `?` → `$1, $2…` (our statements never contain a literal question mark). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
      const result = await client.query(numbered(sql), params as SqlValue[]);
      return result.rows as T[];
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
      const result = await client.query(numbered(sql), params as SqlValue[]);
      return result.rowCount ?? 0;
    },
  };
}

/** How long a connection may take to open, and a statement to run (server and client side). */
const CONNECT_TIMEOUT_MS = 5_000;
const STATEMENT_TIMEOUT_MS = 30_000;

/** SQLSTATE classes and codes that mean "the server is away or going", not "your query is wrong". */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether `error` says the database cannot be reached right now (refused, reset, shutting down,
 * a connection or statement that timed out): the API answers 503 and the caller retries.
 */
export function databaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (UNAVAILABLE_STATES.has(code) || UNAVAILABLE_ERRNOS.has(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error)/.test(message);
}

/**
 * PostgreSQL through a connection pool: several agents and APIs can share one database. A server
 * that restarts costs the requests made meanwhile (503), never the process: the pool's idle
 * clients that lose their server are dropped (its `error` event, which would otherwise throw), a
 * client that failed in a transaction is destroyed instead of going back to the pool, and every
 * connection and statement has a timeout.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  private readonly direct: SqlExecutor;

  private constructor(private readonly pool: pg.Pool) {
    this.direct = executor(pool);
  }

  static async open(connectionString: string, onError: (message: string) => void = () => undefined): Promise<PostgresDatabase> {
    const pool = new pg.Pool({
      connectionString,
      max: 8,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      query_timeout: STATEMENT_TIMEOUT_MS + 5_000,
      keepAlive: true,
    });
    // An idle client whose server went away: the pool drops it; without a listener Node throws.
    pool.on('error', (error) => onError(`database: an idle connection failed (${error.message}); it is replaced on the next request`));
    // Fail now with a clear error rather than at the first request.
    const client = await pool.connect();
    client.release();
    return new PostgresDatabase(pool);
  }

  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.direct.all<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.direct.run(sql, params);
  }

  /** A PostgreSQL commit is on disk when it returns (`synchronous_commit` on): `run` itself. */
  runUnflushed(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.run(sql, params);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(executor(client));
      await client.query('COMMIT');
      options.committed?.();
      return result;
    } catch (error) {
      // A client that cannot even roll back has lost its server: destroyed, not pooled again.
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
