// Fault: a clean restart forgot half-filled buckets: 3 failed passwords, SIGTERM, restart, 3 more
// gave no ban, though ssh-bf trips at 6. Positions were journaled, bucket state was not. Now the
// buckets are written at every clean stop and every few minutes, and restored at start: after a
// SIGTERM nothing is forgotten; after kill -9, what was counted since the last snapshot is.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { bucketSnapshotFile } from '../../src/agent/bucket-snapshots';
import { syslogTime } from '../../src/bench/gen/common';
import { sleep } from '../../src/reference/processes';
import { DaemonProcess, eventually } from '../helpers/daemon';
import { runCli, tempDir } from '../helpers/run-cli';

const ATTACKER = '203.0.113.77';

function setUp(name: string) {
  const dir = tempDir(name);
  const log = path.join(dir, 'auth.log');
  fs.writeFileSync(log, `${syslogTime(new Date())} gw sshd[1]: Server listening on 0.0.0.0 port 22.\n`);
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filenames:\n  - ${log}\nlabels:\n  type: syslog\n`);
  // Four failures on each side of the restart: ssh-bf (capacity 5, one token back every 10 s)
  // needs six inside ~10 s, so a restart's few seconds may cost a token, never the ban.
  const fail = (n: number) => {
    for (let i = 0; i < n; i++) fs.appendFileSync(log, `${syslogTime(new Date())} gw sshd[${100 + i}]: Failed password for root from ${ATTACKER} port ${40000 + i} ssh2\n`);
  };
  return { dir, acquis, fail };
}

async function poured(daemon: DaemonProcess): Promise<number> {
  const text = await (await fetch(daemon.metricsUrl)).text();
  const m = /cs_bucket_poured_total\{name="crowdwatch\/ssh-bf"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

async function banned(dir: string): Promise<boolean> {
  const list = await runCli('decisions', 'list', '--data-dir', dir, '-o', 'json');
  return list.stdout.includes(ATTACKER);
}

test.serial('SIGTERM between two halves of a brute force: the restarted daemon bans it', async (t) => {
  const { dir, acquis, fail } = setUp('restart-term');
  let daemon = await DaemonProcess.start(dir, ['--acquis', acquis]);
  try {
    fail(4);
    await eventually('4 failures poured', 10_000, async () => ((await poured(daemon)) >= 4 ? true : undefined));
    await daemon.stop();
    t.regex(daemon.output, /stopped: 0 alert/);
    t.true(fs.existsSync(bucketSnapshotFile(dir)));
    daemon = await DaemonProcess.start(dir, ['--acquis', acquis]);
    t.regex(daemon.output, /buckets: restored \d+ bucket\(s\) of \d+ scenario\(s\)/);
    fail(4);
    await eventually('the ban', 15_000, async () => ((await banned(dir)) ? true : undefined));
    t.pass();
  } finally {
    await daemon.stop();
  }
});

test.serial('kill -9 after a snapshot: the buckets as of the snapshot come back, and nothing is counted twice', async (t) => {
  const { dir, acquis, fail } = setUp('restart-kill');
  let daemon = await DaemonProcess.start(dir, ['--acquis', acquis, '--snapshot-ms', '200']);
  try {
    fail(4);
    await eventually('4 failures poured', 10_000, async () => ((await poured(daemon)) >= 4 ? true : undefined));
    const after = Date.now();
    await eventually('a snapshot after them', 10_000, async () => (fs.existsSync(bucketSnapshotFile(dir)) && fs.statSync(bucketSnapshotFile(dir)).mtimeMs > after + 50 ? true : undefined));
    await daemon.kill9();
    daemon = await DaemonProcess.start(dir, ['--acquis', acquis, '--snapshot-ms', '200']);
    t.regex(daemon.output, /buckets: restored [1-9]\d* bucket\(s\) of \d+ scenario\(s\) from [^;\n]*\n/, "every scenario restored, none skipped");
    // Nothing is read twice: the journal's positions are never older than the snapshot.
    await sleep(500);
    t.false(await banned(dir), 'the restored bucket holds 4, not 8');
    t.is(await poured(daemon), 0);
    fail(4);
    await eventually('the ban', 15_000, async () => ((await banned(dir)) ? true : undefined));
  } finally {
    await daemon.stop();
  }
});

test.serial('a snapshot that does not read is set aside, and the daemon starts empty', async (t) => {
  const { dir, acquis } = setUp('restart-bad');
  fs.writeFileSync(bucketSnapshotFile(dir), 'CWBUCKET garbage');
  const daemon = await DaemonProcess.start(dir, ['--acquis', acquis]);
  await daemon.stop();
  t.regex(daemon.output, /buckets: bucket snapshot: unreadable snapshot.*starting empty/);
  t.true(fs.existsSync(`${bucketSnapshotFile(dir)}.bad`));
});
