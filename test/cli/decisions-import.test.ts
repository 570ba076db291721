// `crowdwatch decisions import`: cscli 1.4.6's CSV and JSON files into the store, in-process on a
// temp SQLite data dir. The bouncer side (stream, long poll) is in test/api/lapi-suite.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { loadApiConfig } from '../../src/config/api-config';
import { parseCsv } from '../../src/import/csv';
import { Store } from '../../src/store/store';
import type { Decision, StoredAlert } from '../../src/store/types';
import { runCli, runCliWithInput, tempDir } from '../helpers/run-cli';

interface Stored {
  decisions: Decision[];
  alerts: StoredAlert[];
}

async function stored(dataDir: string): Promise<Stored> {
  const store = await Store.open(loadApiConfig({ dataDir }).store);
  try {
    const decisions = (await store.decisions.active({ includeSimulated: true })).sort((a, b) => a.id - b.id);
    return { decisions, alerts: await store.alerts.query({ limit: 0 }) };
  } finally {
    await store.close();
  }
}

/** A data dir holding `files` (name → text), removed after the test, and the flags that point the CLI at it. */
function workspace(t: ExecutionContext, files: Record<string, string>, configYaml?: string): { dir: string; flags: string[]; file: (name: string) => string } {
  const dir = tempDir('import');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  if (configYaml) fs.writeFileSync(path.join(dir, 'config.yaml'), configYaml);
  return { dir, flags: ['--data-dir', dir], file: (name) => path.join(dir, name) };
}

/** Hours left on a decision (until - now), to one decimal. */
function hoursLeft(d: Decision): number {
  return Math.round((d.until - Date.now()) / 360_000) / 10;
}

test('CSV import: the flags are defaults, a row\'s own duration, type, reason and scope win; one alert, origin cscli-import', async (t) => {
  const w = workspace(t, {
    'bans.csv': [
      'value,duration,type,reason,scope',
      '192.0.2.1,,,,',
      '192.0.2.2,24h,captcha,web scan,',
      '198.51.100.0/24,1h,,,range',
      'alice,,,,username',
      '',
    ].join('\n'),
  });
  const r = await runCli('decisions', 'import', '-i', w.file('bans.csv'), '--duration', '2h', '--reason', 'blocklist', ...w.flags);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^4 decision\(s\) imported from .*bans\.csv in [\d.]+ s \(alert 1, origin cscli-import\)\n$/);
  const { decisions, alerts } = await stored(w.dir);
  t.deepEqual(decisions.map((d) => [d.scope, d.value, d.type, d.scenario, d.origin, hoursLeft(d)]), [
    ['Ip', '192.0.2.1', 'ban', 'blocklist', 'cscli-import', 2],
    ['Ip', '192.0.2.2', 'captcha', 'web scan', 'cscli-import', 24],
    ['Range', '198.51.100.0/24', 'ban', 'blocklist', 'cscli-import', 1],
    ['username', 'alice', 'ban', 'blocklist', 'cscli-import', 2],
  ]);
  t.is(new Set(decisions.map((d) => d.revision)).size, 1, 'one write, one revision');
  t.is(alerts.length, 1);
  t.like(alerts[0], { machineId: 'crowdwatch-cli', scenario: 'add: 4 IPs', message: '', eventsCount: 4, simulated: false });
  t.like(alerts[0].source, { scope: 'cscli/manual-import', value: '', ip: '', range: '' });
  t.deepEqual(alerts[0].decisions.map((d) => d.value), decisions.map((d) => d.value));
});

test('without flags a row takes cscli\'s defaults: 4h ban, reason manual, scope ip', async (t) => {
  const w = workspace(t, { 'one.csv': 'value\n192.0.2.7\n' });
  t.is((await runCli('decisions', 'import', '-i', w.file('one.csv'), ...w.flags)).code, 0);
  const [d] = (await stored(w.dir)).decisions;
  t.deepEqual([d.scope, d.value, d.type, d.scenario, hoursLeft(d)], ['Ip', '192.0.2.7', 'ban', 'manual', 4]);
});

