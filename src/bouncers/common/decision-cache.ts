import type { StreamDecision, StreamUpdate } from './decision-stream';

/**
 * The decisions a bouncer currently enforces, by value. A value may carry several decisions (two
 * scenarios, a ban then a longer one): it stays enforced until its last one ends or is deleted,
 * which a bouncer keeping one decision per value gets wrong.
 */
export class DecisionCache {
  private readonly byValue = new Map<string, Map<number, StreamDecision>>();

  /** Number of values with at least one decision. */
  get size(): number {
    return this.byValue.size;
  }

  /** Applies an update; resolves to the values whose decisions changed. */
  apply(update: StreamUpdate): Set<string> {
    const changed = new Set<string>();
    if (update.full) {
      for (const value of this.byValue.keys()) changed.add(value);
      this.byValue.clear();
    }
    for (const d of update.deleted) {
      const ids = this.byValue.get(d.value);
      if (!ids?.delete(d.id)) continue;
      changed.add(d.value);
      if (ids.size === 0) this.byValue.delete(d.value);
    }
    for (const d of update.fresh) {
      let ids = this.byValue.get(d.value);
      if (!ids) this.byValue.set(d.value, (ids = new Map()));
      ids.set(d.id, d);
      changed.add(d.value);
    }
    return changed;
  }

  /** Drops decisions that ended by `now`; resolves to the values that changed. */
  expire(now: number): Set<string> {
    const changed = new Set<string>();
    for (const [value, ids] of this.byValue) {
      for (const [id, d] of ids) {
        if (d.until > now) continue;
        ids.delete(id);
        changed.add(value);
      }
      if (ids.size === 0) this.byValue.delete(value);
    }
    return changed;
  }

  /**
   * The decision in force on `value`: among those of an accepted type still running at `now`,
   * the one that ends last. Undefined when none.
   */
  effective(value: string, now: number, types?: ReadonlySet<string>): StreamDecision | undefined {
    let best: StreamDecision | undefined;
    for (const d of this.byValue.get(value)?.values() ?? []) {
      if (d.until <= now || (types && !types.has(d.type))) continue;
      if (!best || d.until > best.until) best = d;
    }
    return best;
  }

  values(): IterableIterator<string> {
    return this.byValue.keys();
  }
}
