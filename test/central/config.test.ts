// central.yaml: defaults, every key, and file:line errors.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { loadCentralConfig } from '../../src/central/config';
import { runCli, tempDir } from '../helpers/run-cli';

function withFile(text: string): string {
  const dir = tempDir('central-config');
  fs.writeFileSync(path.join(dir, 'central.yaml'), text);
  return dir;
}

test('defaults: 3 members within 24h, entries for 24h, certified only, central.db in the data dir', (t) => {
  const dir = tempDir('central-config');
  const config = loadCentralConfig({ dataDir: dir });
  t.like(config.consensus, { minMembers: 3, windowMs: 86400e3, durationMs: 86400e3, trust: ['certified'], allowlist: [] });
  t.deepEqual(config.store, { type: 'sqlite', path: path.join(dir, 'central.db') });
  t.deepEqual(config.listen, { host: '127.0.0.1', port: 8090 });
  t.is(config.registration, 'token', 'registration needs an enrollment token unless configured');
  t.like(config.consensus, { maxAddresses: 1_000_000, signalRetentionMs: 30 * 86400e3 });
});

test('every key is read', (t) => {
  const dir = withFile([
    'listen: 0.0.0.0:9000', 'max_body_bytes: 2048', 'prometheus:', '  listen: 127.0.0.1:7000',
    'db:', '  path: other.db', 'consensus:', '  min_members: 5', '  window: 2h', '  duration: 3d',
    '  trust: [certified, tainted]', '  allowlist: [10.0.0.0/8, "2001:db8::1"]',
    '  scenario_hashes:', '    crowdsecurity/ssh-bf: [aaa, bbb]', '  max_addresses: 5000', '  signal_retention: 7d',
    'registration: closed', 'limits:', '  pushes_per_minute: 10', '  pulls_per_minute: 20', '',
  ].join('\n'));
  const config = loadCentralConfig({ dataDir: dir });
  t.deepEqual(config.listen, { host: '0.0.0.0', port: 9000 });
  t.is(config.maxBodyBytes, 2048);
  t.deepEqual(config.prometheus, { host: '127.0.0.1', port: 7000 });
  t.deepEqual(config.store, { type: 'sqlite', path: path.join(dir, 'other.db') });
  const { indexHashes, ...consensus } = config.consensus;
  t.true(Object.keys(indexHashes).includes('crowdwatch/ssh-bf'), 'our own scenarios are always known');
  t.deepEqual(consensus, {
    verifyHashes: true,
    minMembers: 5, windowMs: 2 * 3600e3, durationMs: 3 * 86400e3, trust: ['certified', 'tainted'],
    allowlist: ['10.0.0.0/8', '2001:db8::1'], scenarioHashes: { 'crowdsecurity/ssh-bf': ['aaa', 'bbb'] },
    maxAddresses: 5000, signalRetentionMs: 7 * 86400e3,
  });
  t.is(config.registration, 'closed');
  t.deepEqual(config.limits, { pushesPerMinute: 10, pullsPerMinute: 20 });
});

test('problems are reported with file:line', (t) => {
  const cases: Array<[string, RegExp]> = [
    ['consensus:\n  min_members: 0\n', /central\.yaml:2: consensus\.min_members must be an integer from 1 to 1000/],
    ['consensus:\n  window: soon\n', /central\.yaml:2: consensus\.window: 'soon' is not a positive duration/],
    ['consensus:\n  trust: [certified, manual]\n', /central\.yaml:2: consensus\.trust: manual signals never count/],
    ['consensus:\n  allowlist: [10.0.0.0/99]\n', /central\.yaml:2: .*not an IP or range/],
    ['listen: nowhere\n', /central\.yaml:1: invalid listen address/],
    ['\nconsensus:\n  quorum: 3\n', /central\.yaml:3: unknown key 'consensus\.quorum'/],
  ];
  for (const [text, message] of cases) {
    const dir = withFile(text);
    t.throws(() => loadCentralConfig({ dataDir: dir }), { message }, text);
  }
});

test('crowdwatch central members -o json lists members (none yet)', async (t) => {
  const dir = tempDir('central-cli');
  const r = await runCli('central', 'members', '--data-dir', dir, '-o', 'json');
  t.is(r.code, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), []);
  const bad = await runCli('central', '--listen', 'nowhere', '--data-dir', dir);
  t.not(bad.code, 0);
  t.regex(bad.stderr, /invalid listen address/);
});
