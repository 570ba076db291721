// When the central is down or refuses a push or pull, members must not hammer it in step: each
// failure doubles the wait before the next try (from the normal period up to a cap), with a
// random spread of ±10% so a fleet restarted together drifts apart; a success resets it.

/** The longest wait after repeated failures (or the period itself, when that is longer). */
export const MAX_BACKOFF_MS = 10 * 60_000;

/** The wait before the next try after `failures` consecutive failures (0: the normal period). */
export function nextDelayMs(everyMs: number, failures: number, random: () => number = Math.random): number {
  const base = failures === 0 ? everyMs : Math.min(everyMs * 2 ** failures, Math.max(everyMs, MAX_BACKOFF_MS));
  return Math.round(base * (0.9 + 0.2 * random()));
}

/** How a loop waits: `setTimeout` (unref'd) by default; tests record the delays instead. */
export type Timer = (fn: () => void, ms: number) => { cancel(): void };

const realTimer: Timer = (fn, ms) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return { cancel: () => clearTimeout(t) };
};

/** Runs `work` now and then every period, backing off after failures, until stopped. */
export class Repeating {
  private timer: { cancel(): void } | null = null;
  private stopped = false;
  /** Consecutive failures so far. */
  failures = 0;

  constructor(
    private readonly everyMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly onError: (e: Error, failures: number, retryInMs: number) => void,
    private readonly setTimer: Timer = realTimer,
  ) {}

  start(firstInMs: number): void {
    this.schedule(firstInMs);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    // eslint-disable-next-line @typescript-eslint/no-floating-promises -- turn() catches work()'s failures and hands them to onError
    this.timer = this.setTimer(() => void this.turn(), ms);
  }

  private async turn(): Promise<void> {
    try {
      await this.work();
      this.failures = 0;
    } catch (e) {
      this.failures += 1;
      const retry = nextDelayMs(this.everyMs, this.failures);
      this.onError(e as Error, this.failures, retry);
      this.schedule(retry);
      return;
    }
    this.schedule(nextDelayMs(this.everyMs, 0));
  }
}
