import { decisionWhere, normalizeScope, type Where } from './filters';
import { parseIpRange } from './ip-range';
import { placeholders, type SqlDatabase, type SqlExecutor, type SqlValue, sqlInteger } from './sql';
import { startupStatement } from './stream-startup';
import type { Decision, DecisionFilter, NewDecision } from './types';

export interface DecisionRow {
  id: number;
  alert_id: number | null;
  revision: number;
  created_at: number;
  until: number;
  scenario: string;
  type: string;
  scope: string;
  value: string;
  origin: string;
  simulated: number;
}

export const DECISION_COLUMNS = 'd.id, d.alert_id, d.revision, d.created_at, d.until, d.scenario, d.type, d.scope, d.value, d.origin, d.simulated';

export function toDecision(r: DecisionRow): Decision {
  return {
    id: Number(r.id),
    alertId: r.alert_id === null ? null : Number(r.alert_id),
    revision: Number(r.revision),
    createdAt: Number(r.created_at),
    until: Number(r.until),
    scenario: r.scenario,
    type: r.type,
    scope: r.scope,
    value: r.value,
    origin: r.origin,
    simulated: Number(r.simulated) === 1,
  };
}

/**
 * The revision of the transaction `tx` runs: every write that creates or ends decisions takes the
 * next one, and writes are serialized (SQLite has one writer; PostgreSQL takes an advisory lock
 * first), so revisions become visible in order and "changes after revision N" misses nothing.
 */
export async function nextRevision(tx: SqlExecutor, dialect: 'sqlite' | 'postgres'): Promise<number> {
  if (dialect === 'postgres') await tx.run('SELECT pg_advisory_xact_lock(7426002)');
  const rows = await tx.all<{ r: number | null }>('SELECT max(revision) AS r FROM decisions');
  return Number(rows[0]?.r ?? 0) + 1;
}

/** Rows per multi-row INSERT: 8 parameters each stays far below SQLite's 32,766 and PostgreSQL's 65,535. */
const INSERT_ROWS = 1000;

/**
 * Inserts the decisions of one alert, INSERT_ROWS to a statement (an import of 100,000 decisions is
 * 100 statements, not 100,000 round trips); IP and Range values get their index columns. What every
 * row shares (alert, revision, time) and the small integers are written as literals, so node-sqlite3
 * binds 8 values a row instead of 13.
 */
export async function insertDecisions(tx: SqlExecutor, alertId: number, decisions: readonly NewDecision[], revision: number, now: number): Promise<void> {
  const shared = `${sqlInteger(alertId)}, ${sqlInteger(revision)}, ${sqlInteger(now)}`;
  for (let i = 0; i < decisions.length; i += INSERT_ROWS) {
    const chunk = decisions.slice(i, i + INSERT_ROWS);
    const params: SqlValue[] = [];
    const rows: string[] = [];
    for (const d of chunk) {
      const scope = normalizeScope(d.scope);
      const range = scope === 'Ip' || scope === 'Range' ? parseIpRange(d.value) : null;
      rows.push(`(${shared}, ?, ?, ?, ?, ?, ?, ${d.simulated ? 1 : 0}, ${range?.family ?? 0}, ?, ?)`);
      params.push(d.until, d.scenario, d.type, scope, d.value, d.origin, range?.start ?? null, range?.end ?? null);
    }
    await tx.run(
      `INSERT INTO decisions (alert_id, revision, created_at, until, scenario, type, scope, value, origin, simulated, ip_family, ip_start, ip_end)
       VALUES ${rows.join(', ')}`,
      params,
    );
  }
}

/** The changes a bouncer's stream poll returns. */
export interface StreamChanges {
  fresh: Decision[];
  deleted: Decision[];
  /** The highest revision at the time of the poll: where the next poll starts. */
  lastRevision: number;
}

/** A startup poll as bouncers receive it: each list as JSON text, `null` when empty (Go's nil slice). */
export interface RenderedStartup {
  fresh: string;
  deleted: string;
  lastRevision: number;
}

/** Keeps, per (value, type, scope), only the decision that lasts longest (first seen on ties). */
export function longestPerTarget(decisions: Decision[]): Decision[] {
  const best = new Map<string, Decision>();
  for (const d of decisions) {
    const key = `${d.value}\u0000${d.type}\u0000${d.scope}`;
    const seen = best.get(key);
    if (!seen || d.until > seen.until) best.set(key, d);
  }
  const kept = new Set(best.values());
  return decisions.filter((d) => kept.has(d));
}

export class DecisionStore {
  constructor(private readonly db: SqlDatabase) {}

  /** The highest revision written so far (a cheap probe for changes made by other processes). */
  async revision(): Promise<number> {
    const rows = await this.db.all<{ r: number | null }>('SELECT max(revision) AS r FROM decisions');
    return Number(rows[0]?.r ?? 0);
  }

  /** How many decisions are in force, by scenario (CrowdSec's "reason"), origin and type; simulated ones excluded. */
  async activeCounts(now = Date.now()): Promise<Array<{ scenario: string; origin: string; type: string; count: number }>> {
    const rows = await this.db.all<{ scenario: string; origin: string; type: string; n: number }>(
      'SELECT scenario, origin, type, count(*) AS n FROM decisions WHERE until > ? AND simulated = 0 GROUP BY scenario, origin, type',
      [now],
    );
    return rows.map((r) => ({ scenario: r.scenario, origin: r.origin, type: r.type, count: Number(r.n) }));
  }

