import type { AcquisitionSource } from '../acquisition';

/** Why reading is paused: alerts waiting for the API, or lines waiting for the engine. */
export type PauseReason = 'outbox' | 'engine';

/**
 * Which sources read. Alerts piling up for the API pause every source (`outbox`). Lines piling
 * up for the engine (`engine`: the queue above its high mark, until it is down to its low mark)
 * pause only the sources that have lines waiting in it: the engine thread serves sources in
 * turn, so a source with nothing waiting, an auth log beside a flooded access log, keeps
 * reading, one batch at a time (it pauses while that batch waits and resumes once it is
 * processed), and its attack lines are served next instead of waiting in their file until the
 * flood has drained. The queue then holds at most its high mark plus one read per such source.
 * Lines not known to come from a source (`null`) pause every source, as they did before sources
 * were told apart.
 */
export class ReadingGate {
  private readonly reasons = new Set<PauseReason>();
  /** Bytes of each source's lines in the engine queue (the batch in the engine included). */
  private readonly waiting = new Map<AcquisitionSource | null, number>();
  private readonly paused = new Set<AcquisitionSource>();

  constructor(private readonly sources: () => readonly AcquisitionSource[]) {}

  /** A reason to pause starts (`on`) or ends. */
  set(reason: PauseReason, on: boolean): void {
    if (on) this.reasons.add(reason);
    else this.reasons.delete(reason);
    this.apply();
  }

  /** The reasons that hold now (empty when none does). */
  get holding(): PauseReason[] {
    return [...this.reasons];
  }

  /** `bytes` of `source`'s lines entered the engine queue (negative: left it, processed). */
  queued(source: AcquisitionSource | null, bytes: number): void {
    const before = this.waiting.get(source) ?? 0;
    const after = before + bytes;
    if (after > 0) this.waiting.set(source, after);
    else this.waiting.delete(source);
    if (before > 0 !== after > 0) this.apply();
  }

  /** A source taken out (reload): nothing of it is held any longer. */
  forget(source: AcquisitionSource): void {
    this.paused.delete(source);
    this.waiting.delete(source);
  }

  /** Whether `source` should be paused now. */
  private holds(source: AcquisitionSource): boolean {
    if (this.reasons.has('outbox')) return true;
    if (!this.reasons.has('engine')) return false;
    return this.waiting.has(source) || this.waiting.has(null);
  }

  /** Pauses and resumes the sources whose state differs from what `holds` says. */
  apply(): void {
    for (const source of this.sources()) {
      const hold = this.holds(source);
      if (hold === this.paused.has(source)) continue;
      if (hold) {
        this.paused.add(source);
        source.pause();
      } else {
        this.paused.delete(source);
        source.resume();
      }
    }
  }
}
