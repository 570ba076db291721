import type { SqlDatabase } from './sql';
import type { Bouncer } from './types';

interface BouncerRow {
  id: number;
  name: string;
  key_hash: string;
  ip_address: string;
  type: string;
  version: string;
  created_at: number;
  last_pull: number | null;
  last_revision: number;
}

function toBouncer(r: BouncerRow): Bouncer {
  return {
    id: Number(r.id),
    name: r.name,
    keyHash: r.key_hash,
    ipAddress: r.ip_address,
    type: r.type,
    version: r.version,
    createdAt: Number(r.created_at),
    lastPull: r.last_pull === null ? null : Number(r.last_pull),
    lastRevision: Number(r.last_revision),
  };
}

/** Bouncers: a name and the hash of their API key (the key itself is never stored). */
export class BouncerStore {
  constructor(private readonly db: SqlDatabase) {}

  /** False when the name or the key is already taken. */
  async add(name: string, keyHash: string, now = Date.now()): Promise<boolean> {
    const rows = await this.db.all(
      `INSERT INTO bouncers (name, key_hash, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
      [name, keyHash, now, now],
    );
    return rows.length > 0;
  }

  async byKeyHash(keyHash: string): Promise<Bouncer | null> {
    const rows = await this.db.all<BouncerRow>('SELECT * FROM bouncers WHERE key_hash = ?', [keyHash]);
    return rows.length > 0 ? toBouncer(rows[0]) : null;
  }

  async list(): Promise<Bouncer[]> {
    return (await this.db.all<BouncerRow>('SELECT * FROM bouncers ORDER BY id')).map(toBouncer);
  }

  async delete(name: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM bouncers WHERE name = ?', [name])) > 0;
  }

  /** Records a pull: when, up to which change (decision revision), and who (User-Agent `type/version`, address). */
  async recordPull(
    id: number,
    pull: { at: number; lastRevision: number; ip: string; type: string; version: string },
  ): Promise<void> {
    // Committed before the answer (the next pull starts from it), flushed to disk after it.
    await this.db.runUnflushed(
      'UPDATE bouncers SET last_pull = ?, last_revision = ?, ip_address = ?, type = ?, version = ?, updated_at = ? WHERE id = ?',
      [pull.at, pull.lastRevision, pull.ip, pull.type, pull.version, pull.at, id],
    );
  }

  /** Records who called, without moving the stream position (GET /v1/decisions). */
  async recordSeen(id: number, seen: { at: number; ip: string; type: string; version: string }): Promise<void> {
    await this.db.run('UPDATE bouncers SET ip_address = ?, type = ?, version = ?, updated_at = ? WHERE id = ?', [
      seen.ip,
      seen.type,
      seen.version,
      seen.at,
      id,
    ]);
  }
}
