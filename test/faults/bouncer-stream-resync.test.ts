// Fault: after a failed pull the bouncer kept its incremental state while the API had already
// moved its cursor on (the answer was lost on the way), so the changes in that answer were lost
// until the next full resync, 5 minutes later. Now any failed pull is followed by a full list.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { DecisionStream, type StreamUpdate } from '../../src/bouncers/common/decision-stream';

const decision = (id: number, value: string) => ({ id, value, scope: 'Ip', type: 'ban', origin: 'crowdsec', scenario: 's', duration: '4h' });

test("a pull whose answer is lost is followed by a full list, so the decisions in it still arrive", async (t) => {
  // An API that, like CrowdSec's, serves each bouncer the changes since its previous pull, and
  // counts a pull as served once it has answered, even when the answer never arrives.
  const all = [decision(1, '192.0.2.1')];
  let served = 0;
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    const startup = new URL(req.url ?? '', 'http://x').searchParams.get('startup') === 'true';
    asked.push(startup ? 'full' : 'changes');
    const answer = startup ? all : all.slice(served);
    served = all.length;
    if (asked.length === 2) {
      // The second pull: a new ban is served, and the connection is cut mid-answer.
      all.push(decision(2, '192.0.2.2'));
      const body = JSON.stringify({ new: all.slice(1), deleted: [] });
      served = all.length;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length + 10 });
      res.write(body.slice(0, 10));
      setTimeout(() => res.destroy(), 20);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ new: answer, deleted: [] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const enforced = new Map<string, number>();
  const stop = new AbortController();
  const stream = new DecisionStream({ url, apiKey: 'k', userAgent: 'test', pollMs: 50, waitMs: 1000, resyncMs: 300_000, log: () => undefined });
  const run = stream.run(async (u: StreamUpdate) => {
    if (u.full) enforced.clear();
    for (const d of u.fresh) enforced.set(d.value, d.id);
    for (const d of u.deleted) enforced.delete(d.value);
    if (enforced.has('192.0.2.2')) stop.abort();
  }, stop.signal);
  const timer = setTimeout(() => stop.abort(), 8000);
  await run;
  clearTimeout(timer);
  server.close();
  t.deepEqual([...enforced.keys()].sort(), ['192.0.2.1', '192.0.2.2'], `pulls: ${asked.join(', ')}`);
  t.deepEqual(asked.slice(0, 3), ['full', 'changes', 'full']);
});
