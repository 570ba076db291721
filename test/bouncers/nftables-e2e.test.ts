// The whole chain between network namespaces this test creates: an attacker, a bystander and a
// server joined by veth pairs. The server runs a web server writing an nginx access log and
// `crowdwatch run` following it, with the nftables bouncer enabled in its config.yaml. The attacker probes for
// missing pages; the probe is detected, banned, and its next connection is dropped while the
// bystander still connects. Then the same over IPv6, and a Range decision added with the CLI.
// The time from the overflowing request to the first dropped connection is measured and logged.
// Addresses are documentation ranges: the bundled whitelist ignores private ones.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { packageRoot } from '../../src/engine/package-root';
import { runToCompletion, Server } from '../../src/reference/processes';
import { IP, Netns, netnsUnavailable } from '../helpers/netns';
import { runCli, tempDir } from '../helpers/run-cli';
import { waitForOutput } from '../helpers/wait';
import { requires } from '../helpers/requirement';

const why = netnsUnavailable();
const e2e = requires(test.serial, why);

const CLI = path.join(packageRoot, 'bin/crowdwatch.js');
const FIXTURES = path.join(packageRoot, 'test/fixtures/netns');
const CAPACITY = 10; // http-probing: the 11th distinct missing page overflows

interface ProbeResult {
  answered: number[];
  droppedAt: number | null;
  status?: number | string;
  error?: string;
}

async function probe(ns: Netns, mode: 'attack' | 'watch' | 'get', url: string): Promise<ProbeResult> {
  const run = await runToCompletion(IP, ['netns', 'exec', ns.name, process.execPath, path.join(FIXTURES, 'probe.js'), mode, url], {
    cwd: FIXTURES,
    env: process.env,
    timeoutMs: 60_000,
  });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as ProbeResult;
  } catch {
    throw new Error(`probe ${mode} ${url} printed no result:\n${run.output}`);
  }
}

/** Joins `a` and `b` with a veth pair and gives each side its addresses. */
function link(a: Netns, aName: string, aAddrs: string[], b: Netns, bName: string, bAddrs: string[]): void {
  a.ip('link', 'add', aName, 'type', 'veth', 'peer', 'name', bName, 'netns', b.name);
  for (const [ns, name, addrs] of [[a, aName, aAddrs], [b, bName, bAddrs]] as const) {
    for (const addr of addrs) ns.ip('addr', 'add', addr, 'dev', name, ...(addr.includes(':') ? ['nodad'] : []));
    ns.ip('link', 'set', name, 'up');
  }
}

e2e('attack to dropped packets: IPv4 and IPv6 probes banned, a CLI range dropped, a bystander let through', async (t) => {
  const tag = String(process.pid % 100000);
  const srv = Netns.create(`cws-${tag}`);
  const atk = Netns.create(`cwa-${tag}`);
  const by = Netns.create(`cwb-${tag}`);
  const servers: Server[] = [];
  const dir = tempDir('nft-e2e');
  try {
    link(srv, `s-a${tag}`, ['198.51.100.1/24', '2001:db8:1::1/64'], atk, `a-s${tag}`, ['198.51.100.2/24', '2001:db8:1::2/64']);
    link(srv, `s-b${tag}`, ['203.0.113.1/24'], by, `b-s${tag}`, ['203.0.113.2/24']);
    const access = path.join(dir, 'access.log');
    fs.writeFileSync(access, '');
    const acquis = path.join(dir, 'acquis.yaml');
    fs.writeFileSync(acquis, `filenames:\n  - ${access}\nlabels:\n  type: nginx\n`);
    // The bouncer runs inside `crowdwatch run`, from its config (`crowdwatch bouncer nftables` alone
    // is covered by nftables-kernel.test.ts).
    fs.writeFileSync(path.join(dir, 'config.yaml'), 'bouncers:\n  nftables:\n    table: cwe2e\n    hooks: [input]\n');

    const inSrv = (args: string[]): Server => {
      const s = new Server(IP, ['netns', 'exec', srv.name, process.execPath, ...args], { cwd: dir, env: process.env });
      servers.push(s);
      return s;
    };
    const web = inSrv([path.join(FIXTURES, 'web-server.js'), '8080', access]);
    const daemon = inSrv([CLI, 'run', '--data-dir', dir, '--listen', '127.0.0.1:8081', '--acquis', acquis, '--tick-ms', '100']);
    await waitForOutput(web, /listening/, 30_000);
    await waitForOutput(daemon, /reading /, 30_000);
    await waitForOutput(daemon, /reconciled with the kernel/, 30_000);
    const bouncer = daemon;
    t.is((await probe(by, 'get', 'http://203.0.113.1:8080/')).status, 200, 'the bystander reaches the server before');

    const latencies: Record<string, number> = {};
    for (const [family, url] of [['IPv4', 'http://198.51.100.1:8080'], ['IPv6', 'http://[2001:db8:1::1]:8080']] as const) {
      const r = await probe(atk, 'attack', url);
      t.is(r.error, undefined, `${family} attack: ${r.error}\n${daemon.output}\n${bouncer.output}`);
      t.not(r.droppedAt, null, `${family}: the attacker was never dropped\n${bouncer.output}\n${daemon.output}\n${fs.readFileSync(access, "utf8").slice(0, 400)}`);
      t.true(r.answered.length > CAPACITY, `${family}: dropped after ${r.answered.length} requests, before the bucket could overflow`);
      latencies[`${family} overflow -> drop`] = (r.droppedAt as number) - r.answered[CAPACITY];
      t.is((await probe(atk, 'get', `${url}/`)).status, 'timeout', `${family}: the banned attacker stays dropped`);
    }
    t.deepEqual(srv.elements('cwe2e', 'banned-v4'), ['198.51.100.2']);
    t.deepEqual(srv.elements('cwe2e', 'banned-v6'), ['2001:db8:1::2']);
    t.is((await probe(by, 'get', 'http://203.0.113.1:8080/')).status, 200, 'the bystander still connects');

    // A Range decision from the CLI drops the bystander's whole network.
    const added = Date.now();
    t.is((await runCli('decisions', 'add', '--range', '203.0.113.0/24', '--duration', '1h', '--data-dir', dir)).code, 0);
    const watched = await probe(by, 'watch', 'http://203.0.113.1:8080');
    t.not(watched.droppedAt, null, 'the range decision drops the bystander');
    latencies['CLI range -> drop'] = (watched.droppedAt as number) - added;
    t.deepEqual(srv.elements('cwe2e', 'banned-ranges-v4'), ['203.0.113.0-203.0.113.255']);
    t.log(Object.entries(latencies).map(([k, v]) => `${k}: ${v} ms`).join('; '));
  } finally {
    for (const s of servers.reverse()) await s.stop();
    for (const ns of [srv, atk, by]) ns.remove();
  }
});
