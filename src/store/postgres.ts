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

/** PostgreSQL through a connection pool: several agents and APIs can share one database. */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  private readonly direct: SqlExecutor;

  private constructor(private readonly pool: pg.Pool) {
    this.direct = executor(pool);
  }

  static async open(connectionString: string): Promise<PostgresDatabase> {
    const pool = new pg.Pool({ connectionString, max: 8 });
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
    try {
      await client.query('BEGIN');
      const result = await work(executor(client));
      await client.query('COMMIT');
      options.committed?.();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
