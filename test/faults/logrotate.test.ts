// Fault: the daemon's log file was a plain write stream with no way to open it again, so after
// logrotate renamed it the daemon went on writing into the rotated file (and the disk it was
// supposed to free). Now the log is pino's destination, opened again by name on SIGHUP, which
// logrotate's postrotate sends (the same signal reloads the configuration).
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { syslogTime } from '../../src/bench/gen/common';
import { packageRoot } from '../../src/engine/package-root';
import { freeLoopbackPort, Server } from '../../src/reference/processes';
import { eventually } from '../helpers/daemon';
import { tempDir } from '../helpers/run-cli';

test('after logrotate renames the log and sends SIGHUP, the next lines go to a new file', async (t) => {
  const dir = tempDir('logrotate');
  const logs = path.join(dir, 'logs');
  fs.writeFileSync(path.join(dir, 'config.yaml'), `common:\n  log_media: file\n  log_dir: ${logs}\n  log_format: json\n`);
  const auth = path.join(dir, 'auth.log');
  fs.writeFileSync(auth, `${syslogTime(new Date())} gw sshd[1]: Server listening on 0.0.0.0 port 22.\n`);
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filenames:\n  - ${auth}\nlabels:\n  type: syslog\n`);
  const port = await freeLoopbackPort();
  const daemon = new Server(process.execPath, [path.join(packageRoot, 'bin/crowdwatch.js'), 'run', '--data-dir', dir, '--listen', `127.0.0.1:${port}`, '--no-metrics', '--acquis', acquis], { cwd: dir, env: process.env });
  const log = path.join(logs, 'crowdwatch.log');
  const read = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
  try {
    await eventually('the daemon reading', 20_000, async () => (/reading /.test(read(log)) ? true : undefined));
    // logrotate: rename, then postrotate's SIGHUP.
    fs.renameSync(log, `${log}.1`);
    daemon.child.kill('SIGHUP');
    await eventually('a new log file with the reload in it', 10_000, async () => (/reloaded: /.test(read(log)) ? true : undefined));
    const rotated = read(`${log}.1`);
    t.notRegex(rotated, /reloaded: /, 'nothing after the rotation went to the old file');
    for (const line of read(log).trim().split('\n')) t.is(typeof (JSON.parse(line) as { msg: unknown }).msg, 'string', line);
    t.regex(read(log), /"level":"info"/);
  } finally {
    await daemon.stop();
  }
  t.regex(read(log), /SIGTERM: stopping/);
  t.is(fs.statSync(log).mode & 0o777, 0o640);
});
