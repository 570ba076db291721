// The journald source: entries rendered as classic syslog lines, and the cursor of the last
// entry accounted for is where the next start resumes. A stand-in `journalctl` (a script that
// honours --after-cursor) makes this run anywhere; the real journal is used where journald runs.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { JournaldSource } from '../../src/acquisition/journald-source';
import type { Position, Stream } from '../../src/acquisition/source';
import { sleep } from '../../src/reference/processes';
import { tempDir } from '../helpers/run-cli';

/** A fake journalctl printing entries 0..N-1 (after --after-cursor when given), then following. */
function fakeJournalctl(dir: string, count: number): string {
  const script = path.join(dir, 'journalctl');
  fs.writeFileSync(script, `#!/usr/bin/env node
const args = process.argv.slice(2);
const i = args.indexOf('--after-cursor');
const from = i >= 0 ? Number(/i=([0-9]+)/.exec(args[i + 1])[1]) + 1 : 0;
fs = require('fs');
fs.appendFileSync(${JSON.stringify(path.join(dir, 'calls'))}, JSON.stringify(args) + '\\n');
for (let n = from; n < ${count}; n++) {
  console.log(JSON.stringify({ __CURSOR: 's=test;i=' + n, __REALTIME_TIMESTAMP: String(Date.UTC(2026, 10, 24, 10, 0, n) * 1000),
    _HOSTNAME: 'gw', SYSLOG_IDENTIFIER: 'sshd', _PID: String(100 + n), MESSAGE: n === 3 ? [70, 97, 105, 108] : 'entry ' + n }));
}
setInterval(() => {}, 1000);
`, { mode: 0o755 });
  return script;
}

function collect(): { sink: { lines(s: Stream, b: Buffer, p?: Position): void; warn(m: string): void }; lines: string[]; last: () => Position | undefined } {
  const lines: string[] = [];
  let last: Position | undefined;
  return {
    lines,
    last: () => last,
    sink: {
      lines: (_s, b, p) => {
        lines.push(...b.toString('utf8').split('\n').filter((l) => l !== ''));
        if (p) last = p;
      },
      warn: () => undefined,
    },
  };
}

test('journal entries become syslog lines; a restart resumes after the last cursor', async (t) => {
  const dir = tempDir('journald');
  const journalctl = fakeJournalctl(dir, 6);
  const first = collect();
  const a = new JournaldSource({ name: 'j', filters: ['_SYSTEMD_UNIT=ssh.service'], labels: { type: 'syslog' }, journalctl });
  await a.start(first.sink, new Map());
  for (let i = 0; first.lines.length < 6 && i < 100; i++) await sleep(20);
  await a.stop();
  t.is(first.lines.length, 6);
  t.regex(first.lines[0], /^Nov 24 \d\d:00:00 gw sshd\[100\]: entry 0$/);
  t.regex(first.lines[3], /sshd\[103\]: Fail$/, 'a byte-array MESSAGE is decoded');
  t.deepEqual(first.last(), { kind: 'journald', cursor: 's=test;i=5' });
  const calls = fs.readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
  t.deepEqual(calls[0], ['--follow', '-o', 'json', '--no-pager', '-n', '0', '_SYSTEMD_UNIT=ssh.service']);

  // Restart from the persisted cursor of entry 3: entries 4 and 5 only.
  const second = collect();
  const b = new JournaldSource({ name: 'j', filters: ['_SYSTEMD_UNIT=ssh.service'], labels: { type: 'syslog' }, journalctl });
  await b.start(second.sink, new Map([[b.stream.key, { kind: 'journald', cursor: 's=test;i=3' }]]));
  for (let i = 0; second.lines.length < 2 && i < 100; i++) await sleep(20);
  await sleep(100);
  await b.stop();
  t.deepEqual(second.lines.map((l) => l.replace(/^.*: /, '')), ['entry 4', 'entry 5']);
});

const journald = (() => {
  try {
    execFileSync('journalctl', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'journalctl is not installed';
  }
  return fs.existsSync('/run/systemd/journal/socket') ? null : 'journald is not running here (no /run/systemd/journal/socket)';
})();

(journald === null ? test : test.skip)(`the real journal${journald ? ` (skipped: ${journald})` : ''}`, async (t) => {
  const tag = `crowdwatch-test-${process.pid}`;
  const got = collect();
  const source = new JournaldSource({ name: 'j', filters: [`SYSLOG_IDENTIFIER=${tag}`], labels: { type: 'syslog' } });
  await source.start(got.sink, new Map());
  await sleep(300);
  execFileSync('systemd-cat', ['-t', tag, 'echo', 'hello from the test'], { stdio: 'ignore' });
  for (let i = 0; got.lines.length < 1 && i < 100; i++) await sleep(50);
  await source.stop();
  t.regex(got.lines[0] ?? '', new RegExp(`${tag}\\[\\d+\\]: hello from the test$`));
});
