// config.yaml: our keys and CrowdSec's, the .local overlay, `config show`, and errors that name
// file and line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { loadApiConfig } from '../../src/config/api-config';
import { findReference } from '../../src/reference/reference';
import { runCli, tempDir } from '../helpers/run-cli';
import { requires } from '../helpers/requirement';

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

test('config.yaml.local overrides only the keys it sets, and its errors name the .local file', (t) => {
  const dir = withConfig('api:\n  listen: 127.0.0.1:9000\n  trusted_ips: [127.0.0.1]\ndb:\n  flush:\n    max_items: 42\nbouncers:\n  nftables:\n    table: edge\n');
  fs.writeFileSync(path.join(dir, 'config.yaml.local'), 'api:\n  listen: 127.0.0.1:9100\nbouncers:\n  nftables:\n    hooks: [forward]\n');
  const config = loadApiConfig({ dataDir: dir });
  t.deepEqual(config.listen, { host: '127.0.0.1', port: 9100 });
  t.deepEqual(config.trustedIps, ['127.0.0.1']);
  t.is(config.retention.maxItems, 42);
  t.like(config.bouncers.nftables, { table: 'edge', hooks: ['forward'] });
  t.deepEqual(config.files, [path.join(dir, 'config.yaml'), path.join(dir, 'config.yaml.local')]);
  fs.writeFileSync(path.join(dir, 'config.yaml.local'), '# local changes\napi:\n  listen: nowhere\n');
  t.throws(() => loadApiConfig({ dataDir: dir }), { message: /config\.yaml\.local:3: .*invalid listen address 'nowhere'/ });
  // A .local overlay can switch off what the shipped file enables.
  fs.writeFileSync(path.join(dir, 'config.yaml.local'), 'bouncers:\n  nftables:\n    enabled: false\n');
  t.is(loadApiConfig({ dataDir: dir }).bouncers.nftables, undefined);
});

test("CrowdSec's config.yaml keys are read; the ones with no meaning here are listed, not refused", (t) => {
  const dir = withConfig([
    'common:', '  daemonize: true', '  log_media: file', '  log_dir: logs/', '  log_level: warning', '  log_format: json',
    'config_paths:', '  config_dir: content/', '  simulation_path: sim.yaml', '  hub_dir: hub/',
    'crowdsec_service:', '  acquisition_path: acquis.yaml', '  acquisition_dir: acquis.d', '  parser_routines: 1',
    'cscli:', '  output: human',
    'db_config:', '  type: postgresql', '  user: cw', '  password: s3cret', '  db_name: crowd', '  host: 127.0.0.1', '  port: 5433', '  flush:', '    max_age: 2d',
    'api:', '  client:', '    credentials_path: creds.yaml', '  server:', '    listen_uri: 127.0.0.1:8181', '    profiles_path: profiles.yaml', '    trusted_ips: [127.0.0.1]', '    online_client:', '      credentials_path: online.yaml',
    'prometheus:', '  enabled: true', '  level: aggregated', '  listen_addr: 127.0.0.1', '  listen_port: 6161', '',
  ].join('\n'));
  const c = loadApiConfig({ dataDir: dir });
  t.deepEqual(c.log, { level: 'warning', format: 'json', file: path.join(dir, 'logs', 'crowdwatch.log') });
  t.is(c.agent.contentDir, path.join(dir, 'content'));
  t.is(c.simulationFile, path.join(dir, 'sim.yaml'));
  t.deepEqual(c.agent.acquisitionFiles, [path.join(dir, 'acquis.yaml')]);
  t.deepEqual(c.agent.acquisitionDirs, [path.join(dir, 'acquis.d')]);
  t.is(c.agent.credentialsFile, path.join(dir, 'creds.yaml'));
  t.deepEqual(c.store, { type: 'postgres', url: 'postgres://cw:s3cret@127.0.0.1:5433/crowd' });
  t.is(c.retention.maxAgeMs, 2 * 86400e3);
  t.deepEqual(c.listen, { host: '127.0.0.1', port: 8181 });
  t.is(c.profilesFile, path.join(dir, 'profiles.yaml'));
  t.deepEqual(c.prometheus, { enabled: true, level: 'aggregated', host: '127.0.0.1', port: 6161 });
  t.false(c.agent.parallel, 'one parser routine: one thread');
  t.deepEqual(c.ignored.map((i) => i.replace(/^.*config\.yaml:/, '')), [
    '2: common.daemonize', '10: config_paths.hub_dir', '15: cscli', '33: api.server.online_client',
  ]);
  // Strictness stays: a key neither we nor CrowdSec know is an error with its line.
  fs.appendFileSync(path.join(dir, 'config.yaml'), 'prometheus_typo: {}\n');
  t.throws(() => loadApiConfig({ dataDir: dir }), { message: /config\.yaml:40: unknown key 'prometheus_typo'/ });
});

