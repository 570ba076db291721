// The hub conformance test of the engine issue: the same generated logs replayed through
// crowdwatch and through Debian's CrowdSec 1.4.6, both loading the linux, sshd, nginx,
// base-http-scenarios and http-cve collections unmodified from the same directory. The sets of
// (scenario, source IP) must be equal. Skipped, with the reason, where the reference cannot be had.
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildHubConfig, findReference, isSkip, runCrowdsecReplay, TARGET_COLLECTIONS } from '../../src/reference/crowdsec';
import { generateNginx } from '../../src/bench/gen/nginx';
import { generateSshd } from '../../src/bench/gen/sshd';
import { bindings } from '../../src/engine/native';
import { packageRoot } from '../../src/engine/package-root';
import { requires } from '../helpers/requirement';

const COLLECTIONS = TARGET_COLLECTIONS;

const ref = findReference();
const maybe = requires(test.serial, isSkip(ref) ? ref.skip : null);

function crowdwatchAlerts(configDir: string, log: string, type: string): string[] {
  const { Engine } = bindings();
  const engine = Engine.load({ configDirs: [configDir], basePatterns: path.join(packageRoot, 'scenarios/patterns/base'), mode: 'replay' });
  const src = engine.source({ type }, log, 'file');
  const out = engine.processBatch(src, fs.readFileSync(log));
  return [...new Set(out.alerts.map((a) => `${a.scenario} ${a.source.value}`))].sort();
}

for (const [name, type, generate] of [
  ['sshd', 'syslog', generateSshd],
  ['nginx', 'nginx', generateNginx],
] as const) {
  maybe(`${name}: crowdwatch and CrowdSec 1.4.6 alert on the same (scenario, source) pairs`, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cw-conf-${name}-`));
    try {
      const hub = buildHubConfig(COLLECTIONS, path.join(dir, 'config'));
      const log = path.join(dir, `${name}.log`);
      const g = generate({ lines: 4000, seed: 7, out: log, linesPerSecond: 50, attacks: 24 });
      const ours = crowdwatchAlerts(hub.configDir, log, type);
      const theirs = await runCrowdsecReplay(hub.configDir, log, type, { logLevel: 'fatal' });
      const reference = [...new Set(theirs.alerts.map((a) => `${a.scenario} ${a.source_ip}`))].sort();
      t.log(`${g.lines} lines, ${g.manifest.length} attacks generated; crowdwatch ${ours.length} alerts, CrowdSec ${reference.length}`);
      t.true(reference.length > 0, 'the generated attacks must trip CrowdSec scenarios');
      t.deepEqual(ours, reference);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
