// The hub's geoip-enrich parser with the shipped databases, end to end: an attack read by
// `crowdwatch run --dsn` becomes a decision whose country and AS show in `decisions list` and
// `alerts list` as cscli shows them (the AS column is Go's `GetAsNumberName`: "15169 Google LLC").
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { syslogTime } from '../../src/bench/gen/common';
import { packageRoot } from '../../src/engine/package-root';
import { locateHub } from '../../src/hubtest/hub';
import { installCase } from '../../src/hubtest/install';
import { requires } from '../helpers/requirement';
import { runCli, tempDir } from '../helpers/run-cli';

const hubDir = path.resolve(packageRoot, '..', 'shared', 'crowdsec-hub', 'hub');
const missing = fs.existsSync(path.join(hubDir, 'parsers')) ? null : `today's hub snapshot at ${hubDir}`;

requires(test, missing)("a ban's country and AS from the hub's geoip-enrich show in decisions and alerts listings", async (t) => {
  const hub = locateHub(hubDir, path.join(hubDir, '..', 'patterns'), [path.join(hubDir, '..', 'data')]);
  const config = tempDir('geoip-cfg');
  const warnings = installCase(hub, config, {
    parsers: ['crowdsecurity/syslog-logs', 'crowdsecurity/dateparse-enrich', 'crowdsecurity/sshd-logs', 'crowdsecurity/geoip-enrich'],
    scenarios: ['crowdsecurity/ssh-bf'],
    postoverflows: [],
    logFile: '',
    logType: 'syslog',
    labels: {},
    ignoreParsers: false,
    overrideStatics: [],
  }, config);
  // The hub names MaxMind's files, which it downloads; ours come from npm instead.
  t.true(warnings.every((w) => /GeoLite2-(City|ASN)\.mmdb/.test(w)), warnings.join('\n'));
  const dir = tempDir('geoip-data');
  const log = path.join(dir, 'auth.log');
  const start = Date.now() - 10_000;
  const lines = Array.from({ length: 8 }, (_, i) => `${syslogTime(new Date(start + i * 1000))} gw sshd[${100 + i}]: Failed password for root from 8.8.8.8 port ${40000 + i} ssh2`);
  fs.writeFileSync(log, `${lines.join('\n')}\n`);

  const run = await runCli('run', '--data-dir', dir, '--config', config, '--dsn', `file://${log}`, '-t', 'syslog', '--listen', '127.0.0.1:0', '--no-metrics');
  t.is(run.code, 0, run.stderr);

  const raw = await runCli('decisions', 'list', '--data-dir', dir, '-o', 'raw');
  const [header, row, ...rest] = raw.stdout.trim().split('\n');
  t.is(header, 'id,source,ip,reason,action,country,as,events_count,expiration,simulated,alert_id');
  t.deepEqual(rest, []);
  t.like(row?.split(','), { 2: 'Ip:8.8.8.8', 3: 'crowdsecurity/ssh-bf', 4: 'ban', 5: 'US', 6: '15169 Google LLC' });

  const table = await runCli('decisions', 'list', '--data-dir', dir);
  t.regex(table.stdout, /Ip:8\.8\.8\.8 +crowdsecurity\/ssh-bf +ban +US +15169 Google LLC /);

  const alerts = await runCli('alerts', 'list', '--data-dir', dir, '-o', 'raw');
  t.regex(alerts.stdout, /,Ip,8\.8\.8\.8,crowdsecurity\/ssh-bf,US,15169 Google LLC,ban:1,/);

  const json = JSON.parse((await runCli('decisions', 'list', '--data-dir', dir, '-o', 'json')).stdout) as { source: Record<string, unknown> }[];
  t.like(json[0]?.source, { ip: '8.8.8.8', cn: 'US', as_number: '15169', as_name: 'Google LLC', range: '8.8.8.0/24' });
});
