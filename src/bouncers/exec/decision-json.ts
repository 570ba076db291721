// How a change is put to the script: arguments (`add|del <value> <seconds> <scenario> <json>`)
// and, with --stdin, one JSON line. The JSON is the decision as the API renders it, with its
// remaining `duration` worked out when the script is called (not when the API was asked).
import type { StreamDecision } from '../common/decision-stream';
import { formatGoDuration } from '../../time/go-duration';
import type { Change } from './announcements';

/** The decision object in the API's field order. */
export function decisionObject(d: StreamDecision, now: number): Record<string, unknown> {
  return {
    duration: formatGoDuration(Math.round(d.until - now) * 1e6),
    id: d.id,
    origin: d.origin,
    scenario: d.scenario,
    scope: d.scope,
    type: d.type,
    value: d.value,
  };
}

/** Whole seconds left (0 once ended), as CrowdSec's custom bouncer passes them. */
export function secondsLeft(d: StreamDecision, now: number): number {
  return Math.max(0, Math.round((d.until - now) / 1000));
}

/** The arguments after the user's own: action, value, seconds, scenario, JSON. */
export function callArguments(change: Change, now: number): string[] {
  const d = change.decision;
  return [change.action, d.value, String(secondsLeft(d, now)), d.scenario, JSON.stringify(decisionObject(d, now))];
}

/** The --stdin line: the decision object plus `action`. */
export function stdinLine(change: Change, now: number): string {
  return `${JSON.stringify({ ...decisionObject(change.decision, now), action: change.action })}\n`;
}
