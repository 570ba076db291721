// Local API figures in one run: live `GET /v1/decisions?ip=` requests per second and latency
// with N active decisions, stream startup time with N decisions, and alert ingestion per second.
// The API runs as its own process (`crowdwatch api`, SQLite in a temp data dir); the load comes
// from this process over keep-alive connections on loopback.
//
//   node dist/benches/api-throughput.js [--decisions 100000] [--requests 20000] [--concurrency 32] [--json]
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashApiKey } from '../src/api/credentials';
import { loadApiConfig } from '../src/config/api-config';
import { packageRoot } from '../src/engine/package-root';
import { Store } from '../src/store/store';
import type { NewAlert } from '../src/store/types';
import { freeLoopbackPort, Server, sleep } from '../src/reference/processes';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const DECISIONS = arg('--decisions', 100_000);
const REQUESTS = arg('--requests', 20_000);
const CONCURRENCY = arg('--concurrency', 32);
const KEY = 'bench-bouncer-key-0123456789abcdef';

function ipOf(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

function alertFor(ip: string, now: number): NewAlert {
  const t = new Date(now).toISOString();
  return {
    machineId: 'bench', scenario: 'bench/ssh-bf', scenarioHash: '', scenarioVersion: '', message: 'bench', eventsCount: 6,
    startAt: t, stopAt: t, stopAtMs: now, capacity: 5, leakspeed: '10s', simulated: false, remediation: true,
    source: { scope: 'Ip', value: ip, ip }, events: [], meta: [], labels: [],
    decisions: [{ type: 'ban', scope: 'Ip', value: ip, origin: 'crowdsec', scenario: 'bench/ssh-bf', simulated: false, until: now + 4 * 3600_000 }],
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function get(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', reject);
  });
}

function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crowdwatch-apibench-'));
  const json = process.argv.includes('--json');
  const say = (s: string) => { if (!json) process.stderr.write(`${s}\n`); };
  try {
    const config = loadApiConfig({ dataDir: dir });
    const store = await Store.open(config.store);
    await store.bouncers.add('bench', hashApiKey(KEY));
    const now = Date.now();
    const t0 = Date.now();
    for (let i = 0; i < DECISIONS; i += 1000) {
      await store.alerts.insert(Array.from({ length: Math.min(1000, DECISIONS - i) }, (_, j) => alertFor(ipOf(i + j), now)), now);
      if (process.stderr.isTTY && !json) process.stderr.write(`\rloading decisions ${i + 1000}/${DECISIONS}`);
    }
    say(`\rloaded ${DECISIONS} decisions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await store.close();

    const port = await freeLoopbackPort();
    const url = `http://127.0.0.1:${port}`;
    const api = new Server(process.execPath, [path.join(packageRoot, 'bin/crowdwatch.js'), 'api', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], { cwd: dir, env: process.env });
    try {
      for (let i = 0; !/listening/.test(api.output); i++) {
        if (i > 400 || !api.alive) throw new Error(api.output);
        await sleep(50);
      }
      const headers = { 'x-api-key': KEY, 'user-agent': 'bench/1.0' };
      // Stream startup: every active decision in one answer.
      const startups: number[] = [];
      let startupBytes = 0;
      for (let i = 0; i < 3; i++) {
        const s = process.hrtime.bigint();
        const r = await get(`${url}/v1/decisions/stream?startup=true`, headers);
        startups.push(Number(process.hrtime.bigint() - s) / 1e6);
        startupBytes = r.bytes;
      }
      startups.sort((a, b) => a - b);
      say(`stream startup with ${DECISIONS} decisions: ${startups[1].toFixed(0)} ms (median of 3), ${(startupBytes / 1048576).toFixed(1)} MiB`);
      // Live queries: half hits, half misses.
      const latencies: number[] = [];
      let next = 0;
      const l0 = process.hrtime.bigint();
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) {
          const i = next++;
          const ip = i % 2 === 0 ? ipOf((i * 7919) % DECISIONS) : `192.0.2.${i % 250}`;
          const s = process.hrtime.bigint();
          const r = await get(`${url}/v1/decisions?ip=${ip}`, headers);
          if (r.status !== 200) throw new Error(`status ${r.status}`);
          latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
        }
      }));
      const liveSeconds = Number(process.hrtime.bigint() - l0) / 1e9;
      latencies.sort((a, b) => a - b);
      const live = { requestsPerSec: REQUESTS / liveSeconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
      say(`GET /v1/decisions?ip= : ${live.requestsPerSec.toFixed(0)} req/s, p50 ${live.p50Ms.toFixed(2)} ms, p99 ${live.p99Ms.toFixed(2)} ms (${CONCURRENCY} connections)`);
      // Alert ingestion through the API as an agent, in batches of 50.
      const runCliStore = await Store.open(config.store);
      const { hashPassword } = await import('../src/api/credentials');
      await runCliStore.machines.add('bench-agent', await hashPassword('bench-password'), true);
      await runCliStore.close();
      const login = await fetch(`${url}/v1/watchers/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'bench/1.0' }, body: JSON.stringify({ machine_id: 'bench-agent', password: 'bench-password' }) });
      const token = ((await login.json()) as { token: string }).token;
      const total = 5000;
      const batch = 50;
      const i0 = process.hrtime.bigint();
      let sent = 0;
      await Promise.all(Array.from({ length: 4 }, async () => {
        while (sent < total) {
          const start = sent;
          sent += batch;
          const stamp = new Date().toISOString();
          const body = JSON.stringify(Array.from({ length: batch }, (_, j) => {
            const ip = `172.16.${((start + j) >> 8) & 255}.${(start + j) & 255}`;
            return { capacity: 5, events: [{ meta: [{ key: 'source_ip', value: ip }], timestamp: stamp }], events_count: 6, labels: null, leakspeed: '10s', message: 'bench', remediation: true, scenario: 'bench/ssh-bf', scenario_hash: '', scenario_version: '', simulated: false, source: { scope: 'Ip', value: ip, ip }, start_at: stamp, stop_at: stamp };
          }));
          const status = await post(`${url}/v1/alerts`, { authorization: `Bearer ${token}`, 'user-agent': 'bench/1.0' }, body);
          if (status !== 201) throw new Error(`alert POST status ${status}`);
        }
      }));
      const ingest = { alertsPerSec: total / (Number(process.hrtime.bigint() - i0) / 1e9) };
      say(`POST /v1/alerts: ${ingest.alertsPerSec.toFixed(0)} alerts/s (batches of ${batch}, each through the profiles, 4 agents)`);
      if (json) process.stdout.write(`${JSON.stringify({ decisions: DECISIONS, streamStartupMs: startups[1], streamStartupBytes: startupBytes, live, ingest }, null, 2)}\n`);
    } finally {
      await api.stop();
    }
  } finally {
    agent.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
