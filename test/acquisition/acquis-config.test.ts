import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { readAcquisFile } from '../../src/acquisition/acquis-config';
import { expandGlob } from '../../src/acquisition/glob';
import { tempDir } from '../helpers/run-cli';

function acquis(text: string): string {
  const file = path.join(tempDir('acquis'), 'acquis.yaml');
  fs.writeFileSync(file, text);
  return file;
}

test("CrowdSec's acquis.yaml documents: file (inferred), journalctl, syslog", (t) => {
  const file = acquis(`filenames:
  - /var/log/nginx/*.log
labels:
  type: nginx
---
source: journalctl
journalctl_filter:
  - _SYSTEMD_UNIT=ssh.service
labels:
  type: syslog
---
source: syslog
listen_port: 4242
protocol: udp+tcp
labels:
  type: syslog
`);
  const [f, j, s] = readAcquisFile(file);
  t.like(f, { source: 'file', filenames: ['/var/log/nginx/*.log'], mode: 'tail', labels: { type: 'nginx' } });
  t.like(j, { source: 'journalctl', filters: ['_SYSTEMD_UNIT=ssh.service'] });
  t.like(s, { source: 'syslog', listenAddr: '127.0.0.1', listenPort: 4242, protocols: ['udp', 'tcp'], maxMessageLen: 2048 });
});

test('problems are reported with file and line', (t) => {
  const unknown = acquis('filename: /var/log/auth.log\nlabels:\n  type: syslog\nfilenamez: x\n');
  t.throws(() => readAcquisFile(unknown), { message: new RegExp(`^${unknown}:4: unknown key 'filenamez'`) });
  const noType = acquis('filename: /var/log/auth.log\nlabels:\n  foo: bar\n');
  t.throws(() => readAcquisFile(noType), { message: /:3: labels.type is required/ });
  const docker = acquis('filename: /a.log\nlabels:\n  type: syslog\n---\nsource: docker\ncontainer_name: [x]\nlabels:\n  type: x\n');
  t.throws(() => readAcquisFile(docker), { message: /:5: source 'docker' is not supported/ });
  const broken = acquis('filename: [unclosed\n');
  t.throws(() => readAcquisFile(broken), { message: new RegExp(`^${broken}:\\d+:`) });
});

test('globs match within one path segment, like Go filepath.Glob', (t) => {
  const dir = tempDir('glob');
  for (const name of ['a.log', 'b.log', 'c.txt', 'a.log.1']) fs.writeFileSync(path.join(dir, name), '');
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'sub', 'd.log'), '');
  t.deepEqual(expandGlob(path.join(dir, '*.log')), [path.join(dir, 'a.log'), path.join(dir, 'b.log')]);
  t.deepEqual(expandGlob(path.join(dir, '[ab].log*')), [path.join(dir, 'a.log'), path.join(dir, 'a.log.1'), path.join(dir, 'b.log')]);
  t.deepEqual(expandGlob(path.join(dir, '*', '*.log')), [path.join(dir, 'sub', 'd.log')]);
  t.deepEqual(expandGlob(path.join(dir, 'missing.log')), []);
});
