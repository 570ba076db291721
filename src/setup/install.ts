// `crowdwatch setup`: what a host needs to run crowdwatch under systemd. A unit file, a starting
// config.yaml and acquis.yaml in /etc/crowdwatch, and the data dir. Files the administrator may
// have edited are never overwritten: local changes belong in config.yaml.local, which setup
// never writes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../engine/package-root';
import { writeFileAtomic } from '../files/atomic';

export interface SetupOptions {
  /** Install under this root instead of / (staging, packaging, tests). */
  root: string;
  configDir: string;
  dataDir: string;
  unitDir: string;
  /** The node binary the unit runs. */
  node: string;
}

export interface SetupStep {
  path: string;
  action: 'written' | 'kept' | 'created';
}

export const SETUP_DEFAULTS = {
  configDir: '/etc/crowdwatch',
  dataDir: '/var/lib/crowdwatch',
  unitDir: '/etc/systemd/system',
} as const;

/** Logs worth following when they exist on this host, and their CrowdSec `labels.type`. */
const KNOWN_LOGS: Array<{ files: string[]; type: string }> = [
  { files: ['/var/log/auth.log', '/var/log/secure'], type: 'syslog' },
  { files: ['/var/log/nginx/access.log', '/var/log/nginx/error.log'], type: 'nginx' },
  { files: ['/var/log/apache2/access.log', '/var/log/httpd/access_log'], type: 'apache2' },
];

export function unitFile(o: SetupOptions): string {
  const cli = path.join(packageRoot, 'bin', 'crowdwatch.js');
  return `# Installed by \`crowdwatch setup\`. Local changes: \`systemctl edit crowdwatch\`.
[Unit]
Description=crowdwatch: log-based intrusion prevention with a CrowdSec-compatible local API
Documentation=file://${path.join(packageRoot, 'README.md')}
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=${o.node} ${cli} run --data-dir ${o.dataDir} --config-file ${path.join(o.configDir, 'config.yaml')}
# SIGHUP reloads parsers, scenarios and profiles; live buckets of unchanged scenarios are kept.
ExecReload=/bin/kill -HUP $MAINPID
# SIGTERM journals read positions and pushes pending alerts before exiting.
KillSignal=SIGTERM
TimeoutStopSec=30
Restart=on-failure
RestartSec=5
# Reads root-only logs and manages nftables sets: root, with the rest of the system read-only.
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=read-only
PrivateTmp=yes
ReadWritePaths=${o.dataDir} /var/log
CapabilityBoundingSet=CAP_NET_ADMIN CAP_DAC_READ_SEARCH CAP_DAC_OVERRIDE CAP_NET_BIND_SERVICE

[Install]
WantedBy=multi-user.target
`;
}

export function sampleConfig(o: SetupOptions): string {
  return `# crowdwatch configuration. Keys follow CrowdSec's config.yaml where CrowdSec has the same
# setting (its own spellings are read too). Put your changes in config.yaml.local beside this
# file: only the keys you set there override these, and upgrades never touch it.
# \`crowdwatch config show\` prints the result.
common:
  log_level: info
  log_format: text          # or json
api:
  listen: 127.0.0.1:8080
  trusted_ips: [127.0.0.1, ::1]
  allowlist: []             # addresses and ranges that never get a decision
db:
  type: sqlite
  path: ${path.join(o.dataDir, 'crowdwatch.db')}
  flush:
    max_age: 168h
    max_items: 5000
agent:
  acquisition_path: acquis.yaml
  acquisition_dir: acquis.d
prometheus:
  enabled: true
  listen_addr: 127.0.0.1
  listen_port: 6060
# bouncers:
#   nftables:               # drop banned addresses in an nftables table of our own
#     hooks: [input]
`;
}

/** acquis.yaml for the logs this host has (checked under `root`), in CrowdSec's format. */
export function sampleAcquisition(root: string): string {
  const docs: string[] = [];
  for (const { files, type } of KNOWN_LOGS) {
    const present = files.filter((f) => fs.existsSync(path.join(root, f)));
    if (present.length > 0) docs.push(`filenames:\n${present.map((f) => `  - ${f}`).join('\n')}\nlabels:\n  type: ${type}\n`);
  }
  if (docs.length === 0) {
    // No classic auth log: sshd logs to the journal only.
    docs.push('source: journalctl\njournalctl_filter:\n  - _SYSTEMD_UNIT=ssh.service\nlabels:\n  type: syslog\n');
  }
  return `# What crowdwatch reads (CrowdSec's acquis.yaml format). One document per source.\n${docs.join('---\n')}`;
}

function write(file: string, text: string, mode: number, overwrite: boolean, steps: SetupStep[]): void {
  if (!overwrite && fs.existsSync(file)) {
    steps.push({ path: file, action: 'kept' });
    return;
  }
  writeFileAtomic(file, text, mode);
  steps.push({ path: file, action: 'written' });
}

/** Writes everything (the unit always, since it points at this install; configs only when absent). */
export function install(o: SetupOptions): SetupStep[] {
  const at = (p: string): string => path.join(o.root, p);
  const steps: SetupStep[] = [];
  write(at(path.join(o.unitDir, 'crowdwatch.service')), unitFile(o), 0o644, true, steps);
  write(at(path.join(o.configDir, 'config.yaml')), sampleConfig(o), 0o644, false, steps);
  write(at(path.join(o.configDir, 'acquis.yaml')), sampleAcquisition(o.root), 0o644, false, steps);
  for (const dir of [path.join(o.configDir, 'acquis.d'), o.dataDir]) {
    if (!fs.existsSync(at(dir))) {
      fs.mkdirSync(at(dir), { recursive: true, mode: dir === o.dataDir ? 0o750 : 0o755 });
      steps.push({ path: at(dir), action: 'created' });
    }
  }
  return steps;
}
