// A watcher's side of the local API: log in, push alerts in batches, log in again when the
// token expires. Used by `replay --push` and by the daemon's agent.

export interface WatcherCredentials {
  url: string;
  machineId: string;
  password: string;
}

const USER_AGENT = 'crowdwatch/0.1.0';
const BATCH = 50;

export class ApiClientError extends Error {
  readonly code = 'CW_API';

  /** The HTTP status when the API answered; undefined when it could not be reached. */
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

export class WatcherClient {
  private token: string | null = null;

  constructor(private readonly creds: WatcherCredentials) {}

  private endpoint(path: string): string {
    return `${this.creds.url.replace(/\/+$/, '')}${path}`;
  }

  async login(): Promise<void> {
    const res = await fetch(this.endpoint('/v1/watchers/login'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT },
      body: JSON.stringify({ machine_id: this.creds.machineId, password: this.creds.password, scenarios: [] }),
      signal: AbortSignal.timeout(10_000),
    }).catch((error: Error) => {
      throw new ApiClientError(`cannot reach the local API at ${this.creds.url}: ${(error.cause as Error | undefined)?.message ?? error.message}`);
    });
    if (res.status !== 200) throw new ApiClientError(`login to ${this.creds.url} as '${this.creds.machineId}' failed: ${res.status} ${await res.text()}`, res.status);
    this.token = ((await res.json()) as { token: string }).token;
  }

  /** Posts alerts (CrowdSec's Alert shape) in batches; resolves to the ids the API gave them. */
  pushAlerts(alerts: readonly unknown[]): Promise<string[]> {
    return this.pushAlertJson(alerts.map((a) => JSON.stringify(a)));
  }

  /** The same, for alerts already serialised (each one JSON object's text). */
  async pushAlertJson(alerts: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < alerts.length; i += BATCH) ids.push(...(await this.post(`[${alerts.slice(i, i + BATCH).join(',')}]`)));
    return ids;
  }

  private async post(body: string, retried = false): Promise<string[]> {
    if (this.token === null) await this.login();
    const res = await fetch(this.endpoint('/v1/alerts'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, authorization: `Bearer ${this.token}` },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status === 401 && !retried) {
      this.token = null;
      return this.post(body, true);
    }
    if (res.status !== 201) throw new ApiClientError(`pushing alerts to ${this.creds.url} failed: ${res.status} ${await res.text()}`, res.status);
    return (await res.json()) as string[];
  }
}
