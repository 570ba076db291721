import { ApiClientError } from '../api/client';
import type { AgentJournal, PendingAlert } from './journal';

/** Where alerts go: the local API (or a remote one) as a watcher. */
export interface AlertPusher {
  /** Alerts as JSON objects' text, pushed as they are. */
  pushAlertJson(alerts: readonly string[]): Promise<string[]>;
}

export interface OutboxOptions {
  /** Above this many alerts waiting, the agent stops reading (backpressure)… */
  highWater?: number;
  /** …and reads again once they are down to this many. */
  lowWater?: number;
  batch?: number;
  log: (message: string) => void;
  /** Called when the backlog crosses the high (true) or low (false) mark. */
  onBacklog?: (full: boolean) => void;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Whether the API refused the content itself: a 4xx other than those about the caller or the
 * moment (401 and 403: credentials, which an operator fixes; 408 and 429: try later). Pushing the
 * same alerts again would be refused again.
 */
export function refusedForGood(error: unknown): boolean {
  const status = error instanceof ApiClientError ? error.status : undefined;
  return status !== undefined && status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
}

/** An alert's JSON object text with `uuid` added as its first field. */
function withUuid(json: string, uuid: string): string {
  const rest = json.slice(1).trimStart();
  return `{"uuid":${JSON.stringify(uuid)}${rest.startsWith('}') ? '' : ','}${rest}`;
}

/**
 * Pushes the journal's pending alerts in order, in batches, each under its uuid so a retry is
 * harmless; acknowledged ones are journaled as done. When the API is down it retries with
 * backoff and never drops an alert: the sources stop reading instead.
 */
export class Outbox {
  private running: Promise<void> | null = null;
  private full = false;
  private wake: (() => void) | null = null;
  private stopped = false;
  pushed = 0;
  failures = 0;
  /** Alerts the API refused for good, moved to the dead-letter file. */
  refused = 0;
  /** After a batch was refused: push its alerts one by one to find which (bisecting costs as much on a 50-alert batch and is harder to follow). */
  private singlesLeft = 0;

  constructor(
    private readonly journal: AgentJournal,
    private readonly pusher: AlertPusher,
    private readonly options: OutboxOptions,
  ) {}

  get backlog(): number {
    return this.journal.pending.size;
  }

  /** Alerts just journaled (or recovered from the journal) are waiting: push them. */
  kick(): void {
    const high = this.options.highWater ?? 10_000;
    if (!this.full && this.backlog >= high) {
      this.full = true;
      this.options.onBacklog?.(true);
    }
    if (this.wake) {
      this.wake();
      this.wake = null;
    }
    if (!this.running && !this.stopped) this.running = this.loop().finally(() => (this.running = null));
  }

  private async loop(): Promise<void> {
    let backoff = 1000;
    while (!this.stopped && this.backlog > 0) {
      const batch: PendingAlert[] = this.journal.oldestPending(this.singlesLeft > 0 ? 1 : (this.options.batch ?? 50));
      try {
        // The uuid goes in as the alert's first field: the API stores each (machine, uuid) once.
        await this.pusher.pushAlertJson(batch.map((p) => withUuid(p.json, p.uuid)));
        this.journal.recordAcks(batch.map((p) => p.uuid));
        this.pushed += batch.length;
        if (this.singlesLeft > 0) this.singlesLeft--;
        backoff = 1000;
        this.resumeIfLow();
      } catch (error) {
        if (refusedForGood(error)) {
          this.refuse(batch, error as Error);
          this.resumeIfLow();
          continue;
        }
        this.failures++;
        if (this.failures === 1 || this.failures % 10 === 0) this.options.log(`pushing alerts failed (${this.backlog} waiting, retrying): ${(error as Error).message}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, backoff);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private resumeIfLow(): void {
    if (this.full && this.backlog <= (this.options.lowWater ?? 5_000)) {
      this.full = false;
      this.options.onBacklog?.(false);
    }
  }

  /** A refused batch is split into single pushes; a single alert refused goes to the dead letters. */
  private refuse(batch: PendingAlert[], error: Error): void {
    if (batch.length > 1) {
      this.singlesLeft = batch.length;
      return;
    }
    const [alert] = batch;
    if (alert === undefined) return;
    this.journal.recordRefused(alert, error.message);
    this.refused++;
    if (this.singlesLeft > 0) this.singlesLeft--;
    this.options.log(`alert ${alert.uuid} refused by the API, moved to ${this.journal.refusedFile}: ${error.message}`);
  }

  /** Waits until everything is pushed or `timeoutMs` passed; what is left stays journaled. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.backlog > 0 && Date.now() < deadline) {
      this.kick();
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.backlog === 0;
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }
}
