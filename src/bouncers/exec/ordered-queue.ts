// Jobs run in order per key (a `del` never overtakes the `add` of the same value) and at most
// `concurrency` at a time overall. A job takes a slot only while it runs, not while it waits to
// retry, so one failing value does not hold up the others.

/** A counting semaphore. */
export class Slots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy++;
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
    }
  }
}

/** Chains jobs per key; jobs of different keys run independently. */
export class OrderedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Jobs queued or running. */
  get pendingKeys(): number {
    return this.tails.size;
  }

  /** Queues `job` after every job queued before under `key`. `job` reports its own failures. */
  push(key: string, job: () => Promise<void>): void {
    const previous = this.tails.get(key) ?? Promise.resolve();
    // A job that throws anyway must not stop the jobs queued after it.
    const tail = previous.then(job).catch(() => undefined);
    this.tails.set(key, tail);
    // eslint-disable-next-line @typescript-eslint/no-floating-promises -- tail never rejects: it ends in the .catch above
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
  }

  /** Resolves once every job queued so far has finished. */
  async drained(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
