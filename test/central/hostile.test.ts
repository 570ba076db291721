// Hostile input to the central: each request gets a 4xx JSON error and nothing is stored.
import test from 'ava';
import { capiSignal, type Reply, startTestCentral } from '../helpers/central';

test('malformed JSON, huge bodies, bad items and bad tokens get 4xx JSON errors and store nothing', async (t) => {
  const c = await startTestCentral('max_body_bytes: 65536\n');
  try {
    const token = await c.member('member-1');
    const expect4xx = async (what: string, pending: Promise<Reply>): Promise<void> => {
      const r = await pending;
      t.true(r.status >= 400 && r.status < 500, `${what}: ${r.status} ${r.text.slice(0, 200)}`);
      t.is(typeof r.json?.message, 'string', `${what}: ${r.text.slice(0, 200)}`);
    };
    const good = capiSignal('192.0.2.90');
    await expect4xx('truncated JSON', c.request('POST', '/v2/signals', { token, raw: '[{"scenario":' }));
    await expect4xx('not JSON', c.request('POST', '/v2/signals', { token, raw: "'; DROP TABLE signals; --" }));
    await expect4xx('huge body', c.request('POST', '/v2/signals', { token, raw: JSON.stringify([{ ...good, message: 'x'.repeat(70_000) }]) }));
    await expect4xx('object instead of array', c.request('POST', '/v2/signals', { token, body: good }));
    await expect4xx('too many items', c.request('POST', '/v2/signals', { token, raw: `[${Array(1001).fill('{}').join(',')}]` }));
    await expect4xx('missing fields', c.request('POST', '/v2/signals', { token, body: [{ scenario: 'x' }] }));
    await expect4xx('wrong types', c.request('POST', '/v2/signals', { token, body: [{ ...good, scenario_hash: 42 }] }));
    await expect4xx('bad time', c.request('POST', '/v2/signals', { token, body: [{ ...good, stop_at: 'yesterday' }] }));
    await expect4xx('not an IP', c.request('POST', '/v2/signals', { token, body: [capiSignal("1.2.3.4' OR 1=1 --")] }));
    await expect4xx('bad range', c.request('POST', '/v2/signals', { token, body: [capiSignal('192.0.2.91', { source: { scope: 'Ip', value: '192.0.2.91', range: '192.0.2.0/99' } })] }));
    await expect4xx('overlong scenario', c.request('POST', '/v2/signals', { token, body: [{ ...good, scenario: 's'.repeat(300) }] }));
    await expect4xx('half-bad batch', c.request('POST', '/v2/signals', { token, body: [good, capiSignal('999.1.1.1')] }));
    await expect4xx('bad stream parameter', c.request('GET', '/v2/decisions/stream?startup=yes', { token }));
    await expect4xx('bad register body', c.request('POST', '/v2/watchers', { raw: '{"machine_id": 1}' }));
    await expect4xx('machine id with SQL', c.request('POST', '/v2/watchers', { body: { machine_id: "x'; DROP TABLE members; --", password: 'p' } }));
    for (const bad of ['', 'abc', `${token.slice(0, -2)}xx`, 'eyJhbGciOiJub25lIn0.eyJpZCI6Im1lbWJlci0xIn0.', 't'.repeat(10_000)]) {
      await expect4xx(`token ${bad.slice(0, 16)}`, c.request('POST', '/v2/signals', { token: bad, body: [good] }));
      await expect4xx(`token ${bad.slice(0, 16)} (stream)`, c.request('GET', '/v2/decisions/stream?startup=true', { token: bad }));
    }
    await expect4xx('no token', c.request('POST', '/v2/signals', { body: [good] }));
    const db = c.central.ctx.store.db;
    t.deepEqual(await db.all('SELECT * FROM signals'), []);
    t.deepEqual(await db.all('SELECT * FROM blocklist'), []);
    t.deepEqual((await c.central.ctx.store.members()).map((m) => [m.machineId, m.signals]), [['member-1', 0]]);
    t.is((await c.request('GET', '/nowhere')).status, 404);
  } finally {
    await c.close();
  }
});
