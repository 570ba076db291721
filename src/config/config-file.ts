// One config.yaml (or its .local overlay) applied over the config built so far. Each key sets
// only what it names, so applying `config.yaml` then `config.yaml.local` is a key-by-key merge.
// Our own keys and CrowdSec's `config.yaml` keys are both read; CrowdSec keys that mean nothing
// here are accepted and listed in `config.ignored`, so an existing /etc/crowdsec/config.yaml loads.
import * as path from 'node:path';
import type { LineCounter, Node as YamlNode } from 'yaml';
import { DROP_HOOKS, isDropHook, NFT_NAME } from '../bouncers/nftables/ruleset';
import { type ApiConfig, defaultCrowdConfig, type NftablesConfig } from './api-config';
import { bool, duration, httpUrl, integer, logLevel, oneOf, parseListen, ranges } from './values';
import { ConfigError, lineOf, list, type Reader, readMap, readYamlFile, scalar } from './yaml-reader';

/** Settings that span files and are only checked once every file is read. */
export class ConfigDraft {
  db: { type?: string; path?: string; url?: string; pg: Record<string, string>; where?: string } = { pg: {} };
  /** CrowdSec's `use_forwarded_for_headers` (and where), which needs `trusted_proxies`. */
  forwardedFor?: { on: boolean; where: string };
  trustedProxies?: string[];
  logMedia?: 'stdout' | 'file';
  logDir?: string;

  finish(config: ApiConfig): void {
    const { db } = this;
    if (db.type === 'postgres') {
      const url = db.url ?? postgresUrl(db.pg) ?? process.env.CROWDWATCH_DB_URL;
      if (!url) throw new ConfigError(`${db.where}: db.type postgres needs db.url (or db_config host, user, password, db_name)`);
      config.store = { type: 'postgres', url };
    } else if (db.path) {
      config.store = { type: 'sqlite', path: db.path };
    }
    const xff = this.forwardedFor;
    if (xff?.on && this.trustedProxies) config.trustedProxies = this.trustedProxies;
    else if (xff?.on) config.warnings.push(`${xff.where}: use_forwarded_for_headers without trusted_proxies: X-Forwarded-For is not read (as in CrowdSec); list the proxies in trusted_proxies`);
    else if (this.trustedProxies && xff) config.warnings.push(`${xff.where}: trusted_proxies without use_forwarded_for_headers: true: X-Forwarded-For is not read`);
    else if (this.trustedProxies) config.trustedProxies = this.trustedProxies;
    if (this.logMedia === 'file') config.log.file = path.join(this.logDir ?? '/var/log', 'crowdwatch.log');
    else if (this.logMedia === 'stdout') delete config.log.file;
  }
}

function postgresUrl(pg: Record<string, string>): string | undefined {
  if (!pg.host && !pg.db_name) return undefined;
  const auth = pg.user ? `${encodeURIComponent(pg.user)}${pg.password ? `:${encodeURIComponent(pg.password)}` : ''}@` : '';
  const ssl = pg.sslmode ? `?sslmode=${encodeURIComponent(pg.sslmode)}` : '';
  return `postgres://${auth}${pg.host ?? '127.0.0.1'}:${pg.port ?? '5432'}/${encodeURIComponent(pg.db_name ?? 'crowdsec')}${ssl}`;
}

export function applyConfigFile(config: ApiConfig, draft: ConfigDraft, file: string): void {
  const { documents, lines } = readYamlFile(file);
  if (documents.length > 1) throw new ConfigError(`${file}: one YAML document expected, found ${documents.length}`);
  config.files.push(file);
  new FileReader(config, draft, file, lines).read(documents[0] ?? null);
}

class FileReader {
  private readonly dir: string;

