// Child process of `crowdwatch bench`: replays one file exactly as `crowdwatch replay` does
// (same engine options, same batch reader) and reports time, alerts and memory.
import * as path from 'node:path';
import { bindings } from '../engine/native';
import { DEFAULT_MAX_LINE_BYTES, resolveEngineOptions } from '../engine/options';
import { replayFile } from '../engine/replay';
import { childMain, peakRssBytes, reportProgress } from './child';

export interface ReplayChildArgs {
  file: string;
  type: string;
  configDir?: string;
  /** The engine's parallel mode (parse and pour on two threads). */
  parallel?: boolean;
}

export interface ReplayMeasurement {
  loadMs: number;
  replayMs: number;
  lines: number;
  alerts: Array<{ scenario: string; source_ip: string }>;
  liveBuckets: number;
  peakRssBytes: number;
  heapBytes: number;
}

async function run(args: ReplayChildArgs): Promise<ReplayMeasurement> {
  const t0 = performance.now();
  const native = bindings();
  const engine = native.Engine.load(resolveEngineOptions({ configDir: args.configDir, mode: 'replay', parallel: args.parallel }));
  const source = engine.source({ type: args.type }, path.resolve(args.file), 'file');
  const loadMs = performance.now() - t0;
  const result = await replayFile(engine, source, args.file, {
    maxLineBytes: DEFAULT_MAX_LINE_BYTES,
    onProgress: (p) => reportProgress(p.bytesDone, p.bytesTotal),
  });
  return {
    loadMs,
    replayMs: result.elapsedMs,
    lines: result.counters.lines,
    alerts: result.alerts.map((a) => ({ scenario: a.scenario, source_ip: a.source.ip || a.source.value })),
    liveBuckets: result.liveBuckets,
    peakRssBytes: peakRssBytes(),
    heapBytes: native.nativeMemory().heapBytes,
  };
}

if (require.main === module) childMain(run);
