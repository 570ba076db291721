// The daemon follows files named in a CrowdSec acquis.yaml: an ssh brute force and an http
// probing run appended to them become alerts and ban decisions a bouncer sees through the API.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { syslogTime } from '../../src/bench/gen/common';
import { packageRoot } from '../../src/engine/package-root';
import { runCli, tempDir } from '../helpers/run-cli';
import { DaemonProcess, eventually, withDataDirStore } from '../helpers/daemon';

test('appended attacks in followed files become alerts and ban decisions served to bouncers', async (t) => {
  const dir = tempDir('daemon-e2e');
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs);
  fs.writeFileSync(path.join(logs, 'auth.log'), `${syslogTime(new Date())} gw sshd[1]: Server listening on 0.0.0.0 port 22.\n`);
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filenames:\n  - ${logs}/auth.log\nlabels:\n  type: syslog\n---\nsource: file\nfilename: ${logs}/access.log\nlabels:\n  type: nginx\n`);
  const key = (await runCli('bouncers', 'add', 'fw', '--data-dir', dir, '-o', 'raw')).stdout.trim();
  t.regex(key, /^\S{16,}$/);
  const daemon = await DaemonProcess.start(dir, ['--acquis', acquis]);
  try {
    // access.log does not exist yet: a file that appears later is read from its first line.
    const probing = fs.readFileSync(path.join(packageRoot, 'scenarios', 'tests', 'http-probing-burst', 'input.log'), 'utf8');
    fs.writeFileSync(path.join(logs, 'access.log'), probing);
    const failures = Array.from({ length: 7 }, (_, i) => `${syslogTime(new Date())} gw sshd[${200 + i}]: Failed password for root from 203.0.113.7 port ${50100 + i} ssh2\n`);
    for (const line of failures) fs.appendFileSync(path.join(logs, 'auth.log'), line);
    const decisions = await eventually('both bans', 15_000, async () => {
      const res = await fetch(`${daemon.url}/v1/decisions`, { headers: { 'x-api-key': key } });
      const body = (await res.json()) as Array<{ value: string; type: string; scenario: string }> | null;
      const values = (body ?? []).map((d) => d.value);
      return values.includes('203.0.113.7') && values.includes('203.0.113.30') ? body! : undefined;
    });
    t.true(decisions.every((d) => d.type === 'ban'));
    t.deepEqual([...new Set(decisions.map((d) => d.scenario))].sort(), ['crowdwatch/http-probing', 'crowdwatch/ssh-bf']);
  } finally {
    await daemon.stop();
  }
  t.regex(daemon.output, /SIGTERM: stopping/);
  t.regex(daemon.output, /stopped: 2 alert\(s\) raised, 2 pushed/);
  const alerts = await withDataDirStore(dir, (store) => store.alerts.query({}));
  t.deepEqual(alerts.map((a) => a.source.value).sort(), ['203.0.113.30', '203.0.113.7']);
});
