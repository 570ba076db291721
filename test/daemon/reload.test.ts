// SIGHUP / `crowdwatch reload`: new content and acquisition apply while the daemon runs; buckets
// of scenarios that did not change keep their events; a broken file is refused with file:line
// and the daemon goes on with what it had.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { syslogTime } from '../../src/bench/gen/common';
import { parseExposition } from '../../src/metrics/exposition';
import { packageRoot } from '../../src/engine/package-root';
import { runCli, tempDir } from '../helpers/run-cli';
import { DaemonProcess, eventually } from '../helpers/daemon';

/** A scenario that never leaks within a test: the (capacity+1)th failure of one address overflows. */
function scenario(name: string, capacity: number): string {
  return `type: leaky\nname: ${name}\ndescription: reload test\nfilter: "evt.Meta.log_type == 'ssh_failed-auth'"\ngroupby: evt.Meta.source_ip\ncapacity: ${capacity}\nleakspeed: 1h\nlabels:\n  remediation: true\n`;
}

function failures(ip: string, n: number): string {
  return Array.from({ length: n }, (_, i) => `${syslogTime(new Date())} gw sshd[${900 + i}]: Failed password for root from ${ip} port ${41000 + i} ssh2\n`).join('');
}

test('reload keeps the buckets of unchanged scenarios, resets changed ones, adds sources, and refuses broken content', async (t) => {
  const dir = tempDir('reload');
  const content = path.join(dir, 'content');
  fs.cpSync(path.join(packageRoot, 'scenarios'), content, { recursive: true });
  fs.rmSync(path.join(content, 'scenarios'), { recursive: true });
  fs.mkdirSync(path.join(content, 'scenarios'));
  fs.writeFileSync(path.join(content, 'scenarios', 'keep.yaml'), scenario('test/keep', 3));
  fs.writeFileSync(path.join(content, 'scenarios', 'change.yaml'), scenario('test/change', 3));
  const auth = path.join(dir, 'auth.log');
  const auth2 = path.join(dir, 'auth2.log');
  fs.writeFileSync(auth, '');
  fs.writeFileSync(auth2, '');
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filename: ${auth}\nlabels:\n  type: syslog\n`);
  const key = (await runCli('bouncers', 'add', 'fw', '--data-dir', dir, '-o', 'raw')).stdout.trim();
  const daemon = await DaemonProcess.start(dir, ['--acquis', acquis, '-c', content]);
  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> =>
    parseExposition(await (await fetch(daemon.metricsUrl)).text())
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((n, s) => n + s.value, 0);
  const linesRead = (n: number): Promise<boolean> => eventually(`${n} lines read`, 10_000, async () => ((await metric('cs_parser_hits_total')) >= n ? true : undefined));
  const decisionsFor = async (ip: string): Promise<string[]> => {
    const res = await fetch(`${daemon.url}/v1/decisions?ip=${ip}`, { headers: { 'x-api-key': key } });
    return (((await res.json()) as Array<{ scenario: string }> | null) ?? []).map((d) => d.scenario).sort();
  };
  try {
    // Both buckets of 203.0.113.50 are full; the next failure would overflow both.
    fs.appendFileSync(auth, failures('203.0.113.50', 3));
    await linesRead(3);
    t.is(await metric('cs_buckets'), 2);

    // test/change gets a new capacity; a second log is added to the acquisition.
    fs.writeFileSync(path.join(content, 'scenarios', 'change.yaml'), scenario('test/change', 4));
    fs.appendFileSync(acquis, `---\nfilename: ${auth2}\nlabels:\n  type: syslog\n`);
    // A setting read only at start is reported, not applied.
    fs.writeFileSync(path.join(dir, 'config.yaml'), 'prometheus:\n  listen_port: 6161\n');
    const reloaded = await runCli('reload', '--data-dir', dir, '-o', 'json');
    t.is(reloaded.code, 0, reloaded.stderr);
    const outcome = JSON.parse(reloaded.stdout) as { ok: boolean; message: string };
    t.true(outcome.ok);
    t.regex(outcome.message, /scenarios: 1 kept with their buckets, 1 changed \(buckets reset\), 0 added, 0 removed; sources: 1 kept, 1 started, 0 stopped; changed and applied at the next start only: prometheus$/);
    t.regex(daemon.output, /SIGHUP: reloading/);

    // The kept bucket remembers its 3 events: one more overflows it. The changed one starts over.
    fs.appendFileSync(auth, failures('203.0.113.50', 1));
    await linesRead(4);
    t.deepEqual(await eventually('the kept bucket overflows', 10_000, async () => {
      const d = await decisionsFor('203.0.113.50');
      return d.length > 0 ? d : undefined;
    }), ['test/keep']);
    t.is(await metric('crowdwatch_alerts_raised_total'), 1, 'test/change (reset, 1 event of 4) did not overflow');
    t.is(await metric('cs_buckets', { name: 'test/change' }), 1);

    // The added source is read.
    fs.appendFileSync(auth2, failures('203.0.113.52', 4));
    t.deepEqual(await eventually('a ban from the added file', 10_000, async () => {
      const d = await decisionsFor('203.0.113.52');
      return d.length > 0 ? d : undefined;
    }), ['test/keep']);

    // Broken content: refused with file and line; the daemon keeps detecting with what it had.
    fs.writeFileSync(path.join(content, 'scenarios', 'broken.yaml'), 'type: leaky\nname: test/broken\ncapacity: [oops\n');
    const refused = await runCli('reload', '--data-dir', dir);
    t.is(refused.code, 1);
    t.regex(refused.stderr, /reload refused, still running the previous configuration: .*broken\.yaml:\d+/s);
    fs.appendFileSync(auth, failures('203.0.113.51', 4));
    t.deepEqual(await eventually('detection goes on', 10_000, async () => {
      const d = await decisionsFor('203.0.113.51');
      return d.length > 0 ? d : undefined;
    }), ['test/keep']);
  } finally {
    await daemon.stop();
  }
  t.false(fs.existsSync(path.join(dir, 'crowdwatch.pid')), 'the pid file goes with the daemon');
  const gone = await runCli('reload', '--data-dir', dir);
  t.is(gone.code, 1);
  t.regex(gone.stderr, /no crowdwatch daemon is running on/);
});
