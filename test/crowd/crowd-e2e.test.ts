// The crowd end to end: one central and four local APIs on loopback. Three members see the same
// attacker; the fourth gets it as a `crowd` decision at its next pull, and its bouncers see it.
// One member alone reaches nobody; simulated and manual alerts are never shared; what reaches the
// central is only the promised fields.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { agentAlert, request } from '../api/lapi-suite';
import { startTestApi, type TestApi } from '../helpers/api';
import { startTestCentral } from '../helpers/central';
import { runCli, tempDir } from '../helpers/run-cli';

/** Profiles that ban targeted attackers (seen by no other member) longer. */
const VIEW_PROFILES = `name: targeted_long_ban
filters:
  - Alert.Remediation == true && Alert.GetScope() == "Ip" && Alert.GetMeta("crowd_view") == "targeted"
decisions:
  - type: ban
    duration: 24h
on_success: break
---
name: default_ip_remediation
filters:
  - Alert.Remediation == true && Alert.GetScope() == "Ip"
decisions:
  - type: ban
    duration: 4h
on_success: break
`;

async function member(centralUrl: string, profiles?: string): Promise<TestApi & { token: string }> {
  // Timers far apart: the test pushes and pulls when it wants to.
  const api = await startTestApi({ configYaml: `crowd:\n  url: ${centralUrl}\n  push_every: 1h\n  pull_every: 1h\n${profiles ? `api:\n  profiles: ${profiles}\n` : ''}` });
  await api.machine('agent', 'agent-password-1');
  return Object.assign(api, { token: await api.login('agent', 'agent-password-1') });
}

async function postAlert(api: TestApi & { token: string }, alert: Record<string, unknown>): Promise<void> {
  const r = await request(api, 'POST', '/v1/alerts', { token: api.token, body: [alert] });
  if (r.status !== 201) throw new Error(`alert refused: ${r.status} ${r.text}`);
}

