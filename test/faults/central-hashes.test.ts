// Fault: scenario hashes were checked only when the operator listed them, so a member could run a
// modified scenario (one that flags anyone) and its signals, claimed `certified`, counted. Now the
// central checks every certified signal's hash against the released versions by default (our own
// scenarios' index always; a hub's `.index.json` with `scenario_index`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { packageRoot } from '../../src/engine/package-root';
import { capiSignal, startTestCentral } from '../helpers/central';
import { tempDir } from '../helpers/run-cli';

const ours = JSON.parse(fs.readFileSync(path.join(packageRoot, 'scenarios', '.index.json'), 'utf8')) as { scenarios: Record<string, { versions: Record<string, { digest: string }>; version: string }> };
const sshBf = ours.scenarios['crowdwatch/ssh-bf'];
const released = sshBf.versions[sshBf.version].digest;

async function listedAfterThreeMembers(yaml: string, signal: (ip: string) => Record<string, unknown>): Promise<boolean> {
  const central = await startTestCentral(`${yaml}consensus:\n  verify_hashes: true\n  min_members: 3\n`);
  try {
    for (const m of ['a', 'b', 'c']) {
      const token = await central.member(m);
      const r = await central.push(token, [signal('198.51.100.77')]);
      if (r.status !== 200) throw new Error(`push: ${r.status}`);
    }
    return central.central.ctx.service.consensus.entry('198.51.100.77') !== undefined;
  } finally {
    await central.close();
  }
}

const ourSignal = (digest: string) => (ip: string) => capiSignal(ip, { scenario: 'crowdwatch/ssh-bf', scenario_hash: digest, scenario_version: sshBf.version });

test('a released version of our scenario counts; a modified one claiming certified does not', async (t) => {
  t.true(await listedAfterThreeMembers('', ourSignal(released)));
  t.false(await listedAfterThreeMembers('', ourSignal('0'.repeat(64))));
});

test("a hub scenario counts once the hub's index is given, at a version it lists", async (t) => {
  const hubSignal = (ip: string) => capiSignal(ip);
  t.false(await listedAfterThreeMembers('', hubSignal), 'unknown to our index: not verifiable, does not count');
  const dir = tempDir('hub-index');
  const index = path.join(dir, '.index.json');
  const digest = capiSignal('x').scenario_hash as string;
  fs.writeFileSync(index, JSON.stringify({ scenarios: { 'crowdsecurity/ssh-bf': { version: '0.1', versions: { '0.1': { digest } } } } }));
  const central = await startTestCentral(`consensus:\n  verify_hashes: true\n  min_members: 3\n  scenario_index: [${index}]\n`);
  try {
    for (const m of ['a', 'b', 'c']) await central.push(await central.member(m), [hubSignal('198.51.100.78')]);
    t.truthy(central.central.ctx.service.consensus.entry('198.51.100.78'));
  } finally {
    await central.close();
  }
});
