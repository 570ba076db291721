// The default mode: one run of the command per change, `CMD [ARGS...] add|del <value> <seconds>
// <scenario> <json>`, in order per value, a few at a time, each retried on failure.
import type { Change } from './announcements';
import { callArguments } from './decision-json';
import { OrderedQueue, Slots } from './ordered-queue';
import { describeResult, runScript } from './script-process';

export interface CallSinkOptions {
  command: string;
  args: readonly string[];
  /** Runs at the same time, over all values. */
  concurrency: number;
  /** Further attempts after a failed one. */
  retries: number;
  /** Wait before the first retry; doubled for each next one. */
  retryDelayMs: number;
  /** A run still going after this is killed and counts as failed. */
  timeoutMs: number;
  log: (message: string) => void;
  verbose?: boolean;
  /** Told when a change could not be delivered after every retry. */
  undeliverable: (change: Change) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class CallSink {
  private readonly queue = new OrderedQueue();
  private readonly slots: Slots;
  /** Runs that exited 0, and changes given up on. */
  delivered = 0;
  failed = 0;

  constructor(private readonly opts: CallSinkOptions) {
    this.slots = new Slots(opts.concurrency);
  }

  send(change: Change): void {
    this.queue.push(change.decision.value, () => this.deliver(change));
  }

  private async deliver(change: Change): Promise<void> {
    const o = this.opts;
    const what = `${change.action} ${change.decision.value}`;
    for (let attempt = 0; ; attempt++) {
      // Arguments are built at each attempt: the seconds left and `duration` are as of the run.
      const result = await this.slots.run(() => runScript(o.command, [...o.args, ...callArguments(change, Date.now())], o.timeoutMs));
      if (result.code === 0) {
        this.delivered++;
        if (o.verbose) o.log(`${what}: done`);
        return;
      }
      if (attempt >= o.retries) {
        this.failed++;
        o.log(`${what} failed: ${describeResult(result)}; giving up after ${attempt + 1} attempt(s) (the next full resync tries again)`);
        o.undeliverable(change);
        return;
      }
      const delay = o.retryDelayMs * 2 ** attempt;
      o.log(`${what} failed: ${describeResult(result)}; retry ${attempt + 1}/${o.retries} in ${delay} ms`);
      await sleep(delay);
    }
  }

  /** Waits for every queued run (retries included). */
  close(): Promise<void> {
    return this.queue.drained();
  }
}
