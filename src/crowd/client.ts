// A member's side of a central server (crowdwatch central, or anything speaking CrowdSec's CAPI
// v2): register once, log in, push signals, pull the community blocklist.
import type { WatcherCredentials } from '../api/client';

const USER_AGENT = 'crowdwatch/0.1.0';

export interface BlocklistDecision {
  duration: string;
  id: number;
  origin: string;
  scenario: string;
  scope: string;
  type: string;
  value: string;
}

export interface BlocklistChanges {
  new: BlocklistDecision[] | null;
  deleted: BlocklistDecision[] | null;
}

export class CentralError extends Error {
  readonly code = 'CW_CENTRAL';
}

export class CentralClient {
  private token: string | null = null;

  constructor(private readonly creds: WatcherCredentials) {}

  get url(): string {
    return this.creds.url;
  }

  private async call(method: string, path: string, body?: unknown, auth = true): Promise<Response> {
    if (auth && this.token === null) await this.login();
    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth) headers.authorization = `Bearer ${this.token}`;
    const res = await fetch(`${this.creds.url.replace(/\/+$/, '')}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    }).catch((error: Error) => {
      throw new CentralError(`cannot reach the central at ${this.creds.url}: ${(error.cause as Error | undefined)?.message ?? error.message}`);
    });
    if (res.status === 401 && auth) this.token = null;
    return res;
  }

  private async expect(res: Response, status: number, what: string): Promise<Response> {
    if (res.status !== status) throw new CentralError(`${what} at ${this.creds.url} failed: ${res.status} ${(await res.text()).slice(0, 300)}`);
    return res;
  }

  /**
   * `POST /v2/watchers` (with the central's one-time enrollment token, if it wants one): true when
   * created, false when the id exists already; a refused registration throws the central's reason.
   */
  async register(registrationToken?: string): Promise<boolean> {
    const body = { machine_id: this.creds.machineId, password: this.creds.password, ...(registrationToken ? { registration_token: registrationToken } : {}) };
    const res = await this.call('POST', '/v2/watchers', body, false);
    if (res.status === 403) {
      const text = await res.text();
      if (/already exist/.test(text)) return false;
      throw new CentralError(`registering at ${this.creds.url} was refused: ${text.slice(0, 300)}`);
    }
    await this.expect(res, 201, 'registering');
    return true;
  }

  async login(): Promise<void> {
    const res = await this.call('POST', '/v2/watchers/login', { machine_id: this.creds.machineId, password: this.creds.password, scenarios: [] }, false);
    await this.expect(res, 200, `login as '${this.creds.machineId}'`);
    this.token = ((await res.json()) as { token: string }).token;
  }

  async pushSignals(signals: readonly unknown[]): Promise<void> {
    await this.expect(await this.call('POST', '/v2/signals', signals), 200, 'pushing signals');
  }

  async pull(startup: boolean): Promise<BlocklistChanges> {
    const res = await this.expect(await this.call('GET', `/v2/decisions/stream${startup ? '?startup=true' : ''}`), 200, 'pulling the blocklist');
    return (await res.json()) as BlocklistChanges;
  }
}
