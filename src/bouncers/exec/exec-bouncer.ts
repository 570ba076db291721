// Decisions in, script calls out: each stream update (and each decision running out) becomes the
// changes the script has not heard of yet, handed to one of two sinks: a run per change, or a
// JSON line to one long-running process (--stdin).
import type { StreamUpdate } from '../common/decision-stream';
import { Announcements, type Change } from './announcements';
import { CallSink, type CallSinkOptions } from './call-sink';
import { StdinFeed } from './stdin-feed';

/** The call sink's options (all but the callback the bouncer provides), plus the mode and types. */
export interface ExecBouncerOptions extends Omit<CallSinkOptions, 'undeliverable'> {
  /** Feed one process on its stdin instead of running the command per change. */
  stdin: boolean;
  /** Decision types to announce; undefined for all. */
  types?: ReadonlySet<string>;
}

interface ChangeSink {
  send(change: Change): void;
  close(): Promise<void>;
}

/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ExecBouncer {
  readonly announcements: Announcements;
  private readonly sink: ChangeSink;
  private readonly feed: StdinFeed | null = null;
  private expiryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly opts: ExecBouncerOptions) {
    this.announcements = new Announcements(opts.types);
    if (opts.stdin) {
      this.feed = new StdinFeed({ command: opts.command, args: opts.args, log: opts.log, minBackoffMs: opts.retryDelayMs, maxBackoffMs: 30_000, stopGraceMs: opts.timeoutMs });
      this.sink = this.feed;
    } else {
      this.sink = new CallSink({ ...opts, undeliverable: (change) => this.announcements.undeliverable(change) });
    }
  }

  start(): void {
    this.feed?.start();
  }

  /** Applies one stream update: the changes go to the script in the background. */
  async apply(update: StreamUpdate): Promise<void> {
    const changes = this.announcements.apply(update, Date.now());
    this.dispatch(changes);
    if (update.full || this.opts.verbose) {
      const adds = changes.filter((c) => c.action === 'add').length;
      this.opts.log(`${update.full ? 'full list' : 'update'}: ${adds} add, ${changes.length - adds} del; the script holds ${this.announcements.size} value(s)`);
    }
    this.scheduleExpiry();
  }

  private dispatch(changes: Change[]): void {
    for (const change of changes) {
      if (this.opts.verbose) this.opts.log(`${change.action} ${change.decision.value} (${change.decision.type}, ${change.decision.scenario})`);
      this.sink.send(change);
    }
  }

  /** Wakes when the next decision runs out, so its `del` does not wait for the API. */
  private scheduleExpiry(): void {
    clearTimeout(this.expiryTimer);
    const next = this.announcements.nextExpiry();
    if (next === undefined || this.stopped) return;
    const delay = Math.min(Math.max(0, next - Date.now()), MAX_TIMER_MS);
    this.expiryTimer = setTimeout(() => {
      this.dispatch(this.announcements.expire(Date.now()));
      this.scheduleExpiry();
    }, delay);
  }

  /** Stops the timer and waits up to `graceMs` for the script to hear of what is queued. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    clearTimeout(this.expiryTimer);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    });
    const timedOut = await Promise.race([this.sink.close().then(() => false), late]);
    clearTimeout(timer);
    if (timedOut) this.opts.log(`stopped with script calls still pending after ${graceMs} ms`);
  }
}
