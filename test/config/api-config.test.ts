// config.yaml: the bouncers section `crowdwatch run` reads, and errors that name file and line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { loadApiConfig } from '../../src/config/api-config';
import { tempDir } from '../helpers/run-cli';

function withConfig(yaml: string): string {
  const dir = tempDir('config');
  fs.writeFileSync(path.join(dir, 'config.yaml'), yaml);
  return dir;
}

test('bouncers.nftables: defaults, overrides, and enabled: false', (t) => {
  t.is(loadApiConfig({ dataDir: withConfig('api:\n  listen: 127.0.0.1:9000\n') }).bouncers.nftables, undefined);
  t.deepEqual(loadApiConfig({ dataDir: withConfig('bouncers:\n  nftables: {}\n') }).bouncers.nftables, {
    table: 'crowdwatch', hooks: ['input'], priority: -10, setSize: 65_536, allow: [], types: ['ban'],
  });
  const custom = loadApiConfig({ dataDir: withConfig('bouncers:\n  nftables:\n    table: edge\n    hooks: [input, forward]\n    priority: -200\n    set_size: 200000\n    allow: [192.0.2.0/24]\n    types: [ban, captcha]\n') });
  t.deepEqual(custom.bouncers.nftables, { table: 'edge', hooks: ['input', 'forward'], priority: -200, setSize: 200_000, allow: ['192.0.2.0/24'], types: ['ban', 'captcha'] });
  t.is(loadApiConfig({ dataDir: withConfig('bouncers:\n  nftables:\n    enabled: false\n') }).bouncers.nftables, undefined);
});

test('bouncers.nftables: bad values are refused with file and line', (t) => {
  const cases: [string, RegExp][] = [
    ['bouncers:\n  nftables:\n    hooks: [input, sideways]\n', /config\.yaml:3.*hook 'sideways'/],
    ['bouncers:\n  nftables:\n    set_size: lots\n', /config\.yaml:3.*set_size must be an integer/],
    ['bouncers:\n  nftables:\n    table: "bad name"\n', /config\.yaml:3.*not an nftables name/],
    ['bouncers:\n  nftables:\n    allow: [not-an-ip]\n', /config\.yaml:3/],
    ['bouncers:\n  nftables:\n    colour: blue\n', /config\.yaml:3.*colour/],
    ['bouncers:\n  iptables: {}\n', /config\.yaml:2.*iptables/],
  ];
  for (const [yaml, message] of cases) {
    const dir = withConfig(yaml);
    t.throws(() => loadApiConfig({ dataDir: dir }), { message }, yaml);
  }
});
