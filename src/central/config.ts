// The central server's settings: defaults, then `central.yaml` in the data dir (or
// `--config-file`), then the flags. Strict like every config file here: known keys only, every
// problem as file:line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node as YamlNode } from 'yaml';
import { defaultDataDir } from '../config/api-config';
import { packageRoot } from '../engine/package-root';
import { bool, duration, integer, oneOf, parseListen, ranges } from '../config/values';
import { ConfigError, list, readMap, readYamlFile, scalar } from '../config/yaml-reader';
import type { StoreConfig } from '../store/store';

/** Trust levels a signal may claim (CrowdSec's `scenario_trust`). */
export const TRUST_LEVELS = ['certified', 'tainted', 'custom', 'manual'] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];

export interface ConsensusConfig {
  /** Distinct members needed, and the weighted sum of their weights needed, for an entry. */
  minMembers: number;
  /** How long a report counts towards consensus, and how long it waits to be corroborated. */
  windowMs: number;
  /** How long an entry stays in the blocklist after the last report that kept it there. */
  durationMs: number;
  /** Trust levels that count; `manual` never does. */
  trust: TrustLevel[];
  /** Per scenario, the hashes that count (they override the indexes for that scenario). */
  scenarioHashes: Record<string, string[]>;
  /**
   * Check scenario hashes against the released versions (`indexHashes`): a scenario no index or
   * `scenario_hashes` knows, or a hash none lists (a modified scenario), does not count.
   */
  verifyHashes: boolean;
  /** Released digests per scenario, from CrowdSec-format `.index.json` files (ours always). */
  indexHashes: Record<string, string[]>;
  /** Addresses and ranges that never enter the blocklist. */
  allowlist: string[];
  /** Addresses whose reports are kept in memory at most (the least recently reported go first). */
  maxAddresses: number;
  /** How long stored signals are kept (at least the window: a restart rebuilds from them). */
  signalRetentionMs: number;
}

/**
 * Who may register: `token` (the default) members with a one-time enrollment token from the
 * operator (`crowdwatch central tokens add`), `closed` only members the operator adds
 * (`crowdwatch central members add`), `open` anyone (a test network; any Sybil gets in).
 */
export type Registration = 'token' | 'closed' | 'open';

export interface CentralConfig {
  dataDir: string;
  registration: Registration;
  listen: { host: string; port: number };
  /** Requests a member may make a minute: pushes (POST /v2/signals) and pulls (the stream). */
  limits: { pushesPerMinute: number; pullsPerMinute: number };
  /** Serve HTTPS with this certificate and key (as the local API's `api.tls`). */
  tls?: { certFile: string; keyFile: string };
  store: StoreConfig;
  maxBodyBytes: number;
  consensus: ConsensusConfig;
  /** GET /metrics on its own address (loopback by default); null: off. */
  prometheus: { host: string; port: number } | null;
  files: string[];
}

/** Our scenarios' released versions, shipped with crowdwatch. */
const BUNDLED_INDEX = path.join(packageRoot, 'scenarios', '.index.json');

/** `{scenarios: {name: {versions: {v: {digest}}}}}` (CrowdSec's hub index) as digests by name. */
export function readScenarioIndex(file: string, where = file): Record<string, string[]> {
  let raw: { scenarios?: Record<string, { versions?: Record<string, { digest?: unknown }> }> };
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof raw;
  } catch (error) {
    throw new ConfigError(`${where}: cannot read the scenario index ${file}: ${(error as Error).message}`);
  }
  const out: Record<string, string[]> = {};
  for (const [name, item] of Object.entries(raw.scenarios ?? {})) {
    out[name] = Object.values(item.versions ?? {}).map((v) => v.digest).filter((d): d is string => typeof d === 'string');
  }
  return out;
}

export function defaultConsensus(): ConsensusConfig {
  return { minMembers: 3, windowMs: 24 * 3600e3, durationMs: 24 * 3600e3, trust: ['certified'], scenarioHashes: {}, verifyHashes: true, indexHashes: readScenarioIndex(BUNDLED_INDEX), allowlist: [], maxAddresses: 1_000_000, signalRetentionMs: 30 * 24 * 3600e3 };
}

export interface CentralOverrides {
  dataDir?: string;
  listen?: string;
  configFile?: string;
}

export function loadCentralConfig(overrides: CentralOverrides = {}): CentralConfig {
  const dataDir = path.resolve(overrides.dataDir ?? defaultDataDir());
  const config: CentralConfig = {
    dataDir,
    registration: 'token',
    limits: { pushesPerMinute: 60, pullsPerMinute: 60 },
    listen: { host: '127.0.0.1', port: 8090 },
    store: { type: 'sqlite', path: path.join(dataDir, 'central.db') },
    maxBodyBytes: 1 << 20,
    consensus: defaultConsensus(),
    prometheus: { host: '127.0.0.1', port: 6061 },
    files: [],
  };
  const file = path.resolve(overrides.configFile ?? path.join(dataDir, 'central.yaml'));
  if (overrides.configFile !== undefined || fs.existsSync(file)) applyCentralFile(config, file);
  if (overrides.listen !== undefined) config.listen = parseListen(overrides.listen);
  return config;
}

