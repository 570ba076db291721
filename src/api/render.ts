import type { Decision, StoredAlert } from '../store/types';
import { formatGoDuration } from '../time/go-duration';
import { formatGoTimeString, formatRfc3339, parseRfc3339 } from '../time/go-time';

/**
 * A decision as the API renders it (Go field order, remaining time as `duration`). Bouncers get
 * `simulated` only when true (omitempty); alerts always carry it.
 */
export function bouncerDecision(d: Decision, now: number, alwaysSimulated = false): Record<string, unknown> {
  const out: Record<string, unknown> = {
    duration: formatGoDuration((d.until - now) * 1e6),
    id: d.id,
    origin: d.origin,
    scenario: d.scenario,
    scope: d.scope,
  };
  if (d.simulated || alwaysSimulated) out.simulated = d.simulated;
  out.type = d.type;
  out.value = d.value;
  return out;
}

/** JSON text of a decision list, with Go's `null` for an empty one. */
export function decisionList(decisions: Decision[], now: number): string {
  return decisions.length === 0 ? 'null' : JSON.stringify(decisions.map((d) => bouncerDecision(d, now)));
}

function goTime(text: string): string {
  const t = parseRfc3339(text);
  return t === null ? text : formatGoTimeString(t);
}

/** An alert as GET /v1/alerts renders it (times Go-style, as 1.4.6 does). */
export function apiAlert(a: StoredAlert, now: number): Record<string, unknown> {
  return {
    capacity: a.capacity,
    created_at: formatRfc3339(a.createdAt),
    decisions: a.decisions.map((d) => bouncerDecision(d, now, true)),
    events: a.events.map((e) => ({ meta: e.meta, timestamp: goTime(e.timestamp) })),
    events_count: a.eventsCount,
    id: a.id,
    labels: a.labels.length === 0 ? null : a.labels,
    leakspeed: a.leakspeed,
    machine_id: a.machineId,
    message: a.message,
    meta: a.meta,
    remediation: a.remediation || undefined,
    scenario: a.scenario,
    scenario_hash: a.scenarioHash,
    scenario_version: a.scenarioVersion,
    simulated: a.simulated,
    source: a.source,
    start_at: goTime(a.startAt),
    stop_at: goTime(a.stopAt),
  };
}
