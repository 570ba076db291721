import { enclosingStarts, parseIpRange } from './ip-range';
import { placeholders, type SqlValue } from './sql';
import { type AlertFilter, type DecisionFilter, PULLED_ORIGINS, StoreInputError } from './types';

/** A WHERE clause under construction: conditions joined with AND, parameters in order. */
export class Where {
  readonly conditions: string[] = [];
  readonly params: SqlValue[] = [];

  add(condition: string, ...params: SqlValue[]): this {
    this.conditions.push(condition);
    this.params.push(...params);
    return this;
  }

  get sql(): string {
    return this.conditions.length === 0 ? '1 = 1' : this.conditions.join(' AND ');
  }
}

/** CrowdSec's scope spellings: `ip` and `range` are case-insensitive aliases of `Ip` and `Range`. */
export function normalizeScope(scope: string): string {
  switch (scope.toLowerCase()) {
    case 'ip':
      return 'Ip';
    case 'range':
      return 'Range';
    case 'country':
      return 'Country';
    case 'as':
      return 'AS';
    default:
      return scope;
  }
}

/** `ip_start`/`ip_end` conditions for an address or range query on `prefix` columns. */
export function addIpCondition(where: Where, prefix: string, text: string, contains: boolean): void {
  const range = parseIpRange(text);
  if (range === null) throw new StoreInputError(`invalid IP or range '${text}'`);
  if (contains) {
    // Containers of the query start at one of its enclosing CIDR block starts.
    const starts = enclosingStarts(range);
    where.add(`${prefix}ip_start IN (${placeholders(starts.length)}) AND ${prefix}ip_end >= ?`, ...starts, range.end);
  } else {
    where.add(`${prefix}ip_start >= ? AND ${prefix}ip_end <= ?`, range.start, range.end);
  }
}

function substring(dialect: 'sqlite' | 'postgres', column: string): string {
  return dialect === 'sqlite' ? `instr(lower(${column}), ?) > 0` : `strpos(lower(${column}), ?) > 0`;
}

/**
 * The WHERE clause of a decision filter, over `decisions d` (or another alias, to compare a
 * decision with the others the same filter selects). Activity (until) is added by callers.
 */
export function decisionWhere(filter: DecisionFilter, dialect: 'sqlite' | 'postgres', alias = 'd'): Where {
  const d = `${alias}.`;
  const where = new Where();
  if (filter.id !== undefined) where.add(`${d}id = ?`, filter.id);
  if (filter.ip) addIpCondition(where, d, filter.ip.text, filter.ip.contains);
  if (filter.value !== undefined) where.add(`${d}value = ?`, filter.value);
  if (filter.values !== undefined) {
    where.add(filter.values.length === 0 ? '1 = 0' : `${d}value IN (${placeholders(filter.values.length)})`, ...filter.values);
  }
  if (filter.type !== undefined) where.add(`${d}type = ?`, filter.type);
  if (filter.scenario !== undefined) where.add(`${d}scenario = ?`, filter.scenario);
  if (filter.scopes && filter.scopes.length > 0) {
    const scopes = filter.scopes.map((s) => normalizeScope(s).toLowerCase());
    where.add(`lower(${d}scope) IN (${placeholders(scopes.length)})`, ...scopes);
  }
  if (filter.origins && filter.origins.length > 0) {
    where.add(`${d}origin IN (${placeholders(filter.origins.length)})`, ...filter.origins);
  }
  if (filter.scenariosContaining && filter.scenariosContaining.length > 0) {
    const any = filter.scenariosContaining.map(() => substring(dialect, `${d}scenario`)).join(' OR ');
    where.add(`(${any})`, ...filter.scenariosContaining.map((s) => s.toLowerCase()));
  }
  for (const s of filter.scenariosNotContaining ?? []) where.add(`NOT ${substring(dialect, `${d}scenario`)}`, s.toLowerCase());
  if (!filter.includeSimulated) where.add(`${d}simulated = 0`);
  return where;
}

/** The WHERE clause of an alert filter, over `alerts a`. */
export function alertWhere(filter: AlertFilter, now: number): Where {
  const where = new Where();
  if (filter.id !== undefined) where.add('a.id = ?', filter.id);
  if (filter.afterId !== undefined) where.add('a.id > ?', filter.afterId);
  if (filter.scope !== undefined) where.add('lower(a.source_scope) = ?', normalizeScope(filter.scope).toLowerCase());
  if (filter.value !== undefined) where.add('a.source_value = ?', filter.value);
  if (filter.scenario !== undefined) where.add('a.scenario = ?', filter.scenario);
  if (filter.ip) addIpCondition(where, 'a.', filter.ip.text, filter.ip.contains);
  if (filter.since !== undefined) where.add('a.created_at >= ?', filter.since);
  if (filter.until !== undefined) where.add('a.created_at <= ?', filter.until);
  if (filter.createdBefore !== undefined) where.add('a.created_at < ?', filter.createdBefore);
  if (filter.simulated !== undefined) where.add('a.simulated = ?', filter.simulated ? 1 : 0);
  const decisionConditions: string[] = [];
  const decisionParams: SqlValue[] = [];
  if (filter.decisionType !== undefined) {
    decisionConditions.push('d.type = ?');
    decisionParams.push(filter.decisionType);
  }
  if (filter.origin !== undefined) {
    decisionConditions.push('d.origin = ?');
    decisionParams.push(filter.origin);
  }
  if (filter.hasActiveDecision) {
    decisionConditions.push('d.until > ?');
    decisionParams.push(now);
  }
  if (decisionConditions.length > 0) {
    where.add(`EXISTS (SELECT 1 FROM decisions d WHERE d.alert_id = a.id AND ${decisionConditions.join(' AND ')})`, ...decisionParams);
  }
  if (filter.includeCapi === false) {
    where.add(`NOT EXISTS (SELECT 1 FROM decisions d WHERE d.alert_id = a.id AND d.origin IN (${placeholders(PULLED_ORIGINS.length)}))`, ...PULLED_ORIGINS);
  }
  return where;
}
