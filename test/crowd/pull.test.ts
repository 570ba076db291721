// Applying the community blocklist: the startup pull replaces every crowd decision, and later
// pulls remove what the central deleted and renew what it sends again, without touching this
// API's own decisions. The central is a scripted fetch (the tests run one at a time: they
// replace the global fetch): each pull answers the next change set.
import * as path from 'node:path';
import test from 'ava';
import { CrowdSync } from '../../src/crowd/sync';
import { Store } from '../../src/store/store';
import { tempDir } from '../helpers/run-cli';

const CENTRAL = 'http://127.0.0.1:9/';

function entry(value: string, duration = '24h'): Record<string, unknown> {
  return { id: 1, duration, origin: 'crowd', scenario: 'crowdwatch/ssh-bf', scope: 'Ip', type: 'ban', value };
}

/** A fetch that logs in and answers each stream pull with the next of `pulls`. */
function scriptedCentral(pulls: Array<{ new: unknown[] | null; deleted: unknown[] | null }>): typeof fetch {
  return async (input: string | URL | Request) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.endsWith('/v2/watchers/login')) return new Response(JSON.stringify({ token: 't' }), { status: 200 });
    if (url.includes('/v2/decisions/stream')) return new Response(JSON.stringify(pulls.shift()), { status: 200 });
    return new Response('unexpected', { status: 500 });
  };
}

test.serial('pulls: startup replaces the crowd decisions, later ones delete and renew, own decisions stay', async (t) => {
  const store = await Store.open({ type: 'sqlite', path: path.join(tempDir('crowd-pull'), 'crowdwatch.db') });
  const realFetch = globalThis.fetch;
  globalThis.fetch = scriptedCentral([
    { new: ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'].map((ip) => entry(ip)), deleted: null },
    { new: [entry('192.0.2.2', '48h'), entry('192.0.2.5'), entry('10.0.0.1')], deleted: [entry('192.0.2.1'), entry('192.0.2.3'), entry('192.0.2.9')] },
    { new: null, deleted: null },
  ]);
  try {
    const sync = new CrowdSync(store, { url: CENTRAL, machineId: 'm', password: 'p' }, { allowlist: ['10.0.0.0/8'], log: () => undefined });
    const now = Date.now();
    const own = { type: 'ban', scope: 'Ip', value: '192.0.2.3', origin: 'cscli', scenario: 'manual', simulated: false, until: now + 3_600_000 };
    await store.alerts.insert([{
      machineId: '', scenario: 'manual', scenarioHash: '', scenarioVersion: '', message: '', eventsCount: 1, startAt: '', stopAt: '', stopAtMs: now,
      capacity: 0, leakspeed: '', simulated: false, remediation: true, source: { scope: 'Ip', value: '192.0.2.3' }, events: [], meta: [], labels: [], decisions: [own],
    }], now);
    const active = async (origin: string): Promise<string[]> =>
      (await store.decisions.active({ origins: [origin] }, Date.now(), 100)).map((d) => d.value).sort();

    t.deepEqual(await sync.pullNow(), { added: 4, removed: 0 });
    t.deepEqual(await active('crowd'), ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']);
    // Deleted: .1 and .3 (.9 was never there); sent again: .2, renewed once, not doubled; new:
    // .5; 10.0.0.1 is on the allowlist.
    t.deepEqual(await sync.pullNow(), { added: 2, removed: 2 });
    t.deepEqual(await active('crowd'), ['192.0.2.2', '192.0.2.4', '192.0.2.5']);
    const renewed = (await store.decisions.active({ value: '192.0.2.2', origins: ['crowd'] }, Date.now(), 10)).map((d) => d.until);
    t.is(renewed.length, 1);
    t.true(renewed[0] > Date.now() + 47 * 3_600_000, 'the renewed decision has the new duration');
    t.deepEqual(await active('cscli'), ['192.0.2.3'], "this API's own decision on a deleted address stays");
    t.deepEqual(await sync.pullNow(), { added: 0, removed: 0 });
  } finally {
    globalThis.fetch = realFetch;
    await store.close();
  }
});

test.serial('pulls: thousands of deletions in one pull are all applied (across statements), and none touches the rest', async (t) => {
  const store = await Store.open({ type: 'sqlite', path: path.join(tempDir('crowd-pull'), 'crowdwatch.db') });
  const ips = Array.from({ length: 2500 }, (_, i) => `198.18.${i >> 8}.${i & 255}`);
  const realFetch = globalThis.fetch;
  globalThis.fetch = scriptedCentral([
    { new: [...ips, '192.0.2.1'].map((ip) => entry(ip)), deleted: null },
    { new: [], deleted: ips.map((ip) => entry(ip)) },
    { new: null, deleted: [] },
  ]);
  try {
    const sync = new CrowdSync(store, { url: CENTRAL, machineId: 'm', password: 'p' }, { allowlist: [], log: () => undefined });
    t.deepEqual(await sync.pullNow(), { added: 2501, removed: 0 });
    t.deepEqual(await sync.pullNow(), { added: 0, removed: 2500 });
    t.deepEqual(await sync.pullNow(), { added: 0, removed: 0 }, 'an empty deletion list ends nothing');
    t.deepEqual((await store.decisions.active({ origins: ['crowd'] })).map((d) => d.value), ['192.0.2.1']);
  } finally {
    globalThis.fetch = realFetch;
    await store.close();
  }
});
