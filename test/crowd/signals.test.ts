// What leaves a member: the signal of an alert carries the attack's meta and nothing else, with
// CrowdSec's trust levels; alerts not detected here, or simulated, are not shared.
import test from 'ava';
import { isShareable, scenarioTrust, toSignal } from '../../src/crowd/signals';
import type { StoredAlert } from '../../src/store/types';

function stored(overrides: Partial<StoredAlert> = {}): StoredAlert {
  return {
    id: 7, createdAt: Date.UTC(2026, 10, 24, 10), machineId: 'agent', scenario: 'crowdwatch/ssh-bf', scenarioHash: 'abc', scenarioVersion: '0.1',
    message: 'Ip 192.0.2.1 performed it with password hunter2', eventsCount: 6, startAt: '2026-11-24T09:59:00Z', stopAt: '2026-11-24T10:00:00Z',
    stopAtMs: 0, capacity: 5, leakspeed: '10s', simulated: false, remediation: true,
    source: { scope: 'Ip', value: '192.0.2.1', ip: '192.0.2.1', range: '192.0.2.0/24', as_number: '64496', as_name: 'EXAMPLE', cn: 'FR', latitude: 48.8, longitude: 2.3 },
    events: [{ timestamp: '2026-11-24T10:00:00Z', meta: [{ key: 'log_line', value: 'secret log line' }] }],
    meta: [{ key: 'user', value: 'root' }], labels: ['secret-label'],
    decisions: [{ id: 1, alertId: 7, type: 'ban', scope: 'Ip', value: '192.0.2.1', origin: 'crowdsec', scenario: 'crowdwatch/ssh-bf', simulated: false, until: 0, revision: 1, createdAt: 0 }] as StoredAlert['decisions'],
    ...overrides,
  };
}

test('a signal holds only the promised fields', (t) => {
  const signal = toSignal(stored());
  t.deepEqual(signal, {
    scenario: 'crowdwatch/ssh-bf', scenario_hash: 'abc', scenario_version: '0.1', scenario_trust: 'certified',
    source: { scope: 'Ip', value: '192.0.2.1', ip: '192.0.2.1', range: '192.0.2.0/24', as_number: '64496', as_name: 'EXAMPLE', cn: 'FR' },
    start_at: '2026-11-24T09:59:00Z', stop_at: '2026-11-24T10:00:00Z', created_at: '2026-11-24T10:00:00.000Z',
  });
  t.notRegex(JSON.stringify(signal), /secret|hunter2|root|latitude/);
});

test('trust levels and what is shared', (t) => {
  t.is(scenarioTrust({ scenarioHash: 'abc', scenarioVersion: '0.1' }), 'certified');
  t.is(scenarioTrust({ scenarioHash: 'abc', scenarioVersion: '?' }), 'tainted');
  t.is(scenarioTrust({ scenarioHash: '', scenarioVersion: '' }), 'custom');
  t.true(isShareable(stored()));
  t.true(isShareable(stored({ decisions: [] })), 'an alert no profile acted on is still a signal');
  t.false(isShareable(stored({ simulated: true })));
  for (const origin of ['cscli', 'cscli-import', 'crowd', 'CAPI', 'lists']) {
    t.false(isShareable(stored({ decisions: [{ ...stored().decisions[0], origin }] })), origin);
  }
  t.false(isShareable(stored({ source: { scope: 'crowdwatch/community-blocklist', value: '' } })));
});
