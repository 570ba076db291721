import type { Alert } from '../../engine/native';
import type { ReplayResult } from '../../engine/replay';
import { formatBytes, formatCount, formatDuration, formatRate } from './format';
import { formatPairs, formatTable } from './table';

function alertSource(alert: Alert): string {
  const { scope, value } = alert.source;
  return scope ? `${scope}:${value}` : value;
}

/** One row per alert: when it overflowed, which scenario, against whom, on how many events. */
export function formatAlertTable(alerts: readonly Alert[]): string {
  if (alerts.length === 0) return 'no alerts\n';
  return formatTable(
    [{ header: 'TIME' }, { header: 'SCENARIO' }, { header: 'SOURCE' }, { header: 'EVENTS', align: 'right' }],
    alerts.map((a) => [a.stop_at, a.scenario, alertSource(a), String(a.events_count)]),
  );
}

/** Counters of the whole replay; the line anomalies are always shown so a bad input is visible. */
export function formatReplaySummary(file: string, result: ReplayResult): string {
  const c = result.counters;
  const rows: [string, string][] = [
    ['lines read', formatCount(c.lines)],
    ['parsed', formatCount(c.parsed)],
    ['unparsed', formatCount(c.unparsed)],
    ['whitelisted', formatCount(c.whitelisted)],
    ['poured', formatCount(c.poured)],
    ['overflows', formatCount(c.overflows)],
    ['alerts', formatCount(c.alerts)],
    ['live buckets', formatCount(result.liveBuckets)],
    ['empty lines', formatCount(c.empty)],
    ['invalid UTF-8', formatCount(c.invalid_utf8)],
    ['truncated', formatCount(c.truncated)],
    ['expr errors', formatCount(c.expr_errors)],
    ['bytes', formatBytes(result.bytes)],
    ['time', formatDuration(result.elapsedMs)],
    ['lines/s', formatRate(c.lines, result.elapsedMs)],
  ];
  return `replay of ${file}\n${formatPairs(rows)}`;
}
