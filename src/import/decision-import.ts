// `decisions import`: rows → checked decisions → one alert carrying all of them, stored in one
// transaction. Every row is checked before anything is written; one bad row refuses the file.
// Stored as cscli 1.4.6 stores an import: decisions with origin `cscli-import` under a single
// alert `add: N IPs` whose source scope is `cscli/manual-import`.
import { normalizeScope } from '../store/filters';
import { IpRangeSet, isIpAddress, isIpRange } from '../store/ip-range';
import type { Store } from '../store/store';
import type { NewAlert, NewDecision } from '../store/types';
import { parseGoDuration } from '../time/go-duration';
import { formatRfc3339 } from '../time/go-time';
import type { ImportField, ImportRow } from './decision-file';

export const IMPORT_ORIGIN = 'cscli-import';
export const IMPORT_SOURCE_SCOPE = 'cscli/manual-import';
/** The machine manual decisions are filed under (as `decisions add`). */
export const CLI_MACHINE = 'crowdwatch-cli';

/** What a row takes when it does not give a field: the command's flags, cscli's defaults. */
export type ImportDefaults = Record<Exclude<ImportField, 'value'>, string>;
export const IMPORT_DEFAULTS: ImportDefaults = { duration: '4h', type: 'ban', reason: 'manual', scope: 'ip' };

/** Problems shown in full; past this, only counted. */
const SHOWN_PROBLEMS = 20;

/** One or more rows that cannot be imported; nothing was written. */
export class ImportRowsError extends Error {
  readonly code = 'CW_IMPORT';

  constructor(readonly problems: Array<{ line: number; message: string }>, total: number, source: string) {
    const more = total > problems.length ? `\n  … and ${total - problems.length} more` : '';
    super(`${total} row(s) of ${source} cannot be imported, nothing was imported:\n${problems.map((p) => `  ${source}:${p.line}: ${p.message}`).join('\n')}${more}`);
  }
}

/** Why a field value is unusable, or null. Shared by the flags (defaults) and the rows. */
export function checkField(field: ImportField, text: string, scope?: string): string | null {
  switch (field) {
    case 'duration': {
      const ns = parseGoDuration(text, true);
      return ns === null || ns <= 0 ? `duration '${text}' is not a positive duration (e.g. 4h, 90m, 7d)` : null;
    }
    case 'type':
      return /^[A-Za-z0-9_-]{1,64}$/.test(text) ? null : `type '${text}' is not a decision type (letters, digits, _ and -)`;
    case 'reason':
      return text.length <= 4096 ? null : 'reason is longer than 4096 characters';
    case 'scope':
      return text.length <= 256 ? null : 'scope is longer than 256 characters';
    case 'value': {
      const s = normalizeScope(scope ?? 'Ip');
      if (s === 'Ip' && !isIpAddress(text)) {
        return isIpRange(text) ? `'${text}' is a range, not an IP address (give it scope range)` : `'${text}' is not an IP address`;
      }
      if (s === 'Range' && !isIpRange(text)) return `'${text}' is not an IP range (CIDR, e.g. 192.0.2.0/24)`;
      return text.length <= 4096 ? null : 'value is longer than 4096 characters';
    }
  }
}

export interface CheckedImport {
  decisions: NewDecision[];
  /** Rows skipped because api.allowlist covers their value. */
  allowlisted: number;
}

/**
 * Applies the defaults to every row and checks it. Throws ImportRowsError naming the bad rows
 * (`source:line: message`) when any is unusable. `until` is `now` plus the row's duration.
 */
export function checkRows(rows: readonly ImportRow[], defaults: ImportDefaults, allowlist: readonly string[], source: string, now: number): CheckedImport {
  const allowed = new IpRangeSet(allowlist);
  const checkAllowlist = allowlist.length > 0;
  const problems: Array<{ line: number; message: string }> = [];
  let bad = 0;
  const decisions: NewDecision[] = [];
  let allowlisted = 0;
  // Rows repeat their duration text: parse each distinct one once.
  const durations = new Map<string, number>();
  for (const row of rows) {
    const f = row.fields;
    const duration = (f.duration ?? defaults.duration).trim();
    const type = (f.type ?? defaults.type).trim();
    const reason = f.reason ?? defaults.reason;
    const scope = normalizeScope((f.scope ?? defaults.scope).trim());
    const value = f.value?.trim() ?? '';
    let problem = value === '' ? "no 'value'" : null;
    if (f.duration !== undefined) problem ??= checkField('duration', duration);
    if (f.type !== undefined) problem ??= checkField('type', type);
    if (f.reason !== undefined) problem ??= checkField('reason', reason);
    if (f.scope !== undefined) problem ??= checkField('scope', scope);
    problem ??= checkField('value', value, scope);
    if (problem !== null) {
      if (++bad <= SHOWN_PROBLEMS) problems.push({ line: row.line, message: row.entry === undefined ? problem : `entry ${row.entry}: ${problem}` });
      continue;
    }
    if (checkAllowlist && allowed.covers(value)) {
      allowlisted++;
      continue;
    }
    let ms = durations.get(duration);
    if (ms === undefined) {
      ms = Math.round((parseGoDuration(duration, true) as number) / 1e6);
      durations.set(duration, ms);
    }
    decisions.push({ type, scope, value, origin: IMPORT_ORIGIN, scenario: reason, simulated: false, until: now + ms });
  }
  if (bad > 0) throw new ImportRowsError(problems, bad, source);
  return { decisions, allowlisted };
}

/** The alert cscli files an import under: it carries every decision. */
export function importAlert(decisions: NewDecision[], now: number): NewAlert {
  const at = formatRfc3339(now);
  return {
    machineId: CLI_MACHINE, scenario: `add: ${decisions.length} IPs`, scenarioHash: '', scenarioVersion: '', message: '',
    eventsCount: decisions.length, startAt: at, stopAt: at, stopAtMs: now, capacity: 0, leakspeed: '',
    simulated: false, remediation: false, source: { scope: IMPORT_SOURCE_SCOPE, value: '' },
    events: [], meta: [], labels: [], decisions,
  };
}

export interface ImportResult {
  /** The alert that carries the decisions; null when there was nothing to store. */
  alertId: number | null;
  imported: number;
  allowlisted: number;
}

/**
 * Checks `rows` and stores them: one alert, one transaction (one decision revision, so bouncers
 * get all of them at their next pull), decisions in multi-row INSERTs.
 */
export async function importDecisions(store: Store, rows: readonly ImportRow[], opts: { defaults: ImportDefaults; allowlist: readonly string[]; source: string; now?: number }): Promise<ImportResult> {
  const now = opts.now ?? Date.now();
  const { decisions, allowlisted } = checkRows(rows, opts.defaults, opts.allowlist, opts.source, now);
  if (decisions.length === 0) return { alertId: null, imported: 0, allowlisted };
  const [alertId] = await store.alerts.insert([importAlert(decisions, now)], now);
  return { alertId, imported: decisions.length, allowlisted };
}
