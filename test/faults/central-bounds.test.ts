// Fault: the central's consensus memory and its stored signals were unbounded: every address
// ever reported stayed in memory for its window and every signal in the database for ever. Now
// the addresses tracked are capped (the least recently reported forgotten first, never an entry)
// and stored signals are pruned past their retention.
import test from 'ava';
import { defaultConsensus } from '../../src/central/config';
import { Consensus, noChanges } from '../../src/central/consensus';
import { capiSignal, startTestCentral } from '../helpers/central';

test('a flood of fresh addresses stays within max_addresses, and consensus on a recent one still forms', (t) => {
  const c = new Consensus({ ...defaultConsensus(), maxAddresses: 100 });
  const changes = noChanges();
  for (let i = 0; i < 5000; i++) c.report('flooder', `10.${i >> 8}.${i & 255}.1`, 's', i, changes);
  t.is(c.tracked, 100);
  t.is(c.forgotten, 4900);
  t.true(c.pendingCount('flooder') <= 100, 'the reports of forgotten addresses are gone too');
  for (const m of ['a', 'b', 'c']) c.report(m, '198.51.100.9', 's', 6000, changes);
  t.truthy(c.entry('198.51.100.9'));
  t.true(c.tracked <= 100);
});

test('stored signals are pruned past signal_retention at the next sweep', async (t) => {
  const central = await startTestCentral('consensus:\n  window: 1h\n  signal_retention: 2h\n');
  try {
    const token = await central.member('reporter');
    t.is((await central.push(token, [capiSignal('198.51.100.1'), capiSignal('198.51.100.2')])).status, 200);
    const count = async () => Number((await central.central.ctx.store.db.all<{ n: number }>('SELECT count(*) AS n FROM signals'))[0]?.n);
    t.is(await count(), 2);
    central.clock.now += 90 * 60e3;
    await central.central.ctx.service.sweep();
    t.is(await count(), 2, 'inside the retention: kept');
    central.clock.now += 60 * 60e3;
    await central.central.ctx.service.sweep();
    t.is(await count(), 0);
    t.is(central.central.ctx.service.prunedSignals, 2);
  } finally {
    await central.close();
  }
});

test('a retention shorter than the window is refused with its file', async (t) => {
  const error = await t.throwsAsync(startTestCentral('consensus:\n  window: 2h\n  signal_retention: 1h\n'));
  t.regex(error?.message ?? '', /central\.yaml: consensus\.signal_retention must be at least consensus\.window/);
});
