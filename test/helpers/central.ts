// A central server for tests: in-process on a free loopback port, its own temp data dir, a clock
// the test moves, and sweeps run by the test rather than on a timer.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCentralConfig } from '../../src/central/config';
import { type RunningCentral, startCentral } from '../../src/central/server';
import { tempDir } from './run-cli';
import { httpRequest } from './http';

export interface Reply {
  status: number;
  text: string;
  json: any;
}

export interface TestCentral {
  url: string;
  dataDir: string;
  central: RunningCentral;
  clock: { now: number };
  request(method: string, path: string, opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<Reply>;
  /** Registers and logs in a member; its bearer token. */
  member(name: string): Promise<string>;
  push(token: string, signals: unknown[]): Promise<Reply>;
  pull(token: string, startup?: boolean): Promise<{ new: any[] | null; deleted: any[] | null }>;
  close(): Promise<void>;
}

/** A signal as CrowdSec 1.4.6's local API sends it to CAPI. */
export function capiSignal(ip: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const at = new Date().toISOString();
  return {
    message: `Ip ${ip} performed 'crowdsecurity/ssh-bf' (6 events over 1s) at ${at}`,
    scenario: 'crowdsecurity/ssh-bf',
    scenario_hash: '4441dcff07020f6690d998b7101e642359ba405c2abb83565bbbdcee36de280f',
    scenario_version: '0.1',
    scenario_trust: 'certified',
    source: { as_name: 'EXAMPLE-AS', as_number: '64496', cn: 'FR', ip, latitude: 48.85, longitude: 2.35, range: '', scope: 'Ip', value: ip },
    start_at: at,
    stop_at: at,
    created_at: at,
    machine_id: 'someone-else',
    ...overrides,
  };
}

export async function startTestCentral(yaml = '', postgresUrl?: string): Promise<TestCentral> {
  const dataDir = tempDir('central');
  const db = postgresUrl ? `db:\n  type: postgres\n  url: ${postgresUrl}\n` : '';
  // Open registration unless the test says otherwise: most tests make members by the handful;
  // test/faults/central-admission.test.ts covers the default (enrollment tokens).
  // Likewise scenario hashes are not checked (test/faults/central-hashes.test.ts covers that).
  const registration = /^registration:/m.test(yaml) ? '' : 'registration: open\n';
  const hashes = /verify_hashes:/.test(yaml) ? yaml : /^consensus:\n/m.test(yaml) ? yaml.replace(/^consensus:\n/m, 'consensus:\n  verify_hashes: false\n') : `${yaml}consensus:\n  verify_hashes: false\n`;
  fs.writeFileSync(path.join(dataDir, 'central.yaml'), `prometheus:\n  enabled: false\n${registration}${db}${hashes}`);
  const config = loadCentralConfig({ dataDir, listen: '127.0.0.1:0' });
  const clock = { now: Date.now() };
  const central = await startCentral(config, { now: () => clock.now, sweepEveryMs: null });
  const request: TestCentral['request'] = (method, p, opts = {}) => httpRequest(central.url, method, p, opts);
  const handle: TestCentral = {
    url: central.url,
    dataDir,
    central,
    clock,
    request,
    async member(name) {
      const password = `${name}-password`;
      const reg = await request('POST', '/v2/watchers', { body: { machine_id: name, password } });
      if (reg.status !== 201) throw new Error(`register ${name}: ${reg.status} ${reg.text}`);
      const login = await request('POST', '/v2/watchers/login', { body: { machine_id: name, password, scenarios: ['crowdsecurity/ssh-bf'] } });
      if (login.status !== 200) throw new Error(`login ${name}: ${login.status} ${login.text}`);
      return login.json.token as string;
    },
    push: (token, signals) => request('POST', '/v2/signals', { token, body: signals }),
    async pull(token, startup = false) {
      const r = await request('GET', `/v2/decisions/stream${startup ? '?startup=true' : ''}`, { token });
      if (r.status !== 200) throw new Error(`pull: ${r.status} ${r.text}`);
      return r.json;
    },
    async close() {
      await handle.central.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}
