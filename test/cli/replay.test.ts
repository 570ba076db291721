import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import type { Alert } from '../../src/engine/native';
import { fixture, runCli, summaryCount, tempDir } from '../helpers/run-cli';

const ATTACKER = '203.0.113.7';
const BELOW_THRESHOLD = '198.51.100.9';

test('replay -o json: 6 quick sshd failures overflow, 5 do not', async (t) => {
  const run = await runCli('replay', fixture('sshd-bruteforce.log'), '--type', 'syslog', '-o', 'json');
  t.is(run.code, 0, run.stderr);
  const alerts = JSON.parse(run.stdout) as Alert[];
  t.true(Array.isArray(alerts));
  t.true(
    alerts.some((a) => a.source.ip === ATTACKER),
    `no alert for ${ATTACKER}: ${run.stdout}`,
  );
  t.false(alerts.some((a) => a.source.ip === BELOW_THRESHOLD || a.source.value === BELOW_THRESHOLD));
  // stdout is only the JSON array; the summary goes to stderr
  t.regex(run.stderr, /^lines read\s+14$/m);
  t.true(summaryCount(run.stderr, 'alerts') >= 1);
});

test('replay human: an alert table and a summary on stdout', async (t) => {
  const run = await runCli('replay', fixture('sshd-bruteforce.log'), '-t', 'syslog', '--no-progress');
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^TIME\s+SCENARIO\s+SOURCE\s+EVENTS$/m);
  t.regex(run.stdout, new RegExp(`Ip:${ATTACKER.replace(/\./g, '\\.')}`));
  t.regex(run.stdout, /^lines\/s\s+\S+$/m);
  t.is(run.stderr, '');
});

/** CRLF, an empty line, invalid UTF-8, a 1 MB line, and a last line without newline. */
function writeAwkwardLog(): string {
  const file = path.join(tempDir('replay'), 'awkward.log');
  const sshd = (port: number): string =>
    `Nov 24 11:00:0${port % 10} gw sshd[3000]: Failed password for root from 192.0.2.44 port ${port} ssh2`;
  fs.writeFileSync(
    file,
    Buffer.concat([
      Buffer.from(`${sshd(40001)}\r\n`),
      Buffer.from('\n'),
      Buffer.from('Nov 24 11:00:02 gw sshd[3001]: Invalid user \xff\xfe from 192.0.2.45\n', 'latin1'),
      Buffer.alloc(1024 * 1024, 'A'),
      Buffer.from('\n'),
      Buffer.from(sshd(40003)),
    ]),
  );
  return file;
}

test('replay survives invalid UTF-8, CRLF, an empty line and a 1 MB line, and counts them', async (t) => {
  const run = await runCli('replay', writeAwkwardLog(), '-t', 'syslog', '-o', 'json');
  t.is(run.code, 0, run.stderr);
  t.true(Array.isArray(JSON.parse(run.stdout)));
  t.true(summaryCount(run.stderr, 'lines read') >= 4, run.stderr);
  t.true(summaryCount(run.stderr, 'empty lines') >= 1, run.stderr);
  t.true(summaryCount(run.stderr, 'invalid UTF-8') >= 1, run.stderr);
  t.true(summaryCount(run.stderr, 'truncated') >= 1, run.stderr);
  t.true(summaryCount(run.stderr, 'parsed') >= 1, run.stderr);
});

test('replay with --max-line-bytes above 1 MB carries the long line whole', async (t) => {
  const run = await runCli('replay', writeAwkwardLog(), '-t', 'syslog', '-o', 'json', '--max-line-bytes', '2000000');
  t.is(run.code, 0, run.stderr);
  t.is(summaryCount(run.stderr, 'truncated'), 0, run.stderr);
});

test('replay of a missing file fails with the path, status 1', async (t) => {
  const run = await runCli('replay', '/nonexistent/auth.log', '-t', 'syslog');
  t.is(run.code, 1);
  t.regex(run.stderr, /\/nonexistent\/auth\.log/);
});

test('replay with a broken config maps CW_CONFIG to status 2 and file:line', async (t) => {
  const dir = tempDir('broken-config');
  const parsers = path.join(dir, 'parsers', 's01-parse');
  fs.mkdirSync(parsers, { recursive: true });
  fs.writeFileSync(path.join(parsers, 'broken.yaml'), 'name: test/broken\nfilter: "true"\nnodes: [unclosed\n');
  const run = await runCli('replay', fixture('sshd-bruteforce.log'), '-t', 'syslog', '-c', dir);
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /broken\.yaml:\d+/);
});

test('replay --parallel: the same alerts and counts as one thread, on a log of several batches', async (t) => {
  const dir = tempDir('replay-parallel');
  const file = path.join(dir, 'access.log');
  const { generateNginx } = await import('../../src/bench/gen/nginx');
  const g = generateNginx({ lines: 12_000, seed: 7, out: file, linesPerSecond: 200 });
  t.true(g.bytes > 1 << 20, 'more than one 1 MiB batch, each past the parallel threshold');
  const one = await runCli('replay', file, '--type', 'nginx', '-o', 'json');
  const two = await runCli('replay', file, '--type', 'nginx', '-o', 'json', '--parallel');
  t.is(one.code, 0, one.stderr);
  t.is(two.code, 0, two.stderr);
  const keys = (out: string) => (JSON.parse(out) as Alert[]).map((a) => `${a.scenario} ${a.source.ip} ${a.events_count}`);
  t.true(keys(one.stdout).length >= g.manifest.length, 'the planted attacks alert');
  t.deepEqual(keys(two.stdout), keys(one.stdout));
  for (const what of ['lines read', 'parsed', 'unparsed', 'poured', 'overflows', 'alerts', 'live buckets']) t.is(summaryCount(two.stderr, what), summaryCount(one.stderr, what), what);
});
