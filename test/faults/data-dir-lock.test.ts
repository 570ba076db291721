// Fault: two daemons on one data dir both ran, appended to the same journal and raised every alert
// twice. Now `run` locks the data dir's agent journal and local API database (flock: the kernel
// drops it when the process dies, kill -9 included), and a second one stops at once, saying who
// has it. `crowdwatch api` with `run --no-api` on one data dir (README's split set-up) still works.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { lockDataDir } from '../../src/agent/control';
import { syslogTime } from '../../src/bench/gen/common';
import { DaemonProcess } from '../helpers/daemon';
import { runCli, tempDir } from '../helpers/run-cli';

test('a second daemon on a data dir in use stops with the holder named; after kill -9 of the first, a restart gets it', async (t) => {
  const dir = tempDir('lock');
  const log = path.join(dir, 'auth.log');
  fs.writeFileSync(log, `${syslogTime(new Date())} gw sshd[1]: Server listening on 0.0.0.0 port 22.\n`);
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filenames:\n  - ${log}\nlabels:\n  type: syslog\n`);
  const first = await DaemonProcess.start(dir, ['--acquis', acquis]);
  const journal = path.join(dir, 'agent-journal.jsonl');
  try {
    const before = fs.readFileSync(journal);
    const second = await runCli('run', '--data-dir', dir, '--acquis', acquis, '--listen', '127.0.0.1:0', '--no-metrics');
    t.is(second.code, 1);
    t.regex(second.stderr, new RegExp(`data dir ${dir}: its agent journal is in use by another crowdwatch \\(pid ${first.server.child.pid}\\)`));
    t.regex(second.stderr, /CW_LOCKED/);
    t.deepEqual(fs.readFileSync(journal), before, 'the second never wrote to the journal');
    // An API alone on the same data dir is refused too: the first one's API owns the database.
    const api = await runCli('api', '--data-dir', dir, '--listen', '127.0.0.1:0');
    t.is(api.code, 1);
    t.regex(api.stderr, /its local API database is in use/);
  } finally {
    await first.kill9();
  }
  const restarted = await DaemonProcess.start(dir, ['--acquis', acquis]);
  await restarted.stop();
  t.regex(restarted.output, /stopped: /);
});

test('the API and an agent with --no-api share a data dir; a full daemon beside either is refused, holding nothing', (t) => {
  const dir = tempDir('lock-roles');
  const api = lockDataDir(dir, ['api']);
  const agent = lockDataDir(dir, ['agent']);
  const error = t.throws(() => lockDataDir(dir, ['agent', 'api']));
  t.is((error as NodeJS.ErrnoException).code, 'CW_LOCKED');
  agent();
  // The refused attempt released what it took: the agent lock is free again, the API's is not.
  const error2 = t.throws(() => lockDataDir(dir, ['agent', 'api']));
  t.regex(error2?.message ?? '', /local API database is in use/);
  const again = lockDataDir(dir, ['agent']);
  again();
  api();
  lockDataDir(dir, ['agent', 'api'])();
  t.pass();
});
