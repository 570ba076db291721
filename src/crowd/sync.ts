// The local API's link to the crowd: every `pushEvery` it sends the signals of alerts accepted
// since the last push (a cursor kept in the database, so nothing is lost or sent twice across
// restarts), and every `pullEvery` it applies the community blocklist's changes as decisions of
// origin `crowd`, which bouncers receive like any other (and can filter by origin).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { WatcherCredentials } from '../api/client';
import { readCredentialsFile, writeCredentialsFile } from '../agent/credentials';
import { newPassword } from '../api/credentials';
import { IpRangeSet } from '../store/ip-range';
import type { Store } from '../store/store';
import type { NewAlert, NewDecision } from '../store/types';
import { parseGoDuration } from '../time/go-duration';
import { formatRfc3339 } from '../time/go-time';
import type { Log } from '../log/logger';
import { Repeating } from './backoff';
import { type BlocklistDecision, CentralClient } from './client';
import { CROWD_ORIGIN, CROWD_SOURCE_SCOPE, isShareable, toSignal } from './signals';

export interface CrowdConfig {
  /** The central; without it, the credentials file's url. */
  url?: string;
  /** CrowdSec's online_api_credentials.yaml format; written at the first registration. */
  credentialsFile: string;
  /** The central's one-time enrollment token, for the first registration. */
  registrationToken?: string;
  pushEveryMs: number;
  pullEveryMs: number;
}

const PUSH_CURSOR = 'crowd_pushed_alert_id';
const LAST_PULL = 'crowd_last_pull';
/** Signals per request, and alerts read per push round. */
const CHUNK = 50;
const ROUND = 1000;
/** Values per statement when a pull expires decisions (far below SQLite's and PostgreSQL's parameter limits). */
const VALUES_PER_STATEMENT = 1000;

/** A member id unique on this host (several local APIs may share one). */
export function memberId(): string {
  return `${os.hostname()}-${randomBytes(4).toString('hex')}`;
}

/** This member's credentials at the central: read, or registered once and written. */
export async function crowdCredentials(config: CrowdConfig, machineId: string): Promise<WatcherCredentials> {
  if (fs.existsSync(config.credentialsFile)) {
    const saved = readCredentialsFile(config.credentialsFile);
    return config.url ? { ...saved, url: config.url } : saved;
  }
  if (!config.url) throw Object.assign(new Error(`crowd: no central url, and no credentials in ${config.credentialsFile}`), { code: 'CW_USAGE' });
  const creds = { url: config.url, machineId, password: newPassword() };
  if (!(await new CentralClient(creds).register(config.registrationToken))) throw Object.assign(new Error(`crowd: '${machineId}' is already registered at ${config.url} and its password is not in ${config.credentialsFile}`), { code: 'CW_CENTRAL' });
  writeCredentialsFile(config.credentialsFile, creds);
  return creds;
}

export interface CrowdStatus {
  url: string;
  pushedAlertId: number;
  waiting: number;
  lastPull: string | null;
}

export interface PullOutcome {
  added: number;
  removed: number;
}

