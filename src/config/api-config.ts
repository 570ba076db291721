import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import { packageRoot } from '../engine/package-root';
import { parseIpRange } from '../store/ip-range';
import type { StoreConfig } from '../store/store';
import { parseGoDuration } from '../time/go-duration';

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
}

export class ConfigError extends Error {
  readonly code = 'CW_CONFIG_FILE';
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

type Reader = (node: YamlNode | null | undefined, where: string) => void;

/** Reads a YAML mapping strictly: known keys only, each problem with file:line. */
function readMap(node: YamlNode | null | undefined, file: string, lines: LineCounter, keys: Record<string, Reader>, where: string): void {
  if (node === null || node === undefined) return;
  const lineOf = (n: YamlNode | null | undefined): number => (n?.range ? lines.linePos(n.range[0]).line : 0);
  if (!isMap(node)) throw new ConfigError(`${file}:${lineOf(node)}: ${where || 'the file'} must be a mapping`);
  for (const pair of (node as YAMLMap).items as Pair<YamlNode, YamlNode>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const read = keys[key];
    if (!read) throw new ConfigError(`${file}:${lineOf(pair.key)}: unknown key '${where ? `${where}.` : ''}${key}'`);
    try {
      read(pair.value, `${where ? `${where}.` : ''}${key}`);
    } catch (error) {
      if (error instanceof ConfigError && error.message.startsWith(file)) throw error;
      throw new ConfigError(`${file}:${lineOf(pair.value ?? pair.key)}: ${(error as Error).message}`);
    }
  }
}

function scalar(node: YamlNode | null | undefined, where: string): string {
  if (!isScalar(node)) throw new ConfigError(`${where} must be a scalar`);
  return String(node.value);
}

function list(node: YamlNode | null | undefined, where: string): string[] {
  if (!isSeq(node)) throw new ConfigError(`${where} must be a list`);
  return node.items.map((item, i) => scalar(item as YamlNode, `${where}[${i}]`));
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
  };
  if (fs.existsSync(path.join(dataDir, 'profiles.yaml'))) config.profilesFile = path.join(dataDir, 'profiles.yaml');
  const file = overrides.configFile ?? path.join(dataDir, 'config.yaml');
  if (overrides.configFile !== undefined || fs.existsSync(file)) applyFile(config, file);
  if (overrides.listen !== undefined) config.listen = parseListen(overrides.listen);
  return config;
}

function applyFile(config: ApiConfig, file: string): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new ConfigError(`${file}:${e.linePos?.[0].line ?? 0}: ${e.message.split('\n')[0]}`);
  }
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
