// What `crowdwatch run` serves on its Prometheus endpoint: acquisition, parsers and buckets
// (from the agent and the engine), the local API's requests, decisions and alerts (from the
// store), and the daemon's own health (engine time, unread bytes, backlog, memory). CrowdSec's
// metric names are used where CrowdSec has the same figure, so its dashboards work unchanged.
import * as fs from 'node:fs';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { Agent } from '../agent/agent';
import type { RunningApi } from '../api/server';
import type { PrometheusConfig } from '../config/api-config';
import { bindings } from '../engine/native';
import type { Family, Labels, Sample } from './exposition';

export interface DaemonMetricsSources {
  agent: Agent;
  api: RunningApi | null;
  level: PrometheusConfig['level'];
  /** Event-loop delay since the last scrape: how long the API, the bouncers' polls and the sources waited for the JS thread. */
  lag: IntervalHistogram;
}

/** Starts sampling the event-loop delay (10 ms resolution) for `crowdwatch_engine_lag_seconds`. */
export function engineLagMonitor(): IntervalHistogram {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return h;
}

function family(name: string, type: Family['type'], help: string, samples: Sample[]): Family {
  return { name, help, type, samples };
}

function one(value: number, labels: Labels = {}): Sample[] {
  return [{ labels, value }];
}

/** Samples summed by the labels `key` keeps (the `aggregated` level drops per-source labels). */
function grouped<T>(items: Iterable<T>, labels: (item: T) => Labels, value: (item: T) => number): Sample[] {
  const out = new Map<string, Sample>();
  for (const item of items) {
    const l = labels(item);
    const key = JSON.stringify(l);
    const s = out.get(key);
    if (s) s.value += value(item);
    else out.set(key, { labels: l, value: value(item) });
  }
  return [...out.values()];
}

export async function collectDaemonMetrics(m: DaemonMetricsSources): Promise<Family[]> {
  const full = m.level === 'full';
  const streams = [...m.agent.streams.values()];
  const streamLabels = (s: (typeof streams)[number]): Labels => (full ? { source: s.stream.src, type: s.stream.labels.type } : { type: s.stream.labels.type });
  const byStream = (pick: (c: (typeof streams)[number]['counters']) => number): Sample[] => grouped(streams, streamLabels, (s) => pick(s.counters));
  // Read between two batches (the engine works on its own thread; the event loop never waits for it).
  const stats = await m.agent.engineStats();
  const { scenarios } = stats;
  const families: Family[] = [
    family('cs_parser_hits_total', 'counter', 'Lines read and handed to the parsers, by source', byStream((c) => c.lines)),
    family('cs_parser_hits_ok_total', 'counter', 'Lines parsed, by source', byStream((c) => c.parsed)),
    family('cs_parser_hits_ko_total', 'counter', 'Lines no parser accepted, by source', byStream((c) => c.unparsed)),
    family('crowdwatch_source_poured_total', 'counter', 'Events poured into buckets, by source', byStream((c) => c.poured)),
    family('crowdwatch_source_whitelisted_total', 'counter', 'Lines whitelisted, by source', byStream((c) => c.whitelisted)),
    family('crowdwatch_source_truncated_total', 'counter', 'Lines cut at the maximum line length, by source', byStream((c) => c.truncated)),
    family('crowdwatch_source_invalid_utf8_total', 'counter', 'Lines with invalid UTF-8, by source', byStream((c) => c.invalid_utf8)),
    family('crowdwatch_engine_seconds_total', 'counter', 'Time spent in the engine, by source', grouped(streams, streamLabels, (s) => s.engineMs / 1000)),
    family('crowdwatch_engine_batches_total', 'counter', 'Batches handed to the engine, by source', grouped(streams, streamLabels, (s) => s.batches)),
    family('crowdwatch_file_unread_bytes', 'gauge', 'Bytes written to a followed file and not read yet (acquisition lag)', unreadBytes(m.agent, streams)),
    family('crowdwatch_engine_lag_seconds', 'gauge', 'Event-loop delay since the last scrape: how long the API, bouncer polls and log reads waited for the JS thread', lagQuantiles(m.lag)),
    family('crowdwatch_engine_queue_bytes', 'gauge', 'Bytes of lines read and not yet processed by the engine (the batch it is working on included)', one(m.agent.queuedBytes)),
    family('crowdwatch_engine_queue_pauses_total', 'counter', 'Times reading paused because the engine queue passed its high mark', one(m.agent.queuePauses)),
    family('crowdwatch_alerts_raised_total', 'counter', 'Alerts raised by the engine', one(m.agent.alertsRaised)),
    family('crowdwatch_alerts_refused_total', 'counter', 'Alerts the API refused for good, moved to refused-alerts.jsonl', one(m.agent.refused)),
    family('crowdwatch_outbox_alerts', 'gauge', 'Alerts journaled and not yet accepted by the API', one(m.agent.backlog)),
    family('crowdwatch_engine_heap_bytes', 'gauge', 'Bytes allocated by the native engine', one(bindings().nativeMemory().heapBytes)),
    ...memoryFamilies(),
    family('crowdwatch_grok_engine_disagreements_total', 'counter', 'Grok matches where the backtracking matcher and the regex crate disagreed (the regex crate answered)', one(stats.grok_engine_disagreements)),
    family('cs_buckets', 'gauge', 'Live buckets, by scenario', scenarios.map((s) => ({ labels: { name: s.name }, value: s.current }))),
    family('cs_bucket_created_total', 'counter', 'Buckets created, by scenario', scenarios.map((s) => ({ labels: { name: s.name }, value: s.instantiated }))),
    family('cs_bucket_poured_total', 'counter', 'Events poured, by scenario', scenarios.map((s) => ({ labels: { name: s.name }, value: s.poured }))),
    family('cs_bucket_overflowed_total', 'counter', 'Buckets that overflowed, by scenario', scenarios.map((s) => ({ labels: { name: s.name }, value: s.overflowed }))),
    family('cs_bucket_underflowed_total', 'counter', 'Buckets that expired without overflowing, by scenario', scenarios.map((s) => ({ labels: { name: s.name }, value: s.underflowed }))),
  ];
  if (full) {
    const { parsers } = stats;
    const node = (pick: (p: (typeof parsers)[number]) => number): Sample[] => parsers.map((p) => ({ labels: { name: p.name, stage: p.stage }, value: pick(p) }));
    families.push(
      family('cs_node_hits_total', 'counter', 'Lines that reached a parser node', node((p) => p.hits)),
      family('cs_node_hits_ok_total', 'counter', 'Lines a parser node parsed', node((p) => p.parsed)),
      family('cs_node_hits_ko_total', 'counter', 'Lines a parser node did not parse', node((p) => p.unparsed)),
    );
  }
  if (m.api) families.push(...(await apiFamilies(m.api)));
  return families;
}

