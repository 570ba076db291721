// Which local alerts are shared with the crowd, and the signal each becomes. The privacy promise
// (README, "The crowd") is kept here on the sending side too: a signal is built field by field
// from the attack's meta, so events, log lines, labels, meta and decisions never leave.
import { IMPORT_ORIGIN } from '../import/decision-import';
import type { DecisionStore } from '../store/decisions';
import { PULLED_ORIGINS, type StoredAlert } from '../store/types';

/** Origins of decisions that did not come from this member's own detection. */
const NOT_DETECTED = new Set(['cscli', IMPORT_ORIGIN, ...PULLED_ORIGINS]);

/** Origin of the decisions a community blocklist pull makes (one of `PULLED_ORIGINS`). */
export const CROWD_ORIGIN = 'crowd';
/** The source scope of the alert a pull is stored under. */
export const CROWD_SOURCE_SCOPE = 'crowdwatch/community-blocklist';

/** CrowdSec's trust levels: certified (hub hash and version), tainted (edited), custom (no hash). */
export function scenarioTrust(alert: Pick<StoredAlert, 'scenarioHash' | 'scenarioVersion'>): 'certified' | 'tainted' | 'custom' {
  if (!alert.scenarioHash) return 'custom';
  return alert.scenarioVersion && alert.scenarioVersion !== '?' ? 'certified' : 'tainted';
}

/** Shared: detected here (not manual, not imported, not pulled), not simulated, about an IP or range. */
export function isShareable(alert: StoredAlert): boolean {
  if (alert.simulated) return false;
  if (alert.source.scope !== 'Ip' && alert.source.scope !== 'Range') return false;
  return !alert.decisions.some((d) => NOT_DETECTED.has(d.origin));
}

export interface Signal {
  scenario: string;
  scenario_hash: string;
  scenario_version: string;
  scenario_trust: string;
  source: { scope: string; value: string; ip?: string; range?: string; as_number?: string; as_name?: string; cn?: string };
  start_at: string;
  stop_at: string;
  created_at: string;
}

export function toSignal(alert: StoredAlert): Signal {
  const s = alert.source;
  const source: Signal['source'] = { scope: s.scope, value: s.value };
  for (const key of ['ip', 'range', 'as_number', 'as_name', 'cn'] as const) {
    const v = s[key];
    if (typeof v === 'string' && v !== '') source[key] = v;
  }
  return {
    scenario: alert.scenario,
    scenario_hash: alert.scenarioHash,
    scenario_version: alert.scenarioVersion,
    scenario_trust: scenarioTrust(alert),
    source,
    start_at: alert.startAt,
    stop_at: alert.stopAt,
    created_at: new Date(alert.createdAt).toISOString(),
  };
}

/** The meta key an alert's crowd view is stored under; profiles read `Alert.GetMeta("crowd_view")`. */
export const CROWD_VIEW_KEY = 'crowd_view';

/**
 * Targeted or opportunistic, from the crowd's view of the source: an address on the community
 * blocklist was seen by several members (opportunistic, a scanner working through the internet);
 * one that is not, only here (targeted). Read from the local copy of the blocklist, so alert
 * intake never waits for the central.
 */
export async function crowdView(decisions: DecisionStore, ip: string, now = Date.now()): Promise<'targeted' | 'opportunistic'> {
  const listed = await decisions.active({ ip: { text: ip, contains: true }, origins: [CROWD_ORIGIN] }, now, 1);
  return listed.length > 0 ? 'opportunistic' : 'targeted';
}
