import test from 'ava';
import type { Trace, TraceNode } from '../../src/engine/native';
import { fixture, runCli } from '../helpers/run-cli';

const LINE = 'Nov 24 10:00:01 gw sshd[2100]: Failed password for root from 203.0.113.7 port 50100 ssh2';

function someNode(nodes: readonly TraceNode[], pred: (n: TraceNode) => boolean): boolean {
  return nodes.some((n) => pred(n) || someNode(n.children ?? [], pred));
}

test('explain --line shows the sshd parser matched', async (t) => {
  const run = await runCli('explain', '--line', LINE, '--type', 'syslog');
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /✓ \S*sshd-logs/);
  t.regex(run.stdout, /^result: parsed/m);
});

test('explain --line -o json is an array with one parsed trace', async (t) => {
  const run = await runCli('explain', '--line', LINE, '--type', 'syslog', '-o', 'json');
  t.is(run.code, 0, run.stderr);
  const traces = JSON.parse(run.stdout) as Trace[];
  t.is(traces.length, 1);
  const [trace] = traces;
  t.true(trace?.parsed);
  t.is(trace?.event.meta['source_ip'], '203.0.113.7');
  const stages = trace?.stages ?? [];
  t.true(stages.some((s) => someNode(s.nodes, (n) => /sshd-logs/.test(n.name) && n.matched)));
});

test('explain --file --failures shows only unparsed lines', async (t) => {
  const run = await runCli('explain', '--file', fixture('sshd-bruteforce.log'), '-t', 'syslog', '--failures', '-o', 'json');
  t.is(run.code, 0, run.stderr);
  const traces = JSON.parse(run.stdout) as Trace[];
  t.true(traces.every((trace) => !trace.parsed));
  t.regex(run.stderr, /^14 line\(s\) explained/m);
});
