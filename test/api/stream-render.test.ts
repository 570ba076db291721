// The startup stream is rendered by the database (store/decision-json.ts); the incremental stream
// and GET /v1/decisions by api/render.ts. Both must give bouncers the same bytes: checked here on
// SQLite and on a private PostgreSQL cluster (skipped without its binaries).
import * as fs from 'node:fs';
import * as path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { decisionList } from '../../src/api/render';
import { goDurationSql, jsonQuoteSql } from '../../src/store/decision-json';
import { sqlInteger } from '../../src/store/sql';
import { Store } from '../../src/store/store';
import type { DecisionFilter, NewAlert, NewDecision } from '../../src/store/types';
import { formatGoDuration } from '../../src/time/go-duration';
import { tempDir } from '../helpers/run-cli';
import { type PostgresCluster, postgresBinDir, startPostgres } from '../helpers/postgres';
import { requires } from '../helpers/requirement';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0, 0);

/** Time left (ms) around Go's unit boundaries, whole and fractional seconds, a long ban. */
const ACTIVE_MS = [1, 999, 1000, 1001, 1010, 1500, 59_999, 60_000, 61_001, 3_599_999, 3_600_000, 3_600_001, 14_400_000, 86_400_123, 400 * 86_400_000 + 7];
const ENDED_MS = [0, -1, -999, -1000, -61_001, -3_600_001, -86_400_000];

/** Text JSON escapes (control characters, quotes, backslash) and text it must leave alone. */
const AWKWARD = ['plain', 'quote " and \\ backslash', 'tab\tnew\nline\r', '\u0001\u0008\u000b\u000c\u001f\u007f', 'é ü 日本 😀', '\u2028\u2029', '</script>', ''];

function decision(value: string, untilMs: number, over: Partial<NewDecision> = {}): NewDecision {
  return { type: 'ban', scope: 'Ip', value, origin: 'crowdsec', scenario: 'test/render', simulated: false, until: NOW + untilMs, ...over };
}

function alertOf(decisions: NewDecision[]): NewAlert {
  const at = new Date(NOW).toISOString();
  return {
    machineId: 'm', scenario: 'test/render', scenarioHash: '', scenarioVersion: '', message: '', eventsCount: 1, startAt: at, stopAt: at,
    stopAtMs: NOW, capacity: 0, leakspeed: '', simulated: false, remediation: true, source: { scope: 'Ip', value: '192.0.2.1' },
    events: [], meta: [], labels: [], decisions,
  };
}

/** Decisions that exercise every rendering and dedup rule, written in several revisions. */
async function fill(store: Store): Promise<void> {
  const first: NewDecision[] = [];
  ACTIVE_MS.forEach((ms, i) => first.push(decision(`192.0.2.${i + 1}`, ms)));
  ENDED_MS.forEach((ms, i) => first.push(decision(`198.51.100.${i + 1}`, ms)));
  AWKWARD.forEach((text, i) => {
    first.push(decision(`user-${i}-${text}`, 3_600_000 + i, { scope: 'username', scenario: `scenario ${text}`, origin: `origin ${text}`, type: `type-${i}` }));
  });
  // Dedup: the longest per (value, type, scope) wins; on a tie the smaller id.
  first.push(decision('203.0.113.1', 3_600_000), decision('203.0.113.1', 7_200_000), decision('203.0.113.1', 7_200_000, { scenario: 'tie, later id' }));
  first.push(decision('203.0.113.1', 600_000, { type: 'captcha' }), decision('203.0.113.0/24', 60_000, { scope: 'Range' }));
  // Ended: one still covered by an active decision (not sent as deleted with dedup), two uncovered with a tie.
  first.push(decision('203.0.113.1', -5000), decision('203.0.113.9', -5000), decision('203.0.113.9', -5000, { scenario: 'ended tie' }));
  first.push(decision('192.0.2.200', 3_600_000, { simulated: true }), decision('2001:db8::1', 1_234_567, { origin: 'cscli' }));
  first.push(decision('2001:db8::/32', 98_765, { scope: 'Range', origin: 'CAPI', scenario: 'crowdsecurity/ssh-bf' }));
  await store.alerts.insert([alertOf(first)], NOW - 60_000);
  // A later write ends some decisions early (their revision moves), another adds more.
  await store.decisions.expire({ value: '192.0.2.5' }, NOW - 1000);
  await store.decisions.expire({ value: 'user-2-tab\tnew\nline\r' }, NOW - 1);
  await store.alerts.insert([alertOf([decision('192.0.2.5', 9_000_000), decision('203.0.113.9', 1000, { type: 'captcha' })])], NOW - 30_000);
}

