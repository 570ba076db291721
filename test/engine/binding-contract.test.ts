// The contract of the addon's raw exports (bindings/crowdwatch.node), which bindings/index.js
// and through it src/ rely on: handles are type-checked (a foreign object is refused with CW_ARG
// and never read), every misuse is CW_ARG, content errors are CW_CONFIG with `diagnosticsJson`,
// a refused reload changes nothing (parallel mode included), and a panic is thrown as CW_PANIC
// and leaves the engine usable. The panic is forced through `__panicForTest`, which only panics
// while CROWDWATCH_TEST_PANIC=1 is set (Rust prints the panic message on stderr).
import * as fs from 'node:fs';
import * as path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import sqlite3 from 'sqlite3';
import { bindings, type EngineError, type EngineOptions } from '../../src/engine/native';
import { resolveEngineOptions } from '../../src/engine/options';
import { packageRoot } from '../../src/engine/package-root';
import { tempDir } from '../helpers/run-cli';

/** The raw exports; they take anything, which is what this test feeds them. */
interface RawAddon {
  loadEngine(options: unknown): object;
  reload(handle: unknown, options: unknown): string;
  lint(options: unknown): string;
  registerSource(handle: unknown, spec: unknown): number;
  processBatch(handle: unknown, source: unknown, lines: unknown): string;
  explain(handle: unknown, source: unknown, line: unknown): string;
  stats(handle: unknown): string;
  tick(handle: unknown, atMs: unknown): string;
  loadProfiles(file: unknown): object;
  lintProfiles(file: unknown): string;
  evaluateProfiles(handle: unknown, alert: unknown, history: unknown): string;
  __panicForTest(handle: unknown, source: unknown, lines: unknown): void;
  EngineHandle: new () => object;
  ProfilesHandle: new () => object;
}

interface CodedError extends Error {
  code?: string;
  diagnosticsJson?: unknown;
}

function raw(): RawAddon {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built addon, by its run-time path (see src/engine/native.ts)
  return require(bindings().addonPath) as RawAddon;
}

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
`;

const LEAKY = `type: leaky
name: test/fail
description: test failures
filter: "evt.Meta.log_type == 'test_fail'"
groupby: evt.Meta.source_ip
capacity: 3
leakspeed: 10s
labels:
  remediation: true