export class CrowdSync {
  private readonly client: CentralClient;
  private readonly allowlist: IpRangeSet;
  private loops: { push?: Repeating; pull?: Repeating } = {};
  private pulledOnce = false;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    creds: WatcherCredentials,
    private readonly options: { allowlist: readonly string[]; log: Log; onDecisions?: () => void },
  ) {
    this.client = new CentralClient(creds);
    this.allowlist = new IpRangeSet([...options.allowlist]);
  }

  /** One at a time: a push and a pull never interleave, timers or CLI alike. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.busy.then(work);
    this.busy = next.catch(() => undefined);
    return next;
  }

  /** Sends the signals of every shareable alert stored since the last push; returns how many. */
  pushNow(): Promise<number> {
    return this.serial(async () => {
      let sent = 0;
      for (;;) {
        const cursor = Number((await this.store.getSetting(PUSH_CURSOR)) ?? '0');
        const alerts = await this.store.alerts.query({ afterId: cursor, sortAscending: true, limit: ROUND });
        if (alerts.length === 0) return sent;
        const signals = alerts.filter(isShareable).map(toSignal);
        for (let i = 0; i < signals.length; i += CHUNK) await this.client.pushSignals(signals.slice(i, i + CHUNK));
        sent += signals.length;
        await this.store.putSetting(PUSH_CURSOR, String(Math.max(...alerts.map((a) => a.id))));
      }
    });
  }

  /** Applies the blocklist's changes (the whole list on the first pull of this process). */
  pullNow(): Promise<PullOutcome> {
    return this.serial(async () => {
      const startup = !this.pulledOnce;
      const changes = await this.client.pull(startup);
      this.pulledOnce = true;
      const now = Date.now();
      let removed = 0;
      if (startup) removed += await this.store.decisions.expire({ origins: [CROWD_ORIGIN] }, now);
      removed += await this.expireCrowd(changes.deleted ?? [], now);
      const fresh = (changes.new ?? []).filter((d) => !this.allowlist.covers(d.value));
      // Sent again: the new decision replaces the old one (not counted as removed).
      if (!startup) await this.expireCrowd(fresh, now);
      const decisions = fresh.map((d) => crowdDecision(d, now)).filter((d): d is NewDecision => d !== null);
      if (decisions.length > 0) await this.store.alerts.insert([pullAlert(decisions, removed, now)], now);
      await this.store.putSetting(LAST_PULL, String(now));
      if (decisions.length + removed > 0) this.options.onDecisions?.();
      return { added: decisions.length, removed };
    });
  }

  /** Ends the crowd decisions on these entries' values, a statement per thousand; how many. */
  private async expireCrowd(entries: readonly BlocklistDecision[], now: number): Promise<number> {
    let expired = 0;
    for (let i = 0; i < entries.length; i += VALUES_PER_STATEMENT) {
      const values = entries.slice(i, i + VALUES_PER_STATEMENT).map((d) => d.value);
      expired += await this.store.decisions.expire({ values, origins: [CROWD_ORIGIN] }, now);
    }
    return expired;
  }

  /** Push and pull loops; a failure is logged and retried with backoff (alerts wait in the store). */
  start(pushEveryMs: number, pullEveryMs: number): void {
    const loop = (what: string, everyMs: number, work: () => Promise<unknown>) =>
      new Repeating(everyMs, work, (e, failures, retryMs) =>
        this.options.log(`crowd ${what}: ${e.message} (failure ${failures}, next try in ${Math.round(retryMs / 1000)}s)`, 'warning'),
      );
    this.loops = { push: loop('push', pushEveryMs, () => this.pushNow()), pull: loop('pull', pullEveryMs, () => this.pullNow()) };
    this.loops.pull?.start(0);
    this.loops.push?.start(pushEveryMs);
  }

  async stop(): Promise<void> {
    this.loops.push?.stop();
    this.loops.pull?.stop();
    this.loops = {};
    await this.busy;
  }

  async status(): Promise<CrowdStatus> {
    const cursor = Number((await this.store.getSetting(PUSH_CURSOR)) ?? '0');
    const waiting = (await this.store.alerts.query({ afterId: cursor })).filter(isShareable).length;
    const last = await this.store.getSetting(LAST_PULL);
    return { url: this.client.url, pushedAlertId: cursor, waiting, lastPull: last === null ? null : formatRfc3339(Number(last)) };
  }
}

function crowdDecision(d: BlocklistDecision, now: number): NewDecision | null {
  const ns = parseGoDuration(d.duration);
  if (ns === null || ns <= 0) return null;
  return { type: d.type, scope: d.scope, value: d.value, origin: CROWD_ORIGIN, scenario: d.scenario, simulated: false, until: now + Math.round(ns / 1e6) };
}

/** One alert per pull, as CrowdSec files its CAPI pulls. */
function pullAlert(decisions: NewDecision[], removed: number, now: number): NewAlert {
  const at = formatRfc3339(now);
  return {
    machineId: '', scenario: `update : +${decisions.length}/-${removed} IPs`, scenarioHash: '', scenarioVersion: '', message: '',
    eventsCount: decisions.length, startAt: at, stopAt: at, stopAtMs: now, capacity: 0, leakspeed: '',
    simulated: false, remediation: false, source: { scope: CROWD_SOURCE_SCOPE, value: '' },
    events: [], meta: [], labels: [], decisions,
  };
}
