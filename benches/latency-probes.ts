// The measuring side of benches/detection-latency.ts, in a worker thread of its own: the bench's
// main thread spends milliseconds at a time building and appending log lines, and a probe on that
// thread would add those to what it measures. Here, with an event loop of its own, it runs:
//  - a bouncer long-polling the decision stream, reporting when each new ban arrived;
//  - a /health poll every --health-every ms, fired on schedule whether or not the previous one
//    has answered, so a stalled daemon is measured by every poll that waits on it (a poll that
//    waits for the last one to answer would measure a stall once).
// Times are epoch milliseconds with sub-millisecond precision (timeOrigin + now), comparable with
// the main thread's.
import * as http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface ProbeOptions {
  url: string;
  apiKey: string;
  healthEveryMs: number;
}

export type ProbeMessage =
  | { kind: 'ban'; value: string; at: number }
  | { kind: 'health'; sentAt: number; ms: number; ok: boolean }
  | { kind: 'stopped' };

const now = (): number => performance.timeOrigin + performance.now();
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function get(url: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers, timeout: timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

function post(message: ProbeMessage): void {
  parentPort?.postMessage(message);
}

async function observe(options: ProbeOptions, running: () => boolean): Promise<void> {
  let startup = true;
  while (running()) {
    let body: string;
    try {
      body = (await get(`${options.url}/v1/decisions/stream?startup=${startup}&wait=2s`, { 'x-api-key': options.apiKey }, 10_000)).body;
    } catch {
      continue;
    }
    const at = now();
    startup = false;
    const parsed = JSON.parse(body) as { new: Array<{ value: string }> | null };
    for (const d of parsed.new ?? []) post({ kind: 'ban', value: d.value, at });
  }
}

function pollHealth(options: ProbeOptions): void {
  const sentAt = now();
  get(`${options.url}/health`, {}, 10_000).then(
    (res) => post({ kind: 'health', sentAt, ms: now() - sentAt, ok: res.status === 200 }),
    () => post({ kind: 'health', sentAt, ms: now() - sentAt, ok: false }),
  );
}

async function main(): Promise<void> {
  const options = workerData as ProbeOptions;
  let running = true;
  parentPort?.once('message', () => (running = false));
  const timer = setInterval(() => pollHealth(options), options.healthEveryMs);
  await observe(options, () => running);
  clearInterval(timer);
  agent.destroy();
  post({ kind: 'stopped' });
}

main().catch((error: Error) => {
  process.stderr.write(`latency probes: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
