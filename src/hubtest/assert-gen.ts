import * as path from 'node:path';
import type { Dump } from '../engine/native';

// Assert files written from a run, in `cscli hubtest`'s own format (its AutoGenParserAssert and
// AutoGenScenarioAssert), so a case created here reads like one created with cscli.

function escape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function sortedEntries(map: unknown): [string, unknown][] {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) return [];
  return Object.entries(map as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** One line per scalar of an `Unmarshaled` value; numbers are Go's float64 (FloatApproxEqual). */
function unmarshaledLines(base: string, value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(`${base} == "${escape(value)}"`);
  else if (typeof value === 'boolean') out.push(`${base} == ${value}`);
  else if (typeof value === 'number') out.push(`FloatApproxEqual(${base}, ${value.toFixed(6)})`);
  else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of sortedEntries(value)) unmarshaledLines(`${base}[${JSON.stringify(k)}]`, v, out);
  }
}

interface DumpedEvent {
  Parsed?: Record<string, string>;
  Meta?: Record<string, string>;
  Enriched?: Record<string, string>;
  Unmarshaled?: Record<string, unknown>;
  Whitelisted?: boolean;
  WhitelistReason?: string;
}

export function parserAsserts(parsers: Dump['parsers']): string {
  const out = [`len(results) == ${Object.keys(parsers).length}`];
  for (const [stage, nodes] of sortedEntries(parsers)) {
    for (const [node, results] of sortedEntries(nodes) as [string, { Evt: DumpedEvent; Success: boolean }[]][]) {
      out.push(`len(results["${stage}"]["${node}"]) == ${results.length}`);
      results.forEach((r, i) => {
        const at = `results["${stage}"]["${node}"][${i}]`;
        out.push(`${at}.Success == ${r.Success}`);
        if (!r.Success) return;
        for (const [field, map] of [['Parsed', r.Evt.Parsed], ['Meta', r.Evt.Meta], ['Enriched', r.Evt.Enriched]] as const) {
          for (const [k, v] of sortedEntries(map)) {
            if (v === '') continue;
            if (field === 'Meta' && k === 'datasource_path') out.push(`basename(${at}.Evt.Meta["${k}"]) == "${escape(path.basename(String(v)))}"`);
            else out.push(`${at}.Evt.${field}["${k}"] == "${escape(String(v))}"`);
          }
        }
        for (const [k, v] of sortedEntries(r.Evt.Unmarshaled)) unmarshaledLines(`${at}.Evt.Unmarshaled[${JSON.stringify(k)}]`, v, out);
        out.push(`${at}.Evt.Whitelisted == ${r.Evt.Whitelisted === true}`);
        if (r.Evt.WhitelistReason) out.push(`${at}.Evt.WhitelistReason == "${escape(r.Evt.WhitelistReason)}"`);
      });
    }
  }
  return `${out.join('\n')}\n`;
}

interface DumpedOverflow {
  Overflow?: {
    Sources?: Record<string, { IP?: string; Range?: string; Scope?: string; Value?: string }>;
    Alert?: { Scenario?: string; Remediation?: boolean; EventsCount?: number; Events?: { Meta?: { Key: string; Value: string }[] }[] };
  };
}

/** `overflows` in the order the assertions index them (see `sortedOverflows`). */
export function scenarioAsserts(overflows: readonly Record<string, unknown>[]): string {
  const out = [`len(results) == ${overflows.length}`];
  (overflows as readonly DumpedOverflow[]).forEach((o, i) => {
    for (const [ip, s] of sortedEntries(o.Overflow?.Sources) as [string, { IP?: string; Range?: string; Scope?: string; Value?: string }][]) {
      out.push(`"${ip}" in results[${i}].Overflow.GetSources()`);
      out.push(`results[${i}].Overflow.Sources["${ip}"].IP == "${s.IP ?? ''}"`);
      out.push(`results[${i}].Overflow.Sources["${ip}"].Range == "${s.Range ?? ''}"`);
      out.push(`results[${i}].Overflow.Sources["${ip}"].GetScope() == "${s.Scope ?? ''}"`);
      out.push(`results[${i}].Overflow.Sources["${ip}"].GetValue() == "${s.Value ?? ''}"`);
    }
    (o.Overflow?.Alert?.Events ?? []).forEach((e, j) => {
      for (const m of e.Meta ?? []) {
        if (m.Key === 'datasource_path') out.push(`basename(results[${i}].Overflow.Alert.Events[${j}].GetMeta("${m.Key}")) == "${escape(path.basename(m.Value))}"`);
        else out.push(`results[${i}].Overflow.Alert.Events[${j}].GetMeta("${m.Key}") == "${escape(m.Value)}"`);
      }
    });
    out.push(`results[${i}].Overflow.Alert.GetScenario() == "${o.Overflow?.Alert?.Scenario ?? ''}"`);
    out.push(`results[${i}].Overflow.Alert.Remediation == ${o.Overflow?.Alert?.Remediation === true}`);
    out.push(`results[${i}].Overflow.Alert.GetEventsCount() == ${o.Overflow?.Alert?.EventsCount ?? 0}`);
  });
  return `${out.join('\n')}\n`;
}
