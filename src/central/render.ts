// The blocklist as members pull it: the local API stream's decision shape (Go field order,
// remaining time as a Go duration), origin CAPI, scope Ip, type ban. Written by hand rather than
// through JSON.stringify of objects: a startup pull is a million of these, and the values are
// validated addresses, so only the scenario needs escaping.
import { formatGoDuration } from '../time/go-duration';
import type { Entry } from './consensus';

/** JSON text of a list of entries as decisions, with Go's `null` for an empty one. */
export function blocklistJson(entries: readonly Entry[], now: number): string {
  return entries.length === 0 ? 'null' : `[${decisionsText(entries, now, new Map())}]`;
}

/**
 * The stream answer `{"deleted": …, "new": …}` in chunks, one per page of new entries, so a
 * million-entry startup pull is sent while it is read and never held as one string.
 */
export async function* streamJson(deleted: readonly Entry[], pages: AsyncIterable<Entry[]>, now: number): AsyncGenerator<string> {
  const scenarios = new Map<string, string>();
  let first = true;
  for await (const page of pages) {
    if (page.length === 0) continue;
    yield `${first ? `{"deleted":${blocklistJson(deleted, now)},"new":[` : ','}${decisionsText(page, now, scenarios)}`;
    first = false;
  }
  yield first ? `{"deleted":${blocklistJson(deleted, now)},"new":null}` : ']}';
}

/** Decisions separated by commas; `scenarios` caches each scenario's JSON text. */
function decisionsText(entries: readonly Entry[], now: number, scenarios: Map<string, string>): string {
  const parts: string[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    let scenario = scenarios.get(e.scenario);
    if (scenario === undefined) {
      scenario = JSON.stringify(e.scenario);
      scenarios.set(e.scenario, scenario);
    }
    parts[i] = `{"duration":"${formatGoDuration((e.until - now) * 1e6)}","id":${e.id ?? 0},"origin":"CAPI","scenario":${scenario},"scope":"Ip","type":"ban","value":${JSON.stringify(e.value)}}`;
  }
  return parts.join(',');
}
