/**
 * Wakes long-polling bouncers when decisions change in this process. Changes made by another
 * process on the same database (the CLI, a second API) are caught by the waiters' periodic
 * recheck instead.
 */
export class DecisionChanges {
  private waiters = new Set<() => void>();

  notify(): void {
    const waiting = this.waiters;
    this.waiters = new Set();
    for (const wake of waiting) wake();
  }

  /** Resolves at the next change or after `ms`, whichever comes first. */
  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }

  /** Releases every waiter (shutdown). */
  close(): void {
    this.notify();
  }
}
