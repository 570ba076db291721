import type { Alert } from '../engine/native';
import type { DecisionMaker } from '../profiles/decisions';
import { normalizeScope } from '../store/filters';
import { isIpAddress, isIpRange } from '../store/ip-range';
import type { DecisionStore } from '../store/decisions';
import type { AlertEvent, MetaItem, NewAlert, NewDecision } from '../store/types';
import { parseGoDuration } from '../time/go-duration';
import { parseRfc3339 } from '../time/go-time';
import { badRequest } from './errors';
import { CROWD_VIEW_KEY, crowdView } from '../crowd/signals';

const text = (max: number) => ({ type: 'string', maxLength: max });
const meta = { type: ['array', 'null'], maxItems: 1000, items: { type: 'object', required: ['key', 'value'], properties: { key: text(1024), value: text(65536) } } };

const decisionSchema = {
  type: 'object',
  required: ['duration', 'origin', 'scenario', 'scope', 'type', 'value'],
  properties: {
    duration: text(64), origin: text(256), scenario: text(4096), scope: text(256), type: text(256), value: text(4096),
    simulated: { type: 'boolean' },
  },
};

/** JSON schema of POST /v1/alerts (models.Alert's required fields, sizes capped). */
export const alertsBodySchema = {
  type: 'array',
  maxItems: 1000,
  items: {
    type: 'object',
    required: ['scenario', 'scenario_hash', 'scenario_version', 'message', 'events_count', 'start_at', 'stop_at', 'capacity', 'leakspeed', 'simulated', 'events', 'source'],
    properties: {
      scenario: { type: 'string', minLength: 1, maxLength: 4096 },
      scenario_hash: text(256),
      scenario_version: text(256),
      message: text(65536),
      events_count: { type: 'integer', minimum: 0, maximum: 2147483647 },
      start_at: text(64),
      stop_at: text(64),
      capacity: { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
      leakspeed: text(64),
      simulated: { type: 'boolean' },
      remediation: { type: 'boolean' },
      machine_id: text(256),
      uuid: text(64),
      events: { type: ['array', 'null'], maxItems: 10000, items: { type: 'object', required: ['timestamp'], properties: { timestamp: text(64), meta } } },
      source: {
        type: 'object',
        required: ['scope', 'value'],
        properties: {
          scope: { type: 'string', minLength: 1, maxLength: 256 }, value: { type: 'string', minLength: 1, maxLength: 4096 },
          ip: text(64), range: text(64), as_number: text(64), as_name: text(1024), cn: text(64),
          latitude: { type: 'number' }, longitude: { type: 'number' },
        },
      },
      decisions: { type: ['array', 'null'], maxItems: 10000, items: decisionSchema },
      meta,
      // CrowdSec sends a string list (or null); crowdwatch's engine sends the scenario's label map.
      labels: { type: ['array', 'object', 'null'], maxItems: 1000, maxProperties: 1000, items: text(1024), additionalProperties: text(1024) },
    },
  },
} as const;

/**
 * A posted alert after schema validation: the engine's Alert shape, loosened where agents differ
 * (CrowdSec sends `null` for empty lists, label lists rather than maps, and its own decisions).
 */
export type PostedAlert = Omit<Alert, 'remediation' | 'events' | 'decisions' | 'meta' | 'labels'> & {
  remediation?: boolean;
  uuid?: string;
  events: Array<{ timestamp: string; meta?: MetaItem[] | null }> | null;
  decisions?: Array<{ duration: string; origin: string; scenario: string; scope: string; type: string; value: string; simulated?: boolean }> | null;
  meta?: MetaItem[] | null;
  labels?: string[] | Record<string, string> | null;
};

function time(name: string, value: string, index: number): number {
  const t = parseRfc3339(value);
  if (t === null) throw badRequest(`alert ${index}: ${name} '${value}' is not an RFC3339 time`);
  return t.ms;
}

/** Ip and Range targets must be real addresses: a garbage value would never match and never expire cleanly. */
function checkTarget(scope: string, value: string, where: string): void {
  const s = normalizeScope(scope);
  if (s === 'Ip' && !isIpAddress(value)) throw badRequest(`${where}: '${value}' is not an IP address`);
  if (s === 'Range' && !isIpRange(value)) throw badRequest(`${where}: '${value}' is not an IP range`);
}

/**
 * Checks one batch of posted alerts and works out every decision before anything is written:
 * a batch is stored whole or not at all. Alerts that carry decisions (cscli, imports) keep them;
 * the others go through simulation, the profiles and the allowlist.
 */
/**
 * `crowd`: when this API is a member of a crowd, each IP alert gets its crowd view (targeted or
 * opportunistic) as alert meta before the profiles run, so they can act on it.
 */
export async function prepareAlerts(posted: PostedAlert[], machineId: string, decider: DecisionMaker, decisions: DecisionStore, now = Date.now(), crowd = false): Promise<{ alerts: NewAlert[]; warnings: string[] }> {
  const alerts: NewAlert[] = [];
  const warnings: string[] = [];
  const unreadable = decider.refreshSimulation();
  if (unreadable !== undefined) warnings.push(unreadable);
  for (const [i, p] of posted.entries()) {
    time('start_at', p.start_at, i);
    const stopAtMs = time('stop_at', p.stop_at, i);
    for (const e of p.events ?? []) time('events.timestamp', e.timestamp, i);
    checkTarget(p.source.scope, p.source.value, `alert ${i}: source`);
    const simulated = p.simulated || decider.isSimulated(p.scenario);
    const meta = [...(p.meta ?? [])];
    if (crowd && p.source.scope === 'Ip') meta.push({ key: CROWD_VIEW_KEY, value: await crowdView(decisions, p.source.value, now) });
    let made: NewDecision[];
    if (p.decisions && p.decisions.length > 0) {
      made = [];
      for (const [j, d] of p.decisions.entries()) {
        checkTarget(d.scope, d.value, `alert ${i}: decision ${j}`);
        const ns = parseGoDuration(d.duration);
        if (ns === null) throw badRequest(`alert ${i}: decision ${j}: duration '${d.duration}' is not a Go duration`);
        if (decider.allowlisted(d.value)) continue;
        made.push({ type: d.type, scope: normalizeScope(d.scope), value: d.value, origin: d.origin, scenario: d.scenario, simulated: simulated || d.simulated === true, until: stopAtMs + Math.round(ns / 1e6) });
      }
    } else {
      const outcome = await decider.decide({ ...p, meta, simulated }, stopAtMs, decisions, now);
      made = outcome.decisions;
      warnings.push(...outcome.warnings);
    }
    const events: AlertEvent[] = (p.events ?? []).map((e) => ({ timestamp: e.timestamp, meta: e.meta ?? [] }));
    alerts.push({
      machineId,
      scenario: p.scenario,
      scenarioHash: p.scenario_hash,
      scenarioVersion: p.scenario_version,
      message: p.message,
      eventsCount: p.events_count,
      startAt: p.start_at,
      stopAt: p.stop_at,
      stopAtMs,
      capacity: p.capacity,
      leakspeed: p.leakspeed,
      simulated,
      remediation: p.remediation === true,
      source: p.source,
      events,
      meta,
      labels: Array.isArray(p.labels) ? p.labels : Object.entries(p.labels ?? {}).map(([k, v]) => `${k}:${v}`),
      decisions: made,
      ...(p.uuid ? { uuid: p.uuid } : {}),
    });
  }
  return { alerts, warnings };
}
