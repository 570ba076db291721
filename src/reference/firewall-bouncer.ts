// Debian's crowdsec-firewall-bouncer 0.0.25 (unpacked by scripts/fetch-reference.sh, never
// installed): where it is, and a config for nftables mode pointed at a local API. Used by the
// compatibility test and by the nftables bench.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { refDir } from './reference';

export const FIREWALL_BOUNCER_BIN = path.join(refDir(), 'crowdsec-firewall-bouncer/usr/bin/crowdsec-firewall-bouncer');

/** Its tables and sets in this config. */
export const FIREWALL_SETS = { v4: { family: 'ip', table: 'crowdsec', set: 'crowdsec-blacklists' }, v6: { family: 'ip6', table: 'crowdsec6', set: 'crowdsec6-blacklists' } } as const;

/** Writes `<dir>/fw.yaml`: nftables mode, 1 s polls, bans only, logs on stdout; returns its path. */
export function writeFirewallBouncerConfig(dir: string, apiUrl: string, apiKey: string): string {
  const config = path.join(dir, 'fw.yaml');
  fs.writeFileSync(config, [
    'mode: nftables', `pid_dir: ${dir}`, 'update_frequency: 1s', 'daemonize: false', 'log_mode: stdout', `log_dir: ${dir}`,
    'log_level: info', `api_url: ${apiUrl.replace(/\/*$/, '/')}`, `api_key: ${apiKey}`, 'insecure_skip_verify: false', 'disable_ipv6: false',
    'deny_action: DROP', 'deny_log: false', 'supported_decisions_types:', '  - ban', `blacklists_ipv4: ${FIREWALL_SETS.v4.set}`,
    `blacklists_ipv6: ${FIREWALL_SETS.v6.set}`, 'nftables:', '  ipv4:', '    enabled: true', '    set-only: false', `    table: ${FIREWALL_SETS.v4.table}`,
    '    chain: crowdsec-chain', '  ipv6:', '    enabled: true', '    set-only: false', `    table: ${FIREWALL_SETS.v6.table}`, '    chain: crowdsec6-chain',
    'prometheus:', '  enabled: false', '  listen_addr: 127.0.0.1', '  listen_port: 0', '',
  ].join('\n'));
  return config;
}
