/**
 * Wakes long-polling bouncers when decisions change. A write through this process notifies at
 * once; a write by another process on the same database (the CLI, a second API) is seen by a
 * cheap probe of the highest decision revision, run every PROBE_MS while anyone waits.
 */
export const PROBE_MS = 200;

export class DecisionChanges {
  private waiters = new Set<() => void>();
  private probing: NodeJS.Timeout | null = null;
  private lastRevision: number | null = null;
  private closed = false;

  /** `probe` reads the highest decision revision in the database (none: no cross-process wake-up). */
  constructor(private readonly probe?: () => Promise<number>) {}

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
      this.startProbing();
    });
  }

  private startProbing(): void {
    if (!this.probe || this.probing || this.closed) return;
    const tick = async (): Promise<void> => {
      try {
        const revision = await (this.probe as () => Promise<number>)();
        if (this.lastRevision !== null && revision !== this.lastRevision) this.notify();
        this.lastRevision = revision;
      } catch {
        // The database is busy or closing: the waiters' own recheck still runs.
      }
      if (this.waiters.size === 0 || this.closed) {
        this.probing = null;
        this.lastRevision = null;
        return;
      }
      // eslint-disable-next-line @typescript-eslint/no-floating-promises -- tick() never rejects: the probe's failure is caught above, the rest cannot throw
      this.probing = setTimeout(() => void tick(), PROBE_MS);
    };
    // eslint-disable-next-line @typescript-eslint/no-floating-promises -- tick() never rejects (see above)
    this.probing = setTimeout(() => void tick(), 0);
  }

  /** Releases every waiter (shutdown). */
  close(): void {
    this.closed = true;
    if (this.probing) clearTimeout(this.probing);
    this.probing = null;
    this.notify();
  }
}
