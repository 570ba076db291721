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
  /** Runs the work and settles the caller's promise; never rejects. */
  start: () => Promise<void>;
}

/**
 * The one ordered line of work for an engine: batches, ticks, reloads and reads of its state run
 * one at a time in the order they were queued, so lines reach the engine in the order they were
 * read (per source and across sources), and a reload or tick falls between two batches, never
 * during one. A task queued while the line is empty starts at once, inside `run`: a batch handed
 * over then is copied by the addon before `run` returns.
 *
 * The engine works on its own thread (`processBatchAsync`), so the event loop stays free while a
 * batch runs; only one batch is in the engine at a time, and the sync exports a task may call
 * (registering a source, stats, reload) then find it idle instead of answering CW_BUSY.
 */
export class EngineQueue {
  private readonly tasks: Task[] = [];
  private running = false;
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

  /** Nothing queued or running: a task queued now starts at once. */
  get idle(): boolean {
    return !this.running && this.tasks.length === 0;
  }

  /** Whether reading should be paused for this queue now. */
  get isFull(): boolean {
    return this.full;
  }

  /**
   * Queues `work` behind everything queued before it (`first`: before everything not yet
   * started, for reads of state that need no place in line order); `bytes` are the lines it
   * carries, counted until it has finished. Resolves or rejects as `work` does; a failure does
   * not stop the queue.
   */
  run<T>(work: () => T | Promise<T>, options: { bytes?: number; first?: boolean } = {}): Promise<T> {
    const bytes = options.bytes ?? 0;
    return new Promise<T>((resolve, reject) => {
      const task: Task = {
        bytes,
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

  private next(): void {
    if (this.running) return;
    const task = this.tasks.shift();
    if (!task) return;
    this.running = true;
    const done = (): void => {
      this.running = false;
      this.bytes -= task.bytes;
      if (this.full && this.bytes <= this.low) {
        this.full = false;
        this.options.onPressure?.(false);
      }
      this.next();
    };
    // `start` settles the caller's promise itself and never rejects.
    task.start().then(done, done);
  }
}
