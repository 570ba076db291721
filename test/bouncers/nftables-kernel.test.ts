// crowdwatch's nftables bouncer against a real kernel, in a network namespace this test creates:
// the bouncer runs here and drives the namespace's nft through --nft. Sets fill from the API's
// decisions (overlapping ranges split, allowlist respected), follow additions and deletions, get
// repaired after drift, and a restart rewrites nothing.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { packageRoot } from '../../src/engine/package-root';
import { startCrowdsecLapi } from '../../src/reference/lapi';
import { findReference, isSkip } from '../../src/reference/reference';
import { Server, sleep } from '../../src/reference/processes';
import { startTestApi, type TestApi } from '../helpers/api';
import { eventually } from '../helpers/daemon';
import { IP, NFT, Netns, netnsUnavailable } from '../helpers/netns';
import { runCli, tempDir } from '../helpers/run-cli';
import { waitForOutput } from '../helpers/wait';
import { requires } from '../helpers/requirement';

const why = netnsUnavailable();
const kernelTest = requires(test.serial, why);

/** `crowdwatch bouncer nftables` as a process, on table `cwtest` unless `args` name another. */
function bouncer(apiUrl: string, key: string, nft: string, args: string[] = []): Server {
  const table = args.includes('--table') ? [] : ['--table', 'cwtest'];
  return new Server(
    process.execPath,
    [path.join(packageRoot, 'bin/crowdwatch.js'), 'bouncer', 'nftables', '--api-url', apiUrl, '--api-key', key, '--nft', nft, ...table, ...args],
    { cwd: packageRoot, env: process.env },
  );
}

