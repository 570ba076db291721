import { randomUUID } from 'node:crypto';
import type { AcquisitionSource, LineSink, Position, Stream } from '../acquisition';
import { addCounters, zeroCounters } from '../engine/counters';
import type { Alert, Counters, Engine, SourceHandle, Stats } from '../engine/native';
import { EngineQueue } from './engine-queue';
import type { AgentJournal, PendingAlert } from './journal';
import type { BucketSnapshots } from './bucket-snapshots';
import { type AlertPusher, Outbox } from './outbox';
import { type PauseReason, ReadingGate } from './reading-gate';

export interface AgentOptions {
  engine: Engine;
  journal: AgentJournal;
  pusher: AlertPusher;
  sources: AcquisitionSource[];
  log: (message: string) => void;
  /** Bucket housekeeping (underflow, counters' timed overflows); default 1 s. */
  tickMs?: number;
  /** How often positions of alert-free lines are journaled; default 1 s. */
  checkpointMs?: number;
  /** Outbox backpressure marks (alerts waiting for the API). */
  highWater?: number;
  lowWater?: number;
  /** Engine queue backpressure marks (bytes of lines read and not yet processed). */
  queueHighBytes?: number;
  queueLowBytes?: number;
  /** Where the buckets are written at stop and every `snapshotMs` (live mode; none: never). */
  snapshots?: BucketSnapshots;
  /** Default 5 min. */
  snapshotMs?: number;
}

/** Per-stream figures for `crowdwatch metrics` and the Prometheus endpoint. */
export interface StreamStats {
  stream: Stream;
  counters: Counters;
  batches: number;
  /** Time the engine spent on this stream's batches, as it reports for each (`engineMs`). */
  engineMs: number;
}

/**
 * The detection side of the daemon: every source's lines go through the engine in batches
 * (live mode: the wall clock drives the buckets), on the engine's own thread, one batch at a
 * time, each source's in the order they were read, the sources taking turns (`EngineQueue`);
 * ticks take their turn there in a lane of their own, reads of the engine's state (metrics) in
 * another, between two slices of a batch, and reloads fall between two batches. Once a batch is
 * processed, the positions it reached and the alerts it produced are journaled together, then
 * the outbox pushes the alerts to the API.
 */
export class Agent implements LineSink {
  private readonly handles = new Map<string, SourceHandle>();
  readonly streams = new Map<string, StreamStats>();
  /** Where each stream's processed lines end: what the journal records, and a restart resumes from. */
  private readonly positions: Map<string, Position>;
  private readonly outbox: Outbox;
  private readonly queue: EngineQueue;
  private readonly gate = new ReadingGate(() => this.options.sources);
  /** The source each stream's lines come from (known once it sent some, through `sinkFor`). */
  private readonly sourceOf = new Map<string, AcquisitionSource>();
  private timers: NodeJS.Timeout[] = [];
  private dirty = false;
  private stopping = false;
  private tickQueued = false;
  private snapshotTimer: NodeJS.Timeout | null = null;
  private lastPauseLog = 0;
  alertsRaised = 0;
  /** Batches or ticks the engine failed on (CW_PANIC: their alerts are lost, the lines not read again). */
  engineFailures = 0;

  constructor(private readonly options: AgentOptions) {
    this.positions = new Map(options.journal.positions);
    this.outbox = new Outbox(options.journal, options.pusher, {
      log: options.log,
      ...(options.highWater !== undefined ? { highWater: options.highWater } : {}),
      ...(options.lowWater !== undefined ? { lowWater: options.lowWater } : {}),
      onBacklog: (full) => {
        options.log(full ? `${this.outbox.backlog} alerts waiting for the API: reading paused` : 'the API caught up: reading again');
        this.gate.set('outbox', full);
      },
    });
    this.queue = new EngineQueue({
      ...(options.queueHighBytes !== undefined ? { highBytes: options.queueHighBytes } : {}),
      ...(options.queueLowBytes !== undefined ? { lowBytes: options.queueLowBytes } : {}),
      onPressure: (full) => {
        // Under a sustained overload this flips often: say so once a minute, count every time.
        if (full && Date.now() - this.lastPauseLog > 60_000) {
          this.lastPauseLog = Date.now();
          options.log(`the engine is behind (${(this.queue.bytes / 1048576).toFixed(1)} MiB of lines waiting): reading paused until it catches up (sources with no lines waiting go on)`);
        }
        this.gate.set('engine', full);
      },
    });
  }

  /** Why reading is paused now (empty when it is not). */
  get pausedFor(): PauseReason[] {
    return this.gate.holding;
  }

  /** The sink a source is started with: its lines are known to be its own (see `ReadingGate`). */
  private sinkFor(source: AcquisitionSource): LineSink {
    return {
      lines: (stream, lines, position) => {
        this.sourceOf.set(stream.key, source);
        this.lines(stream, lines, position);
      },
      warn: (message) => this.warn(message),
      forget: (stream) => {
        this.sourceOf.delete(stream.key);
        this.forget(stream);
      },
    };
  }