test('three members report an attacker and the fourth bans it; one member alone, simulated and manual alerts reach nobody', async (t) => {
  const central = await startTestCentral();
  const profiles = path.join(tempDir('crowd'), 'profiles.yaml');
  fs.writeFileSync(profiles, VIEW_PROFILES);
  const members = await Promise.all([0, 1, 2, 3].map((i) => member(central.url, i === 3 ? profiles : undefined)));
  try {
    const [a, b, c, d] = members;
    for (const m of [a, b, c]) await postAlert(m, agentAlert('198.51.100.7'));
    await postAlert(a, agentAlert('198.51.100.8'));
    await postAlert(b, { ...agentAlert('198.51.100.9'), simulated: true });
    await postAlert(c, { ...agentAlert('198.51.100.9'), simulated: true });
    await postAlert(a, { ...agentAlert('198.51.100.9'), simulated: true });
    t.is((await runCli('decisions', 'add', '--ip', '198.51.100.10', ...b.flags)).code, 0);
    t.is((await runCli('decisions', 'add', '--ip', '198.51.100.10', ...c.flags)).code, 0);
    t.is((await runCli('decisions', 'add', '--ip', '198.51.100.10', ...a.flags)).code, 0);

    // Pushing: only the detected, unsimulated alerts leave, once each, and every signal on the
    // wire holds the promised fields only (the requests are watched as they go out).
    const onTheWire: Array<Record<string, unknown>> = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.endsWith('/v2/signals') && typeof init?.body === 'string') onTheWire.push(...(JSON.parse(init.body) as Array<Record<string, unknown>>));
      return realFetch(input, init);
    };
    try {
      t.deepEqual(await Promise.all([a, b, c].map((m) => m.api.crowd!.pushNow())), [2, 1, 1]);
    } finally {
      globalThis.fetch = realFetch;
    }
    t.is(onTheWire.length, 4);
    for (const signal of onTheWire) {
      t.deepEqual(Object.keys(signal).sort(), ['created_at', 'scenario', 'scenario_hash', 'scenario_trust', 'scenario_version', 'source', 'start_at', 'stop_at']);
      t.true(Object.keys(signal.source as object).every((k) => ['scope', 'value', 'ip', 'range', 'as_number', 'as_name', 'cn'].includes(k)), JSON.stringify(signal.source));
    }
    t.deepEqual(await Promise.all([a, b, c].map((m) => m.api.crowd!.pushNow())), [0, 0, 0], 'the cursor is kept: nothing twice');

    // The fourth member pulls: the attacker three members saw, as a crowd decision.
    t.deepEqual(await d.api.crowd!.pullNow(), { added: 1, removed: 0 });
    const key = await d.bouncerKey('fw');
    const served = await request(d, 'GET', '/v1/decisions/stream?startup=true', { headers: { 'x-api-key': key } });
    t.deepEqual((served.json.new as Array<{ value: string; origin: string; type: string }>).map((x) => [x.value, x.origin, x.type]), [['198.51.100.7', 'crowd', 'ban']]);
    const onlyOwn = await request(d, 'GET', '/v1/decisions/stream?startup=true&origins=crowdsec', { headers: { 'x-api-key': key } });
    t.is(onlyOwn.json.new, null, 'bouncers can leave the crowd out by origin');
    for (const ip of ['198.51.100.8', '198.51.100.9', '198.51.100.10']) {
      const r = await request(d, 'GET', `/v1/decisions?ip=${ip}`, { headers: { 'x-api-key': key } });
      t.is(r.json, null, `${ip} did not reach the fourth member`);
    }
    // `crowdwatch decisions list` hides crowd decisions without -a, as cscli hides CAPI ones.
    t.notRegex((await runCli('decisions', 'list', ...d.flags, '-o', 'raw')).stdout, /198\.51\.100\.7/);
    t.regex((await runCli('decisions', 'list', '-a', ...d.flags, '-o', 'raw')).stdout, /198\.51\.100\.7/);

    // The central saw 198.51.100.8 from one member and never saw .9 or .10.
    const tok = await central.member('observer');
    const seen = async (ip: string): Promise<number> => (await central.request('GET', `/v1/ip/${ip}`, { token: tok })).json.members;
    t.deepEqual(await Promise.all(['198.51.100.7', '198.51.100.8', '198.51.100.9', '198.51.100.10'].map(seen)), [3, 1, 0, 0]);

    // Targeted or opportunistic: the fourth member's own alerts, judged by the crowd's view.
    await postAlert(d, agentAlert('198.51.100.7'));
    await postAlert(d, agentAlert('198.51.100.20'));
    const raw = (await runCli('alerts', 'list', ...d.flags, '-o', 'raw')).stdout;
    t.regex(raw, /,198\.51\.100\.7,crowdwatch\/ssh-bf,.*,opportunistic\n/);
    t.regex(raw, /,198\.51\.100\.20,crowdwatch\/ssh-bf,.*,targeted\n/);
    const bans = async (ip: string): Promise<string[]> => ((await request(d, 'GET', `/v1/decisions?ip=${ip}&origins=crowdsec`, { headers: { 'x-api-key': key } })).json as Array<{ duration: string }>).map((x) => x.duration);
    t.regex((await bans('198.51.100.20'))[0], /^23h59m/, 'a targeted attacker gets the long ban');
    t.regex((await bans('198.51.100.7'))[0], /^3h59m/, 'an opportunistic one the default');

    // Status from the CLI: the cursor, and nothing waiting.
    const status = await runCli('crowd', 'status', ...a.flags, '-o', 'json');
    t.is(status.code, 0, status.stderr);
    t.like(JSON.parse(status.stdout), { url: central.url, waiting: 0 });
    t.true(fs.existsSync(path.join(a.dataDir, 'online_api_credentials.yaml')));

    // Enrolling from the CLI: registered once, credentials written; the sync commands then use
    // that central without a crowd: section (test/faults/crowd-cli.test.ts covers every way).
    const fifth = tempDir('crowd');
    const enrolled = await runCli('crowd', 'enroll', '--url', central.url, '--data-dir', fifth, '-o', 'json');
    t.is(enrolled.code, 0, enrolled.stderr);
    t.like(JSON.parse(enrolled.stdout), { url: central.url, credentials: path.join(fifth, 'online_api_credentials.yaml') });
    const again = await runCli('crowd', 'enroll', '--url', central.url, '--data-dir', fifth, '-o', 'json');
    t.is(JSON.parse(again.stdout).member, JSON.parse(enrolled.stdout).member, 'enrolling again keeps the same member');
    const pushed = await runCli('crowd', 'push-now', '--data-dir', fifth, '-o', 'json');
    t.is(pushed.code, 0, pushed.stderr);
    t.like(JSON.parse(pushed.stdout), { signals_pushed: 0 });
  } finally {
    await Promise.all(members.map((m) => m.close()));
    await central.close();
  }
});
