import type { SqlDatabase } from './sql';

// Schema migrations, applied in order inside one transaction each; a one-row version table records
// the last one. A migration is never edited once released: changes are new entries. The runner
// takes a `Schema` (its migrations, version table and lock key), so the local API's database and
// the central server's (src/central/schema.ts) are migrated by the same code.

export interface Types {
  id: string;
  ms: string;
  ipText: string;
}

export const TYPES: Record<SqlDatabase['dialect'], Types> = {
  // AUTOINCREMENT: ids are never reused, so "decisions after id N" stays true after deletions.
  sqlite: { id: 'INTEGER PRIMARY KEY AUTOINCREMENT', ms: 'INTEGER', ipText: 'TEXT' },
  postgres: { id: 'BIGSERIAL PRIMARY KEY', ms: 'BIGINT', ipText: 'TEXT COLLATE "C"' },
};

export type Migration = (t: Types) => string[];

/** A database's migrations, where its version is kept, and the PostgreSQL advisory lock taken while migrating. */
export interface Schema {
  name: string;
  versionTable: string;
  lockKey: number;
  migrations: readonly Migration[];
}

const MIGRATIONS: Migration[] = [
  (t) => [
    `CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    `CREATE TABLE machines (
      id ${t.id}, machine_id TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
      ip_address TEXT NOT NULL DEFAULT '', scenarios TEXT NOT NULL DEFAULT '', version TEXT NOT NULL DEFAULT '',
      is_validated INTEGER NOT NULL DEFAULT 0, created_at ${t.ms} NOT NULL, updated_at ${t.ms} NOT NULL,
      last_push ${t.ms}, last_heartbeat ${t.ms})`,
    `CREATE TABLE bouncers (
      id ${t.id}, name TEXT NOT NULL UNIQUE, key_hash TEXT NOT NULL UNIQUE,
      ip_address TEXT NOT NULL DEFAULT '', type TEXT NOT NULL DEFAULT '', version TEXT NOT NULL DEFAULT '',
      created_at ${t.ms} NOT NULL, updated_at ${t.ms} NOT NULL, last_pull ${t.ms}, last_revision ${t.ms} NOT NULL DEFAULT 0)`,
    `CREATE TABLE alerts (
      id ${t.id}, created_at ${t.ms} NOT NULL, machine_id TEXT NOT NULL DEFAULT '',
      scenario TEXT NOT NULL, scenario_hash TEXT NOT NULL DEFAULT '', scenario_version TEXT NOT NULL DEFAULT '',
      message TEXT NOT NULL DEFAULT '', events_count INTEGER NOT NULL DEFAULT 0,
      start_at TEXT NOT NULL, stop_at TEXT NOT NULL, stop_at_ms ${t.ms} NOT NULL,
      capacity INTEGER NOT NULL DEFAULT 0, leakspeed TEXT NOT NULL DEFAULT '',
      simulated INTEGER NOT NULL DEFAULT 0, remediation INTEGER NOT NULL DEFAULT 0,
      source_scope TEXT NOT NULL DEFAULT '', source_value TEXT NOT NULL DEFAULT '',
      source_ip TEXT NOT NULL DEFAULT '', source_range TEXT NOT NULL DEFAULT '',
      source_as_number TEXT NOT NULL DEFAULT '', source_as_name TEXT NOT NULL DEFAULT '',
      source_cn TEXT NOT NULL DEFAULT '', source_latitude DOUBLE PRECISION NOT NULL DEFAULT 0,
      source_longitude DOUBLE PRECISION NOT NULL DEFAULT 0,
      ip_start ${t.ipText}, ip_end ${t.ipText},
      events_json TEXT NOT NULL DEFAULT '[]', meta_json TEXT NOT NULL DEFAULT '[]', labels_json TEXT NOT NULL DEFAULT '[]')`,
    `CREATE INDEX alerts_created_at ON alerts (created_at)`,
    `CREATE INDEX alerts_source_value ON alerts (source_value)`,
    `CREATE TABLE decisions (
      id ${t.id}, alert_id BIGINT,
      created_at ${t.ms} NOT NULL, until ${t.ms} NOT NULL, revision ${t.ms} NOT NULL,
      scenario TEXT NOT NULL DEFAULT '', type TEXT NOT NULL, scope TEXT NOT NULL, value TEXT NOT NULL,
      origin TEXT NOT NULL, simulated INTEGER NOT NULL DEFAULT 0,
      ip_family INTEGER NOT NULL DEFAULT 0, ip_start ${t.ipText}, ip_end ${t.ipText})`,
    `CREATE INDEX decisions_until ON decisions (until)`,
    `CREATE INDEX decisions_ip ON decisions (ip_start, ip_end)`,
    `CREATE INDEX decisions_value ON decisions (value)`,
    `CREATE INDEX decisions_alert ON decisions (alert_id)`,
    `CREATE INDEX decisions_revision ON decisions (revision)`,
  ],
  // Agents retry pushes: an alert id they chose makes the retry store nothing new.
  () => [
    `ALTER TABLE alerts ADD COLUMN uuid TEXT`,
    `CREATE UNIQUE INDEX alerts_machine_uuid ON alerts (machine_id, uuid)`,
  ],
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The local API's database. */
export const LAPI_SCHEMA: Schema = { name: 'local API', versionTable: 'schema_version', lockKey: 7426001, migrations: MIGRATIONS };

/** Brings the database to the schema's last version; refuses a database written by a newer crowdwatch. */
export async function migrate(db: SqlDatabase, schema: Schema = LAPI_SCHEMA): Promise<void> {
  const { versionTable: table, migrations } = schema;
  const latest = migrations.length;
  await db.run(`CREATE TABLE IF NOT EXISTS ${table} (version INTEGER NOT NULL)`);
  const rows = await db.all<{ version: number }>(`SELECT version FROM ${table}`);
  const current = rows.length > 0 ? Number(rows[0].version) : 0;
  if (current > latest) {
    throw Object.assign(new Error(`the ${schema.name} database schema is version ${current}, newer than this crowdwatch (${latest})`), {
      code: 'CW_STORE_VERSION',
    });
  }
  for (let v = current; v < latest; v++) {
    await db.transaction(async (tx) => {
      if (db.dialect === 'postgres') await tx.run(`SELECT pg_advisory_xact_lock(${Math.trunc(schema.lockKey)})`);
      // Another process may have migrated while we waited for the lock.
      const again = await tx.all<{ version: number }>(`SELECT version FROM ${table}`);
      const now = again.length > 0 ? Number(again[0].version) : 0;
      if (now > v) return;
      for (const statement of migrations[v](TYPES[db.dialect])) await tx.run(statement);
      await tx.run(`DELETE FROM ${table}`);
      await tx.run(`INSERT INTO ${table} (version) VALUES (?)`, [v + 1]);
    });
  }
}
