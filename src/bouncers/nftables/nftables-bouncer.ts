// Decisions in, kernel set elements out. Each stream update becomes one nft transaction; a full
// list (startup, periodic resync, or after a failed transaction) is diffed against what the
// kernel really holds, so a restart changes nothing that is already right and drift is repaired.
import { DecisionCache } from '../common/decision-cache';
import type { StreamUpdate } from '../common/decision-stream';
import { type Family, spanKey, spanOf } from './addresses';
import { Allowlist } from './allowlist';
import type { Span, TimedSpan } from './intervals';
import type { Nft } from './nft';
import { prepareTable, type SetRouting, type TableLayout } from './ruleset';
import { type SetChanges, setRef, TargetSet, wantedIntervals } from './target-set';

export interface NftablesBouncerOptions {
  nft: Nft;
  layout: TableLayout;
  /** Decision types to drop (default `ban`). */
  types: ReadonlySet<string>;
  /** Addresses and ranges never dropped (loopback and the API's addresses included by the caller). */
  allow: readonly string[];
  log: (message: string) => void;
  verbose?: boolean;
}

export interface ApplyReport {
  added: number;
  removed: number;
  elements: number;
  ms: number;
}

/** A decision value, parsed, and the set it goes to. */
interface Placement {
  family: Family;
  span: Span;
  key: string;
  set: TargetSet;
}

const NEAR_FULL = 0.9;
const SWEEP_MS = 1000;

export class NftablesBouncer {
  readonly cache = new DecisionCache();
  private sets: TargetSet[] = [];
  private readonly byRef = new Map<string, TargetSet>();
  private routing: SetRouting = { addresses: {}, ranges: {} };
  private readonly allow: Allowlist;
  private readonly warned = new Set<string>();
  private readonly nearFull = new Set<string>();
  /** Decision values routed to a set: parsed once, and where they go. */
  private readonly placed = new Map<string, Placement>();
  /** Transactions applied, and the last one's report. */
  updates = 0;
  last: ApplyReport | null = null;
  private lastSweep = 0;

  constructor(private readonly opts: NftablesBouncerOptions) {
    this.allow = new Allowlist(opts.allow);
  }

  async start(): Promise<void> {
    this.routing = await prepareTable(this.opts.nft, this.opts.layout);
    const specs = [...Object.values(this.routing.addresses), ...Object.values(this.routing.ranges)];
    for (const spec of specs) {
      const set = new TargetSet(spec);
      if (!this.byRef.has(set.ref)) this.byRef.set(set.ref, set);
    }
    this.sets = [...this.byRef.values()];
  }

  /** Element counts by set, for status output. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.sets.map((s) => [s.spec.name, s.installed.size]));
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.opts.log(message);
  }

  /**
   * Where `value` goes, parsed once: its span, family and set (routing is fixed after start, so a
   * value keeps its placement). Null, and reported once, when it is not an address or range or
   * no set takes its kind.
   */
  private place(value: string): Placement | null {
    const known = this.placed.get(value);
    if (known) return known;
    const parsed = spanOf(value);
    if (!parsed) {
      this.warnOnce(`bad:${value}`, `ignoring decision on '${value.slice(0, 80)}': not an IP address or range`);
      return null;
    }
    const single = parsed.span.start === parsed.span.end;
    const spec = (single ? this.routing.addresses : this.routing.ranges)[parsed.family];
    if (!spec) {
      this.warnOnce(`route:${single}:${parsed.family}`, `no set takes IPv${parsed.family} ${single ? 'addresses' : 'ranges'}: those decisions are not enforced`);
      return null;
    }
    const placement = { ...parsed, key: spanKey(parsed.span), set: this.byRef.get(setRef(spec)) as TargetSet };
    placement.set.members.add(value);
    this.placed.set(value, placement);
    return placement;
  }

  private forget(value: string): void {
    this.placed.get(value)?.set.members.delete(value);
    this.placed.delete(value);
  }

  /** The span a placed value should occupy until its decision ends, or null (no decision, allowlisted). */
  private wanted(value: string, p: Placement, now: number): TimedSpan | null {
    const d = this.cache.effective(value, now, this.opts.types);
    if (!d) return null;
    if (this.allow.covers(p.family, p.span)) {
      this.warnOnce(`allow:${value}`, `not dropping ${value}: it is allowlisted (loopback, the API's address or --allow)`);
      return null;
    }
    return { ...p.span, until: d.until };
  }

  /** The whole wanted content of an interval set. */
  private intervalWanted(set: TargetSet, now: number): Map<string, TimedSpan> {
    const spans: TimedSpan[] = [];
    for (const value of set.members) {
      const w = this.wanted(value, this.placed.get(value) as Placement, now);
      if (w) spans.push(w);
    }
    return wantedIntervals(spans, this.allow.holes[set.spec.family]);
  }

