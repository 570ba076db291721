// `crowdwatch setup` into a staging root: a unit systemd accepts, a config and an acquis.yaml
// that crowdwatch loads, and a second run that leaves the administrator's edits alone.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { readAcquisition } from '../../src/acquisition';
import { loadApiConfig } from '../../src/config/api-config';
import { runCli, tempDir } from '../helpers/run-cli';

test('setup writes a unit, a config and an acquis.yaml for the logs present, and keeps edits on a second run', async (t) => {
  const root = tempDir('setup');
  fs.mkdirSync(path.join(root, 'var/log/nginx'), { recursive: true });
  fs.writeFileSync(path.join(root, 'var/log/auth.log'), '');
  fs.writeFileSync(path.join(root, 'var/log/nginx/access.log'), '');
  const first = await runCli('setup', '--root', root, '--no-systemctl', '-o', 'json');
  t.is(first.code, 0, first.stderr);
  const steps = (JSON.parse(first.stdout) as { steps: Array<{ path: string; action: string }> }).steps;
  t.deepEqual(steps.map((s) => [path.relative(root, s.path), s.action]), [
    ['etc/systemd/system/crowdwatch.service', 'written'],
    ['etc/crowdwatch/config.yaml', 'written'],
    ['etc/crowdwatch/acquis.yaml', 'written'],
    ['etc/crowdwatch/acquis.d', 'created'],
    ['var/lib/crowdwatch', 'created'],
  ]);

  const unit = fs.readFileSync(path.join(root, 'etc/systemd/system/crowdwatch.service'), 'utf8');
  t.regex(unit, new RegExp(`^ExecStart=${process.execPath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\S+/bin/crowdwatch\\.js run --data-dir /var/lib/crowdwatch --config-file /etc/crowdwatch/config\\.yaml$`, 'm'));
  t.regex(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  const analyze = spawnSync('systemd-analyze', ['verify', path.join(root, 'etc/systemd/system/crowdwatch.service')], { encoding: 'utf8' });
  if (!analyze.error) t.notRegex(`${analyze.stdout}${analyze.stderr}`, /crowdwatch\.service:\d+/, 'systemd-analyze found no problem in the unit');

  // The config loads as written; its acquisition file is the one beside it.
  const config = loadApiConfig({ dataDir: path.join(root, 'var/lib/crowdwatch'), configFile: path.join(root, 'etc/crowdwatch/config.yaml') });
  t.deepEqual(config.agent.acquisitionFiles, [path.join(root, 'etc/crowdwatch/acquis.yaml')]);
  t.deepEqual(config.store, { type: 'sqlite', path: '/var/lib/crowdwatch/crowdwatch.db' });
  const entries = readAcquisition(config.agent.acquisitionFiles);
  t.deepEqual(entries.map((e) => [e.source, e.labels.type, e.source === 'file' ? e.filenames : []]), [
    ['file', 'syslog', ['/var/log/auth.log']],
    ['file', 'nginx', ['/var/log/nginx/access.log']],
  ]);

  // Second run: the edited config stays, the unit is brought up to date.
  fs.appendFileSync(path.join(root, 'etc/crowdwatch/config.yaml'), '# edited by the admin\n');
  fs.writeFileSync(path.join(root, 'etc/systemd/system/crowdwatch.service'), 'stale');
  const second = await runCli('setup', '--root', root, '--no-systemctl');
  t.is(second.code, 0);
  t.regex(second.stdout, /^kept\s+\S+\/etc\/crowdwatch\/config\.yaml/m);
  t.regex(fs.readFileSync(path.join(root, 'etc/crowdwatch/config.yaml'), 'utf8'), /# edited by the admin\n$/);
  t.regex(fs.readFileSync(path.join(root, 'etc/systemd/system/crowdwatch.service'), 'utf8'), /^\[Service\]$/m);
});

test('setup on a host with no classic auth log follows sshd in the journal', async (t) => {
  const root = tempDir('setup');
  t.is((await runCli('setup', '--root', root, '--no-systemctl')).code, 0);
  const [entry] = readAcquisition([path.join(root, 'etc/crowdwatch/acquis.yaml')]);
  t.like(entry, { source: 'journalctl', labels: { type: 'syslog' } });
});
