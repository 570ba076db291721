// Every line is processed exactly once across rename rotation, copytruncate, kill -9 in the
// middle of a stream and a rotation while the daemon is down. Each numbered line carries its own
// address and is worth exactly one alert (test content: a trigger scenario), so the alerts in
// the database count the lines: a lost line is a missing address, a re-read one a duplicate.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { fixture, tempDir } from '../helpers/run-cli';
import { DaemonProcess, eventually, withDataDirStore } from '../helpers/daemon';
import { sleep } from '../../src/reference/processes';

const TOTAL = 1000;
const ipOf = (n: number): string => `10.1.${n >> 8}.${n & 255}`;

/** Appends lines from..to-1 in small writes, the way a busy service logs. */
async function write(file: string, from: number, to: number, pauseMs = 2): Promise<void> {
  for (let n = from; n < to; n += 10) {
    const lines = Array.from({ length: Math.min(10, to - n) }, (_, i) => `seq ${n + i} from ${ipOf(n + i)}\n`).join('');
    fs.appendFileSync(file, lines);
    await sleep(pauseMs);
  }
}

async function alertCounts(dir: string): Promise<Map<string, number>> {
  return withDataDirStore(dir, async (store) => {
    const rows = await store.db.all<{ source_value: string; n: number }>('SELECT source_value, COUNT(*) AS n FROM alerts GROUP BY source_value');
    return new Map(rows.map((r) => [r.source_value, Number(r.n)]));
  });
}

async function caughtUp(dir: string, lines: number): Promise<void> {
  await eventually(`${lines} alerts`, 30_000, async () => {
    const counts = await alertCounts(dir);
    return counts.size >= lines ? true : undefined;
  });
}

test('rotation, copytruncate and kill -9: every line processed exactly once', async (t) => {
  const dir = tempDir('exactly-once');
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs);
  const log = path.join(logs, 'seq.log');
  fs.writeFileSync(log, '');
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filenames:\n  - ${logs}/*.log\nlabels:\n  type: seq\n`);
  const args = ['--acquis', acquis, '--config', fixture('daemon-seq')];

  let daemon = await DaemonProcess.start(dir, args);
  try {
    await write(log, 0, 200);
    // Rename rotation (dateext style: the rotated name matches the glob too), and the writer
    // keeps writing to the renamed file for a moment before it reopens.
    fs.renameSync(log, path.join(logs, 'seq-1.log'));
    await write(path.join(logs, 'seq-1.log'), 200, 220);
    fs.writeFileSync(log, '');
    await write(log, 220, 400);
    // kill -9 in the middle of a stream.
    await write(log, 400, 450);
    await caughtUp(dir, 450);
    let finished = false;
    const writing = write(log, 450, 500, 40).then(() => (finished = true));
    await sleep(100);
    await daemon.kill9();
    t.false(finished, 'killed while lines were still being appended');
    await writing;
    // Down: more lines, then a rotation, then lines in the new file.
    await write(log, 500, 550);
    fs.renameSync(log, path.join(logs, 'seq-2.log'));
    fs.writeFileSync(log, '');
    await write(log, 550, 600);
    daemon = await DaemonProcess.start(dir, args);
    await write(log, 600, 800);
    // copytruncate: lines not yet read when the file is cut exist only in the copy, for any
    // follower; so the copy is taken once the daemon has caught up, as logrotate's delay does.
    await caughtUp(dir, 800);
    fs.copyFileSync(log, path.join(logs, 'seq.log.3'));
    fs.truncateSync(log, 0);
    await write(log, 800, TOTAL);
    await caughtUp(dir, TOTAL);
    await sleep(300); // a late duplicate would show up here
  } finally {
    await daemon.stop();
  }
  const counts = await alertCounts(dir);
  const missing = Array.from({ length: TOTAL }, (_, n) => ipOf(n)).filter((ip) => !counts.has(ip));
  const twice = [...counts].filter(([, n]) => n !== 1);
  t.deepEqual(missing, [], 'lines never processed');
  t.deepEqual(twice, [], 'lines processed more than once');
  t.is(counts.size, TOTAL);
  t.regex(daemon.output, /truncated/);
});
