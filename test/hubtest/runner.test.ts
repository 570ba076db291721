import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import type { CaseResult } from '../../src/hubtest/run-case';
import { runCli, tempDir } from '../helpers/run-cli';

// A hub of our own, in cscli hubtest's layout: one JSON-log parser using UnmarshalJSON, one
// scenario, one test case. The runner's behaviour is checked on it; today's hub is checked in
// hub-suite.test.ts.

const PARSER = `name: me/app-logs
description: test parser
filter: "evt.Line.Labels.type == 'app' && UnmarshalJSON(evt.Line.Raw, evt.Unmarshaled, 'app') in ['', nil]"
onsuccess: next_stage
statics:
  - meta: source_ip
    expression: evt.Unmarshaled.app.ip
  - meta: user
    expression: evt.Unmarshaled.app.user?.name ?? 'unknown'
  - meta: log_type
    value: app_failed_login
  - target: evt.StrTime
    expression: evt.Unmarshaled.app.time
`;

const SCENARIO = `type: leaky
name: me/app-bf
description: test scenario
filter: "evt.Meta.log_type == 'app_failed_login'"
groupby: evt.Meta.source_ip
capacity: 2
leakspeed: 10s
labels:
  remediation: true
`;

const DATE = `name: me/dateparse
description: test dates
filter: "evt.StrTime != ''"
statics:
  - method: ParseDate
    expression: evt.StrTime
  - target: evt.MarshaledTime
    expression: evt.Enriched.MarshaledTime
`;

function makeHub(): string {
  const root = tempDir('hubtest');
  const hub = path.join(root, 'hub');
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(hub, rel)), { recursive: true });
    fs.writeFileSync(path.join(hub, rel), text);
  };
  write('parsers/s01-parse/me/app-logs.yaml', PARSER);
  write('parsers/s02-enrich/me/dateparse.yaml', DATE);
  write('scenarios/me/app-bf.yaml', SCENARIO);
  fs.mkdirSync(path.join(root, 'patterns'));
  fs.mkdirSync(path.join(root, 'data'));
  const lines = [0, 1, 2].map((i) => JSON.stringify({ ip: '192.0.2.7', user: i === 1 ? null : { name: 'bob' }, time: `2024-05-01T10:00:0${i}Z` }));
  write('.tests/app-bf/app.log', `${lines.join('\n')}\n`);
  write(
    '.tests/app-bf/config.yaml',
    `parsers:\n- ./parsers/s01-parse/me/app-logs.yaml\n- ./parsers/s02-enrich/me/dateparse.yaml\nscenarios:\n- ./scenarios/me/app-bf.yaml\npostoverflows:\n- ""\nlog_file: app.log\nlog_type: app\nlabels: {}\nignore_parsers: false\nunknown_key_cscli_ignores: 1\n`,
  );
  write(
    '.tests/app-bf/parser.assert',
    [
      'len(results) == 3',
      'len(results["s01-parse"]["me/app-logs"]) == 3',
      'results["s01-parse"]["me/app-logs"][0].Success == true',
      'results["s01-parse"]["me/app-logs"][0].Evt.Unmarshaled["app"]["user"]["name"] == "bob"',
      'results["s01-parse"]["me/app-logs"][1].Evt.Meta["user"] == "unknown"',
      'results["s02-enrich"]["me/dateparse"][2].Evt.MarshaledTime == "2024-05-01T10:00:02Z"',
      'basename(results["s01-parse"]["me/app-logs"][0].Evt.Line.Src) == "app.log"',
      '',
    ].join('\n'),
  );
  write(
    '.tests/app-bf/scenario.assert',
    [
      'len(results) == 1',
      '"192.0.2.7" in results[0].Overflow.GetSources()',
      'results[0].Overflow.Alert.GetScenario() == "me/app-bf"',
      'results[0].Overflow.Alert.GetEventsCount() == 3',
      'results[0].Overflow.Alert.Events[1].GetMeta("user") == "unknown"',
      'results[0].Overflow.Sources["192.0.2.7"].GetScope() == "Ip"',
    ].join('\n'),
  );
  return hub;
}

test('a case whose assertions hold passes, with every assertion counted', async (t) => {
  const hub = makeHub();
  const run = await runCli('hubtest', 'run', 'app-bf', '--hub', hub, '-o', 'json');
  t.is(run.code, 0, run.stdout + run.stderr);
  const [result] = JSON.parse(run.stdout) as CaseResult[];
  t.is(result?.status, 'passed');
  t.deepEqual([result?.parser?.passed, result?.parser?.total], [7, 7]);
  t.deepEqual([result?.scenario?.passed, result?.scenario?.total], [6, 6]);
});

