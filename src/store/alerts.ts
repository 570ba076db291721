import { alertWhere } from './filters';
import { DECISION_COLUMNS, type DecisionRow, insertDecisions, nextRevision, toDecision } from './decisions';
import { parseIpRange } from './ip-range';
import { placeholders, type SqlDatabase, type TransactionOptions } from './sql';
import type { AlertFilter, NewAlert, StoredAlert } from './types';

interface AlertRow {
  id: number;
  created_at: number;
  machine_id: string;
  scenario: string;
  scenario_hash: string;
  scenario_version: string;
  message: string;
  events_count: number;
  start_at: string;
  stop_at: string;
  stop_at_ms: number;
  capacity: number;
  leakspeed: string;
  simulated: number;
  remediation: number;
  source_scope: string;
  source_value: string;
  source_ip: string;
  source_range: string;
  source_as_number: string;
  source_as_name: string;
  source_cn: string;
  source_latitude: number;
  source_longitude: number;
  events_json: string;
  meta_json: string;
  labels_json: string;
}

function toAlert(r: AlertRow): StoredAlert {
  return {
    id: Number(r.id),
    createdAt: Number(r.created_at),
    machineId: r.machine_id,
    scenario: r.scenario,
    scenarioHash: r.scenario_hash,
    scenarioVersion: r.scenario_version,
    message: r.message,
    eventsCount: Number(r.events_count),
    startAt: r.start_at,
    stopAt: r.stop_at,
    stopAtMs: Number(r.stop_at_ms),
    capacity: Number(r.capacity),
    leakspeed: r.leakspeed,
    simulated: Number(r.simulated) === 1,
    remediation: Number(r.remediation) === 1,
    source: {
      scope: r.source_scope,
      value: r.source_value,
      ip: r.source_ip,
      range: r.source_range,
      as_number: r.source_as_number,
      as_name: r.source_as_name,
      cn: r.source_cn,
      latitude: Number(r.source_latitude),
      longitude: Number(r.source_longitude),
    },
    events: JSON.parse(r.events_json),
    meta: JSON.parse(r.meta_json),
    labels: JSON.parse(r.labels_json),
    decisions: [],
  };
}

/** Retention: alerts older than `maxAgeMs`, or beyond the newest `maxItems`, are pruned. */
export interface Retention {
  maxAgeMs?: number;
  maxItems?: number;
}

export class AlertStore {
  constructor(private readonly db: SqlDatabase) {}

  /**
   * Stores alerts and their decisions in one transaction; resolves to their ids once durable.
   * `committed` runs as soon as readers see them (see `TransactionOptions`).
   */
  async insert(alerts: NewAlert[], now = Date.now(), options: TransactionOptions = {}): Promise<number[]> {
    return this.db.transaction(async (tx) => {
      const revision = await nextRevision(tx, this.db.dialect);
      const ids: number[] = [];
      for (const a of alerts) {
        if (a.uuid) {
          const seen = await tx.all<{ id: number }>('SELECT id FROM alerts WHERE machine_id = ? AND uuid = ?', [a.machineId, a.uuid]);
          if (seen.length > 0) {
            ids.push(Number(seen[0].id));
            continue;
          }
        }
        const s = a.source;
        const range = parseIpRange(s.range || s.ip || s.value || '');
        const rows = await tx.all<{ id: number }>(
          `INSERT INTO alerts (created_at, machine_id, scenario, scenario_hash, scenario_version, message, events_count,
             start_at, stop_at, stop_at_ms, capacity, leakspeed, simulated, remediation, source_scope, source_value,
             source_ip, source_range, source_as_number, source_as_name, source_cn, source_latitude, source_longitude,
             ip_start, ip_end, events_json, meta_json, labels_json, uuid)
           VALUES (${placeholders(29)}) RETURNING id`,
          [now, a.machineId, a.scenario, a.scenarioHash, a.scenarioVersion, a.message, a.eventsCount,
            a.startAt, a.stopAt, a.stopAtMs, a.capacity, a.leakspeed, a.simulated ? 1 : 0, a.remediation ? 1 : 0,
            s.scope, s.value, s.ip ?? '', s.range ?? '', s.as_number ?? '', s.as_name ?? '', s.cn ?? '',
            s.latitude ?? 0, s.longitude ?? 0, range?.start ?? null, range?.end ?? null,
            JSON.stringify(a.events), JSON.stringify(a.meta), JSON.stringify(a.labels), a.uuid ?? null],
        );
        const id = Number(rows[0].id);
        await insertDecisions(tx, id, a.decisions, revision, now);
        ids.push(id);
      }
      return ids;
    }, options);
  }

