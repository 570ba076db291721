import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Node as YamlNode } from 'yaml';
import { DROP_HOOKS, isDropHook, NFT_NAME } from '../bouncers/nftables/ruleset';
import { packageRoot } from '../engine/package-root';
import { parseIpRange } from '../store/ip-range';
import type { StoreConfig } from '../store/store';
import { parseGoDuration } from '../time/go-duration';
import { ConfigError, list, readMap, readYamlFile, scalar } from './yaml-reader';

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
}


export function defaultDataDir(): string {
  if (process.env.CROWDWATCH_DATA_DIR) return process.env.CROWDWATCH_DATA_DIR;
  if (process.getuid?.() === 0) return '/var/lib/crowdwatch';
  return path.join(os.homedir(), '.local', 'share', 'crowdwatch');
}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`invalid listen address '${text}' (expected HOST:PORT)`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
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
}

function ranges(node: YamlNode | null | undefined, where: string): string[] {
  const ips = list(node, where);
  for (const ip of ips) if (parseIpRange(ip) === null) throw new ConfigError(`${where}: '${ip}' is not an IP or range`);
  return ips;
}

function duration(text: string, where: string): number {
  const ns = parseGoDuration(text, true);
  if (ns === null || ns <= 0) throw new ConfigError(`${where}: '${text}' is not a positive duration`);
  return ns / 1e6;
}

/**
 * The API configuration: defaults, then `config.yaml` in the data dir (or `--config-file`), then
 * the command-line flags, which win. Paths in the file are relative to the file.
 */
export function loadApiConfig(overrides: ApiConfigOverrides = {}): ApiConfig {
  const dataDir = path.resolve(overrides.dataDir ?? defaultDataDir());
  const config: ApiConfig = {
    dataDir,
    listen: { host: '127.0.0.1', port: 8080 },
    trustedIps: ['127.0.0.1', '::1'],
    profilesFile: path.join(packageRoot, 'scenarios', 'profiles.yaml'),
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
  };
  if (fs.existsSync(path.join(dataDir, 'profiles.yaml'))) config.profilesFile = path.join(dataDir, 'profiles.yaml');
  const file = overrides.configFile ?? path.join(dataDir, 'config.yaml');
  if (overrides.configFile !== undefined || fs.existsSync(file)) applyFile(config, file);
  if (overrides.listen !== undefined) config.listen = parseListen(overrides.listen);
  return config;
}

function applyFile(config: ApiConfig, file: string): void {
  const { documents, lines } = readYamlFile(file);
  if (documents.length > 1) throw new ConfigError(`${file}: one YAML document expected, found ${documents.length}`);
  const doc = { contents: documents[0] ?? null };
  const dir = path.dirname(path.resolve(file));
  const rel = (p: string): string => path.resolve(dir, p);
  let dbType = 'sqlite';
  let dbPath: string | undefined;
  let dbUrl: string | undefined;
  readMap(doc.contents as YamlNode, file, lines, {
    api: (n) => readMap(n, file, lines, {
      listen: (v, w) => { config.listen = parseListen(scalar(v, w)); },
      tls: (v) => {
        const tls = { certFile: '', keyFile: '' };
        readMap(v, file, lines, {
          cert_file: (c, w) => { tls.certFile = rel(scalar(c, w)); },
          key_file: (k, w) => { tls.keyFile = rel(scalar(k, w)); },
        }, 'api.tls');
        if (!tls.certFile || !tls.keyFile) throw new ConfigError('api.tls needs cert_file and key_file');
        config.tls = tls;
      },
      trusted_ips: (v, w) => { config.trustedIps = ranges(v, w); },
      allowlist: (v, w) => { config.allowlist = ranges(v, w); },
      profiles: (v, w) => { config.profilesFile = rel(scalar(v, w)); },
      simulation: (v, w) => { config.simulationFile = rel(scalar(v, w)); },
      max_body_bytes: (v, w) => {
        const n = Number(scalar(v, w));
        if (!Number.isSafeInteger(n) || n < 1024) throw new ConfigError(`${w} must be an integer >= 1024`);
        config.maxBodyBytes = n;
      },
    }, 'api'),
    agent: (n) => readMap(n, file, lines, {
      acquisition_path: (v, w) => { config.agent.acquisitionFiles = [rel(scalar(v, w))]; },
      acquisition_dir: (v, w) => { config.agent.acquisitionDirs = [rel(scalar(v, w))]; },
      config_dir: (v, w) => { config.agent.contentDir = rel(scalar(v, w)); },
      credentials_path: (v, w) => { config.agent.credentialsFile = rel(scalar(v, w)); },
      journal_path: (v, w) => { config.agent.journalFile = rel(scalar(v, w)); },
    }, 'agent'),
    bouncers: (n) => readMap(n, file, lines, {
      nftables: (v) => {
        const nft: NftablesConfig & { enabled: boolean } = { enabled: true, table: 'crowdwatch', hooks: ['input'], priority: -10, setSize: 65_536, allow: [], types: ['ban'] };
        readMap(v, file, lines, {
          enabled: (e, w) => { nft.enabled = bool(scalar(e, w), w); },
          table: (t, w) => { nft.table = nftName(scalar(t, w), w); },
          hooks: (h, w) => { nft.hooks = list(h, w).map((hook) => nftHook(hook, w)); },
          priority: (p, w) => { nft.priority = integer(scalar(p, w), w, -1000, 1000); },
          set_size: (z, w) => { nft.setSize = integer(scalar(z, w), w, 1, 16_777_216); },
          allow: (a, w) => { nft.allow = ranges(a, w); },
          types: (t, w) => { nft.types = list(t, w); },
        }, 'bouncers.nftables');
        const { enabled, ...rest } = nft;
        if (enabled) config.bouncers.nftables = rest;
      },
    }, 'bouncers'),
    db: (n) => readMap(n, file, lines, {
      type: (v, w) => {
        dbType = scalar(v, w);
        if (dbType !== 'sqlite' && dbType !== 'postgres') throw new ConfigError(`${w} must be sqlite or postgres`);
      },
      path: (v, w) => { dbPath = rel(scalar(v, w)); },
      url: (v, w) => { dbUrl = scalar(v, w); },
      flush: (v) => readMap(v, file, lines, {
        max_age: (a, w) => { config.retention.maxAgeMs = duration(scalar(a, w), w); },
        max_items: (m, w) => {
          const items = Number(scalar(m, w));
          if (!Number.isSafeInteger(items) || items < 1) throw new ConfigError(`${w} must be a positive integer`);
          config.retention.maxItems = items;
        },
      }, 'db.flush'),
    }, 'db'),
  }, '');
  if (dbType === 'postgres') {
    const url = dbUrl ?? process.env.CROWDWATCH_DB_URL;
    if (!url) throw new ConfigError(`${file}: db.type postgres needs db.url`);
    config.store = { type: 'postgres', url };
  } else if (dbPath) {
    config.store = { type: 'sqlite', path: dbPath };
  }
}

function bool(text: string, where: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ConfigError(`${where} must be true or false`);
}

function integer(text: string, where: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${where} must be an integer from ${min} to ${max}`);
  return n;
}

function nftName(text: string, where: string): string {
  if (!NFT_NAME.test(text)) throw new ConfigError(`${where}: '${text}' is not an nftables name`);
  return text;
}

function nftHook(text: string, where: string): string {
  if (!isDropHook(text)) throw new ConfigError(`${where}: hook '${text}' must be ${DROP_HOOKS.join(', ')}`);
  return text;
}