test('JSON import: a file by its extension, stdin by its first character, --format for anything else', async (t) => {
  const json = '[\n  {"value": "192.0.2.10", "duration": "30m", "type": "captcha", "reason": "probe"},\n  {"value": "2001:db8::/48", "scope": "Range", "origin": "mine", "scenario": "v6 list"},\n  {"value": "192.0.2.11", "duration": null}\n]\n';
  const w = workspace(t, { 'list.json': json, 'list.txt': json });
  const r = await runCli('decisions', 'import', '-i', w.file('list.json'), '-o', 'json', ...w.flags);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), { source: w.file('list.json'), format: 'json', rows: 3, imported: 3, allowlisted: 0, alert_id: 1, origin: 'cscli-import' });
  t.regex(r.stderr, /warning: .*list\.json: key 'origin' is ignored: imported decisions have origin cscli-import/);
  t.deepEqual((await stored(w.dir)).decisions.map((d) => [d.scope, d.value, d.type, d.scenario, d.origin, hoursLeft(d)]), [
    ['Ip', '192.0.2.10', 'captcha', 'probe', 'cscli-import', 0.5],
    ['Range', '2001:db8::/48', 'ban', 'v6 list', 'cscli-import', 4],
    ['Ip', '192.0.2.11', 'ban', 'manual', 'cscli-import', 4],
  ]);

  const piped = await runCliWithInput('[{"value": "192.0.2.12"}]', 'decisions', 'import', '-i', '-', '-o', 'raw', ...w.flags);
  t.is(piped.code, 0, piped.stderr);
  t.is(piped.stdout, 'rows,imported,allowlisted,alert_id\n1,1,0,2\n');
  const csvPiped = await runCliWithInput('value,type\n192.0.2.13,captcha\n', 'decisions', 'import', '-i', '-', '--type', 'ban', ...w.flags);
  t.is(csvPiped.code, 0, csvPiped.stderr);
  t.regex(csvPiped.stdout, /^1 decision\(s\) imported from stdin/);

  const unknown = await runCli('decisions', 'import', '-i', w.file('list.txt'), ...w.flags);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /cannot tell the format of '.*list\.txt' from its extension: give --format csv or --format json/);
  t.is((await runCli('decisions', 'import', '-i', w.file('list.txt'), '--format', 'json', ...w.flags)).code, 0);
  const all = (await stored(w.dir)).decisions;
  t.is(all.length, 8);
  t.is(all.find((d) => d.value === '192.0.2.13')?.type, 'captcha');
});

test('a bad row refuses the whole file: every bad row named by its line (CSV) or line and entry (JSON), nothing written', async (t) => {
  const w = workspace(t, {
    'bad.csv': [
      'value,duration,scope',
      '192.0.2.1,4h,ip',
      '"192.0.2.2",,',
      'not-an-ip,1h,ip',
      '192.0.2.3,7x,ip',
      '',
      '10.0.0.0/8,,ip',
      '192.0.2.4,,range',
      ',1h,ip',
    ].join('\n'),
    'bad.json': '[\n  {"value": "192.0.2.1"},\n  {"value": "192.0.2.2",\n   "duration": "-1h"},\n  {"value": "192.0.2.3", "type": "b a n"}\n]',
    'types.json': '[{"value": "192.0.2.1", "duration": 3600}]',
  });
  const csv = await runCli('decisions', 'import', '-i', w.file('bad.csv'), ...w.flags);
  t.is(csv.code, 2);
  const file = w.file('bad.csv');
  t.is(csv.stderr, [
    `crowdwatch: 5 row(s) of ${file} cannot be imported, nothing was imported:`,
    `  ${file}:4: 'not-an-ip' is not an IP address`,
    `  ${file}:5: duration '7x' is not a positive duration (e.g. 4h, 90m, 7d)`,
    `  ${file}:7: '10.0.0.0/8' is a range, not an IP address (give it scope range)`,
    `  ${file}:8: '192.0.2.4' is not an IP range (CIDR, e.g. 192.0.2.0/24)`,
    `  ${file}:9: no 'value'`,
    '',
  ].join('\n'));
  const json = await runCli('decisions', 'import', '-i', w.file('bad.json'), ...w.flags);
  t.is(json.code, 2);
  t.regex(json.stderr, /bad\.json:3: entry 2: duration '-1h' is not a positive duration/);
  t.regex(json.stderr, /bad\.json:5: entry 3: type 'b a n' is not a decision type/);
  const types = await runCli('decisions', 'import', '-i', w.file('types.json'), ...w.flags);
  t.is(types.code, 2);
  t.regex(types.stderr, /types\.json:1: entry 1: "duration" must be a string, not number; nothing was imported/);
  t.deepEqual((await stored(w.dir)).decisions, []);
  t.deepEqual((await stored(w.dir)).alerts, []);
});

