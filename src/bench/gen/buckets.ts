// Predicts whether a burst trips a leaky-bucket scenario, with CrowdSec 1.4.6's token semantics
// (docs/spec crowdsec-compat.md §3.2): the bucket starts full with `capacity` tokens, refills one
// token per `leakSeconds` continuously, each accepted pour takes one, a pour finding no whole token
// overflows; with `distinct`, a value already seen in the bucket is dropped before pouring; an idle
// bucket dies after (capacity+1)*leak. Used only to fill the generators' manifests.
export interface Pour {
  sec: number;
  /** The scenario's distinct value, when it has one. */
  distinct?: string;
}

export function overflows(pours: Pour[], capacity: number, leakSeconds: number): boolean {
  if (capacity === 0) return pours.length > 0; // trigger
  let tokens = capacity;
  let lastPour = -Infinity;
  let seen = new Set<string>();
  for (const p of [...pours].sort((a, b) => a.sec - b.sec)) {
    if (p.distinct !== undefined && seen.has(p.distinct) && p.sec - lastPour <= (capacity + 1) * leakSeconds) continue;
    if (p.sec - lastPour > (capacity + 1) * leakSeconds) {
      tokens = capacity; // the idle bucket died; this pour starts a fresh, full one
      seen = new Set();
    } else {
      tokens = Math.min(capacity, tokens + (p.sec - lastPour) / leakSeconds);
    }
    if (p.distinct !== undefined) seen.add(p.distinct);
    lastPour = p.sec;
    if (tokens < 1) return true;
    tokens -= 1;
  }
  return false;
}
