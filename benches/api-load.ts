// The load the API benchmark puts on a Local API, the same for crowdwatch's and CrowdSec's: stream
// startup, live `GET /v1/decisions?ip=` over keep-alive connections, alert ingestion as a logged-in
// watcher. Each phase stops starting requests once its time budget is spent, and reports how many
// it completed, so a slow target bounds the run instead of stretching it.
import * as http from 'node:http';
import { sleep } from '../src/reference/processes';

/** A Local API to measure: where it answers and who may call it. */
export interface ApiTarget {
  url: string;
  bouncerKey: string;
  machine: { login: string; password: string };
}

export interface LoadPlan {
  /** Active decisions the target holds: ipOf(0) … ipOf(decisions - 1). */
  decisions: number;
  requests: number;
  concurrency: number;
  alerts: number;
  alertBatch: number;
  agents: number;
  startups: number;
  /** Per phase: no request starts after it (one startup always runs). */
  budgetMs: number;
}

export interface ApiFigures {
  stream: { runs: number; medianMs: number; bytes: number };
  live: { requests: number; requestsPerSec: number; p50Ms: number; p99Ms: number; hits: number; hitsAnswered: number };
  /**
   * Alerts stored per second. A batch refused with a 5xx is counted and sent again after a short
   * pause, as an agent keeps its alerts until they are stored: CrowdSec's SQLite answers 500
   * "database is locked" to concurrent writers (resending at once doubles its refusals).
   */
  ingest: { alerts: number; alertsPerSec: number; refusedBatches: number; firstRefusal?: string };
}

const USER_AGENT = 'crowdwatch-bench/1.0';
const RESEND_PAUSE_MS = 20;

/** The address of the i-th loaded decision (10.0.0.0 upward). */
export function ipOf(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

export async function measureApi(target: ApiTarget, plan: LoadPlan, say: (line: string) => void): Promise<ApiFigures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const client = new Client(agent, target.url);
  try {
    const stream = await streamStartup(client, target, plan);
    say(`  stream startup: ${stream.medianMs.toFixed(0)} ms (median of ${stream.runs}), ${(stream.bytes / 1048576).toFixed(1)} MiB`);
    const live = await liveQueries(client, target, plan);
    say(`  GET /v1/decisions?ip= : ${live.requestsPerSec.toFixed(0)} req/s, p50 ${live.p50Ms.toFixed(2)} ms, p99 ${live.p99Ms.toFixed(2)} ms (${live.requests} requests)`);
    const ingest = await ingestAlerts(client, target, plan);
    const refused = ingest.refusedBatches ? `; ${ingest.refusedBatches} refusals sent again, first: ${ingest.firstRefusal}` : '';
    say(`  POST /v1/alerts: ${ingest.alertsPerSec.toFixed(0)} alerts/s (${ingest.alerts} alerts stored${refused})`);
    return { stream, live, ingest };
  } finally {
    agent.destroy();
  }
}

async function streamStartup(client: Client, target: ApiTarget, plan: LoadPlan): Promise<ApiFigures['stream']> {
  const times: number[] = [];
  let bytes = 0;
  const deadline = Date.now() + plan.budgetMs;
  while (times.length < plan.startups && (times.length === 0 || Date.now() < deadline)) {
    const s = process.hrtime.bigint();
    const r = await client.get('/v1/decisions/stream?startup=true', { 'x-api-key': target.bouncerKey });
    if (r.status !== 200) throw new Error(`stream startup: status ${r.status}`);
    times.push(Number(process.hrtime.bigint() - s) / 1e6);
    bytes = r.bytes;
  }
  times.sort((a, b) => a - b);
  return { runs: times.length, medianMs: times[Math.floor(times.length / 2)], bytes };
}

