// The central server over HTTP on loopback: consensus as members see it through the CAPI routes.
// central-sqlite.test.ts and central-postgres.test.ts run it on each store backend.
import type { ExecutionContext } from 'ava';
import { loadCentralConfig } from '../../src/central/config';
import { startCentral } from '../../src/central/server';
import { capiSignal, type TestCentral } from '../helpers/central';

export type StartCentral = (yaml?: string) => Promise<TestCentral>;
export type Register = (title: string, impl: (t: ExecutionContext) => Promise<void>) => void;

const H = 3600e3;
const goDuration = /^(\d+h)?(\d+m)?(\d+(\.\d+)?(s|ms|µs|ns))$/;

export function centralSuite(test: Register, start: StartCentral): void {
  test('CAPI login answers {code, expire, token}; a wrong password is a 401 JSON error', async (t) => {
    const c = await start();
    try {
      t.is((await c.request('GET', '/health')).json.status, 'up');
      await c.member('m1');
      const ok = await c.request('POST', '/v2/watchers/login', { body: { machine_id: 'm1', password: 'm1-password', scenarios: [] } });
      t.is(ok.json.code, 200);
      t.regex(ok.json.expire, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      t.is(typeof ok.json.token, 'string');
      const again = await c.request('POST', '/v2/watchers', { body: { machine_id: 'm1', password: 'x' } });
      t.is(again.status, 403);
      const bad = await c.request('POST', '/v2/watchers/login', { body: { machine_id: 'm1', password: 'nope' } });
      t.is(bad.status, 401);
      t.deepEqual(bad.json, { code: 401, message: 'incorrect Username or Password' });
      const metrics = await c.request('POST', '/v2/metrics/', { token: ok.json.token, body: { apil_version: 'v1.4.6', machines: [], bouncers: [] } });
      t.is(metrics.status, 200);
      const [member] = await c.central.ctx.store.members();
      t.is(member.lastMetrics, c.clock.now);
    } finally {
      await c.close();
    }
  });

  test('three members report an address: a fourth member\'s stream lists it (origin CAPI) and the reputation says so', async (t) => {
    const c = await start();
    try {
      const [a, b, d, reader] = [await c.member('a'), await c.member('b'), await c.member('d'), await c.member('reader')];
      t.deepEqual(await c.pull(reader, true), { deleted: null, new: null });
      for (const token of [a, b]) t.is((await c.push(token, [capiSignal('192.0.2.10')])).status, 200);
      t.deepEqual(await c.pull(reader), { deleted: null, new: null }, 'two members are not enough');
      const pushed = await c.push(d, [capiSignal('192.0.2.10')]);
      t.deepEqual(pushed.json, { message: 'OK', received: 1, stored: 1, counted: 1 });
      const stream = await c.pull(reader);
      t.is(stream.deleted, null);
      t.is(stream.new?.length, 1);
      const [decision] = stream.new!;
      t.like(decision, { origin: 'CAPI', scenario: 'crowdsecurity/ssh-bf', scope: 'Ip', type: 'ban', value: '192.0.2.10' });
      t.regex(decision.duration, goDuration);
      t.true(decision.duration.startsWith('24h') || decision.duration.startsWith('23h59m'));
      t.deepEqual(await c.pull(reader), { deleted: null, new: null }, 'a later pull has nothing new');
      t.is((await c.pull(reader, true)).new?.length, 1, 'startup lists every entry again');
      const rep = await c.request('GET', '/v1/ip/192.0.2.10', { token: reader });
      t.is(rep.status, 200);
      t.like(rep.json, { ip: '192.0.2.10', members: 3, in_blocklist: true, scenarios: [{ name: 'crowdsecurity/ssh-bf', members: 3 }] });
      t.truthy(rep.json.first_seen);
      t.is(rep.json.blocklist.scenario, 'crowdsecurity/ssh-bf');
      const unknown = await c.request('GET', '/v1/ip/198.51.100.1', { token: reader });
      t.like(unknown.json, { members: 0, in_blocklist: false, first_seen: null, blocklist: null });
      t.is((await c.request('GET', '/v1/ip/192.0.2.10')).status, 401, 'reputation needs a member token');
      t.is((await c.request('GET', '/v1/ip/not-an-ip', { token: reader })).status, 400);
    } finally {
      await c.close();
    }
  });

  test('one member alone lists nothing, even reporting the same address 1,000 times', async (t) => {
    const c = await start();
    try {
      const [alone, reader] = [await c.member('alone'), await c.member('reader')];
      await c.pull(reader, true);
      const batch = Array.from({ length: 50 }, () => capiSignal('192.0.2.20'));
      for (let i = 0; i < 20; i++) t.is((await c.push(alone, batch)).status, 200);
      t.deepEqual(await c.pull(reader), { deleted: null, new: null });
      const rep = await c.request('GET', '/v1/ip/192.0.2.20', { token: reader });
      t.like(rep.json, { members: 1, in_blocklist: false });
      t.is(c.central.ctx.service.consensus.tally('192.0.2.20', c.clock.now).members, 1);
    } finally {
      await c.close();
    }
  });

  test('a hostile member pushing thousands of fabricated signals lists nothing and its weight drops', async (t) => {
    const c = await start();
    try {
      const [hostile, honest1, honest2, reader] = [await c.member('hostile'), await c.member('h1'), await c.member('h2'), await c.member('reader')];
      await c.pull(reader, true);
      const ips = Array.from({ length: 5000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      for (let i = 0; i < ips.length; i += 250) {
        const r = await c.push(hostile, ips.slice(i, i + 250).map((ip) => capiSignal(ip)));
        t.is(r.status, 200);
      }
      t.deepEqual(await c.pull(reader), { deleted: null, new: null });
      const before = await c.request('GET', '/v1/members/me', { token: hostile });
      t.like(before.json, { machine_id: 'hostile', weight: 1, pending: 5000, signals: 5000 });
      // A day later none of it was corroborated.
      c.clock.now += 24 * H + 1;
      await c.central.ctx.service.sweep();
      const after = await c.request('GET', '/v1/members/me', { token: hostile });
      t.like(after.json, { weight: 0.1, corroborated: 0, uncorroborated: 5000, pending: 0 });
      const stored = (await c.central.ctx.store.members()).find((m) => m.machineId === 'hostile');
      t.is(stored?.weight, 0.1);
      // Now its word weighs less: with two honest members it no longer makes three.
      for (const token of [hostile, honest1, honest2]) await c.push(token, [capiSignal('192.0.2.30')]);
      t.deepEqual(await c.pull(reader), { deleted: null, new: null });
      t.like((await c.request('GET', '/v1/ip/192.0.2.30', { token: reader })).json, { members: 3, in_blocklist: false });
    } finally {
      await c.close();
    }
  });

  test('simulated, manual and (by default) tainted or custom signals never count', async (t) => {
    const c = await start();
    try {
      const tokens = [await c.member('a'), await c.member('b'), await c.member('d'), await c.member('e')];
      const reader = await c.member('reader');
      await c.pull(reader, true);
      const variants: Array<[string, Record<string, unknown>]> = [
        ['192.0.2.40', { simulated: true }],
        ['192.0.2.41', { scenario_trust: 'manual' }],
        ['192.0.2.42', { scenario_trust: 'tainted' }],
        ['192.0.2.43', { scenario_trust: 'custom' }],
        ['192.0.2.44', { scenario_trust: undefined }],
      ];
      for (const token of tokens) {
        const r = await c.push(token, variants.map(([ip, o]) => capiSignal(ip, o)));
        t.like(r.json, { received: 5, stored: 4, counted: 0 });
      }
      t.deepEqual(await c.pull(reader), { deleted: null, new: null });
      t.like((await c.request('GET', '/v1/ip/192.0.2.40', { token: reader })).json, { members: 0, in_blocklist: false });
      t.like((await c.request('GET', '/v1/ip/192.0.2.41', { token: reader })).json, { members: 4, in_blocklist: false });
    } finally {
      await c.close();
    }
  });

  test('a configured scenario hash list refuses other hashes; allowlisted addresses never enter', async (t) => {
    const c = await start('consensus:\n  allowlist: [192.0.2.0/28]\n  scenario_hashes:\n    crowdsecurity/ssh-bf: [goodhash]\n');
    try {
      const tokens = [await c.member('a'), await c.member('b'), await c.member('d')];
      const reader = await c.member('reader');
      await c.pull(reader, true);
      for (const token of tokens) {
        await c.push(token, [capiSignal('192.0.2.5', { scenario_hash: 'goodhash' }), capiSignal('192.0.2.50'), capiSignal('192.0.2.51', { scenario_hash: 'goodhash' })]);
      }
      const stream = await c.pull(reader);
      t.deepEqual(stream.new?.map((d: { value: string }) => d.value), ['192.0.2.51']);
    } finally {
      await c.close();
    }
  });

  test('an entry expires after its duration and the next pull lists it in deleted', async (t) => {
    const c = await start('consensus:\n  window: 1h\n  duration: 2h\n');
    try {
      const tokens = [await c.member('a'), await c.member('b'), await c.member('d')];
      const reader = await c.member('reader');
      await c.pull(reader, true);
      for (const token of tokens) await c.push(token, [capiSignal('192.0.2.60')]);
      t.is((await c.pull(reader)).new?.[0]?.value, '192.0.2.60');
      c.clock.now += 2 * H + 1000;
      const after = await c.pull(reader);
      t.is(after.new, null);
      t.like(after.deleted?.[0], { value: '192.0.2.60', origin: 'CAPI', scope: 'Ip', type: 'ban' });
      t.deepEqual(await c.pull(reader), { deleted: null, new: null }, 'deleted once');
      t.is((await c.pull(reader, true)).new, null);
      t.like((await c.request('GET', '/v1/ip/192.0.2.60', { token: reader })).json, { members: 3, in_blocklist: false });
    } finally {
      await c.close();
    }
  });

  test('a restart rebuilds the consensus from the store', async (t) => {
    const c = await start();
    try {
      const [a, b] = [await c.member('a'), await c.member('b')];
      await c.push(a, [capiSignal('192.0.2.70')]);
      await c.push(b, [capiSignal('192.0.2.70')]);
      await c.central.close();
      const config = loadCentralConfig({ dataDir: c.dataDir, listen: '127.0.0.1:0' });
      const again = await startCentral(config, { now: () => c.clock.now, sweepEveryMs: null });
      c.central = again;
      t.is(again.ctx.service.consensus.tally('192.0.2.70', c.clock.now).members, 2);
      t.deepEqual(again.ctx.service.consensus.standing('a'), { corroborated: 1, uncorroborated: 0 });
    } finally {
      await c.close();
    }
  });
}
