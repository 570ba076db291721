import * as fs from 'node:fs';

/**
 * Flushes a file to disk on libuv's pool, never on the event loop, one flush at a time, and
 * shares flushes: every `request()` made before a flush starts is answered by that flush (it
 * covers every write made before it), so a burst of writes costs one flush after the one
 * running, not one each. Behind other writes to the same file system a flush here took up to
 * ~200 ms (ext4 commits them together), which is why none may run on the event loop or hold
 * a writer's lock.
 */
export class CoalescedSync {
  /** The flush not started yet, which the next requests share. */
  private queued: Promise<void> | null = null;
  /** The flush running, if any. */
  private running: Promise<void> = Promise.resolve();
  /** Flushes done (for tests and metrics). */
  flushes = 0;

  /**
   * `fd` is read when a flush starts; `data` uses fdatasync (the file's data and what is needed
   * to read it back, its size included: what SQLite itself asks for), otherwise fsync.
   */
  constructor(
    private readonly fd: () => number,
    private readonly data = false,
  ) {}

  /** Resolves once everything written to the file before this call is on disk. */
  request(): Promise<void> {
    if (this.queued) return this.queued;
    const flush = this.running
      .catch(() => undefined)
      .then(() => {
        // From here on a new request needs a flush of its own: this one may have started
        // before its write.
        this.queued = null;
        return this.flushNow();
      });
    this.queued = flush;
    this.running = flush;
    return flush;
  }

  private flushNow(): Promise<void> {
    const fd = this.fd();
    return new Promise<void>((resolve, reject) => {
      const done = (error: NodeJS.ErrnoException | null): void => {
        this.flushes++;
        if (error) reject(error);
        else resolve();
      };
      if (this.data) fs.fdatasync(fd, done);
      else fs.fsync(fd, done);
    });
  }
}
