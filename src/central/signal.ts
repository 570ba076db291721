// A signal as members send it (CrowdSec's CAPI `AddSignalsRequestItem`), and the part of it the
// central keeps. The privacy promise lives here: `toSignal` copies the attack's meta field by
// field and nothing else, so an agent that sends its events, log lines, labels, meta or
// decisions has them dropped before anything is written.
import { isIpAddress, isIpRange } from '../store/ip-range';
import { parseRfc3339 } from '../time/go-time';
import type { ConsensusConfig } from './config';

const text = (max: number) => ({ type: 'string', maxLength: max }) as const;

/** The request body of POST /v2/signals: what is checked, not what is kept (extra fields pass and are dropped). */
export const SIGNALS_SCHEMA = {
  type: 'array',
  maxItems: 1000,
  items: {
    type: 'object',
    required: ['scenario', 'scenario_hash', 'scenario_version', 'source', 'start_at', 'stop_at'],
    properties: {
      scenario: { type: 'string', minLength: 1, maxLength: 256 },
      scenario_hash: text(128),
      scenario_version: text(64),
      scenario_trust: text(32),
      start_at: text(64),
      stop_at: text(64),
      created_at: text(64),
      simulated: { type: 'boolean' },
      source: {
        type: 'object',
        required: ['scope', 'value'],
        properties: {
          scope: { type: 'string', minLength: 1, maxLength: 64 },
          value: { type: 'string', minLength: 1, maxLength: 128 },
          ip: text(64),
          range: text(64),
          as_number: text(32),
          as_name: text(256),
          cn: text(8),
        },
      },
    },
  },
} as const;

export interface IncomingSignal {
  scenario: string;
  scenario_hash: string;
  scenario_version: string;
  scenario_trust?: string;
  start_at: string;
  stop_at: string;
  created_at?: string;
  simulated?: boolean;
  source: { scope: string; value: string; ip?: string; range?: string; as_number?: string; as_name?: string; cn?: string };
}

/** Everything the central stores of a signal (the signals table's columns, besides id and received_at). */
export interface Signal {
  memberId: number;
  scope: string;
  value: string;
  ip: string;
  range: string;
  asNumber: string;
  asName: string;
  cn: string;
  scenario: string;
  scenarioHash: string;
  scenarioVersion: string;
  scenarioTrust: string;
  startAt: string;
  stopAt: string;
  createdAt: string;
}

/** Checks one signal beyond the JSON schema; the reason it is malformed, or null. */
export function signalProblem(s: IncomingSignal, index: number): string | null {
  const at = `signal ${index}`;
  for (const key of ['start_at', 'stop_at', 'created_at'] as const) {
    const v = s[key];
    if (v !== undefined && parseRfc3339(v) === null) return `${at}: ${key} '${v.slice(0, 64)}' is not an RFC3339 time`;
  }
  const src = s.source;
  const scope = src.scope.toLowerCase();
  if (scope === 'ip' && !isIpAddress(src.value)) return `${at}: source value '${src.value}' is not an IP address`;
  if (scope === 'range' && !isIpRange(src.value)) return `${at}: source value '${src.value}' is not an IP range`;
  if (src.ip && !isIpAddress(src.ip)) return `${at}: source ip '${src.ip}' is not an IP address`;
  if (src.range && !isIpRange(src.range)) return `${at}: source range '${src.range}' is not an IP range`;
  return null;
}

/** The kept part of a signal, under the authenticated member (a `machine_id` in the body is ignored). */
export function toSignal(s: IncomingSignal, memberId: number): Signal {
  const scope = s.source.scope.toLowerCase();
  return {
    memberId,
    scope: scope === 'ip' ? 'Ip' : scope === 'range' ? 'Range' : s.source.scope,
    value: s.source.value,
    ip: s.source.ip ?? '',
    range: s.source.range ?? '',
    asNumber: s.source.as_number ?? '',
    asName: s.source.as_name ?? '',
    cn: s.source.cn ?? '',
    scenario: s.scenario,
    scenarioHash: s.scenario_hash,
    scenarioVersion: s.scenario_version,
    scenarioTrust: s.scenario_trust ?? '',
    startAt: s.start_at,
    stopAt: s.stop_at,
    createdAt: s.created_at ?? '',
  };
}

/**
 * Whether a stored signal counts towards consensus: an Ip-scoped source, a trust level the config
 * accepts (`certified` by default; `manual` never), and a scenario hash of a released version:
 * one `scenario_hashes` lists for the scenario, else (with `verify_hashes`, the default) one of
 * the scenario indexes. A member claims its trust; the hash check keeps a modified scenario's
 * signals out, and consensus across members keeps one member from listing anything.
 */
export function counts(s: Signal, config: ConsensusConfig): boolean {
  if (s.scope !== 'Ip') return false;
  if (s.scenarioTrust === 'manual' || !(config.trust as string[]).includes(s.scenarioTrust)) return false;
  const hashes = config.scenarioHashes[s.scenario];
  if (hashes !== undefined) return hashes.includes(s.scenarioHash);
  if (!config.verifyHashes) return true;
  return config.indexHashes[s.scenario]?.includes(s.scenarioHash) ?? false;
}
