// The engine's buckets on disk: restored at start, written at a clean stop and every few minutes,
// so an attacker's half-filled bucket survives a restart (see Agent.checkpointBuckets for when).
// Both run on the engine thread: 3 million buckets take seconds, which the API must not wait for.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../engine/native';

/** The snapshot file in a data dir. */
export const bucketSnapshotFile = (dataDir: string): string => path.join(dataDir, 'buckets.snapshot');

/** A snapshot that took `ms` waits at least 100 times that for the next: at most 1% of the engine's time. */
export const SNAPSHOT_COST_FACTOR = 100;

export class BucketSnapshots {
  /** Snapshots written, and the last one's size and duration (for logs and tests). */
  written = 0;
  lastBytes = 0;
  lastMs = 0;

  constructor(
    private readonly file: string,
    private readonly engine: Engine,
    private readonly log: (message: string) => void,
  ) {}

  /**
   * Takes over the file's buckets, if there is one. A file that does not read (or another mode's)
   * is reported and set aside as `<file>.bad`, never fatal: detection starts empty instead.
   */
  async restore(): Promise<void> {
    if (!fs.existsSync(this.file)) return;
    try {
      const r = await this.engine.restoreBucketsFromFileAsync(this.file);
      const skipped = r.skipped.length > 0 ? `; changed since, starting empty: ${r.skipped.join(', ')}` : '';
      this.log(`buckets: restored ${r.buckets} bucket(s) of ${r.scenarios} scenario(s) from ${this.file}${skipped}`);
    } catch (error) {
      fs.renameSync(this.file, `${this.file}.bad`);
      this.log(`buckets: ${(error as Error).message}; starting empty (the file is kept as ${this.file}.bad)`);
    }
  }

  /** Writes the engine's buckets now (the caller makes sure no batch is in the engine). */
  async write(): Promise<void> {
    const { bytes, ms } = await this.engine.snapshotBucketsToFileAsync(this.file);
    this.written++;
    this.lastBytes = bytes;
    this.lastMs = ms;
  }

  /** When the next periodic snapshot may run: `everyMs`, or later if the last one was slow. */
  nextDelay(everyMs: number): number {
    return Math.max(everyMs, this.lastMs * SNAPSHOT_COST_FACTOR);
  }
}
