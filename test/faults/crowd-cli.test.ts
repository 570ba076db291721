// Fault: the crowd CLI disagreed with the README: after `crowd enroll --url`, or with `run
// --crowd-url`, `crowd status|push-now|pull-now` answered "no crowd: section in config.yaml". Now
// they use the central this data dir enrolled at, in all three ways the README names.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { syslogTime } from '../../src/bench/gen/common';
import { startTestCentral } from '../helpers/central';
import { runCli, tempDir } from '../helpers/run-cli';

test('crowd status, push-now and pull-now work after enroll --url, after run --crowd-url, and with crowd: in config.yaml', async (t) => {
  const central = await startTestCentral();
  try {
    // 1. crowd enroll --url
    const enrolled = tempDir('crowd-enrolled');
    t.is((await runCli('crowd', 'enroll', '--url', central.url, '--data-dir', enrolled)).code, 0);
    for (const cmd of ['status', 'push-now', 'pull-now']) {
      const r = await runCli('crowd', cmd, '--data-dir', enrolled, '-o', 'json');
      t.is(r.code, 0, `crowd ${cmd} after enroll: ${r.stderr}`);
    }
    const status = JSON.parse((await runCli('crowd', 'status', '--data-dir', enrolled, '-o', 'json')).stdout) as { url: string };
    t.is(status.url, central.url);

    // 2. run --crowd-url (one file in time-machine mode registers the member, then exits)
    const ran = tempDir('crowd-ran');
    const log = path.join(ran, 'auth.log');
    fs.writeFileSync(log, `${syslogTime(new Date())} gw sshd[1]: Server listening on 0.0.0.0 port 22.\n`);
    const run = await runCli('run', '--data-dir', ran, '--crowd-url', central.url, '--dsn', `file://${log}`, '-t', 'syslog', '--listen', '127.0.0.1:0', '--no-metrics');
    t.is(run.code, 0, run.stderr);
    const afterRun = await runCli('crowd', 'status', '--data-dir', ran, '-o', 'json');
    t.is(afterRun.code, 0, afterRun.stderr);
    t.is((JSON.parse(afterRun.stdout) as { url: string }).url, central.url);

    // 3. crowd: in config.yaml
    const configured = tempDir('crowd-configured');
    fs.writeFileSync(path.join(configured, 'config.yaml'), `crowd:\n  url: ${central.url}\n`);
    const r3 = await runCli('crowd', 'pull-now', '--data-dir', configured, '-o', 'json');
    t.is(r3.code, 0, r3.stderr);

    // Neither: a usage error that says how to join.
    const none = await runCli('crowd', 'status', '--data-dir', tempDir('crowd-none'));
    t.is(none.code, 2);
    t.regex(none.stderr, /not in a crowd: .*crowd enroll --url URL, or run with --crowd-url URL/);
  } finally {
    await central.close();
  }
});
