// Interval sets refuse overlapping elements, and decisions overlap: a /16 ban inside a /8 one,
// an allowlisted address inside a banned range. The kernel gets a partition instead: disjoint
// intervals, each timed out when the last decision covering it ends, with allowlisted holes cut
// out. Addresses are bigints in the family's own space (32 or 128 bits).
import { Heap } from '../common/heap';

export interface Span {
  start: bigint;
  end: bigint;
}

export interface TimedSpan extends Span {
  /** Epoch milliseconds when the element should leave the set. */
  until: number;
}

/** Sorted, merged (touching or overlapping) spans. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end + 1n) {
      if (s.end > last.end) last.end = s.end;
    } else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/** Max-heap of `until` values with lazy removal (an interval leaves when the sweep passes its end). */
class UntilHeap {
  private readonly heap = new Heap<{ until: number; end: bigint }>((a, b) => a.until > b.until);

  push(until: number, end: bigint): void {
    this.heap.push({ until, end });
  }

  /** The largest `until` among intervals still covering `at`, or null. */
  top(at: bigint): number | null {
    while ((this.heap.peek()?.end ?? at) < at) this.heap.pop();
    return this.heap.peek()?.until ?? null;
  }
}

/** Cuts `holes` (merged) out of a sorted, disjoint list of timed spans. */
function subtract(spans: TimedSpan[], holes: readonly Span[]): TimedSpan[] {
  if (holes.length === 0) return spans;
  const out: TimedSpan[] = [];
  let h = 0;
  for (const s of spans) {
    let start = s.start;
    while (h < holes.length && holes[h].end < start) h++;
    let k = h;
    while (k < holes.length && holes[k].start <= s.end) {
      if (holes[k].start > start) out.push({ start, end: holes[k].start - 1n, until: s.until });
      start = holes[k].end + 1n;
      k++;
    }
    if (start <= s.end) out.push({ start, end: s.end, until: s.until });
  }
  return out;
}

/**
 * The partition of `spans` (which may overlap) into disjoint intervals timed by the latest
 * covering `until`, minus `holes`. Neighbours with the same `until` are joined.
 */
export function partition(spans: readonly TimedSpan[], holes: readonly Span[] = []): TimedSpan[] {
  if (spans.length === 0) return [];
  const byStart = [...spans].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  // Boundaries: every start, and every end + 1; between two of them the covering set is constant.
  const points = new Set<bigint>();
  for (const s of byStart) {
    points.add(s.start);
    points.add(s.end + 1n);
  }
  const cuts = [...points].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const heap = new UntilHeap();
  const out: TimedSpan[] = [];
  let next = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const at = cuts[i];
    while (next < byStart.length && byStart[next].start <= at) {
      heap.push(byStart[next].until, byStart[next].end);
      next++;
    }
    const until = heap.top(at);
    if (until === null) continue;
    const end = cuts[i + 1] - 1n;
    const last = out[out.length - 1];
    if (last && last.until === until && last.end + 1n === at) last.end = end;
    else out.push({ start: at, end, until });
  }
  return subtract(out, mergeSpans(holes));
}
