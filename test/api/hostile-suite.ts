// Hostile and malformed requests: each gets a 4xx JSON error (or, for free-text filters, an
// honest empty answer), and the data is unchanged afterwards. Run on every store backend.
import type { TestApi } from '../helpers/api';
import { agentAlert, credentials, type Register, request, type StartApi } from './lapi-suite';

const SQL = ["' OR '1'='1", '1; DROP TABLE decisions; --', '%', '" OR ""="', "\\'", '*/ --', '(SELECT 1)'];

/** Everything a client can read, without the durations that tick down between two reads. */
async function snapshot(api: TestApi, token: string, key: string): Promise<string> {
  const strip = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null, (k, x) => (k === 'duration' ? undefined : x)));
  const alerts = await request(api, 'GET', '/v1/alerts?limit=0', { token });
  const live = await request(api, 'GET', '/v1/decisions?simulated=true', { key });
  const store = api.api.ctx.store;
  const machines = (await store.machines.list()).map((m) => [m.machineId, m.isValidated, m.passwordHash]);
  const bouncers = (await store.bouncers.list()).map((b) => [b.name, b.keyHash]);
  return JSON.stringify([strip(alerts.json), strip(live.json), machines, bouncers]);
}

export function hostileSuite(test: Register, start: StartApi): void {
  test('hostile requests get 4xx JSON errors and change nothing', async (t) => {
    const api = await start('api:\n  max_body_bytes: 65536\n');
    try {
      const { token, key } = await credentials(api);
      await request(api, 'POST', '/v1/alerts', { token, body: [agentAlert('192.0.2.60'), agentAlert('2001:db8::60')] });
      const before = await snapshot(api, token, key);
      const expect4xx = async (what: string, res: Promise<{ status: number; json: any; text: string }>) => {
        const r = await res;
        t.true(r.status >= 400 && r.status < 500, `${what}: status ${r.status} ${r.text.slice(0, 200)}`);
        if (r.text !== '') t.is(typeof r.json?.message, 'string', `${what}: ${r.text.slice(0, 200)}`);
      };
      // Malformed and oversized bodies.
      await expect4xx('truncated JSON', request(api, 'POST', '/v1/alerts', { token, raw: '[{"scenario":' }));
      await expect4xx('not JSON', request(api, 'POST', '/v1/alerts', { token, raw: "'; DROP TABLE alerts; --" }));
      await expect4xx('oversized body', request(api, 'POST', '/v1/alerts', { token, raw: `[${'{"a":"' + 'x'.repeat(70_000) + '"}'}]` }));
      await expect4xx('object instead of array', request(api, 'POST', '/v1/alerts', { token, body: agentAlert('192.0.2.61') }));
      await expect4xx('missing fields', request(api, 'POST', '/v1/alerts', { token, body: [{ scenario: 'x' }] }));
      await expect4xx('wrong types', request(api, 'POST', '/v1/alerts', { token, body: [{ ...agentAlert('192.0.2.62'), events_count: 'many' }] }));
      await expect4xx('bad time', request(api, 'POST', '/v1/alerts', { token, body: [{ ...agentAlert('192.0.2.63'), stop_at: 'yesterday' }] }));
      await expect4xx('invalid IP source', request(api, 'POST', '/v1/alerts', { token, body: [agentAlert("1.2.3.4' OR 1=1 --")] }));
      // One bad alert in a batch stores none of the batch.
      await expect4xx('half-bad batch', request(api, 'POST', '/v1/alerts', { token, body: [agentAlert('192.0.2.64'), agentAlert('999.1.1.1')] }));
      const badDecision = { ...agentAlert('192.0.2.65'), decisions: [{ duration: '4h', origin: 'x', scenario: 'x', scope: 'Range', type: 'ban', value: '10.0.0.1' }] };
      await expect4xx('range decision without a range', request(api, 'POST', '/v1/alerts', { token, body: [badDecision] }));
      await expect4xx('bad login body', request(api, 'POST', '/v1/watchers/login', { raw: '{"machine_id": 1}' }));
      await expect4xx('machine id with SQL', request(api, 'POST', '/v1/watchers', { body: { machine_id: "x'; DROP TABLE machines; --", password: 'p' } }));
      // Bad keys and tokens.
      for (const bad of ['', 'nope', `${key}x`, key.slice(0, -1), "' OR '1'='1", 'k'.repeat(10_000)]) {
        await expect4xx(`bouncer key ${bad.slice(0, 20)}`, request(api, 'GET', '/v1/decisions/stream?startup=true', { headers: { 'x-api-key': bad } }));
      }
      for (const bad of ['', 'abc', `${token.slice(0, -2)}xx`, 'eyJhbGciOiJub25lIn0.eyJpZCI6ImFnZW50LTEifQ.']) {
        await expect4xx(`token ${bad.slice(0, 20)}`, request(api, 'DELETE', '/v1/decisions', { token: bad }));
      }
      // Filters that name things or take addresses refuse what they cannot mean.
      for (const s of SQL) {
        const q = encodeURIComponent(s);
        for (const p of ['ip', 'range', 'type', 'scopes', 'origins', 'contains', 'simulated', 'id']) {
          await expect4xx(`GET decisions ${p}=${s}`, request(api, 'GET', `/v1/decisions?${p}=${q}`, { key }));
          await expect4xx(`DELETE decisions ${p}=${s}`, request(api, 'DELETE', `/v1/decisions?${p}=${q}`, { token }));
        }
        for (const p of ['ip', 'range', 'scope', 'decision_type', 'origin', 'since', 'until', 'limit', 'sort', 'simulated', 'has_active_decision', 'include_capi']) {
          await expect4xx(`GET alerts ${p}=${s}`, request(api, 'GET', `/v1/alerts?${p}=${q}`, { token }));
          await expect4xx(`DELETE alerts ${p}=${s}`, request(api, 'DELETE', `/v1/alerts?${p}=${q}`, { token }));
        }
        for (const p of ['scopes', 'origins', 'startup', 'dedup', 'wait']) {
          await expect4xx(`stream ${p}=${s}`, request(api, 'GET', `/v1/decisions/stream?${p}=${q}`, { key }));
        }
        await expect4xx(`decision id ${s}`, request(api, 'DELETE', `/v1/decisions/${q}`, { token }));
        await expect4xx(`alert id ${s}`, request(api, 'GET', `/v1/alerts/${q}`, { token }));
        // Free-text filters take the text literally: nothing matches, nothing is deleted.
        for (const p of ['value', 'scenario', 'scenarios_containing']) {
          const got = await request(api, 'GET', `/v1/decisions?${p}=${q}`, { key });
          t.is(got.status, 200, `${p}=${s}`);
          t.is(got.text, 'null', `${p}=${s}`);
          const del = await request(api, 'DELETE', `/v1/decisions?${p === 'scenarios_containing' ? 'scenario' : p}=${q}`, { token });
          t.deepEqual(del.json, { nbDeleted: '0' }, `${p}=${s}`);
        }
        const delAlerts = await request(api, 'DELETE', `/v1/alerts?value=${q}`, { token });
        t.deepEqual(delAlerts.json, { nbDeleted: '0' });
      }
      await expect4xx('unknown filter', request(api, 'GET', '/v1/alerts?foo=bar', { token }));
      await expect4xx('repeated parameter', request(api, 'GET', '/v1/decisions?ip=1.2.3.4&ip=5.6.7.8', { key }));
      await expect4xx('NUL in a value', request(api, 'GET', '/v1/decisions?value=a%00b', { key }));
      t.is(await snapshot(api, token, key), before);
    } finally {
      await api.close();
    }
  });
}
