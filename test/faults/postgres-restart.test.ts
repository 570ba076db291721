// Fault: PostgreSQL restarted under load killed `crowdwatch api` (the pg pool had no 'error'
// listener: an idle client losing its server threw), and nothing had a timeout. Now the requests
// made while the database is away get 503 with Retry-After, the process stays up, and it serves
// again as soon as the database is back, without a restart; nothing acknowledged is lost.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { packageRoot } from '../../src/engine/package-root';
import { freeLoopbackPort, Server, sleep } from '../../src/reference/processes';
import { agentAlert } from '../api/lapi-suite';
import { type PostgresCluster, postgresBinDir, startPostgres } from '../helpers/postgres';
import { requires } from '../helpers/requirement';
import { runCli, tempDir } from '../helpers/run-cli';

const missing = postgresBinDir() === null ? "PostgreSQL's server binaries (scripts/test-servers.sh installs Debian's postgresql)" : null;

requires(test, missing)('PostgreSQL stopped for 3 s under a polling bouncer: 503 meanwhile, the API stays up and recovers by itself', async (t) => {
  const started = await startPostgres();
  if ('skip' in started) return t.fail(started.skip);
  const cluster: PostgresCluster = started;
  const dir = tempDir('pg-restart');
  fs.writeFileSync(path.join(dir, 'config.yaml'), `db:\n  type: postgres\n  url: ${await cluster.createDatabase()}\n`);
  const flags = ['--data-dir', dir];
  t.is((await runCli('machines', 'add', 'agent', '--password', 'agent-password', ...flags)).code, 0);
  const key = (await runCli('bouncers', 'add', 'fw', '-o', 'raw', ...flags)).stdout.trim();
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const api = new Server(process.execPath, [path.join(packageRoot, 'bin/crowdwatch.js'), 'api', '--listen', `127.0.0.1:${port}`, ...flags], { cwd: dir, env: process.env });
  const headers = { 'x-api-key': key, 'user-agent': 'crowdsec-firewall-bouncer/v0.0.25' };
  const push = async (token: string, ip: string) =>
    fetch(`${url}/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify([agentAlert(ip)]) });
  try {
    for (let i = 0; !/listening/.test(api.output); i++) {
      if (i > 200 || !api.alive) throw new Error(api.output);
      await sleep(50);
    }
    const login = await fetch(`${url}/v1/watchers/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'crowdsec/v1.4.6' }, body: JSON.stringify({ machine_id: 'agent', password: 'agent-password' }) });
    t.is(login.status, 200);
    const { token } = (await login.json()) as { token: string };
    t.is((await push(token, '192.0.2.1')).status, 201);
    t.is((await fetch(`${url}/v1/decisions/stream?startup=true`, { headers })).status, 200);

    await cluster.pause();
    const during: number[] = [];
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      const res = await fetch(`${url}/v1/decisions/stream`, { headers });
      during.push(res.status);
      if (res.status === 503) t.is(res.headers.get('retry-after'), '5');
      await sleep(100);
    }
    const pushedDuring = await push(token, '192.0.2.2');
    t.true(api.alive, `the API exited while the database was away:\n${api.output}`);
    t.true(during.length > 5 && during.every((s) => s === 503 || s === 403), `statuses while away: ${during.join(',')}`);
    t.true(during.includes(503));
    t.is(pushedDuring.status, 503, 'a push while away is refused for the agent to retry, not lost as accepted');

    await cluster.resume();
    const back = await (async () => {
      for (let i = 0; i < 100; i++) {
        const res = await fetch(`${url}/v1/decisions/stream?startup=true`, { headers });
        if (res.status === 200) return (await res.json()) as { new: { value: string }[] | null };
        await sleep(100);
      }
      throw new Error(`no 200 after the database came back:\n${api.output}`);
    })();
    t.deepEqual((back.new ?? []).map((d) => d.value), ['192.0.2.1'], 'the decision made before the restart is there');
    t.is((await push(token, '192.0.2.3')).status, 201, 'pushes work again without restarting the API');
    t.regex(api.output, /database unavailable/);
    t.true(api.alive);
  } finally {
    await api.stop();
    await cluster.stop();
  }
});

requires(test, missing)('the central on PostgreSQL: a database restart costs 503s, then pushes and pulls work again', async (t) => {
  const started = await startPostgres();
  if ('skip' in started) return t.fail(started.skip);
  const cluster: PostgresCluster = started;
  const { startTestCentral, capiSignal } = await import('../helpers/central');
  const central = await startTestCentral('', await cluster.createDatabase());
  try {
    const token = await central.member('reporter');
    t.is((await central.push(token, [capiSignal('198.51.100.1')])).status, 200);
    await cluster.pause();
    const during = await central.push(token, [capiSignal('198.51.100.2')]);
    t.is(during.status, 503, during.text);
    t.is((await central.request('GET', '/v2/decisions/stream', { token })).status, 503);
    await cluster.resume();
    let after = 0;
    for (let i = 0; i < 50 && after !== 200; i++) {
      after = (await central.push(token, [capiSignal('198.51.100.3')])).status;
      if (after !== 200) await sleep(100);
    }
    t.is(after, 200);
    t.is((await central.request('GET', '/v2/decisions/stream?startup=true', { token })).status, 200);
  } finally {
    await central.close();
    await cluster.stop();
  }
});
