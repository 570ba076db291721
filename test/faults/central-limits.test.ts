// Faults of the central beyond admission: no TLS, no limit on how often a member pushes or pulls,
// and signals validated before the caller was known. Now the central serves HTTPS with a
// configured certificate (as the local API does), each member has a push and a pull rate, and a
// push is authenticated before its body is read.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import test from 'ava';
import { capiSignal, startTestCentral } from '../helpers/central';
import { requires } from '../helpers/requirement';
import { tempDir } from '../helpers/run-cli';

const noOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'openssl is not installed';
  }
})();

requires(test, noOpenssl)('with tls: in central.yaml the central speaks only HTTPS', async (t) => {
  const dir = tempDir('central-tls');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  const central = await startTestCentral(`tls:\n  cert_file: ${path.join(dir, 'cert.pem')}\n  key_file: ${path.join(dir, 'key.pem')}\n`);
  try {
    t.true(central.url.startsWith('https://'));
    const ca = fs.readFileSync(path.join(dir, 'cert.pem'));
    const body = await new Promise<string>((resolve, reject) => {
      https.get(`${central.url}/health`, { ca }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    t.deepEqual(JSON.parse(body), { status: 'up' });
    await t.throwsAsync(fetch(`${central.url.replace('https', 'http')}/health`, { signal: AbortSignal.timeout(3000) }));
  } finally {
    await central.close();
  }
});

test('a member past its push rate gets 429, another member is not slowed; a forged token learns 401 before any validation', async (t) => {
  const central = await startTestCentral('limits:\n  pushes_per_minute: 5\n  pulls_per_minute: 3\n');
  try {
    const noisy = await central.member('noisy');
    const quiet = await central.member('quiet');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await central.push(noisy, [capiSignal(`198.51.100.${i + 1}`)])).status);
    t.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    t.is((await central.push(quiet, [capiSignal('198.51.100.50')])).status, 200);
    const pulls: number[] = [];
    for (let i = 0; i < 5; i++) pulls.push((await central.request('GET', '/v2/decisions/stream', { token: quiet })).status);
    t.deepEqual(pulls, [200, 200, 200, 429, 429]);
    // Authentication comes first: a bad token and an invalid body is a 401, not a 400.
    const forged = await central.request('POST', '/v2/signals', { token: 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln', body: [{ nonsense: true }] });
    t.is(forged.status, 401);
  } finally {
    await central.close();
  }
});
