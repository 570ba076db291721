// One kernel set the bouncer fills: what it holds (as the bouncer last wrote or read it), and the
// script lines that turn that into what the decisions want.
import { elementText, type Family, spanKey } from './addresses';
import { partition, type Span, type TimedSpan } from './intervals';
import { listedElements } from './nft';

export interface SetSpec {
  /** nftables family of the table (`inet`, `ip`, `ip6`). */
  tableFamily: string;
  table: string;
  name: string;
  /** Address family of the elements. */
  family: Family;
  /** `flags interval`: holds ranges, refuses overlaps. Without it, single addresses only. */
  interval: boolean;
  size: number;
}

/** `inet crowdwatch banned-v4`: how nft names a set. */
export function setRef(spec: SetSpec): string {
  return `${spec.tableFamily} ${spec.table} ${spec.name}`;
}

export interface SetChanges {
  removes: TimedSpan[];
  adds: TimedSpan[];
}

/** Element timeouts closer than this to the wanted end are left alone (kernel listings are in seconds). */
export const UNTIL_TOLERANCE_MS = 2000;
/** Elements with less than this to live are not written (they would be gone before the batch is). */
const MIN_LIFE_MS = 1000;
/** Elements per `add element` statement (one transaction holds many statements). */
const CHUNK = 4096;

/** Whether two elements' ends are further apart than kernel listings can tell. */
function endsDiffer(a: TimedSpan, b: TimedSpan): boolean {
  return Math.abs(a.until - b.until) > UNTIL_TOLERANCE_MS;
}

export class TargetSet {
  /** What the kernel set holds, by spanKey. */
  readonly installed = new Map<string, TimedSpan>();
  /** Decision values routed to this set. */
  readonly members = new Set<string>();
  /** Elements left out because the set was full, at the last diff. */
  overflow = 0;

  constructor(readonly spec: SetSpec) {}

  get ref(): string {
    return setRef(this.spec);
  }

  private lastDrop = 0;

  /** Forgets elements the kernel has timed out by `now` (a sweep at most once a second). */
  dropExpired(now: number): void {
    if (now - this.lastDrop < 1000) return;
    this.lastDrop = now;
    for (const [key, e] of this.installed) if (e.until <= now) this.installed.delete(key);
  }

  /** Replaces the model with a `nft -j list set` answer taken at `now`. */
  loadKernel(listing: Record<string, unknown>[], now: number): void {
    this.installed.clear();
    for (const { span, expires } of listedElements(listing)) {
      // An element without a timeout (written by someone else) never ends by itself.
      const until = expires !== undefined ? now + expires * 1000 : Number.MAX_SAFE_INTEGER;
      this.installed.set(spanKey(span), { ...span, until });
    }
  }

  /** The changes that make the set hold exactly `wanted` (already disjoint for interval sets). */
  diff(wanted: ReadonlyMap<string, TimedSpan>, now: number): SetChanges {
    const removes: TimedSpan[] = [];
    const adds: TimedSpan[] = [];
    for (const [key, have] of this.installed) {
      const want = wanted.get(key);
      if (!want || endsDiffer(want, have)) removes.push(have);
    }
    for (const [key, want] of wanted) {
      if (want.until - now < MIN_LIFE_MS) continue;
      const have = this.installed.get(key);
      if (!have || endsDiffer(want, have)) adds.push(want);
    }
    return this.capped(removes, adds);
  }

  /** Changes for single addresses whose decisions changed (`wanted`: key -> span, or null for none). */
  diffSome(wanted: ReadonlyMap<string, TimedSpan | null>, now: number): SetChanges {
    const removes: TimedSpan[] = [];
    const adds: TimedSpan[] = [];
    for (const [key, want] of wanted) {
      const have = this.installed.get(key);
      const live = want !== null && want.until - now >= MIN_LIFE_MS;
      if (have && (!live || endsDiffer(want, have))) removes.push(have);
      if (live && (!have || endsDiffer(want, have))) adds.push(want);
    }
    return this.capped(removes, adds);
  }

  /** Leaves out the additions that would not fit in the set's size, counting them in `overflow`. */
  private capped(removes: TimedSpan[], adds: TimedSpan[]): SetChanges {
    const room = this.spec.size - (this.installed.size - removes.length);
    this.overflow = Math.max(0, adds.length - room);
    if (this.overflow > 0) adds.length = Math.max(0, room);
    return { removes, adds };
  }

  /**
   * Script lines for `changes`. Deletions come first, so a range can be split in one batch. In
   * sets without `interval`, each deletion first adds the element with a 1 s timeout: adding an
   * existing element is a no-op and deleting a missing one fails the batch, so the pair works
   * whether or not the kernel already timed the element out.
   */
  script(changes: SetChanges, now: number): string[] {
    const lines: string[] = [];
    const { family } = this.spec;
    for (let i = 0; i < changes.removes.length; i += CHUNK) {
      const chunk = changes.removes.slice(i, i + CHUNK).map((s) => elementText(family, s));
      if (!this.spec.interval) lines.push(`add element ${this.ref} { ${chunk.map((e) => `${e} timeout 1s`).join(', ')} }`);
      lines.push(`delete element ${this.ref} { ${chunk.join(', ')} }`);
    }
    for (let i = 0; i < changes.adds.length; i += CHUNK) {
      const chunk = changes.adds.slice(i, i + CHUNK).map((s) => `${elementText(family, s)} timeout ${Math.max(MIN_LIFE_MS, Math.round(s.until - now))}ms`);
      lines.push(`add element ${this.ref} { ${chunk.join(', ')} }`);
    }
    return lines;
  }

  /** Records `changes` as applied. */
  commit(changes: SetChanges): void {
    for (const s of changes.removes) this.installed.delete(spanKey(s));
    for (const s of changes.adds) this.installed.set(spanKey(s), s);
  }
}

/** The wanted content of an interval set: the partition of its members' spans, minus holes. */
export function wantedIntervals(spans: readonly TimedSpan[], holes: readonly Span[]): Map<string, TimedSpan> {
  const out = new Map<string, TimedSpan>();
  for (const s of partition(spans, holes)) out.set(spanKey(s), s);
  return out;
}