  /** Active decisions (until > now) matching the filter, newest first. */
  async active(filter: DecisionFilter, now = Date.now(), limit?: number): Promise<Decision[]> {
    const where = decisionWhere(filter, this.db.dialect).add('d.until > ?', now);
    const rows = await this.db.all<DecisionRow>(
      `SELECT ${DECISION_COLUMNS} FROM decisions d WHERE ${where.sql} ORDER BY d.id DESC${limit ? ` LIMIT ${Math.trunc(limit)}` : ''}`,
      where.params,
    );
    return rows.map(toDecision);
  }

  /**
   * A stream poll. Startup: every active decision, plus every ended one still stored. Later polls:
   * what changed since the previous poll: decisions created or ended by a write (by revision, so
   * nothing committed in the same millisecond is missed or sent twice) and those that expired on
   * their own since the previous poll's time. With `dedup`, only the longest decision per (value,
   * type, scope) is sent; an ended decision whose target is still covered by another active one
   * is not sent as deleted, so a bouncer never lifts a ban that still holds. Without `dedup` the
   * bouncer tracks every decision by id and gets every one that ended.
   */
  async stream(filter: DecisionFilter, since: { lastPull: number | null; lastRevision: number } | null, dedup: boolean, now = Date.now()): Promise<StreamChanges> {
    const maxRows = await this.db.all<{ r: number | null }>('SELECT max(revision) AS r FROM decisions');
    const lastRevision = Number(maxRows[0]?.r ?? 0);
    const activeWhere = decisionWhere(filter, this.db.dialect).add('d.until > ?', now).add('d.revision <= ?', lastRevision);
    if (since !== null) activeWhere.add('d.revision > ?', since.lastRevision);
    const candidates = await this.select(activeWhere);
    const endedWhere = decisionWhere(filter, this.db.dialect).add('d.until <= ?', now).add('d.revision <= ?', lastRevision);
    if (since !== null) endedWhere.add('(d.revision > ? OR d.until > ?)', since.lastRevision, since.lastPull ?? 0);
    const ended = await this.select(endedWhere);
    // Only the targets these changes touch are looked up again: a quiet poll reads almost nothing.
    const touched = since === null ? candidates : await this.activeForValues(filter, [...candidates, ...ended].map((d) => d.value), now, lastRevision);
    const isNew = (d: Decision): boolean => since === null || d.revision > since.lastRevision;
    const fresh = dedup ? longestPerTarget(touched).filter(isNew) : candidates;
    if (!dedup) return { fresh, deleted: ended, lastRevision };
    const stillCovered = new Set(touched.map((d) => `${d.value}\u0000${d.type}`));
    const deleted = longestPerTarget(ended.filter((d) => !stillCovered.has(`${d.value}\u0000${d.type}`)));
    return { fresh, deleted, lastRevision };
  }

  /**
   * A startup poll as `stream(filter, null, dedup, now)` answers it, already rendered: each list as
   * the JSON text bouncers receive (`null` when empty). The database selects, deduplicates and
   * renders (decision-json.ts), so Node handles two strings instead of a JS object per decision.
   */
  async streamStartup(filter: DecisionFilter, dedup: boolean, now = Date.now()): Promise<RenderedStartup> {
    const lastRevision = await this.revision();
    const { sql, params } = startupStatement(this.db.dialect, filter, dedup, now, lastRevision);
    const [row] = await this.db.all<{ fresh: string | null; deleted: string | null }>(sql, params);
    const list = (text: string | null | undefined): string => (text === null || text === undefined ? 'null' : `[${text}]`);
    return { fresh: list(row?.fresh), deleted: list(row?.deleted), lastRevision };
  }

  private async select(where: Where): Promise<Decision[]> {
    const rows = await this.db.all<DecisionRow>(`SELECT ${DECISION_COLUMNS} FROM decisions d WHERE ${where.sql} ORDER BY d.id`, where.params);
    return rows.map(toDecision);
  }

  /** Active decisions (within the filter) for any of `values`, in id order. */
  private async activeForValues(filter: DecisionFilter, values: string[], now: number, maxRevision: number): Promise<Decision[]> {
    const unique = [...new Set(values)];
    const found: Decision[] = [];
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
      const where = decisionWhere(filter, this.db.dialect)
        .add('d.until > ?', now)
        .add('d.revision <= ?', maxRevision)
        .add(`d.value IN (${placeholders(chunk.length)})`, ...chunk);
      found.push(...(await this.select(where)));
    }
    return found.sort((a, b) => a.id - b.id);
  }

  /** Ends the matching active decisions now (soft delete: bouncers see them in `deleted`). */
  async expire(filter: DecisionFilter, now = Date.now()): Promise<number> {
    return this.db.transaction(async (tx) => {
      const revision = await nextRevision(tx, this.db.dialect);
      const where = decisionWhere({ ...filter, includeSimulated: true }, this.db.dialect).add('d.until > ?', now);
      return tx.run(`UPDATE decisions SET until = ?, revision = ? WHERE id IN (SELECT d.id FROM decisions d WHERE ${where.sql})`, [now, revision, ...where.params]);
    });
  }

  /** Creation times of every decision a value has had (the profile host counts from these). */
  async createdTimes(value: string): Promise<number[]> {
    const rows = await this.db.all<{ created_at: number }>('SELECT created_at FROM decisions WHERE value = ?', [value]);
    return rows.map((r) => Number(r.created_at));
  }
}
