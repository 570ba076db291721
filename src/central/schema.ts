// The central server's own database (central.db, or a PostgreSQL database): members, the
// signals they sent (only the attack meta: see signal.ts) and the community blocklist. Its
// version table and lock key differ from the local API's, so the two could even share one
// PostgreSQL database without touching each other's migrations.
import type { Migration, Schema } from '../store/migrations';

const MIGRATIONS: Migration[] = [
  (t) => [
    `CREATE TABLE central_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    `CREATE TABLE members (
      id ${t.id}, machine_id TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
      created_at ${t.ms} NOT NULL, last_login ${t.ms}, scenarios TEXT NOT NULL DEFAULT '', user_agent TEXT NOT NULL DEFAULT '',
      corroborated INTEGER NOT NULL DEFAULT 0, uncorroborated INTEGER NOT NULL DEFAULT 0,
      weight DOUBLE PRECISION NOT NULL DEFAULT 1, signals INTEGER NOT NULL DEFAULT 0,
      last_push ${t.ms}, last_pull ${t.ms}, last_revision ${t.ms} NOT NULL DEFAULT 0, last_metrics ${t.ms})`,
    `CREATE TABLE signals (
      id ${t.id}, member_id BIGINT NOT NULL, received_at ${t.ms} NOT NULL,
      scope TEXT NOT NULL, value TEXT NOT NULL, ip TEXT NOT NULL, source_range TEXT NOT NULL,
      as_number TEXT NOT NULL, as_name TEXT NOT NULL, cn TEXT NOT NULL,
      scenario TEXT NOT NULL, scenario_hash TEXT NOT NULL, scenario_version TEXT NOT NULL, scenario_trust TEXT NOT NULL,
      start_at TEXT NOT NULL, stop_at TEXT NOT NULL, created_at TEXT NOT NULL)`,
    `CREATE INDEX signals_value ON signals (value)`,
    `CREATE INDEX signals_received_at ON signals (received_at)`,
    `CREATE TABLE blocklist (
      id ${t.id}, value ${t.ipText} NOT NULL UNIQUE, scope TEXT NOT NULL, type TEXT NOT NULL, scenario TEXT NOT NULL,
      created_at ${t.ms} NOT NULL, until ${t.ms} NOT NULL, revision ${t.ms} NOT NULL)`,
    `CREATE INDEX blocklist_revision ON blocklist (revision)`,
    `CREATE INDEX blocklist_until ON blocklist (until)`,
  ],
  // Admission: one-time enrollment tokens the operator hands out (stored as their sha256).
  (t) => [
    `CREATE TABLE enrollment_tokens (
      token_hash TEXT PRIMARY KEY, created_at ${t.ms} NOT NULL, expires_at ${t.ms} NOT NULL, uses_left INTEGER NOT NULL)`,
  ],
];

export const CENTRAL_SCHEMA: Schema = { name: 'central', versionTable: 'central_schema_version', lockKey: 7426101, migrations: MIGRATIONS };

/** The signals table's columns: the test that guards the privacy promise compares against this. */
export const SIGNAL_COLUMNS = [
  'id', 'member_id', 'received_at', 'scope', 'value', 'ip', 'source_range', 'as_number', 'as_name', 'cn',
  'scenario', 'scenario_hash', 'scenario_version', 'scenario_trust', 'start_at', 'stop_at', 'created_at',
] as const;