async function cli(api: TestApi, ...args: string[]): Promise<string> {
  const r = await runCli(...args, ...api.flags);
  if (r.code !== 0) throw new Error(`crowdwatch ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

kernelTest('nftables bouncer: fills, follows, repairs drift and restarts without rewriting', async (t) => {
  const ns = Netns.create(`cwk-${process.pid}`);
  const api = await startTestApi();
  const dir = tempDir('nft-kernel');
  const servers: Server[] = [];
  try {
    const key = await api.bouncerKey('fw');
    const nft = ns.nftWrapper(dir);
    await cli(api, 'decisions', 'add', '--ip', '192.0.2.1', '--duration', '1h');
    await cli(api, 'decisions', 'add', '--range', '10.0.0.0/8', '--duration', '1h');
    await cli(api, 'decisions', 'add', '--range', '10.1.0.0/16', '--duration', '3h');
    await cli(api, 'decisions', 'add', '--ip', '2001:db8::7', '--duration', '1h');
    await cli(api, 'decisions', 'add', '--ip', '127.0.0.1', '--duration', '1h');
    await cli(api, 'decisions', 'add', '--ip', '198.51.100.20', '--duration', '1h');
    await cli(api, 'decisions', 'add', '--ip', '192.0.2.50', '--duration', '1h', '--type', 'captcha');
    const first = bouncer(api.url, key, nft, ['--allow', '198.51.100.0/24', '--allow', '10.200.0.0/16', '--resync', '2s']);
    servers.push(first);
    await waitForOutput(first, /reconciled with the kernel/);
    t.deepEqual(ns.elements('cwtest', 'banned-v4'), ['192.0.2.1'], 'loopback, allowlisted and captcha decisions are not dropped');
    t.deepEqual(ns.elements('cwtest', 'banned-ranges-v4'), ['10.0.0.0-10.0.255.255', '10.1.0.0-10.1.255.255', '10.2.0.0-10.199.255.255', '10.201.0.0-10.255.255.255']);
    t.deepEqual(ns.elements('cwtest', 'banned-v6'), ['2001:db8::7']);
    t.true((ns.expires('cwtest', 'banned-ranges-v4', '10.1.0.0/16') ?? 0) > 3 * 3600 - 60, 'the nested range keeps its own, longer end');
    t.regex(ns.nft('list', 'chain', 'inet', 'cwtest', 'input'), /ip saddr @banned-v4 counter packets \d+ bytes \d+ drop/);

    // Live: an addition, two decisions on one address where the longer is deleted, a deletion.
    await cli(api, 'decisions', 'add', '--ip', '203.0.113.9', '--duration', '1h');
    await eventually('203.0.113.9 in the set', 10_000, async () => (ns.elements('cwtest', 'banned-v4').includes('203.0.113.9') ? true : undefined));
    await cli(api, 'decisions', 'add', '--ip', '203.0.113.10', '--duration', '1h');
    await cli(api, 'decisions', 'add', '--ip', '203.0.113.10', '--duration', '5h');
    await eventually('the 5h end', 10_000, async () => ((ns.expires('cwtest', 'banned-v4', '203.0.113.10') ?? 0) > 4 * 3600 ? true : undefined));
    const listed = JSON.parse(await cli(api, 'decisions', 'list', '--ip', '203.0.113.10', '-o', 'json')) as { decisions: { id: number; duration: string }[] }[];
    const longest = listed.flatMap((a) => a.decisions).find((d) => d.duration.startsWith('4h'));
    t.truthy(longest, 'the 5h decision is listed');
    await cli(api, 'decisions', 'delete', '--id', String(longest?.id));
    await eventually('back to the 1h end', 10_000, async () => {
      const left = ns.expires('cwtest', 'banned-v4', '203.0.113.10');
      return left !== null && left < 3700 ? true : undefined;
    });
    await cli(api, 'decisions', 'delete', '--ip', '192.0.2.1');
    await eventually('192.0.2.1 removed', 10_000, async () => (ns.elements('cwtest', 'banned-v4').includes('192.0.2.1') ? undefined : true));

    // Drift: someone deletes an element by hand; the next resync puts it back.
    ns.nft('delete', 'element', 'inet', 'cwtest', 'banned-v6', '{ 2001:db8::7 }');
    await eventually('2001:db8::7 restored', 15_000, async () => (ns.elements('cwtest', 'banned-v6').includes('2001:db8::7') ? true : undefined));

    // Restart: with `nft monitor` watching, the new bouncer finds everything right and writes nothing.
    await first.stop();
    const before = { v4: ns.elements('cwtest', 'banned-v4'), ranges: ns.elements('cwtest', 'banned-ranges-v4') };
    const monitor = spawn(IP, ['netns', 'exec', ns.name, NFT, 'monitor', 'elements'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let events = '';
    monitor.stdout.on('data', (b: Buffer) => (events += b.toString()));
    await sleep(300);
    const second = bouncer(api.url, key, nft, ['--allow', '198.51.100.0/24', '--allow', '10.200.0.0/16']);
    servers.push(second);
    await waitForOutput(second, /reconciled with the kernel: \+0 -0/);
    await sleep(300);
    monitor.kill();
    t.is(events.trim(), '', 'no element was deleted or added on restart');
    t.deepEqual({ v4: ns.elements('cwtest', 'banned-v4'), ranges: ns.elements('cwtest', 'banned-ranges-v4') }, before);

    // --remove deletes the table.
    await second.stop();
    const removed = await runCli('bouncer', 'nftables', '--remove', '--table', 'cwtest', '--nft', nft);
    t.is(removed.code, 0, removed.stderr);
    t.throws(() => ns.nft('list', 'table', 'inet', 'cwtest'));
  } finally {
    for (const s of servers) await s.stop();
    await api.close();
    ns.remove();
  }
});

kernelTest('nftables bouncer: a full set is reported and the rest is left out, never a failed batch', async (t) => {
  const ns = Netns.create(`cwf-${process.pid}`);
  const api = await startTestApi();
  const dir = tempDir('nft-full');
  let b: Server | undefined;
  try {
    const key = await api.bouncerKey('fw');
    for (let i = 1; i <= 5; i++) await cli(api, 'decisions', 'add', '--ip', `192.0.2.${i}`, '--duration', '1h');
    b = bouncer(api.url, key, ns.nftWrapper(dir), ['--set-size', '3']);
    await waitForOutput(b, /set banned-v4 is full \(size 3\): 2 decisions not enforced/);
    await waitForOutput(b, /reconciled with the kernel: \+3 -0/);
    t.is(ns.elements('cwtest', 'banned-v4').length, 3);
    await cli(api, 'decisions', 'delete', '--ip', '192.0.2.1');
    await cli(api, 'decisions', 'delete', '--ip', '192.0.2.2');
    await cli(api, 'decisions', 'delete', '--ip', '192.0.2.3');
    await eventually('the waiting decisions take the freed room', 15_000, async () => {
      const left = ns.elements('cwtest', 'banned-v4');
      return left.join(',') === '192.0.2.4,192.0.2.5' ? true : undefined;
    });
    t.pass();
  } finally {
    await b?.stop();
    await api.close();
    ns.remove();
  }
});

const reference = findReference();
const crowdsecTest = requires(test.serial, why ?? (isSkip(reference) ? reference.skip : null));

crowdsecTest("nftables bouncer against CrowdSec 1.4.6's own local API: polls, fills, follows deletions", async (t) => {
  const ns = Netns.create(`cwc-${process.pid}`);
  const lapi = await startCrowdsecLapi();
  const dir = tempDir('nft-crowdsec');
  let b: Server | undefined;
  try {
    const key = 'crowdsec-lapi-bouncer-key-01';
    await lapi.addBouncer('crowdwatch-nft', key);
    await lapi.addMachine('cscli-machine', 'cscli-machine-password-0123');
    await lapi.cscli(['decisions', 'add', '--ip', '192.0.2.44', '--duration', '1h']);
    await lapi.cscli(['decisions', 'add', '--range', '198.51.100.0/24', '--duration', '1h']);
    b = bouncer(lapi.url, key, ns.nftWrapper(dir), ['--poll', '1s']);
    await waitForOutput(b, /reconciled with the kernel/);
    t.deepEqual(ns.elements('cwtest', 'banned-v4'), ['192.0.2.44']);
    t.deepEqual(ns.elements('cwtest', 'banned-ranges-v4'), ['198.51.100.0-198.51.100.255']);
    await lapi.cscli(['decisions', 'add', '--ip', '2001:db8::44', '--duration', '1h']);
    await lapi.cscli(['decisions', 'delete', '--ip', '192.0.2.44']);
    await eventually('the poll to bring both changes', 15_000, async () =>
      ns.elements('cwtest', 'banned-v6').includes('2001:db8::44') && ns.elements('cwtest', 'banned-v4').length === 0 ? true : undefined,
    );
    t.notRegex(b.output, /decision stream:/, 'no pull failed');
  } finally {
    await b?.stop();
    await lapi.stop();
    ns.remove();
  }
});

kernelTest("nftables bouncer --set-only: fills an administrator's sets, one interval set taking addresses and ranges", async (t) => {
  const ns = Netns.create(`cwo-${process.pid}`);
  const api = await startTestApi();
  const dir = tempDir('nft-set-only');
  let b: Server | undefined;
  try {
    ns.nft('-f', writeRuleset(dir, [
      'table ip edge {',
      '  set deny4 { type ipv4_addr; flags interval, timeout; }',
      '  chain in { type filter hook input priority 0; policy accept; ip saddr @deny4 drop; }',
      '}',
      'table ip6 edge6 {',
      '  set deny6 { type ipv6_addr; }',
      '}',
    ]));
    const key = await api.bouncerKey('fw');
    await cli(api, 'decisions', 'add', '--ip', '192.0.2.5', '--duration', '1h');
    await cli(api, 'decisions', 'add', '--range', '192.0.2.0/28', '--duration', '2h');
    await cli(api, 'decisions', 'add', '--ip', '192.0.2.100', '--duration', '1h');
    await cli(api, 'decisions', 'add', '--range', '2001:db8::/64', '--duration', '1h');
    b = bouncer(api.url, key, ns.nftWrapper(dir), ['--set-only', '--table-family', 'ip', '--table', 'edge', '--set-v4', 'deny4']);
    await waitForOutput(b, /reconciled with the kernel/);
    t.deepEqual(ns.elements('edge', 'deny4', 'ip'), ['192.0.2.0-192.0.2.15', '192.0.2.100'], 'the address inside the range merges into it');
    t.regex(b.output, /no set takes IPv6 ranges/, 'a decision with nowhere to go is reported, not failed');
    t.is(ns.nft('list', 'chain', 'ip', 'edge', 'in').includes('@deny4 drop'), true, "the administrator's rule is untouched");
    t.throws(() => ns.nft('list', 'table', 'inet', 'crowdwatch'), undefined, 'no table of its own');
    // A set without `flags timeout` is refused with a clear message.
    const bad = await runCli('bouncer', 'nftables', '--api-url', api.url, '--api-key', key, '--nft', ns.nftWrapper(dir), '--set-only', '--table-family', 'ip6', '--table', 'edge6', '--set-v6', 'deny6');
    t.not(bad.code, 0);
    t.regex(bad.stderr, /set ip6 edge6 deny6 needs 'flags timeout'/);
    const missing = await runCli('bouncer', 'nftables', '--api-url', api.url, '--api-key', key, '--nft', ns.nftWrapper(dir), '--set-only', '--table-family', 'ip', '--table', 'edge', '--set-v4', 'nope');
    t.regex(missing.stderr, /set ip edge nope does not exist/);
  } finally {
    await b?.stop();
    await api.close();
    ns.remove();
  }
});

function writeRuleset(dir: string, lines: string[]): string {
  const file = path.join(dir, 'admin.nft');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
