// A decision the API acknowledged survives `kill -9` of the API process, and is on disk before
// the API acknowledges it, while long-polling bouncers hear of it as soon as it is committed.
import * as path from 'node:path';
// The module object itself (`import * as` only has getters), to hold back its flushes.
import nodeFs from 'node:fs';
import test from 'ava';
import { loadApiConfig } from '../../src/config/api-config';
import { packageRoot } from '../../src/engine/package-root';
import { Store } from '../../src/store/store';
import { runCli, tempDir } from '../helpers/run-cli';
import { freeLoopbackPort, Server, sleep } from '../../src/reference/processes';
import { agentAlert } from './lapi-suite';
import { startTestApi } from '../helpers/api';
import { SqliteDatabase } from '../../src/store/sqlite';

test('acknowledged alerts and decisions survive kill -9 of the API', async (t) => {
  const dir = tempDir('kill9');
  const flags = ['--data-dir', dir];
  t.is((await runCli('machines', 'add', 'agent', '--password', 'agent-password', ...flags)).code, 0);
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const api = new Server(process.execPath, [path.join(packageRoot, 'bin/crowdwatch.js'), 'api', '--listen', `127.0.0.1:${port}`, ...flags], { cwd: dir, env: process.env });
  try {
    for (let i = 0; !/listening/.test(api.output); i++) {
      if (i > 200 || !api.alive) throw new Error(api.output);
      await sleep(50);
    }
    const login = await fetch(`${url}/v1/watchers/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'crowdsec/v1.4.6' }, body: JSON.stringify({ machine_id: 'agent', password: 'agent-password' }) });
    const { token } = (await login.json()) as { token: string };
    const ips = Array.from({ length: 50 }, (_, i) => `192.0.2.${i + 1}`);
    const posted = await fetch(`${url}/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'user-agent': 'crowdsec/v1.4.6' }, body: JSON.stringify(ips.map((ip) => agentAlert(ip))) });
    t.is(posted.status, 201);
    api.child.kill('SIGKILL');
    await new Promise((resolve) => api.child.once('exit', resolve));
  } finally {
    await api.stop();
  }
  const store = await Store.open(loadApiConfig({ dataDir: dir }).store);
  try {
    const active = await store.decisions.active({});
    t.deepEqual(active.map((d) => d.value).sort(), Array.from({ length: 50 }, (_, i) => `192.0.2.${i + 1}`).sort());
    t.is((await store.alerts.query({ limit: 0 })).length, 50);
  } finally {
    await store.close();
  }
});

// Serial: it holds back every fdatasync of this process for a while.
test.serial("an agent's push is answered once the WAL is flushed; a long-polling bouncer gets the ban before, as soon as it is committed", async (t) => {
  const api = await startTestApi();
  const held: Array<() => void> = [];
  const fdatasync = nodeFs.fdatasync;
  try {
    await api.machine('agent', 'agent-password');
    const token = await api.login('agent', 'agent-password');
    const key = await api.bouncerKey('fw');
    const headers = { 'x-api-key': key, 'user-agent': 'crowdsec-firewall-bouncer/v0.0.25' };
    t.is((await fetch(`${api.url}/v1/decisions/stream?startup=true`, { headers })).status, 200);
    (nodeFs as { fdatasync: unknown }).fdatasync = (fd: number, done: (error: NodeJS.ErrnoException | null) => void): void => void held.push(() => fdatasync(fd, done));
    const poll = fetch(`${api.url}/v1/decisions/stream?wait=10s`, { headers }).then(async (r) => (await r.json()) as { new: Array<{ value: string }> | null });
    await sleep(100);
    let answered = false;
    const push = fetch(`${api.url}/v1/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'user-agent': 'crowdsec/v1.4.6' }, body: JSON.stringify([agentAlert('192.0.2.77')]) }).then((r) => ((answered = true), r.status));
    const served = await poll;
    t.deepEqual(served.new?.map((d) => d.value), ['192.0.2.77'], 'the ban is served while the flush is held back');
    t.false(answered, "the agent's push is not answered before the flush");
    t.true(held.length > 0);
    nodeFs.fdatasync = fdatasync;
    for (const release of held.splice(0)) release();
    t.is(await push, 201);
  } finally {
    nodeFs.fdatasync = fdatasync;
    for (const release of held.splice(0)) release();
    await api.close();
  }
});

// Serial, as above.
test.serial('a SQLite transaction runs `committed` once readers see it and resolves once the WAL is flushed; writes made meanwhile share the next flush', async (t) => {
  const db = await SqliteDatabase.open(path.join(tempDir('wal'), 'db.sqlite'));
  const held: Array<() => void> = [];
  const fdatasync = nodeFs.fdatasync;
  try {
    await db.run('CREATE TABLE t (x INTEGER)');
    const flushesBefore = db.walFlushes;
    (nodeFs as { fdatasync: unknown }).fdatasync = (fd: number, done: (error: NodeJS.ErrnoException | null) => void): void => void held.push(() => fdatasync(fd, done));
    const events: string[] = [];
    const first = db.transaction((tx) => tx.run('INSERT INTO t VALUES (1)'), { committed: () => events.push('committed') }).then(() => events.push('resolved'));
    for (let i = 0; held.length === 0 && i < 200; i++) await sleep(5);
    t.deepEqual(events, ['committed'], 'committed, not resolved while the flush is held');
    t.deepEqual(await db.all('SELECT x FROM t'), [{ x: 1 }], 'a reader sees it');
    // Two writes while the first flush is held: they commit, and share one flush after it.
    let later = 0;
    const more = [db.run('INSERT INTO t VALUES (2)'), db.run('INSERT INTO t VALUES (3)')].map((p) => p.then(() => later++));
    for (let i = 0; (await db.all('SELECT x FROM t')).length < 3 && i < 200; i++) await sleep(5);
    t.is(held.length, 1, 'one flush at a time');
    held[0]();
    await first;
    for (let i = 0; held.length < 2 && i < 200; i++) await sleep(5);
    t.is(later, 0, 'the later writes wait for their own flush');
    held[1]();
    await Promise.all(more);
    t.is(held.length, 2, 'one flush for both');
    t.is(db.walFlushes - flushesBefore, 2);
  } finally {
    nodeFs.fdatasync = fdatasync;
    for (const release of held.splice(0)) release();
    await db.close();
  }
});
