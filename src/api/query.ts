import { parseIpRange } from '../store/ip-range';
import type { AlertFilter, DecisionFilter } from '../store/types';
import { parseGoDuration } from '../time/go-duration';
import { badRequest } from './errors';

export type Query = Record<string, string | string[] | undefined>;

/** Parameters that name things (types, scopes, origins): words, never quotes or wildcards. */
const WORD_PARAMS = new Set(['type', 'scope', 'scopes', 'origin', 'origins', 'decision_type', 'sort', 'since', 'until', 'created_before', 'limit', 'id', 'contains', 'simulated', 'include_capi', 'has_active_decision', 'startup', 'dedup', 'wait']);

/** One value per parameter: a repeated parameter is refused rather than guessed at. */
function single(query: Query): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) throw badRequest(`parameter '${k}' is repeated`);
    if (v.length > 4096) throw badRequest(`parameter '${k}' is too long`);
    if (/[\u0000-\u001f\u007f]/.test(v)) throw badRequest(`parameter '${k}' contains control characters`);
    if (WORD_PARAMS.has(k) && !/^[A-Za-z0-9_.:/,@ -]*$/.test(v)) throw badRequest(`parameter '${k}': '${v.slice(0, 64)}' is not a valid ${k}`);
    out.set(k, v);
  }
  return out;
}

function bool(name: string, text: string): boolean {
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw badRequest(`parameter '${name}': '${text}' is not a boolean`);
}

function commaList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function unknown(name: string, value: string): never {
  throw badRequest(`Filter parameter '${name}' is unknown (=${value}): invalid filter`);
}

function ipFilter(params: Map<string, string>): { text: string; contains: boolean } | undefined {
  const ip = params.get('ip');
  const range = params.get('range');
  if (ip !== undefined && range !== undefined) throw badRequest("use either 'ip' or 'range', not both");
  const text = ip ?? range;
  if (text === undefined || text === '') return undefined;
  if (parseIpRange(text) === null) throw badRequest(`unable to convert '${text}' to int: invalid ip address / range`);
  if (ip !== undefined && text.includes('/')) throw badRequest(`'${text}' is a range: use 'range'`);
  return { text, contains: params.has('contains') ? bool('contains', params.get('contains') as string) : true };
}

const DECISION_PARAMS = new Set(['ip', 'range', 'contains', 'value', 'type', 'scope', 'scopes', 'origins', 'origin', 'scenario', 'scenarios_containing', 'scenarios_not_containing', 'simulated', 'id']);

/** GET/DELETE /v1/decisions parameters (and the stream's, which ignore the ip ones). */
export function decisionFilter(query: Query, allowed: ReadonlySet<string> = DECISION_PARAMS): DecisionFilter {
  const params = single(query);
  for (const [k, v] of params) if (!allowed.has(k)) unknown(k, v);
  const filter: DecisionFilter = { ip: ipFilter(params) };
  const value = params.get('value');
  if (value) filter.value = value;
  const type = params.get('type');
  if (type) filter.type = type;
  const scopes = params.get('scopes') ?? params.get('scope');
  // CrowdSec 1.4.6 accepts `scope` but its query builder ignores it; `scopes` is the filter.
  if (params.get('scopes')) filter.scopes = commaList(scopes as string);
  const origins = params.get('origins') ?? params.get('origin');
  if (origins) filter.origins = commaList(origins);
  const scenario = params.get('scenario');
  if (scenario) filter.scenario = scenario;
  const containing = params.get('scenarios_containing');
  if (containing) filter.scenariosContaining = commaList(containing);
  const notContaining = params.get('scenarios_not_containing');
  if (notContaining) filter.scenariosNotContaining = commaList(notContaining);
  if (params.has('simulated')) filter.includeSimulated = bool('simulated', params.get('simulated') as string);
  if (params.has('id')) {
    const id = Number(params.get('id'));
    if (!Number.isSafeInteger(id) || id < 1) throw badRequest('id must be a positive integer');
    filter.id = id;
  }
  return filter;
}

