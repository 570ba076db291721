// Fault: simulation.yaml was re-read loosely on every alert push, so one typo made every push fail
// (and an unknown key was silently ignored). Now it is read strictly (file:line), at start and
// again only when it changed; a broken edit keeps the last good settings and is reported once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { loadApiConfig } from '../../src/config/api-config';
import { startApi } from '../../src/api/server';
import { startTestApi } from '../helpers/api';
import { runCli, tempDir } from '../helpers/run-cli';
import { agentAlert, credentials, request } from '../api/lapi-suite';

test('a broken simulation.yaml edit fails no push: the last good settings stay, one warning says where', async (t) => {
  const logged: string[] = [];
  const api = await startTestApi({ log: (line) => logged.push(line) });
  try {
    const { token, key } = await credentials(api);
    t.is((await runCli('simulation', 'enable', 'crowdwatch/http-probing', ...api.flags)).code, 0);
    const first = await request(api, 'POST', '/v1/alerts', { token, body: [agentAlert('192.0.2.20', 'crowdwatch/http-probing')] });
    t.is(first.status, 201);

    const file = path.join(api.dataDir, 'simulation.yaml');
    const broken = [
      ['simulation: [off\n', /simulation\.yaml:\d+: .*previous simulation settings stay in force/],
      ['simulation: off\nexclusions:\n  - crowdwatch/http-probing\nexclusion: [typo]\n', /simulation\.yaml:4: unknown key 'exclusion'.*previous simulation settings stay in force/],
    ] as const;
    let n = 21;
    for (const [text, warning] of broken) {
      fs.writeFileSync(file, text);
      for (let i = 0; i < 2; i++) {
        const pushed = await request(api, 'POST', '/v1/alerts', { token, body: [agentAlert(`192.0.2.${n++}`, 'crowdwatch/http-probing')] });
        t.is(pushed.status, 201, pushed.text);
      }
      const warnings = logged.filter((l) => l.includes('simulation.yaml'));
      t.is(warnings.length, 1, 'reported once per edit');
      t.regex(warnings[0] ?? '', warning);
      logged.length = 0;
    }
    // The last good settings: http-probing still simulated, so no bouncer sees these bans.
    const seen = await request(api, 'GET', '/v1/decisions/stream?startup=true', { key });
    t.deepEqual(seen.json.new ?? null, null);

    // Fixed: read again, and in force for the next push.
    fs.writeFileSync(file, 'simulation: off\nexclusions: []\n');
    t.is((await request(api, 'POST', '/v1/alerts', { token, body: [agentAlert('192.0.2.40', 'crowdwatch/http-probing')] })).status, 201);
    const after = await request(api, 'GET', '/v1/decisions/stream?startup=true', { key });
    t.deepEqual(after.json.new.map((d: { value: string }) => d.value), ['192.0.2.40']);
  } finally {
    await api.close();
  }
});

test('at start a broken simulation.yaml is refused with its file and line, and the CLI says the same', async (t) => {
  const dataDir = tempDir('sim-start');
  fs.writeFileSync(path.join(dataDir, 'simulation.yaml'), 'simulation: maybe\n');
  const config = loadApiConfig({ dataDir, listen: '127.0.0.1:0' });
  const error = await t.throwsAsync(startApi(config));
  t.regex(error?.message ?? '', /simulation\.yaml:1: simulation must be on or off, not 'maybe'/);
  const status = await runCli('simulation', 'status', '--data-dir', dataDir);
  t.not(status.code, 0);
  t.regex(status.stderr, /simulation\.yaml:1: simulation must be on or off/);
});
