// Engine.stats() per scenario and per parser node (CrowdSec's cs_bucket_* and cs_node_*
// metrics), on the bundled content after a few sshd lines.
import test from 'ava';
import { bindings } from '../../src/engine/native';
import { resolveEngineOptions } from '../../src/engine/options';

const FAILED = (second: number) =>
  `Mar 12 08:15:0${second} bastion-01 sshd[43${second}0]: Failed password for root from 198.51.100.10 port 4200${second} ssh2\n`;

test('stats() counts per scenario and per top-level parser node', (t) => {
  const engine = bindings().Engine.load(resolveEngineOptions({ mode: 'replay' }));
  const source = engine.source({ type: 'syslog' }, '/var/log/auth.log', 'file');
  const lines = [
    ...[0, 1, 2, 3, 4, 5].map(FAILED),
    'Mar 12 08:15:06 bastion-01 sshd[4399]: Accepted publickey for deploy from 198.51.100.20 port 40000 ssh2\n',
    'not a syslog line\n',
  ];
  const { alerts } = engine.processBatch(source, Buffer.from(lines.join('')));
  t.deepEqual(alerts.map((a) => a.scenario), ['crowdwatch/ssh-bf']);

  const stats = engine.stats();
  t.is(stats.scenario_count, stats.scenarios.length);
  const scenario = (name: string) => stats.scenarios.find((s) => s.name === name);
  // The 6th failure overflows ssh-bf (capacity 5); ssh-user-enum pours one event per user name.
  t.deepEqual(scenario('crowdwatch/ssh-bf'), { name: 'crowdwatch/ssh-bf', poured: 6, instantiated: 1, overflowed: 1, underflowed: 0, current: 0 });
  t.deepEqual(scenario('crowdwatch/ssh-slow-bf'), { name: 'crowdwatch/ssh-slow-bf', poured: 6, instantiated: 1, overflowed: 0, underflowed: 0, current: 1 });
  t.deepEqual(scenario('crowdwatch/ssh-user-enum'), { name: 'crowdwatch/ssh-user-enum', poured: 1, instantiated: 1, overflowed: 0, underflowed: 0, current: 1 });
  t.true(stats.scenarios.filter((s) => s.name.startsWith('crowdwatch/http-')).every((s) => s.poured === 0 && s.current === 0));
  t.is(stats.live_buckets, 2);

  const parser = (stage: string, name: string) => {
    const p = stats.parsers.find((n) => n.stage === stage && n.name === name);
    return p && { hits: p.hits, parsed: p.parsed, unparsed: p.unparsed };
  };
  t.deepEqual(parser('s00-raw', 'crowdwatch/syslog-logs'), { hits: 8, parsed: 7, unparsed: 1 });
  t.deepEqual(parser('s00-raw', 'crowdwatch/non-syslog'), { hits: 0, parsed: 0, unparsed: 0 });
  // The accepted key is an sshd line the parser does not know: a hit that fails.
  t.deepEqual(parser('s01-parse', 'crowdwatch/sshd-logs'), { hits: 7, parsed: 6, unparsed: 1 });
  t.deepEqual(parser('s02-enrich', 'crowdwatch/dateparse-enrich'), { hits: 6, parsed: 6, unparsed: 0 });
  t.deepEqual(
    [...new Set(stats.parsers.map((p) => p.stage))],
    ['s00-raw', 's01-parse', 's02-enrich'],
  );
});
