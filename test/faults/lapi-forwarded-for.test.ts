// Fault: the local API ignored CrowdSec's `use_forwarded_for_headers` and `trusted_proxies` (a
// LAPI behind a reverse proxy saw every caller as the proxy: admin routes open to all, bouncers
// recorded at the proxy's address), and ignored security settings were logged at debug level
// only. Now X-Forwarded-For is read past the trusted proxies, as CrowdSec does, and only then;
// security settings not applied as written are warned of at start and by `config show`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { loadApiConfig } from '../../src/config/api-config';
import { startTestApi } from '../helpers/api';
import { runCli, tempDir } from '../helpers/run-cli';

const deleteAlerts = async (url: string, token: string, xff?: string) =>
  (await fetch(`${url}/v1/alerts?ip=192.0.2.1`, { method: 'DELETE', headers: { authorization: `Bearer ${token}`, ...(xff ? { 'x-forwarded-for': xff } : {}) } })).status;

test('behind a trusted proxy the caller is the X-Forwarded-For client: admin routes and bouncer addresses follow it', async (t) => {
  const api = await startTestApi({ configYaml: 'api:\n  trusted_ips: [192.0.2.50]\n  server:\n    use_forwarded_for_headers: true\n    trusted_proxies: [127.0.0.1, "::1"]\n' });
  try {
    await api.machine('agent', 'a-password-of-some-length');
    const token = await api.login('agent', 'a-password-of-some-length');
    t.is(await deleteAlerts(api.url, token, '198.51.100.1'), 403, 'an outside client through the proxy is not an admin');
    t.is(await deleteAlerts(api.url, token, '198.51.100.1, 192.0.2.50'), 200, 'the proxy says the caller is a trusted ip');
    t.is(await deleteAlerts(api.url, token, '192.0.2.50, 198.51.100.1'), 403, 'what the client wrote further left is not read');
    const key = await api.bouncerKey('fw');
    await fetch(`${api.url}/v1/decisions/stream?startup=true`, { headers: { 'x-api-key': key, 'x-forwarded-for': '203.0.113.9' } });
    const bouncers = JSON.parse((await runCli('bouncers', 'list', '-o', 'json', ...api.flags)).stdout) as { ip_address: string }[];
    t.is(bouncers[0]?.ip_address, '203.0.113.9');
  } finally {
    await api.close();
  }
});

test('without trusted proxies X-Forwarded-For is never read, and the setting that asked for it is warned of', async (t) => {
  const api = await startTestApi({ configYaml: 'api:\n  server:\n    use_forwarded_for_headers: true\n' });
  try {
    await api.machine('agent', 'a-password-of-some-length');
    const token = await api.login('agent', 'a-password-of-some-length');
    // The caller is loopback, an admin, whatever the header claims.
    t.is(await deleteAlerts(api.url, token, '198.51.100.1'), 200);
  } finally {
    await api.close();
  }
  const dir = tempDir('xff-warn');
  fs.writeFileSync(path.join(dir, 'config.yaml'), 'api:\n  server:\n    use_forwarded_for_headers: true\n    enable: false\n  client:\n    insecure_skip_verify: true\n');
  const config = loadApiConfig({ dataDir: dir });
  t.deepEqual(config.warnings.map((w) => w.replace(/^.*config\.yaml:/, '').replace(/:.*$/, '')), ['4', '6', '3']);
  t.regex(config.warnings.join('\n'), /use_forwarded_for_headers without trusted_proxies/);
  const shown = await runCli('config', 'show', '--data-dir', dir);
  t.regex(shown.stdout, /# Warnings \(security settings not applied as written\):\n#   .*config\.yaml:4: api\.server\.enable: not applied/);
});
