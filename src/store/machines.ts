import type { SqlDatabase } from './sql';
import type { Machine } from './types';

interface MachineRow {
  id: number;
  machine_id: string;
  password_hash: string;
  ip_address: string;
  scenarios: string;
  version: string;
  is_validated: number;
  created_at: number;
  updated_at: number;
  last_push: number | null;
  last_heartbeat: number | null;
}

function toMachine(r: MachineRow): Machine {
  return {
    id: Number(r.id),
    machineId: r.machine_id,
    passwordHash: r.password_hash,
    ipAddress: r.ip_address,
    scenarios: r.scenarios,
    version: r.version,
    isValidated: Number(r.is_validated) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    lastPush: r.last_push === null ? null : Number(r.last_push),
    lastHeartbeat: r.last_heartbeat === null ? null : Number(r.last_heartbeat),
  };
}

/** Agents (watchers): `machine_id` + password hash, validated before they may log in. */
export class MachineStore {
  constructor(private readonly db: SqlDatabase) {}

  /** Creates the machine; with `replace`, an existing one gets the new password. False if it exists. */
  async add(machineId: string, passwordHash: string, validated: boolean, replace = false, now = Date.now()): Promise<boolean> {
    if (replace) {
      const changed = await this.db.run(
        'UPDATE machines SET password_hash = ?, is_validated = ?, updated_at = ? WHERE machine_id = ?',
        [passwordHash, validated ? 1 : 0, now, machineId],
      );
      if (changed > 0) return true;
    }
    const rows = await this.db.all(
      `INSERT INTO machines (machine_id, password_hash, is_validated, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (machine_id) DO NOTHING RETURNING id`,
      [machineId, passwordHash, validated ? 1 : 0, now, now],
    );
    return rows.length > 0;
  }

  async get(machineId: string): Promise<Machine | null> {
    const rows = await this.db.all<MachineRow>('SELECT * FROM machines WHERE machine_id = ?', [machineId]);
    return rows.length > 0 ? toMachine(rows[0]) : null;
  }

  async list(): Promise<Machine[]> {
    return (await this.db.all<MachineRow>('SELECT * FROM machines ORDER BY id')).map(toMachine);
  }

  async delete(machineId: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM machines WHERE machine_id = ?', [machineId])) > 0;
  }

  async validate(machineId: string, now = Date.now()): Promise<boolean> {
    return (await this.db.run('UPDATE machines SET is_validated = 1, updated_at = ? WHERE machine_id = ?', [now, machineId])) > 0;
  }

  async recordLogin(machineId: string, ip: string, version: string, scenarios: string[], now = Date.now()): Promise<void> {
    await this.db.run(
      'UPDATE machines SET ip_address = ?, version = ?, scenarios = ?, updated_at = ?, last_heartbeat = ? WHERE machine_id = ?',
      [ip, version, scenarios.join(','), now, now, machineId],
    );
  }

  async recordHeartbeat(machineId: string, now = Date.now()): Promise<void> {
    await this.db.run('UPDATE machines SET last_heartbeat = ? WHERE machine_id = ?', [now, machineId]);
  }

  async recordPush(machineId: string, now = Date.now()): Promise<void> {
    await this.db.runUnflushed('UPDATE machines SET last_push = ?, last_heartbeat = ? WHERE machine_id = ?', [now, now, machineId]);
  }
}
