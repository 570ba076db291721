import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageRoot } from '../engine/package-root';
import type { CrowdConfig } from '../crowd/sync';
import type { StoreConfig } from '../store/store';
import { applyConfigFile, ConfigDraft } from './config-file';
import type { LogLevel } from './values';
import { httpUrl, parseListen } from './values';

export { parseListen } from './values';

export { ConfigError } from './yaml-reader';

/** Everything the local API and the management commands need to know. */
export interface ApiConfig {
  dataDir: string;
  listen: { host: string; port: number };
  tls?: { certFile: string; keyFile: string };
  /** Callers allowed on the admin routes (DELETE /v1/alerts), besides loopback. */
  trustedIps: string[];
  profilesFile: string;
  simulationFile: string;
  /** Addresses and ranges that never get a decision, whatever the profiles say. */
  allowlist: string[];
  store: StoreConfig;
  retention: { maxAgeMs: number; maxItems: number };
  maxBodyBytes: number;
  /** What `crowdwatch run` reads and how its agent reaches the API. */
  agent: AgentConfig;
  /** Bouncers `crowdwatch run` starts beside its local API (`bouncers:` in config.yaml). */
  bouncers: { nftables?: NftablesConfig };
  log: LogConfig;
  prometheus: PrometheusConfig;
  /** `crowd:`: the central server this local API shares signals with and pulls a blocklist from. */
  crowd?: CrowdConfig;
  /** The files this config was read from, in order (`config.yaml`, then `config.yaml.local`). */
  files: string[];
  /** CrowdSec settings that were read but mean nothing here, as `file:line: key`. */
  ignored: string[];
  /** Proxies whose X-Forwarded-For entries the API reads past to find a caller's address. */
  trustedProxies?: string[];
  /**
   * Settings that bear on security and are not applied as written (`file:line: what`): logged as
   * warnings at start, not at debug level with the rest of `ignored`.
   */
  warnings: string[];
}


/** `common.log_*`: where the daemon logs and how. */
export interface LogConfig {
  level: LogLevel;
  format: 'text' | 'json';
  /** With `log_media: file`: `<log_dir>/crowdwatch.log`; otherwise stderr. */
  file?: string;
}

/** `prometheus:` as in CrowdSec: the metrics endpoint of `crowdwatch run` (and `crowdwatch metrics`). */
export interface PrometheusConfig {
  enabled: boolean;
  /** `full` labels per source, parser and scenario; `aggregated` keeps cardinality low. */
  level: 'full' | 'aggregated';
  host: string;
  port: number;
}

/** `bouncers.nftables`: the owned-table options of `crowdwatch bouncer nftables`. */
export interface NftablesConfig {
  table: string;
  hooks: string[];
  priority: number;
  setSize: number;
  allow: string[];
  types: string[];
}

export interface AgentConfig {
  /** CrowdSec-format acquisition files (`acquis.yaml`), and dirs of them (`acquis.d/*.yaml`). */
  acquisitionFiles: string[];
  acquisitionDirs: string[];
  /** Parsers/scenarios in the CrowdSec layout; default: the bundled `scenarios/`. */
  contentDir?: string;
  /** CrowdSec's `local_api_credentials.yaml` (url, login, password) for an agent without a local API. */
  credentialsFile?: string;
  /** The agent's journal: read positions and alerts not yet acknowledged. */
  journalFile: string;
  /** The engine's parallel mode (`agent.parallel`, or CrowdSec's `parser_routines` above 1). */
  parallel?: boolean;
}
export function defaultDataDir(): string {
  if (process.env.CROWDWATCH_DATA_DIR) return process.env.CROWDWATCH_DATA_DIR;
  if (process.getuid?.() === 0) return '/var/lib/crowdwatch';
  return path.join(os.homedir(), '.local', 'share', 'crowdwatch');
}


/** The API's base URL for this config (`port` overrides the configured one, e.g. after binding :0). */
export function apiUrl(config: ApiConfig, port = config.listen.port): string {
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  return `${config.tls ? 'https' : 'http'}://${host}:${port}`;
}

export interface ApiConfigOverrides {
  dataDir?: string;
  listen?: string;
  configFile?: string;
  /** `--crowd-url`: join this central (over `crowd.url` in the file). */
  crowdUrl?: string;
}

/** `crowd:` before the file's keys: credentials in the data dir, push every 30 s, pull every 15 min. */
export function defaultCrowdConfig(dataDir: string): CrowdConfig {
  return { credentialsFile: path.join(dataDir, 'online_api_credentials.yaml'), pushEveryMs: 30_000, pullEveryMs: 15 * 60_000 };
}

/**
 * The API configuration: defaults, then `config.yaml` in the data dir (or `--config-file`), then
 * `config.yaml.local` beside it (only the keys it sets win), then the command-line flags. Paths
 * in a file are relative to that file. Both our keys and CrowdSec's `config.yaml` keys are read.
 */
export function loadApiConfig(overrides: ApiConfigOverrides = {}): ApiConfig {
  const config = defaultApiConfig(path.resolve(overrides.dataDir ?? defaultDataDir()));
  const file = path.resolve(overrides.configFile ?? path.join(config.dataDir, 'config.yaml'));
  const draft = new ConfigDraft();
  if (overrides.configFile !== undefined || fs.existsSync(file)) applyConfigFile(config, draft, file);
  // fail2ban's jail.conf/jail.local: the shipped file stays as shipped, local changes go beside it.
  if (fs.existsSync(`${file}.local`)) applyConfigFile(config, draft, `${file}.local`);
  draft.finish(config);
  if (overrides.listen !== undefined) config.listen = parseListen(overrides.listen);
  if (overrides.crowdUrl !== undefined) config.crowd = { ...(config.crowd ?? defaultCrowdConfig(config.dataDir)), url: httpUrl(overrides.crowdUrl, '--crowd-url') };
  return config;
}

function defaultApiConfig(dataDir: string): ApiConfig {
  return {
    dataDir,
    listen: { host: '127.0.0.1', port: 8080 },
    trustedIps: ['127.0.0.1', '::1'],
    profilesFile: fs.existsSync(path.join(dataDir, 'profiles.yaml')) ? path.join(dataDir, 'profiles.yaml') : path.join(packageRoot, 'scenarios', 'profiles.yaml'),
    simulationFile: path.join(dataDir, 'simulation.yaml'),
    allowlist: [],
    store: { type: 'sqlite', path: path.join(dataDir, 'crowdwatch.db') },
    retention: { maxAgeMs: 7 * 86400e3, maxItems: 5000 },
    maxBodyBytes: 4 << 20,
    agent: {
      acquisitionFiles: [path.join(dataDir, 'acquis.yaml')].filter((f) => fs.existsSync(f)),
      acquisitionDirs: [path.join(dataDir, 'acquis.d')],
      journalFile: path.join(dataDir, 'agent-journal.jsonl'),
    },
    bouncers: {},
    log: { level: 'info', format: 'text' },
    prometheus: { enabled: true, level: 'full', host: '127.0.0.1', port: 6060 },
    files: [],
    ignored: [],
    warnings: [],
  };
}