  /** Bytes of lines read and not yet processed (the batch in the engine included). */
  get queuedBytes(): number {
    return this.queue.bytes;
  }

  /** Times reading paused because the engine was behind. */
  get queuePauses(): number {
    return this.queue.pauses;
  }

  get backlog(): number {
    return this.outbox.backlog;
  }

  get pushed(): number {
    return this.outbox.pushed;
  }

  /** Alerts the API refused for good, in the dead-letter file. */
  get refused(): number {
    return this.outbox.refused;
  }

  async start(): Promise<void> {
    const { journal, sources } = this.options;
    if (journal.discarded > 0) this.options.log(`journal: ignored a torn last record (its lines are read again)`);
    if (journal.pending.size > 0) this.options.log(`journal: ${journal.pending.size} alert(s) from before the restart still to push`);
    this.outbox.kick();
    for (const source of sources) await source.start(this.sinkFor(source), journal.positions);
    this.timers.push(setInterval(() => this.queueTick(), this.options.tickMs ?? 1000));
    this.timers.push(setInterval(() => this.checkpoint(), this.options.checkpointMs ?? 1000));
    this.scheduleSnapshot();
  }

  /** The next periodic snapshot, after `snapshotMs` or longer if the last one was slow. */
  private scheduleSnapshot(): void {
    const snapshots = this.options.snapshots;
    if (!snapshots || this.stopping) return;
    this.snapshotTimer = setTimeout(() => {
      // checkpointBuckets logs its own failures and never rejects.
      this.checkpointBuckets().then(
        () => this.scheduleSnapshot(),
        () => this.scheduleSnapshot(),
      );
    }, snapshots.nextDelay(this.options.snapshotMs ?? 5 * 60_000));
  }

  /**
   * The positions, then the buckets, with no batch in the engine: both describe the same lines.
   * After a crash the journal's positions are never older than the snapshot (the positions go
   * first), so a line is never counted twice; what was counted after the last snapshot is lost
   * from the buckets (its alerts are journaled). Failures are logged; detection goes on.
   */
  async checkpointBuckets(): Promise<void> {
    const snapshots = this.options.snapshots;
    if (!snapshots) return;
    await this.queue
      .run(
        async () => {
          this.options.journal.recordPositions(this.positions);
          this.dirty = false;
          await snapshots.write();
        },
        { exclusive: true },
      )
      .catch((error: Error) => this.options.log(`buckets: snapshot not written: ${error.message}`));
  }

  lines(stream: Stream, lines: Buffer, position?: Position): void {
    let stats = this.streams.get(stream.key);
    if (!stats) {
      stats = { stream, counters: zeroCounters(), batches: 0, engineMs: 0 };
      this.streams.set(stream.key, stats);
      this.register(stream);
    }
    // A source may reuse the buffer once this returns (a file follower reads into the same one):
    // a batch handed to the engine now is copied by the addon at the call, one that waits is
    // copied here.
    const batch = this.queue.startsNow() ? lines : Buffer.from(lines);
    const counted = stats;
    const source = this.sourceOf.get(stream.key) ?? null;
    this.gate.queued(source, batch.length);
    const work = async (): Promise<void> => {
      try {
        await this.process(counted, batch, position);
      } finally {
        this.gate.queued(source, -batch.length);
      }
    };
    this.queue.run(work, { bytes: batch.length }).catch((error: Error) => this.engineFailed(`${stream.src}: a batch`, error));
  }

  /**
   * A stream gone for good (a deleted file): its position and figures are dropped once its last
   * batch is processed, so date-stamped logs do not grow the journal and the metrics for ever.
   */
  forget(stream: Stream): void {
    this.queue
      .run(
        () => {
          this.positions.delete(stream.key);
          this.streams.delete(stream.key);
          // The engine keeps the source it registered (a few hundred bytes); a file that takes
          // the name later registers again.
          this.handles.delete(stream.key);
          this.options.journal.forgetPositions([stream.key]);
        },
        { exclusive: true },
      )
      .catch((error: Error) => this.options.log(`${stream.src}: forgetting its position failed: ${error.message}`));
  }

  /** A new stream's source in the engine: a sync call, so it waits for the calls in flight. */
  private register(stream: Stream): void {
    this.queue
      .run(
        () => {
          this.handles.set(stream.key, this.options.engine.source(stream.labels, stream.src, stream.module));
        },
        { exclusive: true },
      )
      .catch((error: Error) => this.engineFailed(`${stream.src}: registering the source`, error));
  }

