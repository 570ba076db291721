import * as path from 'node:path';
import { AlertStore } from './alerts';
import { BouncerStore } from './bouncers';
import { DecisionStore } from './decisions';
import { MachineStore } from './machines';
import { LAPI_SCHEMA, migrate, type Schema } from './migrations';
import { PostgresDatabase } from './postgres';
import type { SqlDatabase } from './sql';
import { SqliteDatabase } from './sqlite';

/** Where the data lives: SQLite under the data dir (the default) or a PostgreSQL URL. */
export type StoreConfig = { type: 'sqlite'; path: string } | { type: 'postgres'; url: string };

export function defaultStoreConfig(dataDir: string): StoreConfig {
  return { type: 'sqlite', path: path.join(dataDir, 'crowdwatch.db') };
}

/** Opens SQLite or PostgreSQL and brings it to `schema`'s last version (closed again on failure). */
export async function openDatabase(config: StoreConfig, schema: Schema, log?: (message: string) => void): Promise<SqlDatabase> {
  const db = config.type === 'sqlite' ? await SqliteDatabase.open(config.path) : await PostgresDatabase.open(config.url, log);
  try {
    await migrate(db, schema);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}

/** The database behind the local API and the management commands. */
export class Store {
  readonly machines: MachineStore;
  readonly bouncers: BouncerStore;
  readonly alerts: AlertStore;
  readonly decisions: DecisionStore;

  private constructor(readonly db: SqlDatabase) {
    this.machines = new MachineStore(db);
    this.bouncers = new BouncerStore(db);
    this.alerts = new AlertStore(db);
    this.decisions = new DecisionStore(db);
  }

  /** `log`: what the database driver reports outside any request (a lost idle connection). */
  static async open(config: StoreConfig, log?: (message: string) => void): Promise<Store> {
    return new Store(await openDatabase(config, LAPI_SCHEMA, log));
  }

  /** A named value shared by every process on this database (the API's token secret). */
  async setting(name: string, create: () => string): Promise<string> {
    await this.db.run('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [name, create()]);
    return (await this.getSetting(name)) as string;
  }

  /** A named value, or null when it was never set. */
  async getSetting(name: string): Promise<string | null> {
    const rows = await this.db.all<{ value: string }>('SELECT value FROM settings WHERE name = ?', [name]);
    return rows[0]?.value ?? null;
  }

  async putSetting(name: string, value: string): Promise<void> {
    await this.db.run('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [name, value]);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
