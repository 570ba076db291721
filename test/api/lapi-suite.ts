// The local API behaviour every store backend must give, driven over HTTP on a loopback port.
// lapi-sqlite.test.ts and lapi-postgres.test.ts run it against SQLite and PostgreSQL.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';
import { LONG_POLL_HEADER } from '../../src/api/long-poll';
import { runCli } from '../helpers/run-cli';
import type { TestApi } from '../helpers/api';
import { type HttpAnswer, type HttpOptions, httpRequest } from '../helpers/http';

export type StartApi = (configYaml?: string) => Promise<TestApi>;


/** An alert as CrowdSec's agent posts it for an IP source. */
export function agentAlert(ip: string, scenario = 'crowdwatch/ssh-bf', stopAt = new Date().toISOString()): Record<string, unknown> {
  return {
    capacity: 5, decisions: null, events: [{ meta: [{ key: 'source_ip', value: ip }], timestamp: stopAt }], events_count: 6,
    labels: null, leakspeed: '10s', message: `Ip ${ip} performed '${scenario}' (6 events over 1s) at ${stopAt}`,
    remediation: true, scenario, scenario_hash: 'abc', scenario_version: '0.1', simulated: false,
    source: { as_name: '', as_number: '', cn: '', ip, latitude: 0, longitude: 0, range: '', scope: 'Ip', value: ip },
    start_at: stopAt, stop_at: stopAt,
  };
}

export async function request(api: TestApi, method: string, path: string, opts: HttpOptions & { key?: string } = {}): Promise<HttpAnswer> {
  const { key, ...rest } = opts;
  return httpRequest(api.url, method, path, key === undefined ? rest : { ...rest, headers: { 'x-api-key': key, ...(rest.headers ?? {}) } });
}

/** A watcher token and a bouncer key on a fresh API. */
export async function credentials(api: TestApi): Promise<{ token: string; key: string }> {
  await api.machine('agent-1', 'agent-1-password');
  return { token: await api.login('agent-1', 'agent-1-password'), key: await api.bouncerKey('fw') };
}

const goDuration = /^-?(\d+h)?(\d+m)?(\d+(\.\d+)?(s|ms|µs|ns))$/;

function hours(duration: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:([\d.]+)s)?$/.exec(duration);
  if (!m) throw new Error(`not a duration: ${duration}`);
  return Number(m[1] ?? 0) + Number(m[2] ?? 0) / 60 + Number(m[3] ?? 0) / 3600;
}

/** `test` or `test.skip`: how the suite registers its cases. */
export type Register = (title: string, impl: (t: ExecutionContext) => Promise<void>) => void;