const STREAM_FILTERS = new Set(['scopes', 'origins', 'scenarios_containing', 'scenarios_not_containing']);
const STREAM_PARAMS = new Set([...STREAM_FILTERS, 'startup', 'dedup', 'wait']);

function flag(params: Map<string, string>, name: string, fallback: boolean): boolean {
  const v = params.get(name);
  return v === undefined ? fallback : bool(name, v);
}

/**
 * GET /v1/decisions/stream parameters. Unknown ones are ignored (bouncers send what their
 * version knows); `scopes` defaults to ip,range; `wait` is crowdwatch's long poll.
 */
export function streamQuery(query: Query): { filter: DecisionFilter; startup: boolean; dedup: boolean; waitMs: number } {
  const known: Query = Object.fromEntries(Object.entries(query).filter(([k]) => STREAM_PARAMS.has(k)));
  const params = single(known);
  const filter = decisionFilter(Object.fromEntries(Object.entries(known).filter(([k]) => STREAM_FILTERS.has(k))), STREAM_FILTERS);
  filter.scopes ??= ['ip', 'range'];
  let waitMs = 0;
  const wait = params.get('wait');
  if (wait !== undefined) {
    const ns = parseGoDuration(wait);
    if (ns === null || ns < 0) throw badRequest("parameter 'wait' must be a duration");
    waitMs = ns / 1e6;
  }
  return { filter, startup: flag(params, 'startup', false), dedup: flag(params, 'dedup', true), waitMs };
}

/** `since`/`until` in alert filters: a duration back from now (`4h`, `7d`). */
function ago(name: string, text: string, now: number): number {
  const ns = parseGoDuration(text, true);
  if (ns === null) throw badRequest(`parameter '${name}': '${text}' is not a duration`);
  return now - ns / 1e6;
}

const ALERT_PARAMS = new Set(['scope', 'value', 'scenario', 'ip', 'range', 'contains', 'since', 'until', 'decision_type', 'origin', 'include_capi', 'has_active_decision', 'simulated', 'limit', 'sort', 'created_before']);

/** GET/DELETE /v1/alerts parameters. */
export function alertFilter(query: Query, now = Date.now()): AlertFilter {
  const params = single(query);
  for (const [k, v] of params) if (!ALERT_PARAMS.has(k)) unknown(k, v);
  const filter: AlertFilter = { ip: ipFilter(params), limit: 100 };
  const str = (k: string): string | undefined => (params.get(k) ? params.get(k) : undefined);
  filter.scope = str('scope');
  filter.value = str('value');
  filter.scenario = str('scenario');
  filter.decisionType = str('decision_type');
  filter.origin = str('origin');
  if (params.get('since')) filter.since = ago('since', params.get('since') as string, now);
  if (params.get('until')) filter.until = ago('until', params.get('until') as string, now);
  if (params.get('created_before')) filter.createdBefore = ago('created_before', params.get('created_before') as string, now);
  if (params.has('include_capi')) filter.includeCapi = bool('include_capi', params.get('include_capi') as string);
  if (params.has('has_active_decision')) filter.hasActiveDecision = bool('has_active_decision', params.get('has_active_decision') as string);
  if (params.has('simulated')) filter.simulated = bool('simulated', params.get('simulated') as string);
  if (params.has('limit')) {
    const limit = Number(params.get('limit'));
    if (!Number.isSafeInteger(limit) || limit < 0) throw badRequest('limit must be a non-negative integer');
    filter.limit = limit;
  }
  const sort = params.get('sort');
  if (sort !== undefined && sort !== '') {
    if (!/^(asc|desc)$/i.test(sort)) throw badRequest("sort must be ASC or DESC");
    filter.sortAscending = sort.toUpperCase() === 'ASC';
  }
  return filter;
}
