// `crowdwatch bench`: generate the logs, measure the floor, replay each log with each content set
// (a fresh process per measurement), measure bucket memory, and run the peers on the same logs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildHubConfig, findReference, isSkip, TARGET_COLLECTIONS } from '../reference/crowdsec';
import { runChild } from './child';
import { compareWithManifest, type Detection } from './detection';
import { measureFloor, type FloorMeasurement } from './floor';
import { generateNginx } from './gen/nginx';
import { generateSshd } from './gen/sshd';
import type { MemoryChildArgs, MemoryMeasurement } from './memory-child';
import { runCrowdsec, runFail2banRegex, type PeerOutcome } from './reference-runs';
import type { ReplayChildArgs, ReplayMeasurement } from './replay-child';

export type LogKind = 'nginx' | 'sshd';
export type Peer = 'crowdsec' | 'fail2ban';

export interface BenchOptions {
  lines: number;
  seed: number;
  logs: LogKind[];
  /** Distinct attacking addresses for the memory measurement (0: skip it). */
  bucketIps: number;
  /** Content sets: `ours` (scenarios/), `hub` (Debian's hub, the target collections), or a directory. */
  contents: string[];
  /** Also replay each log with the first content set in the parallel mode (two threads). */
  parallel: boolean;
  vs: Peer[];
  /** Another checkout of crowdwatch, built: each replay is run there too, right after ours. */
  baseline?: string;
  /** Lines the peers replay (a prefix of the same log: they are orders of magnitude slower). */
  vsLines: number;
  /** Called at each step; `total` 0 means no measurable progress. */
  onStep?: (label: string) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface ContentRun {
  content: string;
  /** `this` checkout, or the `baseline` one (`--baseline`). */
  build: 'this' | 'baseline';
  /** On this checkout's runs with `--baseline`: its lines/s ÷ the baseline's on the same replay. */
  vsBaseline?: number;
  /** 1, or 2 for the parallel mode (parse and pour on two threads). */
  threads: number;
  configDir?: string;
  /** Process start to exit: node, engine load, replay (what `crowdwatch replay` costs). */
  wallSeconds: number;
  linesPerSec: number;
  /** The replay loop alone (batches through the addon), without start-up and load. */
  engineLinesPerSec: number;
  loadMs: number;
  /** floor lines/s ÷ end-to-end lines/s. */
  floorRatio: number;
  peakRssBytes: number;
  liveBuckets: number;
  detection: Detection;
}

export interface LogReport {
  log: LogKind;
  type: string;
  lines: number;
  bytes: number;
  floor: FloorMeasurement;
  runs: ContentRun[];
  peers: Array<PeerOutcome & { ratio?: number }>;
}

export interface MemoryReport extends MemoryMeasurement {
  content: string;
  /** Resident bytes added per live bucket (whole process, RSS delta ÷ buckets). */
  rssBytesPerBucket: number;
  /** Engine heap bytes per live bucket (the addon's allocator count). */
  heapBytesPerBucket: number;
}

export interface BenchReport {
  seed: number;
  /** The other checkout each replay was also run in (`--baseline`). */
  baseline?: string;
  node: string;
  cpu: string;
  logs: LogReport[];
  memory: MemoryReport[];
  notes: string[];
}

const GENERATORS = { nginx: { type: 'nginx', generate: generateNginx }, sshd: { type: 'syslog', generate: generateSshd } } as const;

export async function runBench(opts: BenchOptions): Promise<BenchReport> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crowdwatch-bench-'));
  const notes: string[] = [];
  const step = (label: string) => opts.onStep?.(label);
  try {
    const contents = resolveContents(opts.contents, work, notes);
    const baselineRoot = opts.baseline === undefined ? undefined : baselineBenchDir(opts.baseline);
    const logs: LogReport[] = [];
    for (const log of opts.logs) {
      const { type, generate } = GENERATORS[log];
      step(`generating ${opts.lines.toLocaleString('en-US')} ${log} lines (seed ${opts.seed})`);
      const file = path.join(work, `${log}.log`);
      const g = generate({ lines: opts.lines, seed: opts.seed, out: file, linesPerSecond: 200 });
      step(`${log}: read-and-split floor`);
      const floor = measureFloor(file);
      const runs: ContentRun[] = [];
      const plan = [...contents.map((c) => ({ c, parallel: false })), ...(opts.parallel && contents.length > 0 ? [{ c: contents[0], parallel: true }] : [])];
      for (const { c, parallel } of plan) {
        step(`${log}: replay with ${c.name} content${parallel ? ', parallel mode' : ''}`);
        const args: ReplayChildArgs = { file, type, ...(c.configDir ? { configDir: c.configDir } : {}), ...(parallel ? { parallel } : {}) };
        const builds = baselineRoot ? (['this', 'baseline'] as const) : (['this'] as const);
        const pair: ContentRun[] = [];
        for (const build of builds) {
          if (build === 'baseline') step(`${log}: the same replay in the baseline ${opts.baseline}`);
          const root = build === 'baseline' ? baselineRoot : undefined;
          const t0 = performance.now();
          const m = await runChild<ReplayMeasurement>('replay-child', args, { onProgress: opts.onProgress, ...(root ? { root } : {}) });
          const wallSeconds = (performance.now() - t0) / 1000;
          const linesPerSec = m.lines / wallSeconds;
          pair.push({
            content: c.name,
            build,
            threads: parallel ? 2 : 1,
            ...(c.configDir ? { configDir: c.configDir } : {}),
            wallSeconds,
            linesPerSec,
            engineLinesPerSec: m.lines / (m.replayMs / 1000),
            loadMs: m.loadMs,
            floorRatio: floor.linesPerSec / linesPerSec,
            peakRssBytes: m.peakRssBytes,
            liveBuckets: m.liveBuckets,
            detection: compareWithManifest(m.alerts, g.manifest),
          });
        }
        if (pair.length === 2) pair[0].vsBaseline = pair[0].linesPerSec / pair[1].linesPerSec;
        runs.push(...pair);
      }
      const peers = await runPeers(opts, log, type, file, contents, runs, work, step);
      logs.push({ log, type, lines: g.lines, bytes: g.bytes, floor, runs, peers });
    }
    const memory: MemoryReport[] = [];
    if (opts.bucketIps > 0) {
      for (const c of contents) {
        step(`bucket memory: ${opts.bucketIps.toLocaleString('en-US')} distinct sshd attackers, ${c.name} content`);
        const args: MemoryChildArgs = { ips: opts.bucketIps, ...(c.configDir ? { configDir: c.configDir } : {}) };
        // Young generation capped at 1 MiB semi-spaces: the generator's strings would otherwise
        // grow it to 32 MiB, which V8 keeps after gc() and would count as bucket memory in RSS.
        const nodeFlags = ['--expose-gc', '--max-semi-space-size=1'];
        const m = await runChild<MemoryMeasurement>('memory-child', args, { onProgress: opts.onProgress, nodeFlags });
        const buckets = Math.max(1, m.live.liveBuckets);
        memory.push({
          content: c.name,
          ...m,
          rssBytesPerBucket: (m.live.rssBytes - m.baseline.rssBytes) / buckets,
          heapBytesPerBucket: (m.live.heapBytes - m.baseline.heapBytes) / buckets,
        });
      }
    }
    return { seed: opts.seed, ...(opts.baseline ? { baseline: path.resolve(opts.baseline) } : {}), node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', logs, memory, notes };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The bench scripts of another checkout (built with `npm run build` there). */
function baselineBenchDir(checkout: string): string {
  const dir = path.resolve(checkout, 'dist/src/bench');
  if (!fs.existsSync(path.join(dir, 'replay-child.js'))) {
    throw new Error(`--baseline ${checkout}: no ${path.join(dir, 'replay-child.js')}; build that checkout first (npm run build there)`);
  }
  return dir;
}

interface Content {
  name: string;
  configDir?: string;
}

function resolveContents(requested: string[], work: string, notes: string[]): Content[] {
  const out: Content[] = [];
  for (const name of requested) {
    if (name === 'ours') {
      out.push({ name });
    } else if (name === 'hub') {
      const ref = findReference();
      if (isSkip(ref)) {
        notes.push(`hub content skipped: ${ref.skip}`);
        continue;
      }
      const hub = buildHubConfig(TARGET_COLLECTIONS, path.join(work, 'hub'), { reference: ref });
      out.push({ name, configDir: hub.configDir });
    } else {
      out.push({ name, configDir: path.resolve(name) });
    }
  }
  return out;
}

async function runPeers(
  opts: BenchOptions,
  log: LogKind,
  type: string,
  file: string,
  contents: Content[],
  runs: ContentRun[],
  work: string,
  step: (label: string) => void,
): Promise<LogReport['peers']> {
  const peers: LogReport['peers'] = [];
  // The peers are compared with our run on the same content: the hub's when it was measured.
  const hubIndex = contents.findIndex((c) => c.name === 'hub');
  const ours = runs.filter((r) => r.build === 'this')[hubIndex >= 0 ? hubIndex : 0];
  const ratio = (p: PeerOutcome) => ('linesPerSec' in p && ours ? { ...p, ratio: ours.linesPerSec / p.linesPerSec } : p);
  if (opts.vs.includes('crowdsec')) {
    if (hubIndex < 0) {
      peers.push({ tool: 'crowdsec', skipped: 'needs the hub content (--content hub), which CrowdSec loads too' });
    } else {
      step(`${log}: CrowdSec 1.4.6 on the first ${opts.vsLines.toLocaleString('en-US')} lines`);
      peers.push(ratio(await runCrowdsec(contents[hubIndex].configDir as string, file, type, opts.vsLines, work)));
    }
  }
  if (opts.vs.includes('fail2ban') && log === 'sshd') {
    step(`${log}: fail2ban-regex on the first ${opts.vsLines.toLocaleString('en-US')} lines`);
    peers.push(ratio(await runFail2banRegex(file, opts.vsLines, work)));
  }
  return peers;
}