test('a failed assertion fails the run (exit 1) and shows the file, the line and the value found', async (t) => {
  const hub = makeHub();
  const file = path.join(hub, '.tests', 'app-bf', 'parser.assert');
  fs.appendFileSync(file, 'results["s01-parse"]["me/app-logs"][0].Evt.Meta["user"] == "alice"\nresults["nope"]["x"][0].Success\n');
  const run = await runCli('hubtest', 'run', 'app-bf', '--hub', hub);
  t.is(run.code, 1);
  t.regex(run.stdout, /app-bf\s+FAIL\s+7\/9\s+6\/6/);
  t.true(run.stdout.includes(`${file}:8: results["s01-parse"]["me/app-logs"][0].Evt.Meta["user"] == "alice"\n    found "bob"`), run.stdout);
  t.regex(run.stdout, /parser\.assert:9: .*\n {4}error: /);
  t.regex(run.stdout, /0 passed, 1 failed, 0 skipped/);
});

test('an empty assert file is a failure that says how to write one', async (t) => {
  const hub = makeHub();
  fs.writeFileSync(path.join(hub, '.tests', 'app-bf', 'scenario.assert'), '');
  const run = await runCli('hubtest', 'run', '--all', '--hub', hub, '-o', 'json');
  t.is(run.code, 1);
  const [result] = JSON.parse(run.stdout) as CaseResult[];
  t.regex(result?.reason ?? '', /scenario\.assert has no assertions/);
});

test('items that do not load fail the case with their file:line problems', async (t) => {
  const hub = makeHub();
  fs.writeFileSync(path.join(hub, 'scenarios', 'me', 'app-bf.yaml'), `${SCENARIO}filter: "evt.Meta.x =="\n`);
  const run = await runCli('hubtest', 'run', 'app-bf', '--hub', hub);
  t.is(run.code, 1);
  t.true(run.stdout.includes(`the items failed to load:\n    ${path.join(hub, 'scenarios', 'me', 'app-bf.yaml')}:`), run.stdout);
});

test('unknown cases and no case at all are usage errors', async (t) => {
  const hub = makeHub();
  const unknown = await runCli('hubtest', 'run', 'nope', '--hub', hub);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /no such test case .*: nope/);
  const none = await runCli('hubtest', 'run', '--hub', hub);
  t.is(none.code, 2);
  const notAHub = await runCli('hubtest', 'run', '--all', '--hub', tempDir('not-a-hub'));
  t.is(notAHub.code, 2);
  t.regex(notAHub.stderr, /not a hub checkout/);
});

test('hubtest create writes a case whose generated assertions pass on the next run', async (t) => {
  const hub = makeHub();
  const log = path.join(tempDir('hubtest-log'), 'new.log');
  fs.copyFileSync(path.join(hub, '.tests', 'app-bf', 'app.log'), log);
  const created = await runCli(
    'hubtest', 'create', 'app-new', '--hub', hub, '-t', 'app',
    '-p', './parsers/s01-parse/me/app-logs.yaml,./parsers/s02-enrich/me/dateparse.yaml',
    '-s', './scenarios/me/app-bf.yaml', '--log', log,
  );
  t.is(created.code, 0, created.stderr);
  const dir = path.join(hub, '.tests', 'app-new');
  t.deepEqual(fs.readdirSync(dir).sort(), ['config.yaml', 'new.log', 'parser.assert', 'scenario.assert']);
  const parserAsserts = fs.readFileSync(path.join(dir, 'parser.assert'), 'utf8');
  t.true(parserAsserts.includes('results["s01-parse"]["me/app-logs"][1].Evt.Meta["user"] == "unknown"'), parserAsserts);
  t.true(parserAsserts.includes('results["s01-parse"]["me/app-logs"][0].Evt.Unmarshaled["app"]["ip"] == "192.0.2.7"'), parserAsserts);
  t.regex(fs.readFileSync(path.join(dir, 'scenario.assert'), 'utf8'), /results\[0\]\.Overflow\.Alert\.GetEventsCount\(\) == 3/);
  const run = await runCli('hubtest', 'run', 'app-new', '--hub', hub, '-o', 'json');
  t.is(run.code, 0, run.stdout);
  const again = await runCli('hubtest', 'create', 'app-new', '--hub', hub, '-t', 'app');
  t.not(again.code, 0);
  t.regex(again.stderr, /already exists/);
});

test('hubtest explain shows each line through the items and the alert at the line that raised it', async (t) => {
  const hub = makeHub();
  const run = await runCli('hubtest', 'explain', 'app-bf', '--hub', hub, '-o', 'json');
  t.is(run.code, 0, run.stderr);
  const lines = JSON.parse(run.stdout) as { line: number; trace: { parsed: boolean; stages: { nodes: { file: string }[] }[] }; alerts: { scenario: string }[] }[];
  t.deepEqual(lines.map((l) => [l.line, l.trace.parsed, l.alerts.map((a) => a.scenario)]), [
    [1, true, []],
    [2, true, []],
    [3, true, ['me/app-bf']],
  ]);
  t.is(lines[0]?.trace.stages[0]?.nodes[0]?.file, path.join(hub, 'parsers', 's01-parse', 'me', 'app-logs.yaml'));
  const human = await runCli('hubtest', 'explain', 'app-bf', '--hub', hub);
  t.regex(human.stdout, /line 3: .*\n[\s\S]*→ alert: me\/app-bf on Ip 192\.0\.2\.7 \(3 events\)/);
});
