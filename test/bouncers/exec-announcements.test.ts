// What the exec bouncer tells its script, without a script: per value, once, across full lists,
// several decisions on one value, expiry and failed deliveries.
import test from 'ava';
import { Announcements, type Change } from '../../src/bouncers/exec/announcements';
import type { StreamDecision } from '../../src/bouncers/common/decision-stream';

const T0 = 1_700_000_000_000;

function decision(id: number, value: string, until: number, type = 'ban'): StreamDecision {
  return { id, value, until, type, scope: value.includes('/') ? 'Range' : 'Ip', origin: 'cscli', scenario: `s${id}` };
}

const said = (changes: Change[]): string[] => changes.map((c) => `${c.action} ${c.decision.value} #${c.decision.id}`);
const full = (...fresh: StreamDecision[]) => ({ full: true, fresh, deleted: [] });
const fresh = (...list: StreamDecision[]) => ({ full: false, fresh: list, deleted: [] });
const gone = (...list: StreamDecision[]) => ({ full: false, fresh: [], deleted: list });

test('a full list announces only what the script has not heard of, and retracts what is gone', (t) => {
  const a = new Announcements();
  const ip = decision(1, '192.0.2.1', T0 + 60_000);
  const range = decision(2, '198.51.100.0/24', T0 + 60_000);
  t.deepEqual(said(a.apply(full(ip, range), T0)), ['add 192.0.2.1 #1', 'add 198.51.100.0/24 #2']);
  t.deepEqual(said(a.apply(full(ip, range), T0 + 1000)), [], 'a resync with the same decisions says nothing');
  t.deepEqual(said(a.apply(full(range), T0 + 2000)), ['del 192.0.2.1 #1']);
  t.is(a.size, 1);
});

test('a value under two decisions is retracted only when the last one ends', (t) => {
  const a = new Announcements();
  const short = decision(1, '192.0.2.1', T0 + 60_000);
  const long = decision(2, '192.0.2.1', T0 + 120_000);
  t.deepEqual(said(a.apply(fresh(short), T0)), ['add 192.0.2.1 #1']);
  t.deepEqual(said(a.apply(fresh(long), T0)), ['add 192.0.2.1 #2'], 'the longer decision is announced (scripts treat add as upsert)');
  t.deepEqual(said(a.apply(gone(short), T0)), [], 'the shorter one ending changes nothing');
  t.deepEqual(said(a.apply(fresh(short), T0)), []);
  t.deepEqual(said(a.apply(gone(long), T0)), ['add 192.0.2.1 #1'], 'the one left takes over');
  t.deepEqual(said(a.apply(gone(short), T0)), ['del 192.0.2.1 #1']);
  t.deepEqual(said(a.apply(gone(short), T0)), [], 'a second deletion says nothing');
});

test('a decision running out is retracted once, whether the timer or the API says it first', (t) => {
  const a = new Announcements();
  const d = decision(1, '2001:db8::1', T0 + 3000);
  t.deepEqual(said(a.apply(fresh(d, decision(2, '192.0.2.2', T0 + 9000)), T0)), ['add 2001:db8::1 #1', 'add 192.0.2.2 #2']);
  t.is(a.nextExpiry(), T0 + 3000);
  t.deepEqual(said(a.expire(T0 + 2999)), []);
  t.deepEqual(said(a.expire(T0 + 3000)), ['del 2001:db8::1 #1']);
  t.is(a.nextExpiry(), T0 + 9000);
  t.deepEqual(said(a.apply(gone(d), T0 + 3500)), [], 'the API sending it in deleted afterwards is not repeated');
});

test('types: a ban is in force before a longer captcha; other types are not announced', (t) => {
  const a = new Announcements(new Set(['ban', 'captcha']));
  const captcha = decision(1, '203.0.113.7', T0 + 120_000, 'captcha');
  const ban = decision(2, '203.0.113.7', T0 + 60_000);
  const throttle = decision(3, '203.0.113.8', T0 + 60_000, 'throttle');
  t.deepEqual(said(a.apply(fresh(captcha, ban, throttle), T0)), ['add 203.0.113.7 #2']);
  t.deepEqual(said(a.expire(T0 + 60_000)), ['add 203.0.113.7 #1'], 'the captcha takes over when the ban ends');
  const all = new Announcements();
  t.deepEqual(said(all.apply(fresh(throttle), T0)), ['add 203.0.113.8 #3'], 'without a type filter every type is announced');
});

test('a change that could not be delivered is tried again at the next full list', (t) => {
  const a = new Announcements();
  const ip = decision(1, '192.0.2.1', T0 + 60_000);
  const other = decision(2, '192.0.2.2', T0 + 60_000);
  const [addIp, addOther] = a.apply(full(ip, other), T0);
  a.undeliverable(addIp);
  t.deepEqual(said(a.apply(full(ip, other), T0)), ['add 192.0.2.1 #1']);
  const [del] = a.apply(gone(other), T0);
  t.deepEqual(said([del]), ['del 192.0.2.2 #2']);
  a.undeliverable(del);
  t.deepEqual(said(a.apply(full(ip), T0)), ['del 192.0.2.2 #2']);
  t.truthy(addOther);
});
