// What the script has been told, per value, and what it must be told next. The script hears of a
// value, not of each decision: `add` when a value comes under a decision (or its decision in
// force changes), `del` when no decision holds it any more. A per-decision script (CrowdSec's
// custom bouncer) lifts a ban when one of two decisions on an address ends; this one does not.
import { DecisionCache } from '../common/decision-cache';
import type { StreamDecision, StreamUpdate } from '../common/decision-stream';
import { ExpiryQueue } from './expiry-queue';

export interface Change {
  action: 'add' | 'del';
  /**
   * For `add` the decision now in force; for `del` the one the script was last told of, ended
   * (its end moved to the moment it stopped holding, as the API renders deleted decisions).
   */
  decision: StreamDecision;
}

const BAN = new Set(['ban']);

export class Announcements {
  private readonly cache = new DecisionCache();
  /** Value → the decision the script was last told of with `add`. Memory only (see README). */
  private readonly told = new Map<string, StreamDecision>();
  private readonly expiries = new ExpiryQueue();

  /** `types`: the decision types to announce; undefined for all. */
  constructor(private readonly types?: ReadonlySet<string>) {}

  /** Number of values the script currently holds. */
  get size(): number {
    return this.told.size;
  }

  /** When the next decision ends (epoch ms), for the caller's timer. */
  nextExpiry(): number | undefined {
    return this.expiries.next();
  }

  /**
   * Applies a stream update. A full list is diffed against what the script was told: values it
   * already holds under the same decision are not announced again.
   */
  apply(update: StreamUpdate, now: number): Change[] {
    const values = this.cache.apply(update);
    if (update.full) {
      this.expiries.clear();
      for (const value of this.told.keys()) values.add(value);
    }
    for (const d of update.fresh) this.expiries.push(d);
    return this.changesFor(values, now);
  }

  /** The changes due to decisions that ran out by `now` (deleted from the cache first). */
  expire(now: number): Change[] {
    const ended = this.expiries.popEnded(now);
    if (ended.length === 0) return [];
    this.cache.apply({ full: false, fresh: [], deleted: ended });
    return this.changesFor(new Set(ended.map((d) => d.value)), now);
  }

  /**
   * The script could not be told `change` (its retries ran out): forget it, so the next full
   * list announces the value again (an `add`) or retracts it again (a `del`).
   */
  undeliverable(change: Change): void {
    const { value } = change.decision;
    if (change.action === 'add' && this.told.get(value) === change.decision) this.told.delete(value);
    if (change.action === 'del' && !this.told.has(value)) this.told.set(value, change.decision);
  }

  /** The decision in force on a value: a ban if any (the one ending last), else any type's. */
  private inForce(value: string, now: number): StreamDecision | undefined {
    if (!this.types || this.types.has('ban')) {
      const ban = this.cache.effective(value, now, BAN);
      if (ban) return ban;
    }
    return this.cache.effective(value, now, this.types);
  }

  private changesFor(values: Iterable<string>, now: number): Change[] {
    const changes: Change[] = [];
    for (const value of values) {
      const current = this.inForce(value, now);
      const told = this.told.get(value);
      if (!current) {
        if (!told) continue;
        this.told.delete(value);
        changes.push({ action: 'del', decision: { ...told, until: Math.min(told.until, now) } });
      } else if (!told || told.id !== current.id) {
        this.told.set(value, current);
        changes.push({ action: 'add', decision: current });
      }
    }
    return changes;
  }
}