function memoryFamilies(): Family[] {
  const m = process.memoryUsage();
  return [
    family('crowdwatch_resident_memory_bytes', 'gauge', 'Resident memory of the daemon', one(m.rss)),
    family('crowdwatch_js_heap_used_bytes', 'gauge', 'Bytes in use on the JavaScript heap', one(m.heapUsed)),
    family('crowdwatch_js_external_bytes', 'gauge', 'Bytes of buffers and other memory held outside the JavaScript heap', one(m.external)),
  ];
}

function lagQuantiles(h: IntervalHistogram): Sample[] {
  const samples = [0.5, 0.99].map((q) => ({ labels: { quantile: String(q) }, value: h.count > 0 ? h.percentile(q * 100) / 1e9 : 0 }));
  samples.push({ labels: { quantile: '1' }, value: h.count > 0 ? h.max / 1e9 : 0 });
  h.reset();
  return samples;
}

function unreadBytes(agent: Agent, streams: Array<{ stream: { key: string; src: string; module: string; labels: { type: string } } }>): Sample[] {
  const out: Sample[] = [];
  for (const { stream } of streams) {
    const pos = agent.position(stream.key);
    if (stream.module !== 'file' || pos?.kind !== 'file') continue;
    try {
      const st = fs.statSync(stream.src);
      out.push({ labels: { source: stream.src }, value: st.ino === pos.ino ? Math.max(0, st.size - pos.offset) : st.size });
    } catch {
      // Rotated away or removed: nothing to read under this name.
    }
  }
  return out;
}

async function apiFamilies(api: RunningApi): Promise<Family[]> {
  const { store } = api.ctx;
  const [decisions, alerts] = await Promise.all([store.decisions.activeCounts(), store.alerts.countsByScenario()]);
  return [
    ...api.ctx.metrics.families(),
    family('cs_active_decisions', 'gauge', 'Decisions in force, by reason (scenario), origin and action', decisions.map((d) => ({ labels: { reason: d.scenario, origin: d.origin, action: d.type }, value: d.count }))),
    family('cs_alerts', 'gauge', 'Stored alerts, by reason (scenario)', alerts.map((a) => ({ labels: { reason: a.scenario }, value: a.count }))),
  ];
}