  /** One batch on the engine thread; then its position and alerts are journaled together. */
  private async process(stats: StreamStats, lines: Buffer, position?: Position): Promise<void> {
    const key = stats.stream.key;
    const handle = this.handles.get(key);
    if (!handle) throw new Error('its source could not be registered');
    try {
      const result = await this.options.engine.processBatchAsync(handle, lines);
      addCounters(stats.counters, result.counters);
      stats.engineMs += result.engineMs;
      // The position first: the journal record of these alerts must carry it.
      if (position) this.positions.set(key, position);
      await this.emit(result.alerts);
    } catch (error) {
      // CW_PANIC: this batch's alerts are lost (see ARCHITECTURE.md); its lines are not read
      // again, as they would not be if a later batch of the stream had moved the position on.
      if (position) this.positions.set(key, position);
      throw error;
    } finally {
      stats.batches++;
      if (position) this.dirty = true;
    }
  }

  private engineFailed(what: string, error: Error): void {
    this.engineFailures++;
    this.options.log(`${what} failed in the engine: ${error.message}`);
  }

  /** Bucket housekeeping, queued with the batches (at most one waits at a time). */
  private queueTick(): void {
    if (this.tickQueued) return;
    this.tickQueued = true;
    this.tick().catch((error: Error) => this.engineFailed('a tick', error));
  }

  /**
   * A tick, handed to the engine thread after the tasks queued before it; it takes its turn there
   * in a lane of its own. Its alerts are journaled with the positions.
   */
  private tick(): Promise<void> {
    return this.queue.run(async () => {
      this.tickQueued = false;
      await this.emit(await this.options.engine.tickAsync());
    });
  }

  /**
   * Runs `work` with the engine to itself, between two batches: after everything queued before
   * it, before anything queued after it (a reload).
   */
  exclusive<T>(work: (engine: Engine) => T): Promise<T> {
    return this.queue.run(() => work(this.options.engine), { exclusive: true });
  }

  /**
   * The engine's stats, read on the engine thread in a lane of its own, between two slices of
   * whatever runs there: it waits for none of the batches queued (nor for a reload waiting for
   * them), and none waits for it.
   */
  engineStats(): Promise<Stats> {
    return this.queue.run(() => this.options.engine.statsAsync(), { first: true });
  }

  /** Where reading of a stream stands (what a restart would resume from). */
  position(key: string): Position | undefined {
    return this.positions.get(key);
  }

  warn(message: string): void {
    this.options.log(message);
  }

  /**
   * Journals alerts with the positions that account for them and hands them to the outbox at
   * once (written, they survive a crash of the process; the fsync that guards them against a
   * power loss follows on libuv's pool). Never rejects: alerts the journal could not take are
   * pushed all the same.
   */
  private async emit(alerts: Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    const pending: PendingAlert[] = alerts.map((alert) => ({ uuid: randomUUID(), json: JSON.stringify(alert) }));
    this.dirty = false;
    this.alertsRaised += alerts.length;
    const durable = this.options.journal.recordBatch(this.positions, pending);
    this.outbox.kick();
    try {
      await durable;
    } catch (error) {
      this.options.log(`journal: ${alerts.length} alert(s) could not be written to disk (${(error as Error).message}); pushing them anyway`);
    }
  }

  private checkpoint(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.options.journal.recordPositions(this.positions);
  }

  /** Reload: a source the new acquisition config adds, resuming where its streams stopped before. */
  async addSource(source: AcquisitionSource): Promise<void> {
    this.options.sources.push(source);
    this.gate.apply();
    await source.start(this.sinkFor(source), this.positions);
  }

  /** Resolves once every task queued so far has finished (an exclusive task starts only then). */
  private processed(): Promise<void> {
    return this.queue.run(() => undefined, { exclusive: true });
  }

  /**
   * Reload: a source the new acquisition config drops. Its lines already read are processed
   * first, so its positions are journaled where they end and a source added in its place
   * (same files, other settings) resumes there and reads nothing twice.
   */
  async removeSource(source: AcquisitionSource): Promise<void> {
    const i = this.options.sources.indexOf(source);
    if (i >= 0) this.options.sources.splice(i, 1);
    await source.stop();
    await this.processed();
    this.gate.forget(source);
    this.checkpoint();
  }

  /**
   * SIGTERM: stop reading, let the engine finish the lines already read, tick, journal where
   * every stream stopped, push what is left (bounded wait).
   */
  async stop(drainMs = 5000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    await Promise.all(this.options.sources.map((s) => s.stop().catch((e: Error) => this.options.log(`${s.name}: ${e.message}`))));
    // The engine thread serves ticks in a lane of their own: the last tick alone would not wait
    // for the batches read before the stop.
    await this.processed();
    await this.tick().catch((error: Error) => this.engineFailed('the last tick', error));
    this.options.journal.recordPositions(this.positions);
    await this.checkpointBuckets();
    const drained = await this.outbox.drain(drainMs);
    if (!drained) this.options.log(`${this.outbox.backlog} alert(s) not pushed yet: kept in the journal for the next start`);
    this.outbox.stop();
    this.options.journal.close();
  }
}
