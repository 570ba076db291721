import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../files/atomic';
import { hashApiKey, hashPassword, newApiKey, newPassword, verifyPassword } from '../api/credentials';
import type { WatcherCredentials } from '../api/client';
import { ConfigError, readMap, readYamlFile, scalar } from '../config/yaml-reader';
import type { Store } from '../store/store';

// The agent logs in to the API like any CrowdSec agent. With a local API, `crowdwatch run`
// registers its own machine once and keeps the password in CrowdSec's credentials file format.

export const LOCAL_CREDENTIALS_FILE = 'local_api_credentials.yaml';

/** CrowdSec's `local_api_credentials.yaml`: url, login, password. */
export function readCredentialsFile(file: string): WatcherCredentials {
  const { documents, lines } = readYamlFile(file);
  const creds = { url: '', machineId: '', password: '' };
  readMap(documents[0] ?? null, file, lines, {
    url: (n, w) => { creds.url = scalar(n, w); },
    login: (n, w) => { creds.machineId = scalar(n, w); },
    password: (n, w) => { creds.password = scalar(n, w); },
  }, '');
  if (!creds.url || !creds.machineId || !creds.password) throw new ConfigError(`${file}: url, login and password are all required`);
  return creds;
}

/** Writes a secret readable by its owner only, whole or not at all. */
function writePrivateFile(file: string, text: string): void {
  writeFileAtomic(file, text, 0o600);
}

/** CrowdSec's credentials file format (local_api_credentials.yaml, online_api_credentials.yaml). */
export function writeCredentialsFile(file: string, creds: WatcherCredentials): void {
  writePrivateFile(file, stringify({ url: creds.url, login: creds.machineId, password: creds.password }));
}

/**
 * The local agent's machine: read from the data dir's credentials file when it is there and
 * still valid in the store, else a new random password registered (validated) and written.
 */
export async function localAgentCredentials(store: Store, dataDir: string, apiUrl: string): Promise<WatcherCredentials> {
  const file = path.join(dataDir, LOCAL_CREDENTIALS_FILE);
  if (fs.existsSync(file)) {
    const saved = readCredentialsFile(file);
    const machine = await store.machines.get(saved.machineId);
    if (machine && (await verifyPassword(saved.password, machine.passwordHash))) {
      if (saved.url !== apiUrl) writeCredentialsFile(file, { ...saved, url: apiUrl });
      return { ...saved, url: apiUrl };
    }
  }
  const creds = { url: apiUrl, machineId: `${os.hostname()}-crowdwatch-agent`, password: newPassword() };
  await store.machines.add(creds.machineId, await hashPassword(creds.password), true, true);
  fs.mkdirSync(dataDir, { recursive: true });
  writeCredentialsFile(file, creds);
  return creds;
}

/**
 * The API key of a bouncer `crowdwatch run` starts itself (`bouncers:` in config.yaml): kept in
 * `<data-dir>/bouncer-<kind>.key` (0600) and registered as `<hostname>-crowdwatch-<kind>`;
 * made again when the file is gone or the store no longer knows it.
 */
export async function localBouncerKey(store: Store, dataDir: string, kind: string): Promise<string> {
  const file = path.join(dataDir, `bouncer-${kind}.key`);
  if (fs.existsSync(file)) {
    const saved = fs.readFileSync(file, 'utf8').trim();
    if (saved && (await store.bouncers.byKeyHash(hashApiKey(saved)))) return saved;
  }
  const name = `${os.hostname()}-crowdwatch-${kind}`;
  const key = newApiKey();
  await store.bouncers.delete(name);
  await store.bouncers.add(name, hashApiKey(key));
  fs.mkdirSync(dataDir, { recursive: true });
  writePrivateFile(file, `${key}\n`);
  return key;
}
