// A crowdwatch local API for tests: in-process, on a free loopback port, over SQLite in a temp
// data dir or over a PostgreSQL database URL. Bouncers and machines are made with the CLI.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type RunningApi, startApi } from '../../src/api/server';
import { loadApiConfig } from '../../src/config/api-config';
import { runCli, tempDir } from './run-cli';

export interface TestApi {
  url: string;
  dataDir: string;
  api: RunningApi;
  /** CLI flags that point a management command at this instance's store. */
  flags: string[];
  bouncerKey(name: string): Promise<string>;
  machine(name: string, password: string): Promise<void>;
  /** Logs a machine in and returns its bearer token. */
  login(name: string, password: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestApi(options: { postgresUrl?: string; configYaml?: string; log?: (line: string) => void } = {}): Promise<TestApi> {
  const dataDir = tempDir('api');
  let yaml = options.configYaml ?? '';
  if (options.postgresUrl) yaml += `\ndb:\n  type: postgres\n  url: ${options.postgresUrl}\n`;
  if (yaml) fs.writeFileSync(path.join(dataDir, 'config.yaml'), yaml);
  const config = loadApiConfig({ dataDir, listen: '127.0.0.1:0' });
  const api = await startApi(config, options.log);
  const flags = ['--data-dir', dataDir];
  const run = async (...args: string[]): Promise<string> => {
    const r = await runCli(...args, ...flags);
    if (r.code !== 0) throw new Error(`crowdwatch ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  return {
    url: api.url,
    dataDir,
    api,
    flags,
    async bouncerKey(name) {
      return (await run('bouncers', 'add', name, '-o', 'raw')).trim();
    },
    async machine(name, password) {
      await run('machines', 'add', name, '--password', password);
    },
    async login(name, password) {
      const res = await fetch(`${api.url}/v1/watchers/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'crowdwatch-test/1.0' },
        body: JSON.stringify({ machine_id: name, password, scenarios: [] }),
      });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    async close() {
      await api.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
