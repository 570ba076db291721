// `crowdwatch bouncer exec` as a process against crowdwatch's API, with shell scripts that record
// what they are told: one call per change (exact add/del lines, expiry), --stdin with a restart,
// and retries of a failing call.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { packageRoot } from '../../src/engine/package-root';
import { Server, sleep } from '../../src/reference/processes';
import { parseGoDuration } from '../../src/time/go-duration';
import { startTestApi, type TestApi } from '../helpers/api';
import { runCli, tempDir } from '../helpers/run-cli';
import { until } from '../helpers/wait';

function script(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

const lines = (file: string): string[] => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

async function withBouncer(t: { teardown(f: () => unknown): void }, flags: string[], cmd: string[]): Promise<{ api: TestApi; bouncer: Server; dir: string; add: (...a: string[]) => Promise<void>; del: (ip: string) => Promise<void> }> {
  const api = await startTestApi();
  const dir = tempDir('exec-bouncer');
  const key = await api.bouncerKey('exec');
  const add = async (...args: string[]): Promise<void> => {
    const r = await runCli('decisions', 'add', ...args, ...api.flags);
    if (r.code !== 0) throw new Error(r.stderr);
  };
  const del = async (ip: string): Promise<void> => {
    const r = await runCli('decisions', 'delete', '--ip', ip, ...api.flags);
    if (r.code !== 0) throw new Error(r.stderr);
  };
  await add('--ip', '192.0.2.1', '--duration', '1h', '--reason', 'anchor-ip');
  const args = ['bouncer', 'exec', '--api-url', api.url, '--api-key', key, ...flags, '--', ...cmd];
  const bouncer = new Server(process.execPath, [path.join(packageRoot, 'bin/crowdwatch.js'), ...args], { cwd: dir, env: process.env });
  t.teardown(async () => {
    await bouncer.stop();
    await api.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { api, bouncer, dir, add, del };
}

test('each change runs the command once: add for new decisions (IP, range, IPv6, captcha), del for a deletion and for a decision running out', async (t) => {
  const dir = tempDir('exec-scripts');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const calls = path.join(dir, 'calls.tsv');
  // One printf per call: its single write keeps concurrent calls' lines whole.
  const record = script(dir, 'record.sh', `printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$@" >> ${calls}`);
  const { bouncer, add, del } = await withBouncer(t, [], [record, 'first-arg']);
  const log = () => `${lines(calls).join('\n')}\n--- bouncer:\n${bouncer.output}`;
  await until('the startup decision', () => lines(calls).length >= 1, log);
  await add('--range', '198.51.100.0/24', '--duration', '30m', '--reason', 'anchor-range');
  await add('--ip', '2001:db8::1', '--duration', '2h', '--reason', 'anchor-v6');
  await add('--ip', '203.0.113.7', '--duration', '15m', '--type', 'captcha', '--reason', 'anchor-captcha');
  await add('--ip', '203.0.113.50', '--duration', '3s', '--reason', 'short');
  await until('the new decisions', () => lines(calls).length >= 5, log);
  await del('192.0.2.1');
  await until('the deletion and the expiry', () => lines(calls).length >= 7, log);
  await sleep(2500); // more long polls and the API's own notice of the expiry: nothing may repeat
  const rows = lines(calls).map((l) => l.split('\t'));
  const summary = rows.map(([first, action, value, , scenario]) => `${first} ${action} ${value} ${scenario}`);
  t.deepEqual([...summary].sort(), [
    'first-arg add 192.0.2.1 anchor-ip',
    'first-arg add 198.51.100.0/24 anchor-range',
    'first-arg add 2001:db8::1 anchor-v6',
    'first-arg add 203.0.113.50 short',
    'first-arg add 203.0.113.7 anchor-captcha',
    'first-arg del 192.0.2.1 anchor-ip',
    'first-arg del 203.0.113.50 short',
  ], log());
  const order = (s: string) => summary.indexOf(s);
  t.true(order('first-arg add 192.0.2.1 anchor-ip') < order('first-arg del 192.0.2.1 anchor-ip'));
  t.true(order('first-arg add 203.0.113.50 short') < order('first-arg del 203.0.113.50 short'));
  for (const [, action, value, seconds, scenario, json] of rows) {
    const d = JSON.parse(json) as Record<string, unknown>;
    t.deepEqual(Object.keys(d), ['duration', 'id', 'origin', 'scenario', 'scope', 'type', 'value']);
    t.is(d.value, value);
    t.is(d.scenario, scenario);
    t.is(d.origin, 'cscli');
    t.is(d.scope, value.includes('/') ? 'Range' : 'Ip');
    t.is(d.type, value === '203.0.113.7' ? 'captcha' : 'ban');
    t.true(Number.isInteger(d.id));
    const left = Number(seconds);
    const ns = parseGoDuration(String(d.duration));
    t.not(ns, null);
    t.true(Math.abs((ns as number) / 1e9 - left) <= 1, `${seconds} vs ${String(d.duration)}`);
    if (action === 'add' && value === '2001:db8::1') t.true(left > 7100 && left <= 7200, seconds);
    if (action === 'add' && value === '198.51.100.0/24') t.true(left > 1700 && left <= 1800, seconds);
    if (action === 'del') t.true(left <= 1, `a deleted or ended decision has no time left (${seconds})`);
  }
});

test('--stdin: one process gets a JSON line per change and is restarted when it exits, losing nothing', async (t) => {
  const dir = tempDir('exec-scripts');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fed = path.join(dir, 'fed.jsonl');
  const marker = path.join(dir, 'ran-once');
  // The first run takes one line and exits 1; the next runs keep reading.
  const reader = script(dir, 'reader.sh', [
    `if [ ! -e ${marker} ]; then touch ${marker}; IFS= read -r line; printf '%s\\n' "$line" >> ${fed}; echo 'reader: quitting' >&2; exit 1; fi`,
    `while IFS= read -r line; do printf '%s\\n' "$line" >> ${fed}; done`,
  ].join('\n'));
  const { bouncer, add, del } = await withBouncer(t, ['--stdin', '--retry-delay', '4s'], [reader]);
  const log = () => `${lines(fed).join('\n')}\n--- bouncer:\n${bouncer.output}`;
  await until('the startup line', () => lines(fed).length >= 1, log);
  await until('the restart notice', () => /stopped \(exit status 1\); restarting in 4000 ms/.test(bouncer.output), log);
  t.regex(bouncer.output, /script: reader: quitting/);
  // Sent while the reader is down: queued, then written to the next process.
  await add('--ip', '2001:db8::7', '--duration', '1h', '--reason', 'while-down');
  await until('the queued line', () => lines(fed).length >= 2, log);
  await del('2001:db8::7');
  await until('the deletion line', () => lines(fed).length >= 3, log);
  await sleep(1500);
  const got = lines(fed).map((l) => JSON.parse(l) as Record<string, unknown>);
  t.deepEqual(got.map((d) => `${String(d.action)} ${String(d.value)} ${String(d.scenario)}`), [
    'add 192.0.2.1 anchor-ip',
    'add 2001:db8::7 while-down',
    'del 2001:db8::7 while-down',
  ], log());
  t.deepEqual(Object.keys(got[0]), ['duration', 'id', 'origin', 'scenario', 'scope', 'type', 'value', 'action']);
  t.is((bouncer.output.match(/restarting in/g) ?? []).length, 1, 'restarted once');
});

test('a failing call is logged with its value and status and retried; one failing for good is given up', async (t) => {
  const dir = tempDir('exec-scripts');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const calls = path.join(dir, 'calls.log');
  // 192.0.2.1 fails its first attempt; 192.0.2.66 always fails.
  const flaky = script(dir, 'flaky.sh', [
    `[ "$2" = 192.0.2.66 ] && { echo "cannot ban $2" >&2; exit 4; }`,
    `if [ ! -e ${dir}/failed-$2 ]; then touch ${dir}/failed-$2; exit 3; fi`,
    `printf '%s %s\\n' "$1" "$2" >> ${calls}`,
  ].join('\n'));
  const { bouncer, add } = await withBouncer(t, ['--retries', '2', '--retry-delay', '200ms'], [flaky]);
  const log = () => `${lines(calls).join('\n')}\n--- bouncer:\n${bouncer.output}`;
  await until('the retried call', () => lines(calls).length >= 1, log);
  t.regex(bouncer.output, /add 192\.0\.2\.1 failed: exit status 3; retry 1\/2 in 200 ms/);
  await add('--ip', '192.0.2.66', '--duration', '1h');
  await until('giving up', () => /add 192\.0\.2\.66 failed: exit status 4 \(output: cannot ban 192\.0\.2\.66\); giving up after 3 attempt\(s\)/.test(bouncer.output), log);
  t.is((bouncer.output.match(/add 192\.0\.2\.66 failed/g) ?? []).length, 3);
  t.deepEqual(lines(calls), ['add 192.0.2.1'], log());
});

test('usage errors: no command, a command that is not there, a bad --retries, a missing API key', async (t) => {
  const noCmd = await runCli('bouncer', 'exec', '--api-url', 'http://127.0.0.1:1', '--api-key', 'k');
  t.is(noCmd.code, 2);
  t.regex(noCmd.stderr, /missing required argument 'cmd'/);
  const missing = await runCli('bouncer', 'exec', '--api-url', 'http://127.0.0.1:1', '--api-key', 'k', '--', '/nonexistent/ban.sh', 'x');
  t.is(missing.code, 2);
  t.regex(missing.stderr, /'\/nonexistent\/ban.sh' is not an executable file/);
  const badRetries = await runCli('bouncer', 'exec', '--retries', 'lots', '--', '/bin/true');
  t.is(badRetries.code, 2);
  t.regex(badRetries.stderr, /--retries.*expected an integer from 0 to 100/);
  const noKey = await runCli('bouncer', 'exec', '--api-url', 'http://127.0.0.1:1', '--', '/bin/true');
  t.is(noKey.code, 2);
  t.regex(noKey.stderr, /--api-key is required/);
});
