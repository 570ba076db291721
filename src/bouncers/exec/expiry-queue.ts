import type { StreamDecision } from '../common/decision-stream';

/**
 * Decisions ordered by when they end (a binary min-heap), so the bouncer wakes once per ending
 * instead of scanning every decision on a timer. Entries of decisions deleted meanwhile stay in
 * the heap and are harmless: popping one only makes the caller look at its value again.
 */
export class ExpiryQueue {
  private readonly heap: StreamDecision[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(d: StreamDecision): void {
    const h = this.heap;
    h.push(d);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent].until <= h[i].until) break;
      [h[parent], h[i]] = [h[i], h[parent]];
      i = parent;
    }
  }

  /** When the earliest decision ends (epoch ms), or undefined when empty. */
  next(): number | undefined {
    return this.heap[0]?.until;
  }

  /** Removes and returns every decision that ended by `now`. */
  popEnded(now: number): StreamDecision[] {
    const out: StreamDecision[] = [];
    while (this.heap.length > 0 && this.heap[0].until <= now) out.push(this.popTop());
    return out;
  }

  clear(): void {
    this.heap.length = 0;
  }

  private popTop(): StreamDecision {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as StreamDecision;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].until < h[m].until) m = l;
        if (r < h.length && h[r].until < h[m].until) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}
