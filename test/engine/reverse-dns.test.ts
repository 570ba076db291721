// CrowdSec's `reverse_dns` enricher: the first PTR name of an address, asked of the configured name
// servers over UDP, with a timeout, and cached. A DNS server of our own on loopback answers
// (in a worker thread, as the engine's sync calls block this one); the tests never ask the
// machine's resolver.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import test from 'ava';
import { bindings } from '../../src/engine/native';
import { basePatternsFile, packageRoot } from '../../src/engine/package-root';
import type { CaseConfig } from '../../src/hubtest/case-config';
import { locateHub } from '../../src/hubtest/hub';
import { installCase } from '../../src/hubtest/install';
import { requires } from '../helpers/requirement';
import { tempDir } from '../helpers/run-cli';

/** PTR names the loopback server knows; any other address is NXDOMAIN. */
const NAMES: Record<string, string> = {
  '1.66.249.66.in-addr.arpa': 'crawl-66-249-66-1.googlebot.com',
  '7.2.0.192.in-addr.arpa': 'host-7.example.net',
};

// The server: answers PTR questions from NAMES on one socket, and never answers on another;
// counts the questions it gets (both sockets) in shared memory the test reads synchronously.
const SERVER = `
const dgram = require('node:dgram');
const { parentPort, workerData } = require('node:worker_threads');
const counts = new Int32Array(workerData.counts);
function questionEnd(msg) {
  let pos = 12;
  while (msg[pos] !== 0) pos += msg[pos] + 1;
  return pos + 5;
}
function qname(msg) {
  const labels = [];
  for (let pos = 12; msg[pos] !== 0; pos += msg[pos] + 1) labels.push(msg.subarray(pos + 1, pos + 1 + msg[pos]).toString());
  return labels.join('.');
}
function encode(name) {
  return Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
}
const answering = dgram.createSocket('udp4');
answering.on('message', (msg, rinfo) => {
  Atomics.add(counts, 0, 1);
  const name = workerData.names[qname(msg)];
  const end = questionEnd(msg);
  const header = Buffer.from([msg[0], msg[1], 0x81, name ? 0x80 : 0x83, 0, 1, 0, name ? 1 : 0, 0, 0, 0, 0]);
  const parts = [header, msg.subarray(12, end)];
  if (name) {
    const rdata = encode(name);
    parts.push(Buffer.from([0xc0, 0x0c, 0, 12, 0, 1, 0, 0, 0x0e, 0x10, rdata.length >> 8, rdata.length & 0xff]), rdata);
  }
  answering.send(Buffer.concat(parts), rinfo.port, rinfo.address);
});
const silent = dgram.createSocket('udp4');
silent.on('message', () => Atomics.add(counts, 1, 1));
answering.bind(0, '127.0.0.1', () => silent.bind(0, '127.0.0.1', () =>
  parentPort.postMessage({ answering: answering.address().port, silent: silent.address().port })));
`;

interface DnsServer {
  answering: string;
  silent: string;
  /** Questions received so far: [answering, silent]. */
  asked(): [number, number];
  stop(): Promise<number>;
}

async function startDnsServer(): Promise<DnsServer> {
  const shared = new SharedArrayBuffer(8);
  const counts = new Int32Array(shared);
  const worker = new Worker(SERVER, { eval: true, workerData: { counts: shared, names: NAMES } });
  const ports = await new Promise<{ answering: number; silent: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    answering: `127.0.0.1:${ports.answering}`,
    silent: `127.0.0.1:${ports.silent}`,
    asked: () => [Atomics.load(counts, 0), Atomics.load(counts, 1)],
    stop: () => worker.terminate(),
  };
}

const SSH = `name: test/ssh
description: failed passwords
filter: "evt.Line.Labels.type == 'syslog'"
onsuccess: next_stage
grok:
  pattern: 'Failed password for %{WORD:user} from %{IP:ip}'
  apply_on: Line.Raw
statics:
  - meta: source_ip
    expression: evt.Parsed.ip
  - meta: log_type
    value: ssh_failed-auth
`;

const RDNS = `name: test/rdns
description: the name of every source
filter: "'source_ip' in evt.Meta"
statics:
  - method: reverse_dns
    expression: evt.Meta.source_ip
  - meta: reverse_dns
    expression: evt.Enriched.reverse_dns
`;

