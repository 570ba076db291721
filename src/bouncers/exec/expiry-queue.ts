import type { StreamDecision } from '../common/decision-stream';
import { Heap } from '../common/heap';

/**
 * Decisions ordered by when they end (a binary min-heap), so the bouncer wakes once per ending
 * instead of scanning every decision on a timer. Entries of decisions deleted meanwhile stay in
 * the heap and are harmless: popping one only makes the caller look at its value again.
 */
export class ExpiryQueue {
  private readonly heap = new Heap<StreamDecision>((a, b) => a.until < b.until);

  get size(): number {
    return this.heap.size;
  }

  push(d: StreamDecision): void {
    this.heap.push(d);
  }

  /** When the earliest decision ends (epoch ms), or undefined when empty. */
  next(): number | undefined {
    return this.heap.peek()?.until;
  }

  /** Removes and returns every decision that ended by `now`. */
  popEnded(now: number): StreamDecision[] {
    const out: StreamDecision[] = [];
    while ((this.heap.peek()?.until ?? Infinity) <= now) out.push(this.heap.pop() as StreamDecision);
    return out;
  }

  clear(): void {
    this.heap.clear();
  }
}
