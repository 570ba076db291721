// The central's tables: members, signals, the blocklist. Every write that changes the blocklist
// carries a revision the server hands out in order (ingestion is serialized), so a member's
// stream position is the last revision it saw, as for the local API's bouncers.
import { placeholders, type SqlDatabase, type SqlExecutor, type SqlValue } from '../store/sql';
import { openDatabase, type StoreConfig } from '../store/store';
import type { Decision } from '../store/types';
import type { ConsensusChanges, Entry, Standing } from './consensus';
import { CENTRAL_SCHEMA } from './schema';
import type { Signal } from './signal';

export interface Member {
  id: number;
  machineId: string;
  passwordHash: string;
  createdAt: number;
  lastLogin: number | null;
  corroborated: number;
  uncorroborated: number;
  weight: number;
  signals: number;
  lastPush: number | null;
  lastPull: number | null;
  lastRevision: number;
  lastMetrics: number | null;
}

interface MemberRow {
  id: number; machine_id: string; password_hash: string; created_at: number; last_login: number | null;
  corroborated: number; uncorroborated: number; weight: number; signals: number;
  last_push: number | null; last_pull: number | null; last_revision: number; last_metrics: number | null;
}

const num = (v: number | null): number | null => (v === null ? null : Number(v));

function toMember(r: MemberRow): Member {
  return {
    id: Number(r.id), machineId: r.machine_id, passwordHash: r.password_hash, createdAt: Number(r.created_at),
    lastLogin: num(r.last_login), corroborated: Number(r.corroborated), uncorroborated: Number(r.uncorroborated),
    weight: Number(r.weight), signals: Number(r.signals), lastPush: num(r.last_push), lastPull: num(r.last_pull),
    lastRevision: Number(r.last_revision), lastMetrics: num(r.last_metrics),
  };
}

interface StreamRow { id: number; value: string; scenario: string; until: number }

function toEntry(r: StreamRow): Entry {
  return { id: Number(r.id), value: r.value, scenario: r.scenario, until: Number(r.until) };
}

interface BlocklistRow { id: number; value: string; scenario: string; created_at: number; until: number; revision: number }

function toDecision(r: BlocklistRow): Decision {
  return {
    id: Number(r.id), alertId: null, revision: Number(r.revision), createdAt: Number(r.created_at), until: Number(r.until),
    scenario: r.scenario, type: 'ban', scope: 'Ip', value: r.value, origin: 'CAPI', simulated: false,
  };
}

export interface Reputation {
  members: number;
  scenarios: Array<{ name: string; members: number }>;
  firstSeen: number | null;
  lastSeen: number | null;
  entry: Decision | null;
}

const SIGNAL_INSERT_COLUMNS = 'member_id, received_at, scope, value, ip, source_range, as_number, as_name, cn, scenario, scenario_hash, scenario_version, scenario_trust, start_at, stop_at, created_at';
const ROWS_PER_INSERT = 200;

export class CentralStore {
  private constructor(readonly db: SqlDatabase) {}

  static async open(config: StoreConfig, log?: (message: string) => void): Promise<CentralStore> {
    return new CentralStore(await openDatabase(config, CENTRAL_SCHEMA, log));
  }

  close(): Promise<void> {
    return this.db.close();
  }

