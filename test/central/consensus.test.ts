// The consensus engine alone: no HTTP, no database, a clock passed in.
import test from 'ava';
import { defaultConsensus } from '../../src/central/config';
import { Consensus, type ConsensusChanges, MAX_WEIGHT, MIN_WEIGHT, noChanges, weightOf } from '../../src/central/consensus';

const H = 3600e3;

function engine(overrides: Partial<ReturnType<typeof defaultConsensus>> = {}): Consensus {
  return new Consensus({ ...defaultConsensus(), ...overrides });
}

function report(c: Consensus, member: string, value: string, at: number): ConsensusChanges {
  const changes = noChanges();
  c.report(member, value, 'crowdsecurity/ssh-bf', at, changes);
  return changes;
}

test('weights start at 1 and stay within bounds', (t) => {
  t.is(weightOf({ corroborated: 0, uncorroborated: 0 }), 1);
  t.is(weightOf({ corroborated: 10_000, uncorroborated: 0 }), MAX_WEIGHT * (10_001 / 10_002));
  t.is(weightOf({ corroborated: 0, uncorroborated: 18 }), MIN_WEIGHT);
  t.is(weightOf({ corroborated: 0, uncorroborated: 1_000_000 }), MIN_WEIGHT);
});

test('three distinct members list an address; two do not', (t) => {
  const c = engine();
  t.deepEqual(report(c, 'a', '192.0.2.1', 0).listed, []);
  t.deepEqual(report(c, 'b', '192.0.2.1', 1000).listed, []);
  const third = report(c, 'c', '192.0.2.1', 2000);
  t.deepEqual(third.listed, [{ value: '192.0.2.1', scenario: 'crowdsecurity/ssh-bf', until: 2000 + 24 * H }]);
  t.deepEqual(c.tally('192.0.2.1', 2000).members, 3);
});

test('a member counts once per address, however often it reports', (t) => {
  const c = engine();
  for (let i = 0; i < 1000; i++) t.deepEqual(report(c, 'a', '192.0.2.2', i).listed, []);
  t.is(c.tally('192.0.2.2', 1000).members, 1);
  t.is(c.entry('192.0.2.2'), undefined);
});

test('reports outside the window do not add up', (t) => {
  const c = engine({ windowMs: H });
  report(c, 'a', '192.0.2.3', 0);
  report(c, 'b', '192.0.2.3', 30 * 60e3);
  t.deepEqual(report(c, 'c', '192.0.2.3', 2 * H).listed, []);
});

test('corroboration raises weights; lone reports lower them when their window passes', (t) => {
  const c = engine({ windowMs: H });
  report(c, 'a', '192.0.2.4', 0);
  const second = report(c, 'b', '192.0.2.4', 10);
  t.deepEqual([...second.members].sort(), ['a', 'b']);
  t.true(c.weight('a') > 1 && c.weight('b') > 1);
  for (let i = 0; i < 50; i++) report(c, 'liar', `198.51.100.${i}`, 100 + i);
  t.is(c.weight('liar'), 1);
  t.is(c.pendingCount('liar'), 50);
  const swept = c.sweep(H + 200);
  t.true(swept.members.has('liar'));
  t.is(c.weight('liar'), MIN_WEIGHT);
  t.deepEqual(c.standing('liar'), { corroborated: 0, uncorroborated: 50 });
  t.is(c.pendingCount('liar'), 0);
});

test('low-weight members cannot make up the count: both the members and their weighted sum must reach min_members', (t) => {
  const c = engine({ windowMs: H });
  // Lone reports (each its own addresses: reporting the same ones would corroborate each other).
  for (const [n, m] of ['x', 'y'].entries()) {
    for (let i = 0; i < 20; i++) report(c, m, `203.0.${113 + n}.${i}`, i);
  }
  c.sweep(2 * H);
  t.is(c.weight('x'), MIN_WEIGHT);
  const at = 3 * H;
  report(c, 'x', '192.0.2.5', at);
  report(c, 'y', '192.0.2.5', at);
  const third = report(c, 'z', '192.0.2.5', at);
  t.deepEqual(third.listed, [], 'weights after corroboration are still below 3 in sum');
  // Honest members with a good record list it at once.
  const d = engine();
  for (const m of ['p', 'q', 'r']) report(d, m, '192.0.2.9', 0);
  t.truthy(d.entry('192.0.2.9'));
  // And two members of maximal weight are still two members.
  const e = engine();
  for (let i = 0; i < 200; i++) {
    report(e, 'h1', `10.9.${i >> 8}.${i & 255}`, i);
    report(e, 'h2', `10.9.${i >> 8}.${i & 255}`, i);
  }
  t.true(e.weight('h1') > 1.9);
  report(e, 'h1', '192.0.2.10', 1000);
  t.deepEqual(report(e, 'h2', '192.0.2.10', 1000).listed, []);
});

test('allowlisted addresses never enter and never change standing', (t) => {
  const c = engine({ allowlist: ['192.0.2.0/24'] });
  for (const m of ['a', 'b', 'c', 'd']) t.deepEqual(report(c, m, '192.0.2.77', 0).listed, []);
  t.is(c.entry('192.0.2.77'), undefined);
  t.is(c.pendingCount('a'), 0);
});

test('entries expire after their duration unless the consensus reports them again', (t) => {
  const c = engine({ windowMs: H, durationMs: 2 * H });
  for (const m of ['a', 'b', 'c']) report(c, m, '192.0.2.6', 0);
  t.is(c.entry('192.0.2.6')?.until, 2 * H);
  // A report a little later is not worth a write; one much later (still in the window) extends.
  t.deepEqual(report(c, 'a', '192.0.2.6', 60e3).listed, []);
  t.is(report(c, 'b', '192.0.2.6', 0.5 * H).listed[0]?.until, 2.5 * H);
  // Past the window a lone member cannot keep it alive.
  t.deepEqual(report(c, 'a', '192.0.2.6', 2 * H).listed, []);
  const swept = c.sweep(2.5 * H);
  t.deepEqual(swept.expired.map((e) => e.value), ['192.0.2.6']);
  t.is(c.entry('192.0.2.6'), undefined);
});

test('restoring replays the last window without counting resolved reports twice', (t) => {
  const c = engine();
  c.restoreStanding('a', { corroborated: 1, uncorroborated: 0 });
  c.restoreStanding('b', { corroborated: 1, uncorroborated: 0 });
  c.restoreReports((r) => {
    r('a', '192.0.2.7', 's', 0);
    r('b', '192.0.2.7', 's', 1);
    r('a', '192.0.2.8', 's', 2);
  });
  t.deepEqual(c.standing('a'), { corroborated: 1, uncorroborated: 0 });
  t.is(c.pendingCount('a'), 1);
  t.is(c.tally('192.0.2.7', 10).members, 2);
  t.truthy(report(c, 'c', '192.0.2.7', 10).listed[0]);
});
