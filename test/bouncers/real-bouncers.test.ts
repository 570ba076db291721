// Debian's real CrowdSec bouncers against crowdwatch's local API, unmodified: the custom bouncer
// (its script must receive exactly the decisions added and removed) and the nftables firewall
// bouncer (inside a network namespace this test creates, its set must fill from our decisions).
// Binaries come from scripts/fetch-reference.sh (dpkg -x, never installed).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { packageRoot } from '../../src/engine/package-root';
import { startTestApi } from '../helpers/api';
import { runCli, tempDir } from '../helpers/run-cli';
import { until } from '../helpers/wait';
import { systemTool } from '../../src/bouncers/nftables/nft';
import { IP, NFT } from '../helpers/netns';
import { FIREWALL_BOUNCER_BIN, writeFirewallBouncerConfig } from '../../src/reference/firewall-bouncer';
import { refDir } from '../../src/reference/reference';
import { Server, sleep } from '../../src/reference/processes';
import { requires } from '../helpers/requirement';

const customBin = path.join(refDir(), 'crowdsec-custom-bouncer/usr/bin/crowdsec-custom-bouncer');
const firewallBin = FIREWALL_BOUNCER_BIN;


const customTest = requires(test.serial, fs.existsSync(customBin) ? null : `${customBin} (scripts/fetch-reference.sh unpacks it)`);