  /** Per element key, the latest wanted span among `values` (null: none wants the element). */
  private addressWanted(values: Iterable<[string, Placement]>, now: number): Map<string, TimedSpan | null> {
    const out = new Map<string, TimedSpan | null>();
    for (const [value, p] of values) {
      const w = this.wanted(value, p, now);
      const prev = out.get(p.key);
      if (!prev || (w && w.until > prev.until)) out.set(p.key, w);
    }
    return out;
  }

  /** Applies one stream update; rejects when the kernel could not be brought in line. */
  async apply(update: StreamUpdate): Promise<ApplyReport> {
    const changed = this.cache.apply(update);
    // Sweeping every decision costs O(n): once a second is enough (the kernel times elements out itself).
    const now = Date.now();
    if (update.full || now - this.lastSweep >= SWEEP_MS) {
      this.lastSweep = now;
      for (const value of this.cache.expire(now)) changed.add(value);
    }
    if (update.full) return this.reconcile();
    try {
      return await this.applyChanged(changed);
    } catch (error) {
      this.opts.log(`nft transaction failed, reconciling with the kernel: ${(error as Error).message}`);
      return this.reconcile();
    }
  }

  private async applyChanged(values: Set<string>): Promise<ApplyReport> {
    const now = Date.now();
    const touched = new Map<TargetSet, [string, Placement][]>();
    for (const value of values) {
      const p = this.place(value);
      if (!p) continue;
      // A value whose last decision is gone leaves its set, but its element still has to go.
      if (!this.cache.effective(value, now)) this.forget(value);
      const list = touched.get(p.set) ?? [];
      list.push([value, p]);
      touched.set(p.set, list);
    }
    // A set that had to leave elements out looks at all its members again: room may have freed.
    for (const set of this.sets) if (set.overflow > 0 && !touched.has(set)) touched.set(set, []);
    const plans: [TargetSet, SetChanges][] = [];
    for (const [set, list] of touched) {
      set.dropExpired(now);
      plans.push([set, set.overflow > 0 ? this.planAll(set, now) : this.planSome(set, list, now)]);
    }
    return this.commit(plans);
  }

  /** The changes for the given values only (interval sets are always recomputed whole). */
  private planSome(set: TargetSet, values: [string, Placement][], now: number): SetChanges {
    if (set.spec.interval) return set.diff(this.intervalWanted(set, now), now);
    return set.diffSome(this.addressWanted(values, now), now);
  }

  /** The changes that make the set hold exactly what its members want. */
  private planAll(set: TargetSet, now: number): SetChanges {
    if (set.spec.interval) return set.diff(this.intervalWanted(set, now), now);
    const wanted = new Map<string, TimedSpan>();
    const members = [...set.members].map((value): [string, Placement] => [value, this.placed.get(value) as Placement]);
    for (const [key, w] of this.addressWanted(members, now)) if (w) wanted.set(key, w);
    return set.diff(wanted, now);
  }

  /** Reads every set from the kernel, then writes whatever differs from the decisions. */
  async reconcile(): Promise<ApplyReport> {
    const now = Date.now();
    for (const value of this.cache.values()) this.place(value);
    for (const [value] of this.placed) if (!this.cache.effective(value, now)) this.forget(value);
    const plans: [TargetSet, SetChanges][] = [];
    for (const set of this.sets) {
      const listed = await this.opts.nft.list(['set', set.spec.tableFamily, set.spec.table, set.spec.name]);
      const readAt = Date.now();
      set.loadKernel(listed ?? [], readAt);
      plans.push([set, this.planAll(set, readAt)]);
    }
    const report = await this.commit(plans);
    this.opts.log(`reconciled with the kernel: +${report.added} -${report.removed}, ${report.elements} elements (${Object.entries(this.counts()).map(([k, v]) => `${k} ${v}`).join(', ')})`);
    return report;
  }

  private async commit(plans: [TargetSet, SetChanges][]): Promise<ApplyReport> {
    const started = Date.now();
    const lines: string[] = [];
    for (const [set, changes] of plans) lines.push(...set.script(changes, Date.now()));
    if (lines.length > 0) await this.opts.nft.apply(`${lines.join('\n')}\n`);
    let added = 0;
    let removed = 0;
    for (const [set, changes] of plans) {
      set.commit(changes);
      added += changes.adds.length;
      removed += changes.removes.length;
      this.reportFill(set);
    }
    this.updates++;
    const elements = this.sets.reduce((n, s) => n + s.installed.size, 0);
    this.last = { added, removed, elements, ms: Date.now() - started };
    if (this.opts.verbose && lines.length > 0) this.opts.log(`applied +${added} -${removed} in ${this.last.ms} ms (${elements} elements)`);
    return this.last;
  }

  private reportFill(set: TargetSet): void {
    const { name, size } = set.spec;
    if (set.overflow > 0) this.opts.log(`set ${name} is full (size ${size}): ${set.overflow} decisions not enforced; raise --set-size`);
    const near = set.installed.size >= size * NEAR_FULL;
    if (near && !this.nearFull.has(name)) this.opts.log(`set ${name} holds ${set.installed.size} of ${size} elements`);
    if (near) this.nearFull.add(name);
    else if (set.installed.size < size * 0.8) this.nearFull.delete(name);
  }
}