  constructor(
    private readonly config: ApiConfig,
    private readonly draft: ConfigDraft,
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {
    this.dir = path.dirname(file);
  }

  private rel(node: YamlNode | null | undefined, where: string): string {
    return path.resolve(this.dir, scalar(node, where));
  }

  private map(node: YamlNode | null | undefined, where: string, keys: Record<string, Reader>): void {
    readMap(node, this.file, this.lines, keys, where);
  }

  /** CrowdSec settings about security that crowdwatch does not apply: accepted, and warned of at start. */
  private warnIgnored(why: Record<string, string>): Record<string, Reader> {
    const readers: Record<string, Reader> = {};
    for (const [key, what] of Object.entries(why)) {
      readers[key] = (_node, where, keyNode) => {
        const at = `${this.file}:${lineOf(this.lines, keyNode)}: ${where}`;
        this.config.ignored.push(at);
        this.config.warnings.push(`${at}: ${what}`);
      };
    }
    return readers;
  }

  /** CrowdSec settings with no meaning here: accepted, and listed by `config show` and at start. */
  private ignore(...keys: string[]): Record<string, Reader> {
    const readers: Record<string, Reader> = {};
    for (const key of keys) readers[key] = (_node, where, keyNode) => this.config.ignored.push(`${this.file}:${lineOf(this.lines, keyNode)}: ${where}`);
    return readers;
  }

  read(doc: YamlNode | null): void {
    const { config, draft } = this;
    this.map(doc, '', {
      api: (n, w) => this.map(n, w, {
        listen: (v, k) => { config.listen = parseListen(scalar(v, k)); },
        tls: (v, k) => this.tls(v, k),
        trusted_ips: (v, k) => { config.trustedIps = ranges(v, k); },
        allowlist: (v, k) => { config.allowlist = ranges(v, k); },
        profiles: (v, k) => { config.profilesFile = this.rel(v, k); },
        simulation: (v, k) => { config.simulationFile = this.rel(v, k); },
        max_body_bytes: (v, k) => { config.maxBodyBytes = integer(scalar(v, k), k, 1024, 1 << 30); },
        trusted_proxies: (v, k) => { draft.trustedProxies = ranges(v, k); },
        // CrowdSec's spelling of the same settings.
        server: (s, ws) => this.map(s, ws, {
          listen_uri: (v, k) => { config.listen = parseListen(scalar(v, k)); },
          profiles_path: (v, k) => { config.profilesFile = this.rel(v, k); },
          trusted_ips: (v, k) => { config.trustedIps = ranges(v, k); },
          tls: (v, k) => this.tls(v, k),
          use_forwarded_for_headers: (v, k, key) => { draft.forwardedFor = { on: bool(scalar(v, k), k), where: `${this.file}:${lineOf(this.lines, key)}` }; },
          trusted_proxies: (v, k) => { draft.trustedProxies = ranges(v, k); },
          ...this.ignore('log_level', 'console_path', 'online_client'),
          ...this.warnIgnored({ enable: 'not applied: `crowdwatch run` serves the local API unless started with --no-api' }),
        }),
        client: (c, wc) => this.map(c, wc, {
          credentials_path: (v, k) => { config.agent.credentialsFile = this.rel(v, k); },
          ...this.warnIgnored({ insecure_skip_verify: 'not applied: TLS certificates are always verified' }),
        }),
      }),
      agent: (n, w) => this.map(n, w, this.acquisition({
        config_dir: (v, k) => { config.agent.contentDir = this.rel(v, k); },
        credentials_path: (v, k) => { config.agent.credentialsFile = this.rel(v, k); },
        journal_path: (v, k) => { config.agent.journalFile = this.rel(v, k); },
        parallel: (v, k) => { config.agent.parallel = bool(scalar(v, k), k); },
      })),
      // CrowdSec's parser goroutines: more than one asks for more than one core, which our
      // engine gives with its parallel mode (parsing on a second thread).
      crowdsec_service: (n, w) => this.map(n, w, this.acquisition({
        parser_routines: (v, k) => { config.agent.parallel = integer(scalar(v, k), k, 1, 1024) > 1; },
        ...this.ignore('buckets_routines', 'output_routines'),
      })),
      config_paths: (n, w) => this.map(n, w, {
        config_dir: (v, k) => { config.agent.contentDir = this.rel(v, k); },
        simulation_path: (v, k) => { config.simulationFile = this.rel(v, k); },
        ...this.ignore('data_dir', 'hub_dir', 'index_path', 'notification_dir', 'plugin_dir'),
      }),
      bouncers: (n, w) => this.map(n, w, { nftables: (v, k) => this.nftables(v, k) }),
      db: (n, w) => this.db(n, w),
      db_config: (n, w) => this.db(n, w),
      common: (n, w) => this.map(n, w, {
        log_level: (v, k) => { config.log.level = logLevel(scalar(v, k), k); },
        log_format: (v, k) => { config.log.format = oneOf(scalar(v, k), k, ['text', 'json'] as const); },
        log_media: (v, k) => { draft.logMedia = oneOf(scalar(v, k), k, ['stdout', 'file'] as const); },
        log_dir: (v, k) => { draft.logDir = this.rel(v, k); },
        ...this.ignore('daemonize', 'pid_dir', 'working_dir', 'log_max_size', 'log_max_age', 'log_max_files', 'compress_logs'),
      }),
      prometheus: (n, w) => this.map(n, w, {
        enabled: (v, k) => { config.prometheus.enabled = bool(scalar(v, k), k); },
        level: (v, k) => { config.prometheus.level = oneOf(scalar(v, k), k, ['full', 'aggregated'] as const); },
        listen_addr: (v, k) => { config.prometheus.host = scalar(v, k); },
        listen_port: (v, k) => { config.prometheus.port = integer(scalar(v, k), k, 0, 65535); },
      }),
      crowd: (n, w) => {
        const crowd = this.config.crowd ?? defaultCrowdConfig(this.config.dataDir);
        let enabled = true;
        this.map(n, w, {
          enabled: (v, k) => { enabled = bool(scalar(v, k), k); },
          url: (v, k) => { crowd.url = httpUrl(scalar(v, k), k); },
          credentials_path: (v, k) => { crowd.credentialsFile = this.rel(v, k); },
          registration_token: (v, k) => { crowd.registrationToken = scalar(v, k); },
          push_every: (v, k) => { crowd.pushEveryMs = duration(scalar(v, k), k); },
          pull_every: (v, k) => { crowd.pullEveryMs = duration(scalar(v, k), k); },
        });
        if (enabled) this.config.crowd = crowd;
        else delete this.config.crowd;
      },
      ...this.ignore('cscli', 'plugin_config'),
    });
  }

  private acquisition(more: Record<string, Reader>): Record<string, Reader> {
    const { agent } = this.config;
    return {
      acquisition_path: (v, k) => { agent.acquisitionFiles = [this.rel(v, k)]; },
      acquisition_dir: (v, k) => { agent.acquisitionDirs = [this.rel(v, k)]; },
      ...more,
    };
  }

  private tls(node: YamlNode | null | undefined, where: string): void {
    const tls = { certFile: this.config.tls?.certFile ?? '', keyFile: this.config.tls?.keyFile ?? '' };
    this.map(node, where, {
      cert_file: (c, k) => { tls.certFile = this.rel(c, k); },
      key_file: (c, k) => { tls.keyFile = this.rel(c, k); },
    });
    if (!tls.certFile || !tls.keyFile) throw new ConfigError(`${where} needs cert_file and key_file`);
    this.config.tls = tls;
  }

  private db(node: YamlNode | null | undefined, where: string): void {
    const { db } = this.draft;
    this.map(node, where, {
      type: (v, k) => {
        const type = scalar(v, k);
        if (type === 'sqlite') db.type = 'sqlite';
        else if (type === 'postgres' || type === 'postgresql' || type === 'pgsql') db.type = 'postgres';
        else throw new ConfigError(`${k} must be sqlite or postgres (postgresql)`);
        db.where = `${this.file}:${lineOf(this.lines, v)}`;
      },
      path: (v, k) => { db.path = this.rel(v, k); },
      db_path: (v, k) => { db.path = this.rel(v, k); },
      url: (v, k) => { db.url = scalar(v, k); },
      ...Object.fromEntries(['user', 'password', 'db_name', 'host', 'port', 'sslmode'].map((key): [string, Reader] => [key, (v, k) => { db.pg[key] = scalar(v, k); }])),
      flush: (v, k) => this.map(v, k, {
        max_age: (a, ka) => { this.config.retention.maxAgeMs = duration(scalar(a, ka), ka); },
        max_items: (m, km) => { this.config.retention.maxItems = integer(scalar(m, km), km, 1, Number.MAX_SAFE_INTEGER); },
      }),
      ...this.ignore('log_level', 'max_open_conns', 'use_wal'),
    });
  }

  private nftables(node: YamlNode | null | undefined, where: string): void {
    const base: NftablesConfig = this.config.bouncers.nftables ?? { table: 'crowdwatch', hooks: ['input'], priority: -10, setSize: 65_536, allow: [], types: ['ban'] };
    const nft = { ...base, enabled: true };
    this.map(node, where, {
      enabled: (e, k) => { nft.enabled = bool(scalar(e, k), k); },
      table: (t, k) => { nft.table = nftName(scalar(t, k), k); },
      hooks: (h, k) => { nft.hooks = list(h, k).map((hook) => nftHook(hook, k)); },
      priority: (p, k) => { nft.priority = integer(scalar(p, k), k, -1000, 1000); },
      set_size: (z, k) => { nft.setSize = integer(scalar(z, k), k, 1, 16_777_216); },
      allow: (a, k) => { nft.allow = ranges(a, k); },
      types: (t, k) => { nft.types = list(t, k); },
    });
    const { enabled, ...rest } = nft;
    if (enabled) this.config.bouncers.nftables = rest;
    else delete this.config.bouncers.nftables;
  }
}

function nftName(text: string, where: string): string {
  if (!NFT_NAME.test(text)) throw new ConfigError(`${where}: '${text}' is not an nftables name`);
  return text;
}

function nftHook(text: string, where: string): string {
  if (!isDropHook(text)) throw new ConfigError(`${where}: hook '${text}' must be ${DROP_HOOKS.join(', ')}`);
  return text;
}