function applyCentralFile(config: CentralConfig, file: string): void {
  const { documents, lines } = readYamlFile(file);
  if (documents.length > 1) throw new ConfigError(`${file}: one YAML document expected, found ${documents.length}`);
  config.files.push(file);
  const map = (node: YamlNode | null | undefined, where: string, keys: Parameters<typeof readMap>[3]): void => readMap(node, file, lines, keys, where);
  const c = config.consensus;
  const db: { type?: string; path?: string; url?: string } = {};
  map(documents[0] ?? null, '', {
    listen: (v, k) => { config.listen = parseListen(scalar(v, k)); },
    registration: (v, k) => { config.registration = oneOf(scalar(v, k), k, ['token', 'closed', 'open'] as const); },
    limits: (n, w) => map(n, w, {
      pushes_per_minute: (v, k) => { config.limits.pushesPerMinute = integer(scalar(v, k), k, 1, 1_000_000); },
      pulls_per_minute: (v, k) => { config.limits.pullsPerMinute = integer(scalar(v, k), k, 1, 1_000_000); },
    }),
    tls: (n, w) => {
      const tls = { certFile: '', keyFile: '' };
      map(n, w, {
        cert_file: (v, k) => { tls.certFile = path.resolve(path.dirname(file), scalar(v, k)); },
        key_file: (v, k) => { tls.keyFile = path.resolve(path.dirname(file), scalar(v, k)); },
      });
      if (!tls.certFile || !tls.keyFile) throw new ConfigError(`${w} needs cert_file and key_file`);
      config.tls = tls;
    },
    max_body_bytes: (v, k) => { config.maxBodyBytes = integer(scalar(v, k), k, 1024, 64 << 20); },
    prometheus: (n, w) => map(n, w, {
      enabled: (v, k) => { if (!bool(scalar(v, k), k)) config.prometheus = null; },
      listen: (v, k) => { if (config.prometheus) config.prometheus = parseListen(scalar(v, k)); },
    }),
    db: (n, w) => map(n, w, {
      type: (v, k) => { db.type = scalar(v, k); if (db.type !== 'sqlite' && db.type !== 'postgres') throw new ConfigError(`${k} must be sqlite or postgres`); },
      path: (v, k) => { db.path = path.resolve(path.dirname(file), scalar(v, k)); },
      url: (v, k) => { db.url = scalar(v, k); },
    }),
    consensus: (n, w) => map(n, w, {
      min_members: (v, k) => { c.minMembers = integer(scalar(v, k), k, 1, 1000); },
      window: (v, k) => { c.windowMs = duration(scalar(v, k), k); },
      duration: (v, k) => { c.durationMs = duration(scalar(v, k), k); },
      trust: (v, k) => { c.trust = trustLevels(v, k); },
      // Keys are scenario names, so any key is accepted: a reader made for whatever name is asked.
      scenario_hashes: (n2, w2) => readMap(n2, file, lines, new Proxy({}, { get: (_t, name: string) => (v: YamlNode | null | undefined, k: string) => { c.scenarioHashes[name] = list(v, k); } }), w2),
      allowlist: (v, k) => { c.allowlist = ranges(v, k); },
      verify_hashes: (v, k) => { c.verifyHashes = bool(scalar(v, k), k); },
      // More released versions to accept: a hub's `.index.json` (CrowdSec's format), say.
      scenario_index: (v, k) => {
        for (const f of list(v, k)) {
          const more = readScenarioIndex(path.resolve(path.dirname(file), f), k);
          for (const [name, digests] of Object.entries(more)) c.indexHashes[name] = [...(c.indexHashes[name] ?? []), ...digests];
        }
      },
      max_addresses: (v, k) => { c.maxAddresses = integer(scalar(v, k), k, 1, 100_000_000); },
      signal_retention: (v, k) => { c.signalRetentionMs = duration(scalar(v, k), k); },
    }),
  });
  if (c.signalRetentionMs < c.windowMs) throw new ConfigError(`${file}: consensus.signal_retention must be at least consensus.window (a restart rebuilds the window from the stored signals)`);
  if (db.type === 'postgres') {
    const url = db.url ?? process.env.CROWDWATCH_DB_URL;
    if (!url) throw new ConfigError(`${file}: db.type postgres needs db.url`);
    config.store = { type: 'postgres', url };
  } else if (db.path) {
    config.store = { type: 'sqlite', path: db.path };
  }
}

function trustLevels(node: YamlNode | null | undefined, where: string): TrustLevel[] {
  const levels = list(node, where);
  for (const level of levels) {
    if (!(TRUST_LEVELS as readonly string[]).includes(level)) throw new ConfigError(`${where}: '${level}' is not one of ${TRUST_LEVELS.join(', ')}`);
    // A manual decision is one person's opinion, never evidence of an attack seen by the crowd.
    if (level === 'manual') throw new ConfigError(`${where}: manual signals never count towards consensus`);
  }
  return levels as TrustLevel[];
}
