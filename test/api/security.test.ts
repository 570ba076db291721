// TLS, trusted_ips on the admin routes, and the login rate limit.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import test from 'ava';
import { startTestApi } from '../helpers/api';
import { tempDir } from '../helpers/run-cli';
import { agentAlert, credentials, request } from './lapi-suite';
import { requires } from '../helpers/requirement';

const noOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'openssl is not installed';
  }
})();

requires(test, noOpenssl)('with a cert and key configured the API speaks only TLS', async (t) => {
  const dir = tempDir('tls');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  const api = await startTestApi({ configYaml: `api:\n  tls:\n    cert_file: ${path.join(dir, 'cert.pem')}\n    key_file: ${path.join(dir, 'key.pem')}\n` });
  try {
    t.true(api.url.startsWith('https://'));
    const ca = fs.readFileSync(path.join(dir, 'cert.pem'));
    const body = await new Promise<string>((resolve, reject) => {
      https.get(`${api.url}/health`, { ca }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    t.deepEqual(JSON.parse(body), { status: 'up' });
    await t.throwsAsync(fetch(`${api.url.replace('https', 'http')}/health`, { signal: AbortSignal.timeout(3000) }));
  } finally {
    await api.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('deleting alerts is refused to callers outside trusted_ips', async (t) => {
  const api = await startTestApi({ configYaml: 'api:\n  trusted_ips: [10.0.0.0/8]\n' });
  try {
    const { token } = await credentials(api);
    await request(api, 'POST', '/v1/alerts', { token, body: [agentAlert('192.0.2.70')] });
    const refused = await request(api, 'DELETE', '/v1/alerts', { token });
    t.deepEqual([refused.status, refused.json], [403, { message: 'access forbidden' }]);
    t.is((await request(api, 'GET', '/v1/alerts', { token })).json.length, 1);
  } finally {
    await api.close();
  }
});

test('password guessing on login is rate limited', async (t) => {
  const api = await startTestApi();
  try {
    await api.machine('victim', 'right-password');
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      statuses.push((await request(api, 'POST', '/v1/watchers/login', { body: { machine_id: 'victim', password: `guess-${i}` } })).status);
    }
    t.true(statuses.slice(0, 30).every((s) => s === 401));
    t.is(statuses[34], 429);
  } finally {
    await api.close();
  }
});
