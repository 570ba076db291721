// What an operator watches: the Prometheus endpoint (CrowdSec's metric names), `crowdwatch
// metrics` over it, JSON logs, and an agent whose credentials are wrong stopping at once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { syslogTime } from '../../src/bench/gen/common';
import { parseExposition, type ParsedSample } from '../../src/metrics/exposition';
import { packageRoot } from '../../src/engine/package-root';
import { runToCompletion } from '../../src/reference/processes';
import { runCli, tempDir } from '../helpers/run-cli';
import { DaemonProcess, eventually } from '../helpers/daemon';

function value(samples: ParsedSample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}

test('the metrics endpoint counts lines, parses, API requests and decisions; crowdwatch metrics reads it', async (t) => {
  const dir = tempDir('metrics');
  const auth = path.join(dir, 'auth.log');
  fs.writeFileSync(auth, '');
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filename: ${auth}\nlabels:\n  type: syslog\n`);
  const key = (await runCli('bouncers', 'add', 'fw', '--data-dir', dir, '-o', 'raw')).stdout.trim();
  const daemon = await DaemonProcess.start(dir, ['--acquis', acquis, '--log-format', 'json']);
  try {
    const stamp = syslogTime(new Date());
    const lines = [
      ...Array.from({ length: 7 }, (_, i) => `${stamp} gw sshd[${300 + i}]: Failed password for root from 203.0.113.9 port ${40100 + i} ssh2`),
      `${stamp} gw cron[77]: (root) CMD (run-parts /etc/cron.hourly)`,
      'not a syslog line at all',
    ];
    fs.appendFileSync(auth, `${lines.join('\n')}\n`);
    await eventually('the ban', 15_000, async () => {
      const res = await fetch(`${daemon.url}/v1/decisions?ip=203.0.113.9`, { headers: { 'x-api-key': key } });
      return (await res.json()) ? true : undefined;
    });
    const samples = await eventually('all lines counted', 10_000, async () => {
      const s = parseExposition(await (await fetch(daemon.metricsUrl)).text());
      return value(s, 'cs_parser_hits_total', { source: auth }) === lines.length ? s : undefined;
    });
    t.is(value(samples, 'cs_parser_hits_total', { source: auth, type: 'syslog' }), 9);
    t.is(value(samples, 'cs_parser_hits_ok_total', { source: auth }), 7, 'the failed passwords parse; cron and garbage do not');
    t.is(value(samples, 'cs_parser_hits_ko_total', { source: auth }), 2);
    t.true(value(samples, 'crowdwatch_source_poured_total', { source: auth }) >= 7);
    t.is(value(samples, 'crowdwatch_alerts_raised_total'), 1);
    t.is(value(samples, 'cs_lapi_route_requests_total', { route: '/v1/alerts', method: 'POST' }), 1);
    t.is(value(samples, 'cs_lapi_bouncer_requests_total', { bouncer: 'fw', route: '/v1/decisions', method: 'GET' }), value(samples, 'cs_lapi_decisions_ok_total', { bouncer: 'fw' }) + value(samples, 'cs_lapi_decisions_ko_total', { bouncer: 'fw' }));
    t.is(value(samples, 'cs_lapi_decisions_ok_total', { bouncer: 'fw' }), 1);
    t.is(value(samples, 'cs_active_decisions', { reason: 'crowdwatch/ssh-bf', origin: 'crowdsec', action: 'ban' }), 1);
    t.is(value(samples, 'cs_alerts', { reason: 'crowdwatch/ssh-bf' }), 1);
    t.true(value(samples, 'crowdwatch_engine_heap_bytes') > 0);
    t.is(value(samples, 'crowdwatch_file_unread_bytes', { source: auth }), 0);
    // The engine works on its own thread; every line read has been processed by now.
    t.true(samples.some((s) => s.name === 'crowdwatch_engine_queue_bytes'));
    t.is(value(samples, 'crowdwatch_engine_queue_bytes'), 0);
    t.true(value(samples, 'crowdwatch_engine_seconds_total', { source: auth }) > 0);
    t.is(value(samples, 'cs_bucket_overflowed_total', { name: 'crowdwatch/ssh-bf' }), 1);
    t.true(value(samples, 'cs_bucket_created_total', { name: 'crowdwatch/ssh-bf' }) >= 1);
    t.true(value(samples, 'cs_bucket_poured_total', { name: 'crowdwatch/ssh-bf' }) >= 6);
    t.deepEqual(samples.filter((s) => s.name === 'cs_node_hits_ok_total' && s.labels.stage === 's01-parse' && s.value > 0).map((s) => s.value), [7], 'one s01 node parsed the 7 sshd lines');
    const lag = samples.filter((s) => s.name === 'crowdwatch_engine_lag_seconds').map((s) => s.labels.quantile);
    t.deepEqual(lag, ['0.5', '0.99', '1']);

    const json = await runCli('metrics', '-u', daemon.metricsUrl, '-o', 'json');
    t.is(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { acquisition: Array<Record<string, unknown>>; decisions: Array<Record<string, unknown>> };
    t.deepEqual(report.acquisition, [{ source: auth, type: 'syslog', lines_read: 9, parsed: 7, unparsed: 2, poured: value(samples, 'crowdwatch_source_poured_total', { source: auth }), whitelisted: 0 }]);
    t.deepEqual(report.decisions, [{ reason: 'crowdwatch/ssh-bf', origin: 'crowdsec', action: 'ban', count: 1 }]);
    const human = await runCli('metrics', '-u', daemon.metricsUrl.replace(/\/metrics$/, ''));
    t.regex(human.stdout, /^Acquisition:\nSOURCE\s+TYPE\s+LINES READ\s+PARSED\s+UNPARSED/m);
    t.regex(human.stdout, new RegExp(`${auth.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s+syslog\\s+9\\s+7\\s+2`));
    t.regex(human.stdout, /Scenarios \(buckets\):\nNAME\s+CURRENT\s+OVERFLOWS\s+INSTANTIATED\s+POURED\s+EXPIRED\n(.*\n)*crowdwatch\/ssh-bf\s+\S+\s+1\s/);
    t.regex(human.stdout, /Active decisions:\nREASON\s+ORIGIN\s+ACTION\s+COUNT\ncrowdwatch\/ssh-bf\s+crowdsec\s+ban\s+1/);
  } finally {
    await daemon.stop();
  }
  // --log-format json: every line the daemon logged is one JSON object with time, level and msg.
  const logged = daemon.output.trim().split('\n');
  t.true(logged.length >= 4);
  for (const line of logged) t.like(JSON.parse(line), { level: 'info' }, line);
  t.true(logged.some((l) => (JSON.parse(l) as { msg: string }).msg.startsWith('SIGTERM: stopping')));
});

test('crowdwatch metrics says clearly when no daemon answers', async (t) => {
  const r = await runCli('metrics', '-u', 'http://127.0.0.1:9/metrics');
  t.is(r.code, 1);
  t.regex(r.stderr, /cannot read metrics from http:\/\/127\.0\.0\.1:9\/metrics: .*is crowdwatch run up/);
});

test('an agent with wrong credentials for its API stops at start with the reason', async (t) => {
  const dir = tempDir('metrics');
  fs.writeFileSync(path.join(dir, 'auth.log'), '');
  const acquis = path.join(dir, 'acquis.yaml');
  fs.writeFileSync(acquis, `filename: ${path.join(dir, 'auth.log')}\nlabels:\n  type: syslog\n`);
  const api = await DaemonProcess.start(dir, ['--acquis', acquis]);
  try {
    const other = tempDir('metrics');
    const r = await runToCompletion(process.execPath, [path.join(packageRoot, 'bin/crowdwatch.js'), 'run', '--data-dir', other, '--acquis', acquis, '--no-api', '--api-url', api.url, '--machine', 'ghost', '--password', 'wrong', '--no-metrics'], { cwd: other, env: process.env, timeoutMs: 30_000 });
    t.not(r.code, 0);
    t.regex(r.output, /login to http:\/\/127\.0\.0\.1:\d+ as 'ghost' failed: 401/);
  } finally {
    await api.stop();
  }
});
