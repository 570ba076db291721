// A bouncer's side of the local API: GET /v1/decisions/stream, first with startup=true (every
// active decision), then only the changes. Against crowdwatch's API the pull is a long poll
// (`wait=`, announced by the LONG_POLL_HEADER on each answer), so a new decision reaches the
// bouncer as soon as it is written; against CrowdSec's it is a poll every `pollMs`.
import { LONG_POLL_HEADER } from '../../api/long-poll';
import { parseGoDuration } from '../../time/go-duration';

/** One decision as a bouncer holds it: the API's fields, its end as an absolute time. */
export interface StreamDecision {
  id: number;
  value: string;
  /** `Ip` or `Range` (as the API writes it; compare case-insensitively). */
  scope: string;
  type: string;
  origin: string;
  scenario: string;
  /** Epoch milliseconds when the decision ends. */
  until: number;
}

export interface StreamUpdate {
  /** A full list (startup or periodic resync): everything not in it is gone. */
  full: boolean;
  fresh: StreamDecision[];
  deleted: StreamDecision[];
}

export interface StreamOptions {
  url: string;
  apiKey: string;
  userAgent: string;
  /** Poll period when the API does not long-poll (CrowdSec's `update_frequency`). */
  pollMs: number;
  /** How long a long poll may wait (crowdwatch's API caps it at 60 s). */
  waitMs: number;
  /** A full list is pulled again this often, to repair anything missed. */
  resyncMs: number;
  scopes?: readonly string[];
  origins?: readonly string[];
  scenariosContaining?: readonly string[];
  scenariosNotContaining?: readonly string[];
  log: (message: string) => void;
}

/** A bouncer's stream defaults: CrowdSec's 10 s poll, a 30 s long poll, a full list every 5 min, addresses and ranges. */
export const STREAM_DEFAULTS = { pollMs: 10_000, waitMs: 30_000, resyncMs: 300_000, scopes: ['ip', 'range'] } as const;

export class StreamError extends Error {
  readonly code = 'CW_API';
}

const MAX_BACKOFF_MS = 30_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** The API's decision objects (or its `null` for none) as StreamDecisions, timed from `now`. */
export function readDecisions(raw: unknown, now: number): StreamDecision[] {
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) throw new StreamError('decision list is not an array');
  const out: StreamDecision[] = [];
  for (const d of raw as Record<string, unknown>[]) {
    if (typeof d !== 'object' || d === null || typeof d.value !== 'string') continue;
    const ns = typeof d.duration === 'string' ? parseGoDuration(d.duration) : null;
    out.push({
      id: typeof d.id === 'number' ? d.id : 0,
      value: d.value,
      scope: typeof d.scope === 'string' ? d.scope : 'Ip',
      type: typeof d.type === 'string' ? d.type : 'ban',
      origin: typeof d.origin === 'string' ? d.origin : '',
      scenario: typeof d.scenario === 'string' ? d.scenario : '',
      until: now + (ns === null ? 0 : ns / 1e6),
    });
  }
  return out;
}

/**
 * Pulls decisions until `signal` aborts, handing each non-empty update to `apply` (awaited: no
 * pull overlaps an apply). Network and API errors are logged and retried with backoff, with a
 * full list; the bouncer keeps enforcing what it has meanwhile.
 */
export class DecisionStream {
  private longPoll = false;
  private dedupParam = true;
  private lastFull = 0;
  /** Pulls that succeeded (a health figure for tests and status output). */
  pulls = 0;

  constructor(private readonly opts: StreamOptions) {}

  private query(full: boolean): string {
    const o = this.opts;
    const params = new URLSearchParams();
    params.set('startup', full ? 'true' : 'false');
    if (this.dedupParam) params.set('dedup', 'false');
    if (o.scopes?.length) params.set('scopes', o.scopes.join(','));
    if (o.origins?.length) params.set('origins', o.origins.join(','));
    if (o.scenariosContaining?.length) params.set('scenarios_containing', o.scenariosContaining.join(','));
    if (o.scenariosNotContaining?.length) params.set('scenarios_not_containing', o.scenariosNotContaining.join(','));
    // A long poll ends in time for the next full resync.
    const untilResync = this.opts.resyncMs - (Date.now() - this.lastFull);
    if (!full && this.longPoll) params.set('wait', `${Math.max(100, Math.round(Math.min(this.opts.waitMs, untilResync)))}ms`);
    return params.toString();
  }

  /** One pull; resolves to the update (possibly empty). */
  async pull(full: boolean, signal?: AbortSignal): Promise<StreamUpdate> {
    const url = `${this.opts.url.replace(/\/+$/, '')}/v1/decisions/stream?${this.query(full)}`;
    const timeout = AbortSignal.timeout(this.opts.waitMs + 30_000);
    const res = await fetch(url, {
      headers: { 'x-api-key': this.opts.apiKey, 'user-agent': this.opts.userAgent },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await res.text();
    if (res.status === 403) throw new StreamError(`the API at ${this.opts.url} refused the bouncer key (403)`);
    if (res.status !== 200) {
      // CrowdSec versions that reject the dedup parameter: ask again the way they expect.
      if (this.dedupParam && res.status >= 400 && /dedup/i.test(text)) {
        this.dedupParam = false;
        return this.pull(full, signal);
      }
      throw new StreamError(`GET /v1/decisions/stream: ${res.status} ${text.slice(0, 200)}`);
    }
    this.longPoll = res.headers.has(LONG_POLL_HEADER);
    const now = Date.now();
    let body: { new?: unknown; deleted?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new StreamError(`GET /v1/decisions/stream: the answer is not JSON (${text.slice(0, 80)})`);
    }
    this.pulls++;
    return { full, fresh: readDecisions(body.new, now), deleted: readDecisions(body.deleted, now) };
  }

  /** Whether the last answer came from an API that long-polls (crowdwatch's). */
  get pushes(): boolean {
    return this.longPoll;
  }

  async run(apply: (update: StreamUpdate) => Promise<void>, signal: AbortSignal): Promise<void> {
    let backoff = 1000;
    let needFull = true;
    while (!signal.aborted) {
      const full = needFull || Date.now() - this.lastFull >= this.opts.resyncMs;
      let update: StreamUpdate;
      try {
        update = await this.pull(full, signal);
      } catch (error) {
        if (signal.aborted) break;
        // The API may have answered and moved this bouncer's cursor past changes we never got
        // (a timeout or a cut connection mid-answer): only a full list is sure to hold them.
        needFull = true;
        this.opts.log(`decision stream: ${(error as Error).message}; retrying in ${backoff / 1000}s with a full list`);
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      backoff = 1000;
      if (full) this.lastFull = Date.now();
      if (update.full || update.fresh.length > 0 || update.deleted.length > 0) {
        try {
          await apply(update);
          needFull = false;
        } catch (error) {
          // The update could not be enforced: start over from a full list.
          this.opts.log(`applying decisions failed: ${(error as Error).message}`);
          needFull = true;
          await sleep(backoff, signal);
          continue;
        }
      } else {
        needFull = false;
      }
      if (!this.longPoll) await sleep(this.opts.pollMs, signal);
    }
  }
}