test('file-level problems: no value column, ragged rows, stray quotes, not JSON, bad flags', async (t) => {
  const w = workspace(t, {
    'novalue.csv': 'Duration,Reason\n4h,x\n',
    'ragged.csv': 'value,duration\n192.0.2.1,4h\n192.0.2.2\n',
    'quote.csv': 'value,reason\n192.0.2.1,say "hi"\n',
    'broken.json': '[{"value": "192.0.2.1"',
    'object.json': '{"value": "192.0.2.1"}',
    'ok.csv': 'value\n192.0.2.1\n',
  });
  const cases: Array<[string, string[], RegExp]> = [
    ['novalue.csv', [], /novalue\.csv:1: the header has no 'value' column \(it has: Duration, Reason\); nothing was imported/],
    ['ragged.csv', [], /ragged\.csv:3: 1 field\(s\) where the header has 2/],
    ['quote.csv', [], /quote\.csv:2: a quote in an unquoted field/],
    ['broken.json', [], /broken\.json: not JSON/],
    ['object.json', [], /object\.json: a JSON import is an array of objects/],
    ['ok.csv', ['--duration', 'soon'], /--duration: duration 'soon' is not a positive duration/],
    ['ok.csv', ['--type', 'b a n'], /--type: type 'b a n' is not a decision type/],
    ['ok.csv', ['--scope', 'range'], /ok\.csv:2: '192\.0\.2\.1' is not an IP range/],
  ];
  for (const [name, extra, message] of cases) {
    const r = await runCli('decisions', 'import', '-i', w.file(name), ...extra, ...w.flags);
    t.is(r.code, 2, name);
    t.regex(r.stderr, message, name);
  }
  const missing = await runCli('decisions', 'import', '-i', w.file('nothing.csv'), ...w.flags);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /nothing\.csv: ENOENT/);
  t.deepEqual((await stored(w.dir)).decisions, []);
});

test('CSV as cscli writes and reads it: quoted commas, quotes and newlines, CRLF, a BOM, header case, extra columns warned about', async (t) => {
  const w = workspace(t, {
    'excel.csv': '\ufeffValue,REASON,Comment\r\n192.0.2.1,"scan, then ""login""",a\r\n"192.0.2.2","two\r\nlines",b\r\n\r\n 192.0.2.3 , spaced ,c\r\n',
  });
  const r = await runCli('decisions', 'import', '-i', w.file('excel.csv'), ...w.flags);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /warning: .*excel\.csv: column 'Comment' is not one of value, duration, type, reason, scope, origin: ignored/);
  t.deepEqual((await stored(w.dir)).decisions.map((d) => [d.value, d.scenario]), [
    ['192.0.2.1', 'scan, then "login"'],
    ['192.0.2.2', 'two\nlines'],
    ['192.0.2.3', 'spaced'],
  ]);
  t.deepEqual(parseCsv('a,b\n"x\ny",z\nlast,"q"""').map((rec) => [rec.line, rec.fields]), [
    [1, ['a', 'b']],
    [2, ['x\ny', 'z']],
    [4, ['last', 'q"']],
  ]);
});

test('allowlisted values are skipped and counted; a file that is all allowlisted stores no alert', async (t) => {
  const w = workspace(t, {
    'mixed.csv': 'value,scope\n192.0.2.1,ip\n203.0.113.5,ip\n203.0.113.0/25,range\n198.51.100.1,ip\n',
    'only.csv': 'value\n203.0.113.9\n',
  }, 'api:\n  allowlist: [203.0.113.0/24]\n');
  const r = await runCli('decisions', 'import', '-i', w.file('mixed.csv'), ...w.flags);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^2 decision\(s\) imported .*\n2 allowlisted value\(s\) skipped\n$/);
  const json = await runCli('decisions', 'import', '-i', w.file('only.csv'), '-o', 'json', ...w.flags);
  t.like(JSON.parse(json.stdout), { rows: 1, imported: 0, allowlisted: 1, alert_id: null });
  const { decisions, alerts } = await stored(w.dir);
  t.deepEqual(decisions.map((d) => d.value), ['192.0.2.1', '198.51.100.1']);
  t.is(alerts.length, 1);
  t.is(alerts[0].scenario, 'add: 2 IPs');
});

test('100,000 rows import in one transaction within seconds', async (t) => {
  const rows = Array.from({ length: 100_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255},4h,bench`);
  const w = workspace(t, { 'big.csv': `value,duration,reason\n${rows.join('\n')}\n` });
  const t0 = performance.now();
  const r = await runCli('decisions', 'import', '-i', w.file('big.csv'), '-o', 'json', ...w.flags);
  const seconds = (performance.now() - t0) / 1000;
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).imported, 100_000);
  t.log(`100,000 decisions imported in ${seconds.toFixed(2)} s`);
  // Generous for a loaded two-core machine; about 1 s when idle (was ~25 s through per-alert inserts).
  t.true(seconds < 15, `took ${seconds.toFixed(1)} s`);
  const store = await Store.open(loadApiConfig({ dataDir: w.dir }).store);
  try {
    const counts = await store.decisions.activeCounts();
    t.deepEqual(counts.map((c) => [c.scenario, c.origin, c.type, c.count]), [['bench', 'cscli-import', 'ban', 100_000]]);
  } finally {
    await store.close();
  }
});
