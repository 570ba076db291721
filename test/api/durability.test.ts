// A decision the API acknowledged survives `kill -9` of the API process.
import * as path from 'node:path';
import test from 'ava';
import { loadApiConfig } from '../../src/config/api-config';
import { packageRoot } from '../../src/engine/package-root';
import { Store } from '../../src/store/store';
import { runCli, tempDir } from '../helpers/run-cli';
import { freeLoopbackPort, Server, sleep } from '../../src/reference/processes';
import { agentAlert } from './lapi-suite';

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
