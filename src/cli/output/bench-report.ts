// Human rendering of a `crowdwatch bench` report: one table of replays, one of peers, one of
// bucket memory. Every figure is from the same run, so ratios are what to read.
import type { BenchReport } from '../../bench/run';
import { formatBytes, formatCount } from './format';
import { formatTable } from './table';

const rate = (n: number) => `${formatCount(n)}/s`;
const ratio = (n: number) => (n >= 100 ? formatCount(n) : n.toFixed(n >= 10 ? 1 : 2));

export function formatBenchReport(r: BenchReport): string {
  const out: string[] = [`crowdwatch bench (seed ${r.seed}, node ${r.node}, ${r.cpu}; one core per replay unless it says threads)\n`];
  if (r.baseline) out.push(`each replay run here and then in the baseline ${r.baseline}; VS BASELINE = this ÷ baseline, end to end\n`);
  const replayRows = r.logs.flatMap((l) =>
    l.runs.map((run) => [
      l.log,
      `${run.threads > 1 ? `${run.content}, ${run.threads} threads` : run.content}${run.build === 'baseline' ? ' (baseline)' : ''}`,
      formatCount(l.lines),
      rate(l.floor.linesPerSec),
      rate(run.linesPerSec),
      ratio(run.floorRatio),
      rate(run.engineLinesPerSec),
      `${Math.round(run.loadMs)} ms`,
      formatBytes(run.peakRssBytes),
      `${run.detection.detected}/${run.detection.attacks}`,
      String(run.detection.benignAlerts),
      ...(r.baseline ? [run.vsBaseline === undefined ? '' : `${ratio(run.vsBaseline)}x`] : []),
    ]),
  );
  if (replayRows.length > 0) {
    out.push(
      '\nReplay (end to end: process start, load, replay; floor = read and split lines only)\n',
      formatTable(
        [
          { header: 'LOG' },
          { header: 'CONTENT' },
          { header: 'LINES', align: 'right' },
          { header: 'FLOOR', align: 'right' },
          { header: 'END TO END', align: 'right' },
          { header: 'FLOOR/E2E', align: 'right' },
          { header: 'ENGINE LOOP', align: 'right' },
          { header: 'LOAD', align: 'right' },
          { header: 'PEAK RSS', align: 'right' },
          { header: 'ATTACKS FOUND', align: 'right' },
          { header: 'BENIGN ALERTS', align: 'right' },
          ...(r.baseline ? [{ header: 'VS BASELINE', align: 'right' as const }] : []),
        ],
        replayRows,
      ),
    );
  }
  const peerRows = r.logs.flatMap((l) =>
    l.peers.map((p) =>
      'skipped' in p
        ? [l.log, p.tool, '-', '-', '-', `skipped: ${p.skipped}`]
        : [l.log, p.tool, formatCount(p.lines), rate(p.linesPerSec), p.ratio === undefined ? '-' : `${ratio(p.ratio)}x`, p.note ?? `${p.alerts ?? 0} alerts; start-up ${p.fixedSeconds.toFixed(1)} s excluded`],
    ),
  );
  if (peerRows.length > 0) {
    out.push(
      '\nPeers (same log, a prefix; their start-up excluded; ratio = crowdwatch end to end on the same content ÷ peer)\n',
      formatTable(
        [{ header: 'LOG' }, { header: 'TOOL' }, { header: 'LINES', align: 'right' }, { header: 'RATE', align: 'right' }, { header: 'CROWDWATCH/PEER', align: 'right' }, { header: 'NOTE' }],
        peerRows,
      ),
    );
  }
  if (r.memory.length > 0) {
    out.push(
      '\nBucket memory (distributed sshd brute force: one failed password per distinct address)\n',
      formatTable(
        [
          { header: 'CONTENT' },
          { header: 'ADDRESSES', align: 'right' },
          { header: 'LIVE BUCKETS', align: 'right' },
          { header: 'RSS BEFORE', align: 'right' },
          { header: 'RSS LIVE', align: 'right' },
          { header: 'RSS/BUCKET', align: 'right' },
          { header: 'HEAP/BUCKET', align: 'right' },
          { header: 'RSS AFTER UNDERFLOW', align: 'right' },
          { header: 'HEAP AFTER', align: 'right' },
        ],
        r.memory.map((m) => [
          m.content,
          formatCount(m.ips),
          formatCount(m.live.liveBuckets),
          formatBytes(m.baseline.rssBytes),
          formatBytes(m.live.rssBytes),
          `${Math.round(m.rssBytesPerBucket)} B`,
          `${Math.round(m.heapBytesPerBucket)} B`,
          formatBytes(m.drained.rssBytes),
          `${formatBytes(m.drained.heapBytes)} (was ${formatBytes(m.baseline.heapBytes)})`,
        ]),
      ),
    );
  }
  for (const note of r.notes) out.push(`note: ${note}\n`);
  return out.join('');
}
