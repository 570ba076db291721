// `crowdwatch config show`: the effective configuration, in config.yaml's own keys, so what it
// prints can be saved and loaded again as it is. Secrets (a database URL's password) are masked.
import type { ApiConfig } from './api-config';

function goDuration(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}

function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return '****';
  }
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The config as a config.yaml document (plain object), plus where it came from. */
export function effectiveConfig(config: ApiConfig): { document: Record<string, unknown>; files: string[]; ignored: string[]; warnings: string[] } {
  const document: Record<string, unknown> = {
    common: {
      log_level: config.log.level,
      log_format: config.log.format,
      log_media: config.log.file ? 'file' : 'stdout',
      ...(config.log.file ? { log_dir: config.log.file.replace(/\/[^/]*$/, '') } : {}),
    },
    api: {
      listen: hostPort(config.listen.host, config.listen.port),
      ...(config.tls ? { tls: { cert_file: config.tls.certFile, key_file: config.tls.keyFile } } : {}),
      trusted_ips: config.trustedIps,
      ...(config.trustedProxies ? { trusted_proxies: config.trustedProxies } : {}),
      allowlist: config.allowlist,
      profiles: config.profilesFile,
      simulation: config.simulationFile,
      max_body_bytes: config.maxBodyBytes,
    },
    db: {
      type: config.store.type,
      ...(config.store.type === 'sqlite' ? { path: config.store.path } : { url: maskUrl(config.store.url) }),
      flush: { max_age: goDuration(config.retention.maxAgeMs), max_items: config.retention.maxItems },
    },
    agent: {
      ...(config.agent.acquisitionFiles.length > 0 ? { acquisition_path: config.agent.acquisitionFiles[0] } : {}),
      ...(config.agent.acquisitionDirs.length > 0 ? { acquisition_dir: config.agent.acquisitionDirs[0] } : {}),
      ...(config.agent.contentDir ? { config_dir: config.agent.contentDir } : {}),
      ...(config.agent.credentialsFile ? { credentials_path: config.agent.credentialsFile } : {}),
      journal_path: config.agent.journalFile,
      ...(config.agent.parallel ? { parallel: true } : {}),
    },
    prometheus: {
      enabled: config.prometheus.enabled,
      level: config.prometheus.level,
      listen_addr: config.prometheus.host,
      listen_port: config.prometheus.port,
    },
  };
  if (config.crowd) {
    document.crowd = {
      ...(config.crowd.url ? { url: config.crowd.url } : {}),
      credentials_path: config.crowd.credentialsFile,
      push_every: goDuration(config.crowd.pushEveryMs),
      pull_every: goDuration(config.crowd.pullEveryMs),
    };
  }
  const nft = config.bouncers.nftables;
  if (nft) {
    document.bouncers = { nftables: { enabled: true, table: nft.table, hooks: nft.hooks, priority: nft.priority, set_size: nft.setSize, allow: nft.allow, types: nft.types } };
  }
  return { document, files: config.files, ignored: config.ignored, warnings: config.warnings };
}
