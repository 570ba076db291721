// The privacy promise (README, "The crowd"): of a signal only the attack's meta is stored. A
// signal carrying events, log lines, labels, meta, decisions and whatever else is stored without
// them: every column of every stored row is read back and checked.
import test from 'ava';
import { SIGNAL_COLUMNS } from '../../src/central/schema';
import { capiSignal, startTestCentral } from '../helpers/central';

const SECRET = 'Nov 24 10:02:00 host sshd[42]: Failed password for root from 192.0.2.80 port 22 ssh2 SECRET-LOG-LINE';

test('a signal with extra fields is stored without them', async (t) => {
  const c = await startTestCentral();
  try {
    const token = await c.member('member-1');
    const signal = capiSignal('192.0.2.80', {
      events: [{ timestamp: '2026-11-24T10:02:00Z', meta: [{ key: 'log_line', value: SECRET }, { key: 'user', value: 'SECRET-USER' }] }],
      events_count: 6,
      labels: ['SECRET-LABEL'],
      meta: [{ key: 'target_fqdn', value: 'SECRET-HOST.example' }],
      decisions: [{ duration: '4h', origin: 'crowdsec', scenario: 'crowdsecurity/ssh-bf', scope: 'Ip', type: 'ban', value: '192.0.2.80' }],
      context: [{ key: 'SECRET-CONTEXT', value: 'x' }],
      log: SECRET,
      alert_id: 7,
      uuid: 'SECRET-UUID',
      capacity: 5,
      leakspeed: '10s',
      remediation: true,
      machine_id: 'SECRET-MACHINE',
    });
    (signal.source as Record<string, unknown>).extra = 'SECRET-SOURCE-FIELD';
    t.is((await c.push(token, [signal])).status, 200);

    const db = c.central.ctx.store.db;
    const rows = await db.all<Record<string, unknown>>('SELECT * FROM signals');
    t.is(rows.length, 1);
    const [row] = rows;
    t.deepEqual(Object.keys(row).sort(), [...SIGNAL_COLUMNS].sort(), 'the table has exactly the promised columns');
    const member = (await c.central.ctx.store.members())[0];
    const src = signal.source as Record<string, string>;
    t.deepEqual(row, {
      id: row.id,
      member_id: member.id,
      received_at: c.clock.now,
      scope: 'Ip',
      value: '192.0.2.80',
      ip: '192.0.2.80',
      source_range: '',
      as_number: src.as_number,
      as_name: src.as_name,
      cn: src.cn,
      scenario: signal.scenario,
      scenario_hash: signal.scenario_hash,
      scenario_version: signal.scenario_version,
      scenario_trust: 'certified',
      start_at: signal.start_at,
      stop_at: signal.stop_at,
      created_at: signal.created_at,
    });
    // Nothing else in the whole database holds any of it either.
    const tables = await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'");
    for (const { name } of tables) {
      const text = JSON.stringify(await db.all(`SELECT * FROM ${name}`));
      for (const secret of ['SECRET', 'log_line', 'Failed password', 'target_fqdn', '"4h"']) t.false(text.includes(secret), `${name} holds ${secret}`);
    }
  } finally {
    await c.close();
  }
});