const ref = findReference();
requires(test, 'skip' in ref ? ref.skip : null)("Debian's CrowdSec config.yaml loads unmodified", (t) => {
  if ('skip' in ref) return;
  const c = loadApiConfig({ dataDir: tempDir('config'), configFile: path.join(ref.configTemplateDir, 'config.yaml') });
  t.deepEqual(c.listen, { host: '127.0.0.1', port: 8080 });
  t.deepEqual(c.store, { type: 'sqlite', path: '/var/lib/crowdsec/data/crowdsec.db' });
  t.deepEqual(c.agent.acquisitionFiles, ['/etc/crowdsec/acquis.yaml']);
  t.is(c.agent.credentialsFile, '/etc/crowdsec/local_api_credentials.yaml');
  t.deepEqual(c.prometheus, { enabled: true, level: 'full', host: '127.0.0.1', port: 6060 });
  t.true(c.ignored.some((i) => i.endsWith(': common.daemonize')));
});

test('config show prints a config that loads back to the same configuration', async (t) => {
  const dir = withConfig('api:\n  listen: 127.0.0.1:9300\n  allowlist: [192.0.2.0/24]\ndb:\n  flush:\n    max_age: 36h\ncommon:\n  log_format: json\nprometheus:\n  listen_port: 6262\nbouncers:\n  nftables:\n    hooks: [input, forward]\n');
  fs.writeFileSync(path.join(dir, 'config.yaml.local'), 'api:\n  listen: 127.0.0.1:9301\n');
  const shown = await runCli('config', 'show', '--data-dir', dir);
  t.is(shown.code, 0, shown.stderr);
  t.regex(shown.stdout, /config\.yaml\.local/);
  const copy = path.join(tempDir('config'), 'copy.yaml');
  fs.writeFileSync(copy, shown.stdout);
  const again = await runCli('config', 'show', '--data-dir', dir, '--config-file', copy, '-o', 'json');
  const first = await runCli('config', 'show', '--data-dir', dir, '-o', 'json');
  const a = JSON.parse(first.stdout) as { config: Record<string, unknown> };
  const b = JSON.parse(again.stdout) as { config: Record<string, unknown>; files: string[] };
  t.deepEqual(b.config, a.config);
  t.deepEqual(b.files, [copy]);
  t.like(a.config, { api: { listen: '127.0.0.1:9301', allowlist: ['192.0.2.0/24'] }, db: { flush: { max_age: '36h' } }, common: { log_format: 'json' }, prometheus: { listen_port: 6262 } });
});

test('crowd: the central, its credentials and cadence; a bad URL is refused with its line', (t) => {
  t.is(loadApiConfig({ dataDir: withConfig('api:\n  listen: 127.0.0.1:9000\n') }).crowd, undefined);
  const dir = withConfig('crowd:\n  url: http://127.0.0.1:7000/\n  push_every: 10s\n');
  t.deepEqual(loadApiConfig({ dataDir: dir }).crowd, { url: 'http://127.0.0.1:7000/', credentialsFile: path.join(dir, 'online_api_credentials.yaml'), pushEveryMs: 10_000, pullEveryMs: 15 * 60_000 });
  t.like(loadApiConfig({ dataDir: dir, crowdUrl: 'https://central.example:8090' }).crowd, { url: 'https://central.example:8090', pushEveryMs: 10_000 }, '--crowd-url wins over the file');
  t.throws(() => loadApiConfig({ dataDir: dir, crowdUrl: 'central' }), { message: /--crowd-url: 'central' is not an http\(s\) URL/ });
  t.throws(() => loadApiConfig({ dataDir: withConfig('crowd:\n  url: ftp://x\n') }), { message: /config\.yaml:2: crowd\.url: 'ftp:\/\/x' is not an http\(s\) URL/ });
});

test("the parallel mode: agent.parallel, or CrowdSec's parser_routines above 1; bad values name their line", (t) => {
  t.true(loadApiConfig({ dataDir: withConfig('crowdsec_service:\n  parser_routines: 4\n') }).agent.parallel);
  t.true(loadApiConfig({ dataDir: withConfig('agent:\n  parallel: true\n') }).agent.parallel);
  t.falsy(loadApiConfig({ dataDir: withConfig('agent:\n  parallel: false\n') }).agent.parallel);
  t.throws(() => loadApiConfig({ dataDir: withConfig('crowdsec_service:\n  parser_routines: 0\n') }), { message: /config\.yaml:2/ });
  t.throws(() => loadApiConfig({ dataDir: withConfig('agent:\n  parallel: sometimes\n') }), { message: /config\.yaml:2/ });
});
