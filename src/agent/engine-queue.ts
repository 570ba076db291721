/** What the queue holds, and when it asks for reading to pause. */
export interface EngineQueueOptions {
  /** Above this many bytes of lines waiting (the batch in the engine included), reading pauses… */
  highBytes?: number;
  /** …and resumes once they are down to this many. */
  lowBytes?: number;
  /** Called when the waiting bytes cross the high (true) or the low (false) mark. */
  onPressure?: (full: boolean) => void;
}

export const ENGINE_QUEUE_HIGH_BYTES = 2 << 20;
export const ENGINE_QUEUE_LOW_BYTES = 1 << 20;

interface Task {
  bytes: number;
  /** Needs the engine to itself (a sync call): starts once nothing else runs, and holds back what follows. */
  exclusive: boolean;
  /** Runs the work and settles the caller's promise; never rejects. */
  start: () => Promise<void>;
}

export interface RunOptions {
  /** Bytes of lines the task carries, counted until it has finished. */
  bytes?: number;
  /**
   * The task makes sync calls on the engine (registering a source, a reload): it starts
   * once everything before it has finished, and nothing after it starts until it has. Otherwise
   * the task hands an async call to the engine thread as soon as its turn comes, behind the
   * calls still running there (the engine thread runs them one at a time, each source's in that
   * order, the sources taking turns).
   */
  exclusive?: boolean;
  /** Before every task not yet started (a read of state that needs no place in line order). */
  first?: boolean;
}

/**
 * The one line of work for an engine: batches, ticks, reloads and reads of its state are handed
 * over in the order they were queued, so a reload falls between two batches, never during one.
 *
 * Batches, ticks and stats reads are async calls: each is handed to the engine thread as soon as
 * its turn comes here, without waiting for the calls before it to finish. The engine thread runs
 * them one at a time, each source's in the order they arrived (its results come back in that
 * order, so journaling a batch's position and alerts follows line order), the sources, ticks
 * and reads taking turns, a batch a slice at a time (crates/crowdwatch-node/src/lanes.rs,
 * batch_steps.rs): a line of a quiet source waits for the slice in the engine, not for a busy
 * source's backlog. Handing them over at once means their lines are
 * copied once, by the addon, out of the JS heap: a batch only waits here (copied, in a Buffer V8
 * counts) while an exclusive task runs or waits.
 *
 * An exclusive task (a sync call: the addon refuses those with CW_BUSY while async calls are
 * pending) starts once every task before it has finished, and holds back every task after it.
 */
export class EngineQueue {
  private readonly tasks: Task[] = [];
  /** Tasks started and not finished. */
  private running = 0;
  private exclusiveRunning = false;
  private full = false;
  private readonly high: number;
  private readonly low: number;
  /** Bytes of lines queued or in the engine. */
  bytes = 0;
  /** Times the high mark was crossed. */
  pauses = 0;

  constructor(private readonly options: EngineQueueOptions = {}) {
    this.high = options.highBytes ?? ENGINE_QUEUE_HIGH_BYTES;
    this.low = options.lowBytes ?? ENGINE_QUEUE_LOW_BYTES;
  }

  /** Nothing queued or running. */
  get idle(): boolean {
    return this.running === 0 && this.tasks.length === 0;
  }

  /** Whether a task queued now with these options would start at once, inside `run`. */
  startsNow(options: { exclusive?: boolean } = {}): boolean {
    return this.tasks.length === 0 && (options.exclusive ? this.running === 0 : !this.exclusiveRunning);
  }

  /** Whether reading should be paused for this queue now. */
  get isFull(): boolean {
    return this.full;
  }

  /**
   * Queues `work` (see `RunOptions`). Resolves or rejects as `work` does; a failure does not
   * stop the queue.
   */
  run<T>(work: () => T | Promise<T>, options: RunOptions = {}): Promise<T> {
    const bytes = options.bytes ?? 0;
    return new Promise<T>((resolve, reject) => {
      const task: Task = {
        bytes,
        exclusive: options.exclusive === true,
        start: async () => {
          try {
            resolve(await work());
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        },
      };
      if (options.first) this.tasks.unshift(task);
      else this.tasks.push(task);
      this.bytes += bytes;
      if (!this.full && this.bytes > this.high) {
        this.full = true;
        this.pauses++;
        this.options.onPressure?.(true);
      }
      this.next();
    });
  }

  /** Starts the tasks at the head of the line that may start now. */
  private next(): void {
    for (;;) {
      const task = this.tasks[0];
      if (!task || (task.exclusive ? this.running > 0 : this.exclusiveRunning)) return;
      this.tasks.shift();
      this.running++;
      if (task.exclusive) this.exclusiveRunning = true;
      const done = (): void => {
        this.running--;
        if (task.exclusive) this.exclusiveRunning = false;
        this.bytes -= task.bytes;
        if (this.full && this.bytes <= this.low) {
          this.full = false;
          this.options.onPressure?.(false);
        }
        this.next();
      };
      // `start` runs the work up to its first await now (an async call is handed over inside
      // `run`), settles the caller's promise itself and never rejects.
      task.start().then(done, done);
    }
  }
}