  async setting(name: string, create: () => string): Promise<string> {
    await this.db.run('INSERT INTO central_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [name, create()]);
    return (await this.db.all<{ value: string }>('SELECT value FROM central_settings WHERE name = ?', [name]))[0].value;
  }

  /** Registers a member; false when the id is taken. */
  async addMember(machineId: string, passwordHash: string, now = Date.now()): Promise<boolean> {
    const rows = await this.db.all('INSERT INTO members (machine_id, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (machine_id) DO NOTHING RETURNING id', [machineId, passwordHash, now]);
    return rows.length > 0;
  }

  /** Removes a member (it can no longer log in; its stored signals stay, as history). */
  async removeMember(machineId: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM members WHERE machine_id = ?', [machineId])) > 0;
  }

  /** A one-time enrollment token (its sha256 is what is kept), valid `uses` times until `expiresAt`. */
  async addEnrollmentToken(tokenHash: string, uses: number, expiresAt: number, now = Date.now()): Promise<void> {
    await this.db.run('INSERT INTO enrollment_tokens (token_hash, created_at, expires_at, uses_left) VALUES (?, ?, ?, ?)', [tokenHash, now, expiresAt, uses]);
  }

  /** Uses the token once if it is valid; false otherwise (unknown, used up or expired). */
  async useEnrollmentToken(tokenHash: string, now = Date.now()): Promise<boolean> {
    return (await this.db.run('UPDATE enrollment_tokens SET uses_left = uses_left - 1 WHERE token_hash = ? AND uses_left > 0 AND expires_at > ?', [tokenHash, now])) > 0;
  }

  /** Removes signals received before `before`; how many. */
  async pruneSignals(before: number): Promise<number> {
    return this.db.run('DELETE FROM signals WHERE received_at < ?', [before]);
  }

  async refundEnrollmentToken(tokenHash: string): Promise<void> {
    await this.db.run('UPDATE enrollment_tokens SET uses_left = uses_left + 1 WHERE token_hash = ?', [tokenHash]);
  }

  async member(machineId: string): Promise<Member | null> {
    const rows = await this.db.all<MemberRow>('SELECT * FROM members WHERE machine_id = ?', [machineId]);
    return rows.length > 0 ? toMember(rows[0]) : null;
  }

  async members(): Promise<Member[]> {
    return (await this.db.all<MemberRow>('SELECT * FROM members ORDER BY id')).map(toMember);
  }

  async memberCount(): Promise<number> {
    return Number((await this.db.all<{ n: number }>('SELECT count(*) AS n FROM members'))[0].n);
  }

  async recordLogin(id: number, scenarios: string[], userAgent: string, now = Date.now()): Promise<void> {
    await this.db.run('UPDATE members SET last_login = ?, scenarios = ?, user_agent = ? WHERE id = ?', [now, scenarios.join(',').slice(0, 65536), userAgent.slice(0, 256), id]);
  }

  async recordMetrics(id: number, now = Date.now()): Promise<void> {
    await this.db.run('UPDATE members SET last_metrics = ? WHERE id = ?', [now, id]);
  }

  /** One push: its signals, and what consensus made of them (`revision` for blocklist changes). */
  async ingest(memberId: number, signals: Signal[], changes: ConsensusChanges, standings: Map<string, Standing & { weight: number }>, revision: number, now: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < signals.length; i += ROWS_PER_INSERT) await insertSignals(tx, signals.slice(i, i + ROWS_PER_INSERT), now);
      await tx.run('UPDATE members SET signals = signals + ?, last_push = ? WHERE id = ?', [signals.length, now, memberId]);
      await writeChanges(tx, changes, standings, revision, now);
    });
  }

  /** What a sweep changed: expired entries and resolved reports. */
  async applySweep(changes: ConsensusChanges, standings: Map<string, Standing & { weight: number }>, revision: number, now: number): Promise<void> {
    await this.db.transaction((tx) => writeChanges(tx, changes, standings, revision, now));
  }

  async maxRevision(): Promise<number> {
    const rows = await this.db.all<{ r: number | null }>('SELECT max(revision) AS r FROM blocklist');
    return Number(rows[0]?.r ?? 0);
  }

  /**
   * A member's stream: on startup every active entry, a page at a time in id order (a million
   * entries are never one result set or one string); otherwise the entries listed or ended after
   * the member's last revision. Only revisions up to `committed` are read, so a write still in
   * flight is picked up by the next pull rather than skipped. The member's position moves first:
   * the pages that follow are fixed by `committed`.
   */
  async stream(member: Member, startup: boolean, committed: number, now: number): Promise<{ pages: AsyncIterable<Entry[]>; deleted: Entry[] }> {
    await this.db.run('UPDATE members SET last_pull = ?, last_revision = ? WHERE id = ?', [now, committed, member.id]);
    if (startup) return { pages: this.activePages(committed, now), deleted: [] };
    // Through the revision index: a quiet pull reads nothing.
    const rows = (await this.db.all<StreamRow>(
      'SELECT id, value, scenario, until FROM blocklist WHERE revision > ? AND revision <= ? ORDER BY id',
      [member.lastRevision, committed],
    )).map(toEntry);
    const fresh = rows.filter((e) => e.until > now);
    return { pages: (async function* () { yield fresh; })(), deleted: rows.filter((e) => e.until <= now) };
  }

  private async *activePages(committed: number, now: number): AsyncIterable<Entry[]> {
    for (let lastId = 0; ;) {
      const page = await this.db.all<StreamRow>(
        'SELECT id, value, scenario, until FROM blocklist WHERE id > ? AND until > ? AND revision <= ? ORDER BY id LIMIT 20000',
        [lastId, now, committed],
      );
      yield page.map(toEntry);
      if (page.length < 20000) return;
      lastId = Number(page[page.length - 1].id);
    }
  }

  async reputation(value: string, now: number): Promise<Reputation> {
    const [seen] = await this.db.all<{ members: number; first: number | null; last: number | null }>(
      'SELECT count(DISTINCT member_id) AS members, min(received_at) AS first, max(received_at) AS last FROM signals WHERE value = ?', [value]);
    const scenarios = await this.db.all<{ scenario: string; members: number }>(
      'SELECT scenario, count(DISTINCT member_id) AS members FROM signals WHERE value = ? GROUP BY scenario ORDER BY scenario', [value]);
    const entry = await this.db.all<BlocklistRow>('SELECT id, value, scenario, created_at, until, revision FROM blocklist WHERE value = ? AND until > ?', [value, now]);
    return {
      members: Number(seen.members),
      scenarios: scenarios.map((s) => ({ name: s.scenario, members: Number(s.members) })),
      firstSeen: num(seen.first),
      lastSeen: num(seen.last),
      entry: entry.length > 0 ? toDecision(entry[0]) : null,
    };
  }

  // What consensus is rebuilt from at start.
  async activeEntries(now: number): Promise<Entry[]> {
    return (await this.db.all<BlocklistRow>('SELECT value, scenario, until FROM blocklist WHERE until > ? ORDER BY until', [now]))
      .map((r) => ({ value: r.value, scenario: r.scenario, until: Number(r.until) }));
  }

  /** Every signal received after `since`, in arrival order, a page at a time. */
  async eachSignalSince(since: number, visit: (s: Signal & { receivedAt: number; machineId: string }) => void): Promise<void> {
    let lastId = 0;
    for (;;) {
      const page = await this.db.all<Record<string, string | number>>(
        `SELECT s.*, m.machine_id FROM signals s JOIN members m ON m.id = s.member_id WHERE s.id > ? AND s.received_at > ? ORDER BY s.id LIMIT 20000`, [lastId, since]);
      for (const r of page) {
        visit({
          memberId: Number(r.member_id), machineId: String(r.machine_id), receivedAt: Number(r.received_at), scope: String(r.scope), value: String(r.value),
          ip: String(r.ip), range: String(r.source_range), asNumber: String(r.as_number), asName: String(r.as_name), cn: String(r.cn),
          scenario: String(r.scenario), scenarioHash: String(r.scenario_hash), scenarioVersion: String(r.scenario_version),
          scenarioTrust: String(r.scenario_trust), startAt: String(r.start_at), stopAt: String(r.stop_at), createdAt: String(r.created_at),
        });
      }
      if (page.length < 20000) return;
      lastId = Number(page[page.length - 1].id);
    }
  }

  /** Bulk entries straight into the blocklist (benchmarks and imports), under one revision. */
  async seedBlocklist(entries: Entry[], revision: number, now: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < entries.length; i += ROWS_PER_INSERT) await upsertEntries(tx, entries.slice(i, i + ROWS_PER_INSERT), revision, now);
    });
  }
}