  /** Alerts matching the filter with their decisions, newest first (oldest first with sortAscending). */
  async query(filter: AlertFilter, now = Date.now()): Promise<StoredAlert[]> {
    const where = alertWhere(filter, now);
    const order = filter.sortAscending ? 'ASC' : 'DESC';
    const limit = filter.limit && filter.limit > 0 ? ` LIMIT ${Math.trunc(filter.limit)}` : '';
    const alerts = (await this.db.all<AlertRow>(`SELECT a.* FROM alerts a WHERE ${where.sql} ORDER BY a.created_at ${order}, a.id ${order}${limit}`, where.params)).map(toAlert);
    await this.attachDecisions(alerts);
    return alerts;
  }

  /** Stored alerts by scenario. */
  async countsByScenario(): Promise<Array<{ scenario: string; count: number }>> {
    const rows = await this.db.all<{ scenario: string; n: number }>('SELECT scenario, count(*) AS n FROM alerts GROUP BY scenario');
    return rows.map((r) => ({ scenario: r.scenario, count: Number(r.n) }));
  }

  async get(id: number): Promise<StoredAlert | null> {
    const [alert] = await this.query({ id });
    return alert ?? null;
  }

  private async attachDecisions(alerts: StoredAlert[]): Promise<void> {
    const byId = new Map(alerts.map((a) => [a.id, a]));
    const ids = [...byId.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = await this.db.all<DecisionRow>(`SELECT ${DECISION_COLUMNS} FROM decisions d WHERE d.alert_id IN (${placeholders(chunk.length)}) ORDER BY d.id`, chunk);
      for (const r of rows) byId.get(Number(r.alert_id))?.decisions.push(toDecision(r));
    }
  }

  /**
   * Deletes matching alerts (as `cscli alerts delete`). Their decisions are not dropped with them:
   * the active ones end now and stay stored, detached, so bouncers hear of the end at their next
   * pull instead of keeping a ban nobody can see any more.
   */
  async delete(filter: AlertFilter, now = Date.now()): Promise<number> {
    const where = alertWhere(filter, now);
    return this.db.transaction(async (tx) => {
      const revision = await nextRevision(tx, this.db.dialect);
      const select = `SELECT a.id FROM alerts a WHERE ${where.sql}`;
      await tx.run(`UPDATE decisions SET until = ?, revision = ? WHERE until > ? AND alert_id IN (${select})`, [now, revision, now, ...where.params]);
      await tx.run(`UPDATE decisions SET alert_id = NULL WHERE alert_id IN (${select})`, where.params);
      return tx.run(`DELETE FROM alerts WHERE id IN (${select})`, where.params);
    });
  }

  /**
   * Prunes by age and count; an alert that still carries an active decision is never pruned, so
   * retention can't lift a ban. Returns how many alerts went.
   */
  async prune(retention: Retention, now = Date.now()): Promise<number> {
    const batches: Array<{ condition: string; param: number }> = [];
    if (retention.maxAgeMs !== undefined) batches.push({ condition: 'a.created_at < ?', param: now - retention.maxAgeMs });
    if (retention.maxItems !== undefined) {
      const cutoff = await this.db.all<{ id: number }>(`SELECT id FROM alerts ORDER BY id DESC LIMIT 1 OFFSET ${Math.trunc(retention.maxItems)}`);
      if (cutoff.length > 0) batches.push({ condition: 'a.id <= ?', param: Number(cutoff[0].id) });
    }
    let removed = 0;
    if (retention.maxAgeMs !== undefined) {
      // Decisions whose alert was deleted are kept until they are as old as pruned alerts.
      await this.db.run('DELETE FROM decisions WHERE alert_id IS NULL AND until < ?', [now - retention.maxAgeMs]);
    }
    for (const { condition, param } of batches) {
      const select = `SELECT a.id FROM alerts a WHERE ${condition}
        AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.alert_id = a.id AND d.until > ?)`;
      removed += await this.db.transaction(async (tx) => {
        await tx.run(`DELETE FROM decisions WHERE alert_id IN (${select})`, [param, now]);
        return tx.run(`DELETE FROM alerts WHERE id IN (${select})`, [param, now]);
      });
    }
    return removed;
  }
}
