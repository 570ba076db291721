import { randomUUID } from 'node:crypto';
import type { AcquisitionSource, LineSink, Position, Stream } from '../acquisition';
import { addCounters, zeroCounters } from '../engine/counters';
import type { Alert, Counters, Engine, SourceHandle } from '../engine/native';
import type { AgentJournal, PendingAlert } from './journal';
import { type AlertPusher, Outbox } from './outbox';

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
  /** Outbox backpressure marks. */
  highWater?: number;
  lowWater?: number;
}

/** Per-stream figures for `crowdwatch metrics` and the Prometheus endpoint. */
export interface StreamStats {
  stream: Stream;
  counters: Counters;
  batches: number;
  /** Time spent in the engine on this stream's batches. */
  engineMs: number;
}

/**
 * The detection side of the daemon: every source's lines go through the engine in batches
 * (live mode: the wall clock drives the buckets); alerts are journaled with the read positions
 * that produced them, then pushed to the API by the outbox.
 */
export class Agent implements LineSink {
  private readonly handles = new Map<string, SourceHandle>();
  readonly streams = new Map<string, StreamStats>();
  private readonly positions: Map<string, Position>;
  private readonly outbox: Outbox;
  private timers: NodeJS.Timeout[] = [];
  private dirty = false;
  private stopping = false;
  alertsRaised = 0;

  constructor(private readonly options: AgentOptions) {
    this.positions = new Map(options.journal.positions);
    this.outbox = new Outbox(options.journal, options.pusher, {
      log: options.log,
      ...(options.highWater !== undefined ? { highWater: options.highWater } : {}),
      ...(options.lowWater !== undefined ? { lowWater: options.lowWater } : {}),
      onBacklog: (full) => {
        options.log(full ? `${this.outbox.backlog} alerts waiting for the API: reading paused` : 'the API caught up: reading again');
        for (const s of options.sources) {
          if (full) s.pause();
          else s.resume();
        }
      },
    });
  }

  get backlog(): number {
    return this.outbox.backlog;
  }

  get pushed(): number {
    return this.outbox.pushed;
  }

  async start(): Promise<void> {
    const { journal, sources, engine } = this.options;
    if (journal.discarded > 0) this.options.log(`journal: ignored a torn last record (its lines are read again)`);
    if (journal.pending.size > 0) this.options.log(`journal: ${journal.pending.size} alert(s) from before the restart still to push`);
    this.outbox.kick();
    for (const source of sources) await source.start(this, journal.positions);
    this.timers.push(setInterval(() => this.emit(engine.tick()), this.options.tickMs ?? 1000));
    this.timers.push(setInterval(() => this.checkpoint(), this.options.checkpointMs ?? 1000));
  }

  lines(stream: Stream, lines: Buffer, position?: Position): void {
    let handle = this.handles.get(stream.key);
    if (!handle) {
      handle = this.options.engine.source(stream.labels, stream.src, stream.module);
      this.handles.set(stream.key, handle);
    }
    let stats = this.streams.get(stream.key);
    if (!stats) {
      stats = { stream, counters: zeroCounters(), batches: 0, engineMs: 0 };
      this.streams.set(stream.key, stats);
    }
    const started = performance.now();
    const result = this.options.engine.processBatch(handle, lines);
    stats.engineMs += performance.now() - started;
    addCounters(stats.counters, result.counters);
    stats.batches++;
    if (position) {
      this.positions.set(stream.key, position);
      this.dirty = true;
    }
    this.emit(result.alerts);
  }

  /** Where reading of a stream stands (what a restart would resume from). */
  position(key: string): Position | undefined {
    return this.positions.get(key);
  }

  warn(message: string): void {
    this.options.log(message);
  }

  /** Journals alerts with the positions that account for them, then hands them to the outbox. */
  private emit(alerts: Alert[]): void {
    if (alerts.length === 0) return;
    const pending: PendingAlert[] = alerts.map((alert) => ({ uuid: randomUUID(), json: JSON.stringify(alert) }));
    this.options.journal.recordBatch(this.positions, pending);
    this.dirty = false;
    this.alertsRaised += alerts.length;
    this.outbox.kick();
  }

  private checkpoint(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.options.journal.recordPositions(this.positions);
  }

  /** Reload: a source the new acquisition config adds, resuming where its streams stopped before. */
  async addSource(source: AcquisitionSource): Promise<void> {
    this.options.sources.push(source);
    if (this.outbox.backlog >= (this.options.highWater ?? 10_000)) source.pause();
    await source.start(this, this.positions);
  }

  /** Reload: a source the new acquisition config drops; its positions stay journaled. */
  async removeSource(source: AcquisitionSource): Promise<void> {
    const i = this.options.sources.indexOf(source);
    if (i >= 0) this.options.sources.splice(i, 1);
    await source.stop();
    this.checkpoint();
  }

  /** SIGTERM: stop reading, journal where every stream stopped, push what is left (bounded wait). */
  async stop(drainMs = 5000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.all(this.options.sources.map((s) => s.stop().catch((e: Error) => this.options.log(`${s.name}: ${e.message}`))));
    this.emit(this.options.engine.tick());
    this.options.journal.recordPositions(this.positions);
    const drained = await this.outbox.drain(drainMs);
    if (!drained) this.options.log(`${this.outbox.backlog} alert(s) not pushed yet: kept in the journal for the next start`);
    this.outbox.stop();
    this.options.journal.close();
  }
}
