import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import type { LintReport } from '../../src/engine/native';
import { runCli, tempDir } from '../helpers/run-cli';

test('lint of the bundled scenarios/ finds no errors', async (t) => {
  const run = await runCli('lint');
  t.is(run.code, 0, run.stdout + run.stderr);
  t.regex(run.stdout, /^ok: 0 error\(s\)/m);
});

test('lint -o json of the bundled scenarios/ loads parsers, scenarios and patterns', async (t) => {
  const run = await runCli('lint', '-o', 'json');
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as LintReport;
  t.true(report.parsers.loaded > 0);
  t.true(report.scenarios.loaded > 0);
  t.true(report.patterns.loaded > 0);
  t.deepEqual(
    report.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
});

function brokenConfig(): string {
  const dir = tempDir('lint');
  const parsers = path.join(dir, 'parsers', 's01-parse');
  fs.mkdirSync(parsers, { recursive: true });
  fs.mkdirSync(path.join(dir, 'scenarios'));
  // line 4 opens a flow sequence that never closes
  fs.writeFileSync(
    path.join(parsers, 'broken.yaml'),
    'name: test/broken\nfilter: "evt.Line.Labels.type == \'x\'"\nonsuccess: next_stage\nnodes: [unclosed\n',
  );
  return dir;
}

test('lint of a config with broken YAML reports file and line, status 1', async (t) => {
  const run = await runCli('lint', '--config', brokenConfig());
  t.is(run.code, 1, run.stdout + run.stderr);
  t.regex(run.stdout, /broken\.yaml:\d+: error: /);
  t.regex(run.stdout, /^FAILED: [1-9]\d* error\(s\)/m);
});

test('lint -o json of a broken config carries the diagnostic', async (t) => {
  const run = await runCli('lint', '--config', brokenConfig(), '-o', 'json');
  t.is(run.code, 1);
  const report = JSON.parse(run.stdout) as LintReport;
  const problem = report.diagnostics.find((d) => d.file.endsWith('broken.yaml'));
  t.truthy(problem, run.stdout);
  t.is(problem?.severity, 'error');
  // the unclosed sequence opens on line 4: the line must point there, not at the file's start
  t.true((problem?.line ?? 0) >= 4, `reported line ${problem?.line}: ${problem?.message}`);
});