async function insertSignals(tx: SqlExecutor, signals: Signal[], now: number): Promise<void> {
  if (signals.length === 0) return;
  const params: SqlValue[] = [];
  for (const s of signals) {
    params.push(s.memberId, now, s.scope, s.value, s.ip, s.range, s.asNumber, s.asName, s.cn, s.scenario, s.scenarioHash,
      s.scenarioVersion, s.scenarioTrust, s.startAt, s.stopAt, s.createdAt);
  }
  const row = `(${placeholders(16)})`;
  await tx.run(`INSERT INTO signals (${SIGNAL_INSERT_COLUMNS}) VALUES ${signals.map(() => row).join(', ')}`, params);
}

async function upsertEntries(tx: SqlExecutor, entries: Entry[], revision: number, now: number): Promise<void> {
  if (entries.length === 0) return;
  const params: SqlValue[] = [];
  for (const e of entries) params.push(e.value, 'Ip', 'ban', e.scenario, now, e.until, revision);
  const row = `(${placeholders(7)})`;
  // An entry that is still active keeps its creation time when extended.
  await tx.run(
    `INSERT INTO blocklist (value, scope, type, scenario, created_at, until, revision) VALUES ${entries.map(() => row).join(', ')}
     ON CONFLICT (value) DO UPDATE SET until = excluded.until, revision = excluded.revision, scenario = excluded.scenario,
       created_at = CASE WHEN blocklist.until > excluded.created_at THEN blocklist.created_at ELSE excluded.created_at END`,
    params,
  );
}

async function writeChanges(tx: SqlExecutor, changes: ConsensusChanges, standings: Map<string, Standing & { weight: number }>, revision: number, now: number): Promise<void> {
  for (let i = 0; i < changes.listed.length; i += ROWS_PER_INSERT) await upsertEntries(tx, changes.listed.slice(i, i + ROWS_PER_INSERT), revision, now);
  const expired = changes.expired.map((e) => e.value);
  for (let i = 0; i < expired.length; i += 500) {
    const chunk = expired.slice(i, i + 500);
    await tx.run(`UPDATE blocklist SET revision = ? WHERE value IN (${placeholders(chunk.length)})`, [revision, ...chunk]);
  }
  for (const [machineId, s] of standings) {
    await tx.run('UPDATE members SET corroborated = ?, uncorroborated = ?, weight = ? WHERE machine_id = ?', [s.corroborated, s.uncorroborated, s.weight, machineId]);
  }
}