`;

const BROKEN = 'type: leaky\nname: test/broken\nlabels: [unclosed\ncapacity: 3\n';

function contentDir(files: Record<string, string>): string {
  const dir = tempDir('contract');
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

function testContent(): string {
  return contentDir({ 'parsers/s00-raw/raw.yaml': RAW_PARSER, 'scenarios/fail.yaml': LEAKY });
}

const failures = (count: number) => Buffer.from('fail from 198.51.100.7 user root\n'.repeat(count));

function optionsJson(options: EngineOptions): string {
  return JSON.stringify(options);
}

/** Calls `f`, which must throw an error with `code`; returns it. */
function throwsCode(t: ExecutionContext, code: string, f: () => unknown, what: string): CodedError {
  const err = t.throws<CodedError>(f);
  t.is(err?.code, code, `${what}: ${err?.message}`);
  return err;
}

test('a foreign object passed as a handle is refused with CW_ARG, and the real engine is untouched', (t) => {
  const addon = raw();
  const engine = addon.loadEngine(optionsJson(resolveEngineOptions({ configDir: testContent(), mode: 'live' })));
  const source = addon.registerSource(engine, JSON.stringify({ labels: { type: 'test' } }));
  const profiles = addon.loadProfiles(path.join(packageRoot, 'scenarios', 'profiles.yaml'));
  // An object wrapped by another addon (node-sqlite3's Database, a node-addon-api ObjectWrap):
  // napi_unwrap gives its pointer, and only the type tag check keeps it from being read.
  const db = new sqlite3.Database(':memory:');
  try {
    const foreign: Record<string, unknown> = {
      'a plain object': {},
      'an object made from the handle prototype': Object.create(Object.getPrototypeOf(engine) as object),
      'a profiles handle': profiles,
      "another addon's wrapped object": db,
      'a Buffer': Buffer.from('x'),
      null: null,
      undefined,
      'a number': 1,
      'a string': 'engine',
    };
    for (const [what, value] of Object.entries(foreign)) {
      throwsCode(t, 'CW_ARG', () => addon.stats(value), `stats(${what})`);
      throwsCode(t, 'CW_ARG', () => addon.processBatch(value, source, failures(1)), `processBatch(${what})`);
      throwsCode(t, 'CW_ARG', () => addon.registerSource(value, JSON.stringify({ labels: { type: 'test' } })), `registerSource(${what})`);
      throwsCode(t, 'CW_ARG', () => addon.explain(value, source, 'fail from 198.51.100.7 user root'), `explain(${what})`);
      throwsCode(t, 'CW_ARG', () => addon.tick(value, Date.now()), `tick(${what})`);
      throwsCode(t, 'CW_ARG', () => addon.reload(value, optionsJson(resolveEngineOptions({ mode: 'replay' }))), `reload(${what})`);
    }
    throwsCode(t, 'CW_ARG', () => addon.evaluateProfiles(engine, '{}', '{}'), 'evaluateProfiles(an engine handle)');
    throwsCode(t, 'CW_ARG', () => addon.evaluateProfiles({}, '{}', '{}'), 'evaluateProfiles(a plain object)');
    // Handles come from loadEngine / loadProfiles only.
    throwsCode(t, 'CW_ARG', () => new addon.EngineHandle(), 'new EngineHandle()');
    throwsCode(t, 'CW_ARG', () => new addon.ProfilesHandle(), 'new ProfilesHandle()');
  } finally {
    db.close();
  }
  const stats = JSON.parse(addon.stats(engine)) as { counters: { lines: number } };
  t.is(stats.counters.lines, 0, 'no call above reached the engine');
});

test('arguments of the wrong type are CW_ARG, and no JS runs to describe them', (t) => {
  const addon = raw();
  const engine = addon.loadEngine(optionsJson(resolveEngineOptions({ configDir: testContent(), mode: 'live' })));
  const source = addon.registerSource(engine, JSON.stringify({ labels: { type: 'test' } }));
  let toJsonCalls = 0;
  const circular: Record<string, unknown> = {
    toJSON() {
      toJsonCalls++;
      return 'x';
    },
  };
  circular.self = circular;
  const cases: [string, () => unknown][] = [
    ['loadEngine(number)', () => addon.loadEngine(5)],
    ['loadEngine(object)', () => addon.loadEngine(circular)],
    ['loadEngine(not JSON)', () => addon.loadEngine('{')],
    ['loadEngine(unknown option)', () => addon.loadEngine(JSON.stringify({ configDirs: [], colour: 'red' }))],
    ['loadEngine(unknown mode)', () => addon.loadEngine(JSON.stringify({ configDirs: [], mode: 'fast' }))],
    ['lint(undefined)', () => addon.lint(undefined)],
    ['reload(handle, number)', () => addon.reload(engine, 1)],
    ['registerSource(handle, object)', () => addon.registerSource(engine, { labels: { type: 'test' } })],
    ['registerSource(handle, spec without labels)', () => addon.registerSource(engine, '{}')],
    ['processBatch(handle, string id, Buffer)', () => addon.processBatch(engine, String(source), failures(1))],
    ['processBatch(handle, -1, Buffer)', () => addon.processBatch(engine, -1, failures(1))],
    ['processBatch(handle, 0.5, Buffer)', () => addon.processBatch(engine, 0.5, failures(1))],
    ['processBatch(handle, unknown id, Buffer)', () => addon.processBatch(engine, 7, failures(1))],
    ['processBatch(handle, id, string)', () => addon.processBatch(engine, source, 'fail from 198.51.100.7 user root\n')],
    ['processBatch(handle, id, array)', () => addon.processBatch(engine, source, [1, 2])],
    ['processBatch(handle, id)', () => addon.processBatch(engine, source, undefined)],
    ['explain(handle, id, Buffer)', () => addon.explain(engine, source, failures(1))],
    ['explain(handle, unknown id, line)', () => addon.explain(engine, 7, 'x')],
    ['tick(handle, string)', () => addon.tick(engine, '2026-01-01')],
    ['tick(handle, NaN)', () => addon.tick(engine, Number.NaN)],
    ['tick(handle, bigint)', () => addon.tick(engine, 1n)],
    ['loadProfiles(object)', () => addon.loadProfiles(circular)],
    ['lintProfiles(null)', () => addon.lintProfiles(null)],
    ['__panicForTest without CROWDWATCH_TEST_PANIC', () => addon.__panicForTest(engine, source, failures(1))],
  ];
  for (const [what, f] of cases) throwsCode(t, 'CW_ARG', f, what);
  t.is(toJsonCalls, 0, 'a refused argument is not stringified');
  // The same lines, given right, go through: none of the refused calls poured anything.
  t.is((JSON.parse(addon.processBatch(engine, source, failures(3))) as { counters: { poured: number } }).counters.poured, 3);
});

test('content with errors is CW_CONFIG with every diagnostic in diagnosticsJson', (t) => {
  const addon = raw();
  const dir = contentDir({ 'parsers/s00-raw/raw.yaml': RAW_PARSER, 'scenarios/broken.yaml': BROKEN });
  const options = resolveEngineOptions({ configDir: dir, mode: 'replay' });
  const err = throwsCode(t, 'CW_CONFIG', () => addon.loadEngine(optionsJson(options)), 'loadEngine(broken content)');
  t.true(err instanceof Error);
  t.regex(err.message, /broken\.yaml:\d+: error: /);
  t.is(typeof err.diagnosticsJson, 'string');
  const diagnostics = JSON.parse(err.diagnosticsJson as string) as { severity: string; file: string; line: number }[];
  const problem = diagnostics.find((d) => d.severity === 'error');
  t.true(problem?.file.endsWith('broken.yaml'), err.diagnosticsJson as string);

  // Through bindings/index.js: the same error, diagnostics decoded.
  const loaded = t.throws<EngineError>(() => bindings().Engine.load(options));
  t.is(loaded.code, 'CW_CONFIG');
  t.deepEqual(loaded.diagnostics, diagnostics);

  const profiles = path.join(contentDir({ 'profiles.yaml': 'name: p\nfilters:\n  - Alert.Nope(\ndecisions:\n  - type: ban\n    duration: 4h\n' }), 'profiles.yaml');
  const perr = throwsCode(t, 'CW_CONFIG', () => addon.loadProfiles(profiles), 'loadProfiles(broken file)');
  t.true((JSON.parse(perr.diagnosticsJson as string) as { severity: string }[]).some((d) => d.severity === 'error'), perr.diagnosticsJson as string);
});

test('a refused reload leaves the parallel mode, the content and the buckets as they were', (t) => {
  const dir = testContent();
  for (const parallel of [true, false]) {
    const options = { ...resolveEngineOptions({ configDir: dir, mode: 'live' }), parallel };
    const engine = bindings().Engine.load(options);
    const source = engine.source({ type: 'test' }, '/var/log/test.log', 'file');
    t.deepEqual(engine.processBatch(source, failures(2)).alerts, [], 'half full: 2 of 4');
    const before = engine.stats();
    t.is(before.parallel, parallel);

    // The refused options ask for the other mode; nothing of them may stick.
    const broken = contentDir({ 'parsers/s00-raw/raw.yaml': RAW_PARSER, 'scenarios/fail.yaml': LEAKY, 'scenarios/broken.yaml': BROKEN });
    const err = t.throws<EngineError>(() => engine.reload({ ...resolveEngineOptions({ configDir: broken, mode: 'live' }), parallel: !parallel }));
    t.is(err.code, 'CW_CONFIG');
    const after = engine.stats();
    t.is(after.parallel, parallel, `parallel stays ${parallel}`);
    t.deepEqual(after.scenarios.map((s) => [s.name, s.current, s.poured]), [['test/fail', 1, 2]]);
    t.deepEqual(after.parsers, before.parsers);
    // The half-full bucket is still there: two more failures overflow it at four events.
    const alerts = engine.processBatch(source, failures(2)).alerts;
    t.deepEqual(alerts.map((a) => [a.scenario, a.events_count]), [['test/fail', 4]]);

    // An accepted reload applies the switch.
    t.deepEqual(engine.reload({ ...options, parallel: !parallel }).kept, ['test/fail']);
    t.is(engine.stats().parallel, !parallel);
  }
});

test('after a panic the engine still works: CW_PANIC once, then calls as usual', (t) => {
  const addon = raw();
  const engine = addon.loadEngine(optionsJson(resolveEngineOptions({ configDir: testContent(), mode: 'live' })));
  const source = addon.registerSource(engine, JSON.stringify({ labels: { type: 'test' } }));
  process.env.CROWDWATCH_TEST_PANIC = '1';
  try {
    // Pours two failures, then panics with the engine locked (its lock is poisoned).
    const err = throwsCode(t, 'CW_PANIC', () => addon.__panicForTest(engine, source, failures(2)), '__panicForTest');
    t.regex(err.message, /forced panic/);
  } finally {
    delete process.env.CROWDWATCH_TEST_PANIC;
  }
  // Not CW_BUSY: the engine is taken back. The two lines poured before the panic stay poured
  // (its output was lost with it), so two more overflow the bucket at four events.
  const out = JSON.parse(addon.processBatch(engine, source, failures(2))) as { alerts: { scenario: string; events_count: number }[] };
  t.deepEqual(out.alerts.map((a) => [a.scenario, a.events_count]), [['test/fail', 4]]);
  const stats = JSON.parse(addon.stats(engine)) as { scenarios: { name: string; poured: number; overflowed: number }[] };
  t.deepEqual(stats.scenarios.map((s) => [s.name, s.poured, s.overflowed]), [['test/fail', 4, 1]]);
  t.is(typeof addon.tick(engine, Date.now()), 'string');
  t.is(typeof addon.explain(engine, source, 'fail from 198.51.100.7 user root'), 'string');
  t.truthy(JSON.parse(addon.reload(engine, optionsJson(resolveEngineOptions({ configDir: testContent(), mode: 'live' })))));
});
