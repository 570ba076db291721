// Fault: the outbox retried its head batch forever on any error, so one alert the API refuses
// (a 400 or 413 for that alert alone) blocked every later one, and once 10,000 waited the sources
// paused for good. Now a refused batch is pushed one alert at a time; the alert refused alone goes
// to refused-alerts.jsonl with the API's reason, is counted and logged, and the rest go on.
import * as fs from 'node:fs';
import test from 'ava';
import { AgentJournal } from '../../src/agent/journal';
import { Outbox } from '../../src/agent/outbox';
import { ApiClientError, WatcherClient } from '../../src/api/client';
import { startTestApi } from '../helpers/api';
import { tempDir } from '../helpers/run-cli';
import { agentAlert } from '../api/lapi-suite';

test('an alert the API refuses goes to the dead letters; the ones before and after it are pushed, and reading resumes', async (t) => {
  const api = await startTestApi();
  const journal = AgentJournal.open(`${tempDir('refused')}/agent-journal.jsonl`);
  try {
    await api.machine('agent', 'a-password-of-some-length');
    const client = new WatcherClient({ url: api.url, machineId: 'agent', password: 'a-password-of-some-length' });
    const alerts = Array.from({ length: 7 }, (_, i) => ({ uuid: `u${i}`, json: JSON.stringify(agentAlert(`192.0.2.${i + 1}`)) }));
    // The fourth: a scenario name over the API's 4096-character limit, refused with 400.
    alerts[3] = { uuid: 'u3', json: JSON.stringify(agentAlert('192.0.2.4', `x/${'y'.repeat(5000)}`)) };
    await journal.recordBatch(new Map(), alerts);

    const logged: string[] = [];
    const backlog: boolean[] = [];
    const outbox = new Outbox(journal, client, { highWater: 5, lowWater: 2, batch: 50, log: (m) => logged.push(m), onBacklog: (full) => backlog.push(full) });
    outbox.kick();
    t.true(await outbox.drain(10_000), `${outbox.backlog} still waiting: ${logged.join('\n')}`);

    t.is(outbox.pushed, 6);
    t.is(outbox.refused, 1);
    t.is(outbox.failures, 0, 'a refusal is not retried as if the API were away');
    t.deepEqual(backlog, [true, false], 'reading paused at the high mark and resumed');
    t.regex(logged.join('\n'), /alert u3 refused by the API, moved to .*refused-alerts\.jsonl: .*400/);
    const dead = fs.readFileSync(journal.refusedFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { uuid: string; reason: string; alert: { source: { value: string } } });
    t.deepEqual(dead.map((d) => [d.uuid, d.alert.source.value]), [['u3', '192.0.2.4']]);
    t.regex(dead[0]?.reason ?? '', /400/);
    t.is(fs.statSync(journal.refusedFile).mode & 0o777, 0o600);

    const stored = await fetch(`${api.url}/v1/alerts?limit=0`, { headers: { authorization: `Bearer ${await api.login('agent', 'a-password-of-some-length')}` } });
    const values = ((await stored.json()) as { source: { value: string } }[]).map((a) => a.source.value).sort();
    t.deepEqual(values, ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.5', '192.0.2.6', '192.0.2.7']);
  } finally {
    journal.close();
    await api.close();
  }
  // Nothing is owed any more after a restart: the refused alert is not pushed again.
  const again = AgentJournal.open(journal.refusedFile.replace('refused-alerts.jsonl', 'agent-journal.jsonl'));
  t.is(again.pending.size, 0);
  again.close();
});

test('an API that is away (5xx, unreachable) is retried, never dead-lettered', async (t) => {
  const journal = AgentJournal.open(`${tempDir('refused')}/agent-journal.jsonl`);
  let calls = 0;
  const pusher = {
    async pushAlertJson(batch: readonly string[]): Promise<string[]> {
      calls++;
      if (calls < 3) throw new ApiClientError('pushing alerts failed: 503', 503);
      return batch.map((_, i) => String(i));
    },
  };
  await journal.recordBatch(new Map(), [{ uuid: 'a', json: '{"scenario":"s"}' }]);
  const outbox = new Outbox(journal, pusher, { log: () => undefined });
  outbox.kick();
  // The backoff starts at 1 s: wake it rather than wait.
  const deadline = Date.now() + 10_000;
  while (outbox.backlog > 0 && Date.now() < deadline) {
    outbox.kick();
    await new Promise((r) => setTimeout(r, 20));
  }
  t.is(outbox.backlog, 0);
  t.is(outbox.refused, 0);
  t.is(outbox.failures, 2);
  t.false(fs.existsSync(journal.refusedFile));
  journal.close();
});
