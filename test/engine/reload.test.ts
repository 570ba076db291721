// Engine.reload through the addon: an unchanged scenario keeps its half-full bucket, a changed
// one starts empty, new and removed ones are reported, and content with errors is refused with
// file:line diagnostics while the engine keeps working.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { bindings, type EngineError } from '../../src/engine/native';
import { resolveEngineOptions } from '../../src/engine/options';
import { tempDir } from '../helpers/run-cli';

const RAW_PARSER = `name: test/raw
description: fail lines of the test log
filter: "evt.Line.Labels.type == 'test'"
onsuccess: next_stage
grok:
  pattern: '^fail from %{IP:ip} user %{WORD:user}$'
  apply_on: Line.Raw
statics:
  - meta: log_type
    value: test_fail
  - meta: source_ip
    expression: evt.Parsed.ip
  - meta: target_user
    expression: evt.Parsed.user
`;

function leaky(name: string, capacity: number): string {
  return `type: leaky
name: ${name}
description: test failures
filter: "evt.Meta.log_type == 'test_fail'"
groupby: evt.Meta.source_ip
capacity: ${capacity}
leakspeed: 10s
labels:
  remediation: true
`;
}

function write(dir: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
}

const failures = (count: number) => Buffer.from('fail from 198.51.100.7 user root\n'.repeat(count));

test('reload keeps the buckets of unchanged scenarios and refuses broken content', (t) => {
  const dir = tempDir('reload');
  write(dir, {
    'parsers/s00-raw/raw.yaml': RAW_PARSER,
    'scenarios/fail.yaml': leaky('test/fail', 3),
    'scenarios/gone.yaml': leaky('test/gone', 3),
    'scenarios/other.yaml': leaky('test/other', 3),
  });
  const options = resolveEngineOptions({ configDir: dir, mode: 'live' });
  const engine = bindings().Engine.load(options);
  const source = engine.source({ type: 'test' }, '/var/log/test.log', 'file');
  t.deepEqual(engine.processBatch(source, failures(2)).alerts, [], 'half full: 2 of 4');

  fs.rmSync(path.join(dir, 'scenarios/gone.yaml'));
  write(dir, { 'scenarios/other.yaml': leaky('test/other', 2), 'scenarios/new.yaml': leaky('test/new', 3) });
  t.deepEqual(engine.reload(options), {
    kept: ['test/fail'],
    reset: ['test/other'],
    added: ['test/new'],
    removed: ['test/gone'],
    warnings: [],
  });

  // test/fail's bucket overflows on its 4th event; test/other (capacity 2) and test/new start empty.
  const after = engine.processBatch(source, failures(2)).alerts;
  t.deepEqual(after.map((a) => [a.scenario, a.events_count, a.source.value]), [['test/fail', 4, '198.51.100.7']]);
  t.deepEqual(
    engine.stats().scenarios.map((s) => [s.name, s.poured, s.current]),
    [
      ['test/fail', 4, 0],
      ['test/new', 2, 1],
      ['test/other', 2, 1],
    ],
  );

  write(dir, { 'scenarios/broken.yaml': 'type: leaky\nname: test/broken\nlabels: [unclosed\ncapacity: 3\n' });
  const err = t.throws<EngineError>(() => engine.reload(options));
  t.is(err.code, 'CW_CONFIG');
  const problem = err.diagnostics?.find((d) => d.severity === 'error');
  t.true(problem?.file.endsWith('broken.yaml'), JSON.stringify(err.diagnostics));
  t.true((problem?.line ?? 0) >= 3, `line ${problem?.line}: ${problem?.message}`);
  t.regex(err.message, /broken\.yaml:\d+: error: /);

  // Still the engine of before the failed reload: test/other's third event overflows it.
  const still = engine.processBatch(source, failures(1)).alerts;
  t.deepEqual(still.map((a) => [a.scenario, a.events_count]), [['test/other', 3]]);
  t.is(engine.stats().counters.lines, 5, 'totals carry over; the source registered first still works');
});
