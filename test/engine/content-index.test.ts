// scenarios/.index.json: the provenance of our bundled scenarios. It must be current (an edited
// scenario without a new version would make every host's signals `tainted`), it grows a version
// per change and keeps the old ones, and alerts from unmodified scenarios carry hash and version.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import type { Alert } from '../../src/engine/native';
import { packageRoot } from '../../src/engine/package-root';
import { fixture, runCli, tempDir } from '../helpers/run-cli';

const SCRIPT = path.join(packageRoot, 'scripts', 'index-content.mjs');
const CONTENT = path.join(packageRoot, 'scenarios');

interface Index {
  scenarios: Record<string, { path: string; version: string; versions: Record<string, { digest: string }> }>;
}

const readIndex = (dir: string): Index => JSON.parse(fs.readFileSync(path.join(dir, '.index.json'), 'utf8')) as Index;
const runIndex = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });

test('the bundled index is current: every scenario file at its latest version', (t) => {
  const check = runIndex('--check');
  t.is(check.status, 0, check.stderr);
  const index = readIndex(CONTENT);
  const files = fs.readdirSync(path.join(CONTENT, 'scenarios')).filter((f) => f.endsWith('.yaml'));
  t.is(Object.keys(index.scenarios).length, files.length);
  for (const item of Object.values(index.scenarios)) {
    const digest = createHash('sha256').update(fs.readFileSync(path.join(CONTENT, item.path))).digest('hex');
    t.is(item.versions[item.version]?.digest, digest, item.path);
  }
});

test('an edited scenario makes --check fail with its file; indexing adds a version and keeps the old', (t) => {
  const dir = tempDir('content-index');
  fs.cpSync(CONTENT, dir, { recursive: true });
  const file = path.join(dir, 'scenarios', 'ssh-bf.yaml');
  fs.appendFileSync(file, '# local edit\n');
  const check = runIndex('--check', dir);
  t.is(check.status, 1);
  t.regex(check.stderr, /scenarios\/ssh-bf\.yaml/);
  const before = readIndex(dir).scenarios['crowdwatch/ssh-bf'];
  execFileSync(process.execPath, [SCRIPT, dir]);
  const after = readIndex(dir).scenarios['crowdwatch/ssh-bf'];
  t.not(after.version, before.version);
  t.deepEqual(after.versions[before.version], before.versions[before.version], 'the released version stays certified');
  t.is(runIndex('--check', dir).status, 0);
});

test('alerts from an unmodified bundled scenario carry its hash and version; an edited copy is "?"', async (t) => {
  const run = await runCli('replay', fixture('sshd-bruteforce.log'), '--type', 'syslog', '-o', 'json');
  t.is(run.code, 0, run.stderr);
  const [alert] = JSON.parse(run.stdout) as Alert[];
  const item = readIndex(CONTENT).scenarios[alert.scenario];
  t.truthy(item, alert.scenario);
  t.is(alert.scenario_version, item.version);
  t.is(alert.scenario_hash, item.versions[item.version].digest);

  const dir = tempDir('content-edited');
  fs.cpSync(CONTENT, dir, { recursive: true });
  fs.appendFileSync(path.join(dir, item.path), '# local edit\n');
  const edited = await runCli('replay', fixture('sshd-bruteforce.log'), '--type', 'syslog', '-o', 'json', '--config', dir);
  t.is(edited.code, 0, edited.stderr);
  const [tainted] = JSON.parse(edited.stdout) as Alert[];
  t.is(tainted.scenario_version, '?');
  t.not(tainted.scenario_hash, item.versions[item.version].digest);
});
