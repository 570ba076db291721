// The central server's figures: signal ingestion (signals/s, batches of 50 as CrowdSec's local
// API sends them, from several members at once) and the blocklist pull with a million entries
// (startup pull time, a quiet delta pull, and the server's start, which rebuilds the consensus).
// The central runs as its own process (`crowdwatch central`) on loopback; this process is the load.
//
//   node dist/benches/central-throughput.js [--signals 100000] [--members 8] [--addresses 20000]
//     [--entries 1000000] [--pulls 3] [--json]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CentralStore } from '../src/central/store';
import { formatTable } from '../src/cli/output/table';
import { packageRoot } from '../src/engine/package-root';
import { freeLoopbackPort, httpStatus, Server, sleep } from '../src/reference/processes';
import { numberArg } from './args';

const BATCH = 50;
const DAY = 86400e3;


interface Central {
  url: string;
  startMs: number;
  stop(): Promise<void>;
}

async function startCentral(dataDir: string): Promise<Central> {
  fs.writeFileSync(path.join(dataDir, 'central.yaml'), 'prometheus:\n  enabled: false\nmax_body_bytes: 4194304\nregistration: open\nlimits:\n  pushes_per_minute: 1000000\n  pulls_per_minute: 1000000\n');
  const port = await freeLoopbackPort();
  const started = performance.now();
  const server = new Server(process.execPath, [path.join(packageRoot, 'bin', 'crowdwatch.js'), 'central', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], { cwd: dataDir, env: process.env });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (!server.alive) throw new Error(`central exited:\n${server.output}`);
    if ((await httpStatus(`${url}/health`).catch(() => 0)) === 200) break;
    await sleep(50);
  }
  return { url, startMs: performance.now() - started, stop: () => server.stop() };
}

async function post(url: string, body: unknown, token?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'crowdsec/v1.4.6', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function member(url: string, name: string): Promise<string> {
  await post(`${url}/v2/watchers`, { machine_id: name, password: `${name}-pw` });
  const login = await post(`${url}/v2/watchers/login`, { machine_id: name, password: `${name}-pw`, scenarios: [] });
  if (login.status !== 200) throw new Error(`login ${name}: ${login.status}`);
  return login.json.token;
}

function signal(ip: string, at: string): Record<string, unknown> {
  return {
    message: `Ip ${ip} performed 'crowdsecurity/ssh-bf' (6 events over 1s) at ${at}`,
    scenario: 'crowdsecurity/ssh-bf', scenario_hash: 'abc123', scenario_version: '0.1', scenario_trust: 'certified',
    source: { as_name: 'EXAMPLE', as_number: '64496', cn: 'FR', ip, latitude: 0, longitude: 0, range: '', scope: 'Ip', value: ip },
    start_at: at, stop_at: at, created_at: at, machine_id: 'x',
  };
}

const ipOf = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

async function ingestion(signals: number, members: number, addresses: number): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crowdwatch-central-bench-'));
  const central = await startCentral(dir);
  try {
    const tokens = await Promise.all(Array.from({ length: members }, (_, i) => member(central.url, `member-${i}`)));
    const perMember = Math.ceil(signals / members / BATCH);
    // Deterministic addresses: each member draws from the same pool, so many are corroborated and listed.
    let seed = 42;
    const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const at = new Date().toISOString();
    const batches = tokens.map(() => Array.from({ length: perMember }, () => Array.from({ length: BATCH }, () => signal(ipOf(next() % addresses), at))));
    const started = performance.now();
    let sent = 0;
    await Promise.all(tokens.map(async (token, m) => {
      for (const batch of batches[m]) {
        const r = await post(`${central.url}/v2/signals`, batch, token);
        if (r.status !== 200) throw new Error(`push: ${r.status} ${JSON.stringify(r.json)}`);
        sent += batch.length;
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    const pull = await fetch(`${central.url}/v2/decisions/stream?startup=true`, { headers: { authorization: `Bearer ${tokens[0]}` } });
    const listed = ((await pull.json()) as { new: unknown[] | null }).new?.length ?? 0;
    return { signals: sent, seconds, signalsPerSec: sent / seconds, listed };
  } finally {
    await central.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function blocklistPull(entries: number, pulls: number): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crowdwatch-central-bench-'));
  try {
    const seedStarted = performance.now();
    const store = await CentralStore.open({ type: 'sqlite', path: path.join(dir, 'central.db') });
    const now = Date.now();
    const chunk = 100_000;
    for (let i = 0; i < entries; i += chunk) {
      const list = Array.from({ length: Math.min(chunk, entries - i) }, (_, j) => ({ value: ipOf(i + j + 1), scenario: 'crowdsecurity/ssh-bf', until: now + DAY }));
      await store.seedBlocklist(list, 1, now);
    }
    await store.close();
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const central = await startCentral(dir);
    try {
      const token = await member(central.url, 'reader');
      const times: number[] = [];
      let bytes = 0;
      let count = 0;
      for (let i = 0; i < pulls; i++) {
        const started = performance.now();
        const res = await fetch(`${central.url}/v2/decisions/stream?startup=true`, { headers: { authorization: `Bearer ${token}` } });
        const text = await res.text();
        times.push(performance.now() - started);
        bytes = text.length;
        count = (JSON.parse(text) as { new: unknown[] }).new.length;
      }
      const deltaStarted = performance.now();
      await (await fetch(`${central.url}/v2/decisions/stream`, { headers: { authorization: `Bearer ${token}` } })).text();
      const deltaMs = performance.now() - deltaStarted;
      times.sort((a, b) => a - b);
      return { entries: count, seedSeconds, startMs: central.startMs, startupPullMs: times[Math.floor(times.length / 2)], startupPullMiB: bytes / 1048576, deltaPullMs: deltaMs };
    } finally {
      await central.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json') || process.argv.includes('-o');
  const say = (s: string): void => {
    if (!json) process.stderr.write(`${s}\n`);
  };
  say('ingestion…');
  const ingest = await ingestion(numberArg('--signals', 100_000), numberArg('--members', 8), numberArg('--addresses', 20_000));
  say(`blocklist pull with ${numberArg('--entries', 1_000_000)} entries…`);
  const pull = await blocklistPull(numberArg('--entries', 1_000_000), numberArg('--pulls', 3));
  if (json) {
    process.stdout.write(`${JSON.stringify({ ingest, pull }, null, 2)}\n`);
    return;
  }
  const rows: string[][] = [
    ['POST /v2/signals  signals/s', ingest.signalsPerSec.toFixed(0)],
    ['  signals sent (batches of 50)', String(ingest.signals)],
    ['  addresses listed by consensus', String(ingest.listed)],
    ['blocklist entries', String(pull.entries)],
    ['  seeded through the store in s', pull.seedSeconds.toFixed(1)],
    ['  central start (consensus rebuilt) ms', pull.startMs.toFixed(0)],
    ['  startup pull ms (median)', pull.startupPullMs.toFixed(0)],
    ['  startup pull size MiB', pull.startupPullMiB.toFixed(1)],
    ['  quiet delta pull ms', pull.deltaPullMs.toFixed(1)],
  ];
  process.stdout.write(formatTable([{ header: 'central' }, { header: 'value', align: 'right' }], rows));
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
