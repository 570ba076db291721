// A scrape of the daemon's Prometheus endpoint, grouped into the tables `crowdwatch metrics`
// prints (the same sections as `cscli metrics`, plus the engine's own health).
import type { ParsedSample } from './exposition';

export type Row = Record<string, string | number>;

export interface MetricsReport {
  acquisition: Row[];
  parsers: Row[];
  buckets: Row[];
  lapi_routes: Row[];
  lapi_machines: Row[];
  lapi_bouncers: Row[];
  decisions: Row[];
  alerts: Row[];
  engine: Row;
}

/** Rows keyed by some labels, each metric of `columns` summed into its own column. */
function table(samples: readonly ParsedSample[], keys: readonly string[], columns: Record<string, string>): Row[] {
  const rows = new Map<string, Row>();
  for (const s of samples) {
    const column = columns[s.name];
    if (column === undefined) continue;
    const id = keys.map((k) => s.labels[k] ?? '').join('\0');
    const row: Row = rows.get(id) ?? Object.fromEntries([...keys.map((k) => [k, s.labels[k] ?? '']), ...Object.values(columns).map((c) => [c, 0])]);
    rows.set(id, row);
    row[column] = (row[column] as number) + s.value;
  }
  return [...rows.values()].sort((a, b) => keys.map((k) => String(a[k]).localeCompare(String(b[k]))).find((c) => c !== 0) ?? 0);
}

function total(samples: readonly ParsedSample[], name: string): number {
  return samples.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);
}

export function metricsReport(samples: readonly ParsedSample[]): MetricsReport {
  const batches = total(samples, 'crowdwatch_engine_batches_total');
  const lines = total(samples, 'cs_parser_hits_total');
  const seconds = total(samples, 'crowdwatch_engine_seconds_total');
  return {
    acquisition: table(samples, ['source', 'type'], {
      cs_parser_hits_total: 'lines_read',
      cs_parser_hits_ok_total: 'parsed',
      cs_parser_hits_ko_total: 'unparsed',
      crowdwatch_source_poured_total: 'poured',
      crowdwatch_source_whitelisted_total: 'whitelisted',
    }),
    parsers: table(samples, ['stage', 'name'], { cs_node_hits_total: 'hits', cs_node_hits_ok_total: 'parsed', cs_node_hits_ko_total: 'unparsed' }),
    buckets: table(samples, ['name'], {
      cs_buckets: 'current',
      cs_bucket_overflowed_total: 'overflows',
      cs_bucket_created_total: 'instantiated',
      cs_bucket_poured_total: 'poured',
      cs_bucket_underflowed_total: 'expired',
    }),
    lapi_routes: table(samples, ['route', 'method'], { cs_lapi_route_requests_total: 'hits' }),
    lapi_machines: table(samples, ['machine', 'route', 'method'], { cs_lapi_machine_requests_total: 'hits' }),
    lapi_bouncers: table(samples, ['bouncer', 'route', 'method'], { cs_lapi_bouncer_requests_total: 'hits' }),
    decisions: table(samples, ['reason', 'origin', 'action'], { cs_active_decisions: 'count' }),
    alerts: table(samples, ['reason'], { cs_alerts: 'count' }),
    engine: {
      lines_per_second_in_engine: seconds > 0 ? Math.round(lines / seconds) : 0,
      mean_batch_ms: batches > 0 ? Number(((seconds * 1000) / batches).toFixed(3)) : 0,
      lag_p99_ms: Math.round(samples.filter((s) => s.name === 'crowdwatch_engine_lag_seconds' && s.labels.quantile === '0.99').reduce((m, s) => Math.max(m, s.value), 0) * 1e6) / 1e3,
      unread_bytes: total(samples, 'crowdwatch_file_unread_bytes'),
      alerts_raised: total(samples, 'crowdwatch_alerts_raised_total'),
      alerts_waiting: total(samples, 'crowdwatch_outbox_alerts'),
      engine_heap_bytes: total(samples, 'crowdwatch_engine_heap_bytes'),
      resident_bytes: total(samples, 'crowdwatch_resident_memory_bytes'),
    },
  };
}