customTest('crowdsec-custom-bouncer 0.0.15 runs its script for exactly the decisions added and removed', async (t) => {
  const api = await startTestApi();
  const dir = tempDir('custom-bouncer');
  try {
    const key = await api.bouncerKey('custom');
    const calls = path.join(dir, 'calls.log');
    const script = path.join(dir, 'record.sh');
    fs.writeFileSync(script, `#!/bin/sh\nprintf '%s %s %s %s\\n' "$1" "$2" "$4" "$(printf '%s' "$5" | grep -o '"type":"[a-z]*"')" >> ${calls}\n`, { mode: 0o755 });
    fs.writeFileSync(calls, '');
    const config = path.join(dir, 'custom.yaml');
    fs.writeFileSync(config, [
      `bin_path: ${script}`, 'feed_via_stdin: false', 'total_retries: 0', 'scenarios_containing: []', 'scenarios_not_containing: []',
      'origins: []', `piddir: ${dir}`, 'update_frequency: 1s', 'cache_retention_duration: 1s', 'daemonize: false', 'log_mode: stdout',
      `log_dir: ${dir}`, 'log_level: info', `api_url: ${api.url}/`, `api_key: ${key}`, 'prometheus:', '  enabled: false',
      '  listen_addr: 127.0.0.1', '  listen_port: 0', '',
    ].join('\n'));
    const add = async (...args: string[]) => t.is((await runCli('decisions', 'add', ...args, ...api.flags)).code, 0);
    await add('--ip', '192.0.2.1', '--duration', '1h', '--reason', 'anchor-ip');
    const bouncer = new Server(customBin, ['-c', config], { cwd: dir, env: { ...process.env } });
    const read = () => fs.readFileSync(calls, 'utf8').trim().split('\n').filter(Boolean);
    try {
      await until('the startup decision', () => read().length >= 1, () => bouncer.output, 20_000);
      await add('--range', '198.51.100.0/24', '--duration', '30m', '--reason', 'anchor-range');
      await add('--ip', '2001:db8::1', '--duration', '2h', '--reason', 'anchor-v6');
      await add('--ip', '203.0.113.7', '--duration', '15m', '--type', 'captcha', '--reason', 'anchor-captcha');
      await until('the three new decisions', () => read().length >= 4, () => bouncer.output, 20_000);
      t.is((await runCli('decisions', 'delete', '--ip', '192.0.2.1', ...api.flags)).code, 0);
      await until('the deletion', () => read().length >= 5, () => bouncer.output, 20_000);
      await sleep(2500); // two more polls: nothing may be repeated
      t.deepEqual(read(), [
        'add 192.0.2.1 anchor-ip "type":"ban"',
        'add 198.51.100.0/24 anchor-range "type":"ban"',
        'add 2001:db8::1 anchor-v6 "type":"ban"',
        'add 203.0.113.7 anchor-captcha "type":"captcha"',
        'del 192.0.2.1 anchor-ip "type":"ban"',
      ]);
      const listed = await runCli('bouncers', 'list', '-o', 'json', ...api.flags);
      t.is(JSON.parse(listed.stdout)[0].type, 'crowdsec-custom-bouncer');
    } finally {
      await bouncer.stop();
    }
  } finally {
    await api.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const firewallTest = requires(
  test.serial,
  process.getuid?.() !== 0 ? 'needs root (network namespaces, nftables)'
    : systemTool('ip') === null || systemTool('nft') === null ? 'iproute2 and nftables (scripts/test-servers.sh installs them)'
      : !fs.existsSync(firewallBin) ? `${firewallBin} (scripts/fetch-reference.sh unpacks it)` : null,
);

firewallTest('crowdsec-firewall-bouncer 0.0.25 (nftables) in a private netns fills its sets from crowdwatch', async (t) => {
  const ns = `cwfw${process.pid}`;
  const dir = tempDir('fw-bouncer');
  const inNs = (...args: string[]) => execFileSync(IP, ['netns', 'exec', ns, ...args], { encoding: 'utf8' });
  execFileSync(IP, ['netns', 'add', ns]);
  let apiServer: Server | undefined;
  let bouncer: Server | undefined;
  try {
    inNs(IP, 'link', 'set', 'lo', 'up');
    const flags = ['--data-dir', dir];
    const key = (await runCli('bouncers', 'add', 'fw', '-o', 'raw', ...flags)).stdout.trim();
    // The API runs inside the namespace: its loopback is the only network the bouncer sees.
    apiServer = new Server(IP, ['netns', 'exec', ns, process.execPath, path.join(packageRoot, 'bin/crowdwatch.js'), 'api', '--listen', '127.0.0.1:8080', ...flags], { cwd: dir, env: process.env });
    await until('the API in the namespace', () => /listening/.test(apiServer?.output ?? ''), () => apiServer?.output ?? '', 20_000);
    const add = async (...args: string[]) => t.is((await runCli('decisions', 'add', ...args, ...flags)).code, 0);
    await add('--ip', '192.0.2.99', '--duration', '1h');
    await add('--ip', '2001:db8::99', '--duration', '1h');
    await add('--ip', '203.0.113.7', '--type', 'captcha');
    const config = writeFirewallBouncerConfig(dir, 'http://127.0.0.1:8080', key);
    bouncer = new Server(IP, ['netns', 'exec', ns, firewallBin, '-c', config], { cwd: dir, env: process.env });
    const elements = (family: 'ip' | 'ip6', table: string, set: string): string[] => {
      try {
        const out = execFileSync(IP, ['netns', 'exec', ns, NFT, '-j', 'list', 'set', family, table, set], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        const json = JSON.parse(out);
        const s = json.nftables.find((x: { set?: unknown }) => x.set).set;
        return (s.elem ?? []).map((e: unknown) => (typeof e === 'string' ? e : (e as { elem: { val: string } }).elem.val)).sort();
      } catch {
        return [];
      }
    };
    const v4 = () => elements('ip', 'crowdsec', 'crowdsec-blacklists');
    const v6 = () => elements('ip6', 'crowdsec6', 'crowdsec6-blacklists');
    await until('the bans in the nftables sets', () => v4().length === 1 && v6().length === 1, () => `v4=${v4().join(',')} v6=${v6().join(',')}\n${inNs(NFT, 'list', 'ruleset')}\n${bouncer?.output ?? ''}`, 30_000);
    t.deepEqual(v4(), ['192.0.2.99']);
    t.deepEqual(v6(), ['2001:db8::99']);
    // A ban added while it runs arrives at the next poll; a deleted one leaves the set.
    await add('--ip', '192.0.2.100', '--duration', '1h');
    t.is((await runCli('decisions', 'delete', '--ip', '192.0.2.99', ...flags)).code, 0);
    await until('the live add and delete', () => v4().join() === '192.0.2.100', () => bouncer?.output ?? '', 30_000);
    t.regex(inNs(NFT, 'list', 'chain', 'ip', 'crowdsec', 'crowdsec-chain'), /ip saddr @crowdsec-blacklists .*drop/);
  } finally {
    await bouncer?.stop();
    await apiServer?.stop();
    execFileSync(IP, ['netns', 'del', ns]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