const FILTERS: Array<[string, DecisionFilter]> = [
  ['ip and range (a bouncer\'s default)', { scopes: ['ip', 'range'] }],
  ['every scope', {}],
  ['custom scope', { scopes: ['username'] }],
  ['origins', { scopes: ['ip', 'range'], origins: ['cscli', 'CAPI'] }],
  ['scenarios containing / not containing', { scenariosContaining: ['SSH', 'render'], scenariosNotContaining: ['tie'] }],
  ['simulated included', { includeSimulated: true }],
  ['type', { type: 'captcha' }],
  ['an address inside a range', { ip: { text: '203.0.113.1', contains: true } }],
];

async function compare(t: ExecutionContext, store: Store): Promise<void> {
  await fill(store);
  const sizes: string[] = [];
  for (const [name, filter] of FILTERS) {
    for (const dedup of [true, false]) {
      const js = await store.decisions.stream(filter, null, dedup, NOW);
      const sql = await store.decisions.streamStartup(filter, dedup, NOW);
      t.is(sql.fresh, decisionList(js.fresh, NOW), `${name}, dedup=${dedup}: new`);
      t.is(sql.deleted, decisionList(js.deleted, NOW), `${name}, dedup=${dedup}: deleted`);
      t.is(sql.lastRevision, js.lastRevision);
      sizes.push(`${js.fresh.length}/${js.deleted.length}`);
    }
  }
  // The cases are not vacuous: every filter selects something, and dedup changes the default lists.
  t.deepEqual(sizes.slice(0, 2), ['21/8', '23/11'], `new/deleted per filter with and without dedup: ${sizes.join(' ')}`);
  const all = await store.decisions.streamStartup({ includeSimulated: true }, false, NOW);
  t.true(all.fresh.includes('"simulated":true'), 'the case list reaches simulated rendering');
  t.true(all.deleted.includes('"duration":"0s"') && all.deleted.includes('"duration":"-1ms"'));
  // Go's Duration.String() for every millisecond count around the unit boundaries, both signs.
  const samples: number[] = [];
  for (const base of [0, 1000, 60_000, 3_600_000, 86_400_000, 31_536_000_000]) for (let d = -3; d <= 3; d++) samples.push(base + d, -(base + d), base * 7 + 123 + d);
  const rows = await store.db.all<{ ms: number; text: string }>(samples.map((ms) => `SELECT ${sqlInteger(ms)} AS ms, ${goDurationSql(sqlInteger(ms))} AS text`).join(' UNION ALL '));
  for (const r of rows) t.is(r.text, formatGoDuration(Number(r.ms) * 1e6), `${r.ms} ms`);
  t.is(rows.length, samples.length);
  t.is((await store.decisions.streamStartup({ value: 'nothing' }, true, NOW)).fresh, 'null');
  // The database quotes every character as JSON.stringify does (PostgreSQL text holds no NUL).
  const chars: string[] = [];
  for (let c = store.db.dialect === 'postgres' ? 1 : 0; c < 0x10000; c++) if (c < 0xd800 || c > 0xdfff) chars.push(String.fromCharCode(c));
  chars.push('😀', 'a"b\\c\n\u2028');
  let differing = 0;
  for (let i = 0; i < chars.length; i += 1500) {
    const chunk = chars.slice(i, i + 1500);
    const [quoted] = await store.db.all<Record<string, string>>(`SELECT ${chunk.map((_, j) => `${jsonQuoteSql(store.db.dialect, 'CAST(? AS TEXT)')} AS q${j}`).join(', ')}`, chunk);
    chunk.forEach((c, j) => {
      if (quoted[`q${j}`] !== JSON.stringify(c)) differing++;
    });
  }
  t.is(differing, 0, `of ${chars.length} characters`);
}

test('SQLite: the database renders the startup lists byte for byte as render.ts does', async (t) => {
  const dir = tempDir('render');
  const store = await Store.open({ type: 'sqlite', path: path.join(dir, 'crowdwatch.db') });
  try {
    await compare(t, store);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

let cluster: PostgresCluster | { skip: string } | undefined;
const pgAvailable = postgresBinDir() !== null;
if (pgAvailable) {
  test.before(async () => {
    cluster = await startPostgres();
  });
  test.after.always(async () => {
    if (cluster && !('skip' in cluster)) await cluster.stop();
  });
}

requires(test, pgAvailable ? null : "PostgreSQL's server binaries (scripts/test-servers.sh installs Debian's postgresql)")('PostgreSQL: the database renders the startup lists byte for byte as render.ts does', async (t) => {
  if (!cluster || 'skip' in cluster) throw new Error(cluster && 'skip' in cluster ? cluster.skip : 'postgres not started');
  const store = await Store.open({ type: 'postgres', url: await cluster.createDatabase() });
  try {
    await compare(t, store);
  } finally {
    await store.close();
  }
});