export function lapiSuite(test: Register, start: StartApi): void {
  test('health, unknown routes (404) and wrong methods (405)', async (t) => {
    const api = await start();
    try {
      const health = await request(api, 'GET', '/health');
      t.is(health.status, 200);
      t.deepEqual(health.json, { status: 'up' });
      t.is((await request(api, 'GET', '/v1/nothing')).status, 404);
      t.is((await request(api, 'PUT', '/v1/decisions')).status, 405);
    } finally {
      await api.close();
    }
  });

  test('watchers register unvalidated, log in once validated, and tokens guard the routes', async (t) => {
    const api = await start();
    try {
      const reg = await request(api, 'POST', '/v1/watchers', { body: { machine_id: 'm1', password: 'pw-123456' } });
      t.is(reg.status, 201);
      t.is((await request(api, 'POST', '/v1/watchers', { body: { machine_id: 'm1', password: 'x' } })).status, 403);
      const early = await request(api, 'POST', '/v1/watchers/login', { body: { machine_id: 'm1', password: 'pw-123456', scenarios: [] } });
      t.is(early.status, 401);
      t.deepEqual(early.json, { code: 401, message: 'incorrect Username or Password' });
      t.is((await runCli('machines', 'validate', 'm1', ...api.flags)).code, 0);
      const badUa = await request(api, 'POST', '/v1/watchers/login', { headers: { 'user-agent': 'curl' }, body: { machine_id: 'm1', password: 'pw-123456' } });
      t.is(badUa.status, 401);
      const wrong = await request(api, 'POST', '/v1/watchers/login', { body: { machine_id: 'm1', password: 'nope' } });
      t.is(wrong.status, 401);
      const ok = await request(api, 'POST', '/v1/watchers/login', { body: { machine_id: 'm1', password: 'pw-123456', scenarios: ['a/b'] } });
      t.is(ok.status, 200);
      t.is(ok.json.code, 200);
      t.regex(ok.json.expire, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      t.is((await request(api, 'GET', '/v1/heartbeat', { token: ok.json.token })).status, 200);
      const none = await request(api, 'GET', '/v1/heartbeat');
      t.deepEqual([none.status, none.json], [401, { code: 401, message: 'cookie token is empty' }]);
      t.is((await request(api, 'GET', '/v1/heartbeat', { token: `${ok.json.token}x` })).status, 401);
      const refreshed = await request(api, 'GET', '/v1/refresh_token', { token: ok.json.token });
      t.is(refreshed.status, 200);
      // A deleted machine's token stops working at once.
      t.is((await runCli('machines', 'delete', 'm1', ...api.flags)).code, 0);
      t.is((await request(api, 'GET', '/v1/heartbeat', { token: ok.json.token })).status, 401);
    } finally {
      await api.close();
    }
  });

  test('an agent alert becomes a profile decision that bouncers see; repeat offenders get longer bans', async (t) => {
    const api = await start();
    try {
      const { token, key } = await credentials(api);
      const post = await request(api, 'POST', '/v1/alerts', { token, body: [agentAlert('192.0.2.10')] });
      t.is(post.status, 201);
      t.true(Array.isArray(post.json) && typeof post.json[0] === 'string');
      const live = await request(api, 'GET', '/v1/decisions?ip=192.0.2.10', { key });
      t.is(live.status, 200);
      t.is(live.json.length, 1);
      const d = live.json[0];
      t.deepEqual(Object.keys(d), ['duration', 'id', 'origin', 'scenario', 'scope', 'type', 'value']);
      t.like(d, { origin: 'crowdsec', scenario: 'crowdwatch/ssh-bf', scope: 'Ip', type: 'ban', value: '192.0.2.10' });
      t.regex(d.duration, goDuration);
      t.true(hours(d.duration) > 3.99 && hours(d.duration) <= 4);
      // Same source again: the escalating profile gives (1 + 1) * 4h.
      t.is((await request(api, 'POST', '/v1/alerts', { token, body: [agentAlert('192.0.2.10')] })).status, 201);
      const again = await request(api, 'GET', '/v1/decisions?ip=192.0.2.10', { key });
      const longest = Math.max(...again.json.map((x: { duration: string }) => hours(x.duration)));
      t.true(longest > 7.99 && longest <= 8, `longest ban ${longest}h`);
      // The alert reads back with Go-style times and its decisions.
      const alerts = await request(api, 'GET', '/v1/alerts', { token });
      t.is(alerts.json.length, 2);
      t.regex(alerts.json[0].start_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/);
      t.is(alerts.json[0].machine_id, 'agent-1');
      t.is(alerts.json[0].decisions.length, 1);
      const one = await request(api, 'GET', `/v1/alerts/${alerts.json[0].id}`, { token });
      t.is(one.json.id, alerts.json[0].id);
      t.is((await request(api, 'GET', '/v1/alerts/999999', { token })).status, 404);
      // An alert without remediation makes no decision.
      const quiet = { ...agentAlert('192.0.2.11'), remediation: false };
      t.is((await request(api, 'POST', '/v1/alerts', { token, body: [quiet] })).status, 201);
      t.is((await request(api, 'GET', '/v1/decisions?ip=192.0.2.11', { key })).text, 'null');
    } finally {
      await api.close();
    }
  });

  test('an alert pushed again under the same uuid (an agent retrying) is stored once', async (t) => {
    const api = await start();
    try {
      const { token, key } = await credentials(api);
      const alert = { ...agentAlert('192.0.2.12'), uuid: '6b00ca2e-9a4e-4cc3-8a4f-bfa8f979c053' };
      const first = await request(api, 'POST', '/v1/alerts', { token, body: [alert] });
      const retry = await request(api, 'POST', '/v1/alerts', { token, body: [alert, { ...agentAlert('192.0.2.13'), uuid: 'another' }] });
      t.is(retry.status, 201);
      t.is(retry.json[0], first.json[0], 'the retry answers with the stored id');
      t.not(retry.json[1], first.json[0]);
      t.is((await request(api, 'GET', '/v1/decisions?ip=192.0.2.12', { key })).json.length, 1);
      t.is((await request(api, 'GET', '/v1/alerts', { token })).json.length, 2);
      t.is((await request(api, 'POST', '/v1/alerts', { token, body: [{ ...alert, uuid: 'x'.repeat(65) }] })).status, 400);
    } finally {
      await api.close();
    }
  });

  test('decisions list: the alert filters (ip contained in a range, type, scenario) pick the decisions shown', async (t) => {
    const api = await start();
    try {
      const add = async (...args: string[]) => t.is((await runCli('decisions', 'add', ...args, ...api.flags)).code, 0);
      await add('--range', '198.51.100.0/24', '--duration', '30m', '--reason', 'range ban');
      await add('--ip', '203.0.113.7', '--duration', '15m', '--type', 'captcha', '--reason', 'captcha one');
      await add('--ip', '203.0.113.8', '--duration', '15m', '--reason', 'plain ban');
      const listed = async (...args: string[]) => {
        const run = await runCli('decisions', 'list', '-o', 'raw', ...args, ...api.flags);
        t.is(run.code, 0, run.stderr);
        const [header, ...rows] = run.stdout.trim().split('\n');
        t.regex(header, /^id,source,ip,reason,action,/);
        return rows.map((r) => r.split(',').slice(2, 5).join(' ')).sort();
      };
      t.deepEqual(await listed(), ['Ip:203.0.113.7 captcha one captcha', 'Ip:203.0.113.8 plain ban ban', 'Range:198.51.100.0/24 range ban ban']);
      t.deepEqual(await listed('--ip', '198.51.100.20'), ['Range:198.51.100.0/24 range ban ban']);
      t.deepEqual(await listed('--type', 'captcha'), ['Ip:203.0.113.7 captcha one captcha']);
      t.deepEqual(await listed('--scenario', 'plain ban'), ['Ip:203.0.113.8 plain ban ban']);
      const json = await runCli('decisions', 'list', '-o', 'json', '--ip', '203.0.113.8', ...api.flags);
      t.is(json.code, 0, json.stderr);
      t.deepEqual(JSON.parse(json.stdout).map((a: { decisions: Array<{ value: string }> }) => a.decisions.map((d) => d.value)), [['203.0.113.8']]);
    } finally {
      await api.close();
    }
  });

  test('the stream: startup, quiet polls, new, deleted, filters, dedup', async (t) => {
    const api = await start();
    try {
      const { key } = await credentials(api);
      const add = async (...args: string[]) => t.is((await runCli('decisions', 'add', ...args, ...api.flags)).code, 0);
      await add('--ip', '192.0.2.1', '--duration', '1h', '--reason', 'anchor manual ban');
      const startup = await request(api, 'GET', '/v1/decisions/stream?startup=true', { key });
      t.is(startup.status, 200);
      t.is(startup.headers.get('content-type'), 'application/json; charset=utf-8');
      t.is(startup.json.deleted, null);
      t.is(startup.json.new.length, 1);
      t.like(startup.json.new[0], { origin: 'cscli', scenario: 'anchor manual ban', scope: 'Ip', type: 'ban', value: '192.0.2.1' });
      const quiet = await request(api, 'GET', '/v1/decisions/stream', { key });
      t.is(quiet.text, '{"deleted":null,"new":null}');
      await add('--range', '198.51.100.0/24', '--duration', '30m', '--reason', 'anchor range ban');
      await add('--ip', '2001:db8::1', '--duration', '2h', '--reason', 'anchor v6 ban');
      await add('--ip', '203.0.113.7', '--duration', '15m', '--type', 'captcha', '--reason', 'anchor captcha');
      await add('--ip', '203.0.113.8', '--duration', '15m', '--scope', 'Ip', '--reason', 'other');
      await add('--value', 'alice', '--scope', 'username', '--reason', 'custom scope');
      const fresh = await request(api, 'GET', '/v1/decisions/stream', { key });
      t.is(fresh.json.deleted, null);
      t.deepEqual(fresh.json.new.map((d: { value: string }) => d.value).sort(), ['198.51.100.0/24', '2001:db8::1', '203.0.113.7', '203.0.113.8']);
      t.is(fresh.json.new.find((d: { value: string }) => d.value === '198.51.100.0/24').scope, 'Range');
      t.is((await runCli('decisions', 'delete', '--ip', '192.0.2.1', ...api.flags)).code, 0);
      const deleted = await request(api, 'GET', '/v1/decisions/stream', { key });
      t.is(deleted.json.new, null);
      t.is(deleted.json.deleted.length, 1);
      t.is(deleted.json.deleted[0].value, '192.0.2.1');
      t.true(deleted.json.deleted[0].duration.startsWith('-'));
      const again = await request(api, 'GET', '/v1/decisions/stream?startup=true', { key });
      t.is(again.json.new.length, 4);
      t.deepEqual(again.json.deleted.map((d: { value: string }) => d.value), ['192.0.2.1']);
      const filtered = await request(api, 'GET', '/v1/decisions/stream?startup=true&scopes=ip,range&scenarios_not_containing=captcha', { key });
      t.deepEqual(filtered.json.new.map((d: { value: string }) => d.value).sort(), ['198.51.100.0/24', '2001:db8::1', '203.0.113.8']);
      const custom = await request(api, 'GET', '/v1/decisions/stream?startup=true&scopes=username', { key });
      t.deepEqual(custom.json.new.map((d: { value: string }) => d.value), ['alice']);
      // Dedup: a shorter duplicate for the same target is not sent; the longer one is.
      await add('--ip', '203.0.113.8', '--duration', '5m', '--reason', 'shorter');
      t.is((await request(api, 'GET', '/v1/decisions/stream', { key })).text, '{"deleted":null,"new":null}');
      // Ending one of two decisions on a target does not tell bouncers to lift it.
      t.is((await runCli('decisions', 'delete', '--scenario', 'shorter', ...api.flags)).code, 0);
      t.is((await request(api, 'GET', '/v1/decisions/stream', { key })).text, '{"deleted":null,"new":null}');
    } finally {
      await api.close();
    }
  });

  test('the stream without dedup: every decision on a target, every one that ends, and the long-poll header', async (t) => {
    const api = await start();
    try {
      const { key } = await credentials(api);
      for (const duration of ['1h', '5h']) t.is((await runCli('decisions', 'add', '--ip', '192.0.2.9', '--duration', duration, ...api.flags)).code, 0);
      const startup = await request(api, 'GET', '/v1/decisions/stream?startup=true&dedup=false', { key });
      t.is(startup.headers.get(LONG_POLL_HEADER), '60s');
      const ids = startup.json.new.map((d: { id: number; duration: string }) => [d.id, d.duration.startsWith('4h')]);
      t.is(ids.length, 2, 'both decisions on the address');
      const longer = ids.find(([, long]: [number, boolean]) => long)[0];
      t.is((await runCli('decisions', 'delete', '--id', String(longer), ...api.flags)).code, 0);
      const after = await request(api, 'GET', '/v1/decisions/stream?dedup=false', { key });
      t.deepEqual(after.json.deleted.map((d: { id: number }) => d.id), [longer], 'the ended one is reported though another still covers the address');
      t.is(after.json.new, null);
    } finally {
      await api.close();
    }
  });

  test('decisions import: a long-polling bouncer gets the whole import at once, startup and live queries show it', async (t) => {
    const api = await start();
    try {
      const { key } = await credentials(api);
      t.is((await request(api, 'GET', '/v1/decisions/stream?startup=true', { key })).text, '{"deleted":null,"new":null}');
      const rows = ['value,duration,type,reason,scope', '198.51.100.0/24,1h,,range list,range', '192.0.2.250,,captcha,,'];
      for (let i = 0; i < 2000; i++) rows.push(`10.9.${i >> 8}.${i & 255},,,,`);
      const file = path.join(api.dataDir, 'import.csv');
      fs.writeFileSync(file, `${rows.join('\n')}\n`);
      // The CLI writes through its own connection: the API hears of it through the revision probe.
      const poll = request(api, 'GET', '/v1/decisions/stream?wait=20s', { key });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const imported = await runCli('decisions', 'import', '-i', file, '--duration', '3h', '--reason', 'blocklist', ...api.flags);
      t.is(imported.code, 0, imported.stderr);
      const woken = await poll;
      t.is(woken.json.deleted, null);
      t.is(woken.json.new.length, 2002, 'every imported decision in one pull');
      const byValue = new Map(woken.json.new.map((d: { value: string }) => [d.value, d]));
      t.like(byValue.get('198.51.100.0/24'), { origin: 'cscli-import', scenario: 'range list', scope: 'Range', type: 'ban' });
      t.like(byValue.get('192.0.2.250'), { origin: 'cscli-import', scenario: 'blocklist', scope: 'Ip', type: 'captcha' });
      t.true(hours((byValue.get('10.9.7.207') as { duration: string }).duration) > 2.99);
      t.is((await request(api, 'GET', '/v1/decisions/stream', { key })).text, '{"deleted":null,"new":null}');
      const startup = await request(api, 'GET', '/v1/decisions/stream?startup=true', { key });
      t.deepEqual(startup.json.new.map((d: { value: string }) => d.value), woken.json.new.map((d: { value: string }) => d.value));
      const live = await request(api, 'GET', '/v1/decisions?ip=198.51.100.9', { key });
      t.deepEqual(live.json.map((d: { value: string }) => d.value), ['198.51.100.0/24']);
    } finally {
      await api.close();
    }
  });

  test('live queries: IP in a range, IPv6, contains=false, and null when nothing matches', async (t) => {
    const api = await start();
    try {
      const { key } = await credentials(api);
      for (const args of [['--range', '198.51.100.0/24'], ['--ip', '198.51.100.77'], ['--range', '2001:db8::/48'], ['--ip', '10.1.2.3']]) {
        t.is((await runCli('decisions', 'add', ...args, ...api.flags)).code, 0);
      }
      const values = async (q: string) => ((await request(api, 'GET', `/v1/decisions?${q}`, { key })).json ?? []).map((d: { value: string }) => d.value).sort();
      t.deepEqual(await values('ip=198.51.100.77'), ['198.51.100.0/24', '198.51.100.77']);
      t.deepEqual(await values('ip=198.51.100.78'), ['198.51.100.0/24']);
      t.deepEqual(await values('ip=2001:db8:0:1::5'), ['2001:db8::/48']);
      t.deepEqual(await values('ip=2001:db8:1::5'), []);
      t.deepEqual(await values('range=198.51.100.0/25&contains=false'), ['198.51.100.77']);
      t.deepEqual(await values('range=198.51.0.0/16&contains=false'), ['198.51.100.0/24', '198.51.100.77']);
      t.deepEqual(await values('range=198.51.100.64/26'), ['198.51.100.0/24']);
      t.deepEqual(await values('scopes=range'), ['198.51.100.0/24', '2001:db8::/48']);
      t.is((await request(api, 'GET', '/v1/decisions?ip=192.0.2.200', { key })).text, 'null');
    } finally {
      await api.close();
    }
  });

  test('simulated scenarios and allowlisted sources never reach a bouncer', async (t) => {
    const api = await start('api:\n  allowlist: [203.0.113.0/24, "2001:db8:ffff::/48"]\n');
    try {
      const { token, key } = await credentials(api);
      t.is((await runCli('simulation', 'enable', 'crowdwatch/http-probing', ...api.flags)).code, 0);
      const posted = await request(api, 'POST', '/v1/alerts', { token, body: [agentAlert('192.0.2.20', 'crowdwatch/http-probing'), agentAlert('203.0.113.5'), agentAlert('192.0.2.21')] });
      t.is(posted.status, 201);
      t.is(posted.json.length, 3);
      const startup = await request(api, 'GET', '/v1/decisions/stream?startup=true', { key });
      t.deepEqual(startup.json.new.map((d: { value: string }) => d.value), ['192.0.2.21']);
      const sim = await request(api, 'GET', '/v1/decisions?ip=192.0.2.20&simulated=true', { key });
      t.is(sim.json.length, 1);
      t.true(sim.json[0].simulated);
      const alerts = await request(api, 'GET', '/v1/alerts?limit=0', { token });
      const allowlisted = alerts.json.find((a: { source: { value: string } }) => a.source.value === '203.0.113.5');
      t.deepEqual(allowlisted.decisions, []);
      t.true(alerts.json.find((a: { source: { value: string } }) => a.source.value === '192.0.2.20').simulated);
      const manual = await runCli('decisions', 'add', '--ip', '203.0.113.9', ...api.flags);
      t.is(manual.code, 1);
      t.regex(manual.stderr, /allowlisted/);
    } finally {
      await api.close();
    }
  });

  test('a long-polling bouncer learns of a new ban at once', async (t) => {
    const api = await start();
    try {
      const { token, key } = await credentials(api);
      await request(api, 'GET', '/v1/decisions/stream?startup=true', { key });
      const began = Date.now();
      const waiting = request(api, 'GET', '/v1/decisions/stream?wait=20s', { key });
      // The ban arrives while the bouncer waits; awaited with it, so a failed POST fails the test.
      const posted = new Promise((resolve) => setTimeout(resolve, 300)).then(() => request(api, 'POST', '/v1/alerts', { token, body: [agentAlert('192.0.2.30')] }));
      const [got] = await Promise.all([waiting, posted]);
      t.deepEqual(got.json.new.map((d: { value: string }) => d.value), ['192.0.2.30']);
      t.true(Date.now() - began < 10_000, 'answered at the change, not at the end of the wait');
    } finally {
      await api.close();
    }
  });

  test('deleting alerts and decisions through the API', async (t) => {
    const api = await start();
    try {
      const { token, key } = await credentials(api);
      await request(api, 'POST', '/v1/alerts', { token, body: [agentAlert('192.0.2.40'), agentAlert('192.0.2.41'), agentAlert('192.0.2.42')] });
      const del = await request(api, 'DELETE', '/v1/decisions?ip=192.0.2.40', { token });
      t.deepEqual(del.json, { nbDeleted: '1' });
      t.is((await request(api, 'GET', '/v1/decisions?ip=192.0.2.40', { key })).text, 'null');
      const ids = (await request(api, 'GET', '/v1/decisions/stream?startup=true', { key })).json.new.map((d: { id: number }) => d.id);
      t.deepEqual((await request(api, 'DELETE', `/v1/decisions/${ids[0]}`, { token })).json, { nbDeleted: '1' });
      t.is((await request(api, 'DELETE', '/v1/decisions/999999', { token })).status, 404);
      await request(api, 'GET', '/v1/decisions/stream', { key });
      const delAlerts = await request(api, 'DELETE', '/v1/alerts?value=192.0.2.42', { token });
      t.deepEqual(delAlerts.json, { nbDeleted: '1' });
      // The deleted alert's ban ends, and bouncers are told so.
      const told = await request(api, 'GET', '/v1/decisions/stream', { key });
      t.deepEqual(told.json.deleted.map((d: { value: string }) => d.value), ['192.0.2.42']);
      t.is((await request(api, 'GET', '/v1/alerts?limit=0', { token })).json.length, 2);
    } finally {
      await api.close();
    }
  });

  test('retention prunes old alerts but never one with an active decision', async (t) => {
    const api = await start();
    try {
      const { token } = await credentials(api);
      const old = new Date(Date.now() - 3600_000).toISOString();
      await request(api, 'POST', '/v1/alerts', { token, body: [agentAlert('192.0.2.50', 'crowdwatch/ssh-bf', old), { ...agentAlert('192.0.2.51'), remediation: false }] });
      const store = api.api.ctx.store;
      // Everything is "older than 0 ms": only the alert without an active decision may go.
      const removed = await store.alerts.prune({ maxAgeMs: 0 }, Date.now() + 1);
      t.is(removed, 1);
      const left = await store.alerts.query({ limit: 0 });
      t.deepEqual(left.map((a) => a.source.value), ['192.0.2.50']);
      t.is(await store.alerts.prune({ maxItems: 0 }, Date.now() + 1), 0);
    } finally {
      await api.close();
    }
  });
}