function parserEngine(servers: string[], timeoutMs?: number) {
  const dir = tempDir('rdns');
  for (const [rel, text] of [
    ['parsers/s01-parse/ssh.yaml', SSH],
    ['parsers/s02-enrich/rdns.yaml', RDNS],
  ] as const) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const engine = bindings().Engine.load({
    configDirs: [dir],
    basePatterns: basePatternsFile,
    mode: 'live',
    reverseDns: { servers, ...(timeoutMs === undefined ? {} : { timeoutMs }) },
  });
  return { engine, source: engine.source({ type: 'syslog' }) };
}

const failed = (ip: string) => `Nov 24 10:00:00 h sshd[1]: Failed password for root from ${ip} port 22 ssh2`;

test.serial("a source's PTR name reaches Enriched and Meta; an address is asked once, then read from the cache", async (t) => {
  const dns = await startDnsServer();
  try {
    const { engine, source } = parserEngine([dns.answering]);
    const first = engine.explain(source, failed('66.249.66.1')).event;
    t.is(first.enriched.reverse_dns, 'crawl-66-249-66-1.googlebot.com.', 'with the trailing dot, as Go gives it');
    t.is(first.meta.reverse_dns, 'crawl-66-249-66-1.googlebot.com.');
    t.deepEqual(dns.asked(), [1, 0]);
    const again = engine.explain(source, failed('66.249.66.1')).event;
    t.is(again.enriched.reverse_dns, 'crawl-66-249-66-1.googlebot.com.');
    t.deepEqual(dns.asked(), [1, 0], 'the second event is answered from the cache');
    // No name (NXDOMAIN): no field, and the failure is cached too.
    const unknown = engine.explain(source, failed('198.51.100.9')).event;
    t.false('reverse_dns' in unknown.enriched);
    t.false('reverse_dns' in unknown.meta);
    engine.explain(source, failed('198.51.100.9'));
    t.deepEqual(dns.asked(), [2, 0]);
  } finally {
    await dns.stop();
  }
});

test.serial('a server that never answers costs the timeout given, and sets nothing', async (t) => {
  const dns = await startDnsServer();
  try {
    const { engine, source } = parserEngine([dns.silent], 300);
    const started = performance.now();
    const event = engine.explain(source, failed('192.0.2.7')).event;
    const elapsed = performance.now() - started;
    t.false('reverse_dns' in event.enriched);
    t.deepEqual(dns.asked(), [0, 1]);
    // CrowdSec's default is 3 s; the configured 300 ms is what was waited (with a wide margin).
    t.true(elapsed >= 250 && elapsed < 2500, `${elapsed} ms`);
  } finally {
    await dns.stop();
  }
});

const hubDir = path.resolve(packageRoot, '..', 'shared', 'crowdsec-hub', 'hub');
const missingHub = fs.existsSync(path.join(hubDir, '.tests')) ? null : `today's hub snapshot at ${hubDir}`;

requires(test.serial, missingHub)("the hub's rdns postoverflow and SEO bots whitelist, unmodified: a crawler's ban is dropped, another's kept", async (t) => {
  const dns = await startDnsServer();
  try {
    const hub = locateHub(hubDir, path.join(hubDir, '..', 'patterns'), [path.join(hubDir, '..', 'data')]);
    const config: CaseConfig = {
      parsers: ['crowdsecurity/syslog-logs', 'crowdsecurity/dateparse-enrich', 'crowdsecurity/sshd-logs'],
      scenarios: ['crowdsecurity/ssh-bf'],
      postoverflows: ['crowdsecurity/rdns', 'crowdsecurity/seo-bots-whitelist'],
      logFile: '',
      logType: 'syslog',
      labels: {},
      ignoreParsers: false,
      overrideStatics: [],
    };
    const runtime = tempDir('rdns-hub');
    t.deepEqual(installCase(hub, runtime, config, runtime), []);
    const engine = bindings().Engine.load({ configDirs: [runtime], basePatterns: basePatternsFile, mode: 'replay', reverseDns: { servers: [dns.answering] } });
    const source = engine.source({ type: 'syslog' });
    const lines = ['66.249.66.1', '192.0.2.7'].flatMap((ip) =>
      Array.from({ length: 8 }, (_, i) => `Nov 24 10:00:0${i} h sshd[1]: Failed password for root from ${ip} port 22 ssh2`),
    );
    const { alerts } = engine.processBatch(source, Buffer.from(`${lines.join('\n')}\n`));
    t.deepEqual(
      alerts.map((a) => a.source?.ip),
      ['192.0.2.7'],
      'the googlebot address is whitelisted by its PTR name',
    );
    t.true(dns.asked()[0] >= 2, 'both attackers were looked up');
  } finally {
    await dns.stop();
  }
});