/** Half the queries ask for a loaded address (must answer with its decision), half for 192.0.2.x. */
async function liveQueries(client: Client, target: ApiTarget, plan: LoadPlan): Promise<ApiFigures['live']> {
  const latencies: number[] = [];
  let next = 0;
  let hits = 0;
  let hitsAnswered = 0;
  const deadline = Date.now() + plan.budgetMs;
  const l0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (next < plan.requests && Date.now() < deadline) {
        const i = next++;
        const hit = i % 2 === 0;
        const ip = hit ? ipOf((i * 7919) % plan.decisions) : `192.0.2.${i % 250}`;
        const s = process.hrtime.bigint();
        const r = await client.get(`/v1/decisions?ip=${ip}`, { 'x-api-key': target.bouncerKey });
        latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
        if (r.status !== 200) throw new Error(`GET /v1/decisions?ip=${ip}: status ${r.status}`);
        if (hit) {
          hits++;
          if (r.body.includes(`"${ip}"`)) hitsAnswered++;
        }
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - l0) / 1e9;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, requestsPerSec: latencies.length / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), hits, hitsAnswered };
}

/** `agents` watchers at once, each posting batches of `alertBatch` alerts with one event each. */
async function ingestAlerts(client: Client, target: ApiTarget, plan: LoadPlan): Promise<ApiFigures['ingest']> {
  const login = await client.post('/v1/watchers/login', {}, JSON.stringify({ machine_id: target.machine.login, password: target.machine.password, scenarios: ['bench/ssh-bf'] }));
  if (login.status !== 200) throw new Error(`watcher login: status ${login.status}: ${login.body}`);
  const auth = { authorization: `Bearer ${(JSON.parse(login.body) as { token: string }).token}` };
  let sent = 0;
  let done = 0;
  let refusedBatches = 0;
  let firstRefusal: string | undefined;
  const deadline = Date.now() + plan.budgetMs;
  const i0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: plan.agents }, async () => {
      while (sent < plan.alerts && Date.now() < deadline) {
        const first = sent;
        const count = Math.min(plan.alertBatch, plan.alerts - first);
        sent += count;
        for (;;) {
          const r = await client.post('/v1/alerts', auth, JSON.stringify(Array.from({ length: count }, (_, j) => alertBody(ingestIp(first + j)))));
          if (r.status === 201) {
            done += count;
            break;
          }
          if (r.status < 500) throw new Error(`POST /v1/alerts: status ${r.status}: ${r.body.slice(0, 500)}`);
          refusedBatches++;
          firstRefusal ??= `${r.status} ${r.body.slice(0, 200)}`;
          if (Date.now() >= deadline) break;
          await sleep(RESEND_PAUSE_MS);
        }
      }
    }),
  );
  return { alerts: done, alertsPerSec: done / (Number(process.hrtime.bigint() - i0) / 1e9), refusedBatches, firstRefusal };
}

/** An ssh brute-force alert as an agent posts it (the default profile bans its source). */
/** The source of the n-th ingested alert (outside the loaded decisions' 10.0.0.0/8). */
function ingestIp(n: number): string {
  return `172.16.${(n >> 8) & 255}.${n & 255}`;
}

/** An alert as an agent posts it, with no decision: the API's profile turns it into a 4 h ban on `ip`. */
export function alertBody(ip: string): object {
  const stamp = new Date().toISOString();
  return {
    capacity: 5, events: [{ meta: [{ key: 'source_ip', value: ip }], timestamp: stamp }], events_count: 6, labels: null, leakspeed: '10s',
    message: 'bench', remediation: true, scenario: 'bench/ssh-bf', scenario_hash: '', scenario_version: '', simulated: false,
    source: { scope: 'Ip', value: ip, ip }, start_at: stamp, stop_at: stamp,
  };
}

/** The p-th percentile of ascending `sorted` (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

interface Reply {
  status: number;
  bytes: number;
  /** The body as text; empty when it is larger than 64 KiB (the stream is only counted). */
  body: string;
}

/** Requests over one keep-alive agent. */
class Client {
  constructor(private readonly agent: http.Agent, private readonly base: string) {}

  get(path: string, headers: Record<string, string>): Promise<Reply> {
    return this.request('GET', path, headers);
  }

  post(path: string, headers: Record<string, string>, body: string): Promise<Reply> {
    return this.request('POST', path, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, body);
  }

  private request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${this.base}${path}`, { method, agent: this.agent, headers: { ...headers, 'user-agent': USER_AGENT } }, (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (bytes <= 65536) chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, body: bytes <= 65536 ? Buffer.concat(chunks).toString() : '' }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}
