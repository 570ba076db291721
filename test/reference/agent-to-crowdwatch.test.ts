// Debian's real CrowdSec 1.4.6 agent, registered with `crowdwatch machines add`, replays a log
// with `-no-api` and pushes its alerts to crowdwatch's local API: they must appear in
// `crowdwatch alerts list` with the decisions our profiles made.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'ava';
import { startTestApi } from '../helpers/api';
import { fixture, runCli } from '../helpers/run-cli';
import { buildHubConfig, findReference, isSkip, runCrowdsecReplay } from '../../src/reference/crowdsec';
import { requires } from '../helpers/requirement';

const ref = findReference();

if (isSkip(ref)) {
  requires(test, ref.skip)('crowdsec agent pushing to crowdwatch', () => {});
} else {
  test('crowdsec 1.4.6 agent pushes its alerts to crowdwatch; profiles turn them into bans', async (t) => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crowdwatch-agent-'));
    const api = await startTestApi();
    try {
      buildHubConfig(['crowdsecurity/linux', 'crowdsecurity/sshd'], configDir, { reference: ref });
      await api.machine('crowdsec-agent', 'agent-password-1234');
      const result = await runCrowdsecReplay(configDir, fixture('sshd-bruteforce.log'), 'syslog', {
        reference: ref,
        externalLapi: { url: `${api.url}/`, login: 'crowdsec-agent', password: 'agent-password-1234' },
      });
      t.notRegex(result.agentLog, /while pushing to api|level=fatal|api client|status code 4\d\d/);
      const listed = await runCli('alerts', 'list', '-o', 'json', ...api.flags);
      t.is(listed.code, 0);
      const alerts = JSON.parse(listed.stdout) as Array<{ scenario: string; machine_id: string; source: { value: string }; decisions: Array<{ type: string; origin: string; value: string }> }>;
      const bf = alerts.filter((a) => a.scenario === 'crowdsecurity/ssh-bf');
      t.true(bf.length >= 1, JSON.stringify(alerts.map((a) => a.scenario)));
      for (const a of bf) {
        t.is(a.machine_id, 'crowdsec-agent');
        t.deepEqual(a.decisions.map((d) => [d.type, d.origin, d.value]), [['ban', 'crowdsec', a.source.value]]);
      }
      // crowdwatch's own replay of the same log finds the same attacker for the same scenario.
      const ours = await runCli('replay', '-c', configDir, '-t', 'syslog', '-o', 'json', fixture('sshd-bruteforce.log'));
      t.is(ours.code, 0, ours.stderr);
      const ourBf = (JSON.parse(ours.stdout) as Array<{ scenario: string; source: { value: string } }>)
        .filter((a) => a.scenario === 'crowdsecurity/ssh-bf').map((a) => a.source.value).sort();
      t.deepEqual(bf.map((a) => a.source.value).sort(), ourBf);
    } finally {
      await api.close();
      fs.rmSync(configDir, { recursive: true, force: true });
    }
  });
}
