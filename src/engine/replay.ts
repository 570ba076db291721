import * as fs from 'node:fs/promises';
import { addCounters, zeroCounters } from './counters';
import { readLineBatches } from './line-batches';
import type { Alert, Counters, Engine, SourceHandle } from './native';

export interface ReplayProgress {
  bytesDone: number;
  bytesTotal: number;
  counters: Readonly<Counters>;
}

export interface ReplayOptions {
  maxLineBytes: number;
  chunkBytes?: number;
  onProgress?: (progress: ReplayProgress) => void;
}

export interface ReplayResult {
  counters: Counters;
  alerts: Alert[];
  bytes: number;
  elapsedMs: number;
  /** Buckets still filling when the file ended (they would overflow only on more lines). */
  liveBuckets: number;
}

/**
 * Replays one log file through the engine: large reads, one processBatch call per read
 * (never per line), counters and alerts accumulated across batches.
 */
export async function replayFile(
  engine: Engine,
  source: SourceHandle,
  file: string,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const started = performance.now();
  const counters = zeroCounters();
  const alerts: Alert[] = [];
  const handle = await fs.open(file, 'r');
  let bytes = 0;
  try {
    const bytesTotal = (await handle.stat()).size;
    const batches = readLineBatches(handle, {
      maxLineBytes: options.maxLineBytes,
      ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }),
    });
    for await (const { lines, bytesRead } of batches) {
      bytes = bytesRead;
      if (lines.length > 0) {
        const result = engine.processBatch(source, lines);
        addCounters(counters, result.counters);
        for (const alert of result.alerts) alerts.push(alert);
      }
      options.onProgress?.({ bytesDone: bytesRead, bytesTotal: Math.max(bytesTotal, bytesRead), counters });
    }
  } finally {
    await handle.close();
  }
  const elapsedMs = performance.now() - started;
  return { counters, alerts, bytes, elapsedMs, liveBuckets: engine.stats().live_buckets };
}
