// The community blocklist's consensus, kept in memory and updated per report (no HTTP, no SQL:
// the server persists what `report` and `sweep` say changed, and rebuilds this on start).
//
// The rule (also in README "The crowd"):
// - Only trusted reports count (the caller decides trust: see `trust.ts`). A report is one member
//   having sent at least one trusted signal for an address; a member counts once per address.
// - Reports count for `window` after they arrive (the server's clock, never the member's).
// - An address enters when, within the window, at least `minMembers` distinct members reported
//   it AND the sum of those members' weights reaches `minMembers`. The weight can only hold an
//   address back, never replace a missing member. Allowlisted addresses are never considered.
// - An entry lasts `duration`; a report that arrives while the consensus still holds extends it.
// - Weights: each report is corroborated once another member reports the same address within the
//   window, or uncorroborated when its window passes alone. weight = 2(c+1)/(c+u+2) bounded to
//   [0.1, 2]: 1 for a new member, towards 2 when its reports are confirmed by others, 0.1 after
//   18 lone reports with none confirmed.
import type { ConsensusConfig } from './config';
import { IpRangeSet } from '../store/ip-range';

export const MIN_WEIGHT = 0.1;
export const MAX_WEIGHT = 2;

export interface Standing {
  corroborated: number;
  uncorroborated: number;
}

export function weightOf(s: Standing): number {
  const w = (2 * (s.corroborated + 1)) / (s.corroborated + s.uncorroborated + 2);
  return Math.min(MAX_WEIGHT, Math.max(MIN_WEIGHT, w));
}

export interface Entry {
  /** The blocklist row's id, once stored (what members see as the decision id). */
  id?: number;
  value: string;
  scenario: string;
  until: number;
}

/** What a call changed, for the caller to persist. */
export interface ConsensusChanges {
  /** Entries created or extended. */
  listed: Entry[];
  /** Entries that ran out. */
  expired: Entry[];
  /** Members whose standing changed. */
  members: Set<string>;
}

export function noChanges(): ConsensusChanges {
  return { listed: [], expired: [], members: new Set() };
}

interface MemberReport {
  firstAt: number;
  lastAt: number;
  scenario: string;
  /** Still waiting for another member to report the same address. */
  pending: boolean;
}

export class Consensus {
  private readonly allow: IpRangeSet;
  /** Per address, the reports still inside the window, by member. */
  private readonly addresses = new Map<string, Map<string, MemberReport>>();
  /** Addresses by their last report (insertion order = time order): forgotten a window later. */
  private readonly touched = new Map<string, number>();
  /** Reports awaiting corroboration, in arrival order (key: member NUL address). */
  private readonly pending = new Map<string, { member: string; value: string; at: number }>();
  private readonly standings = new Map<string, Standing>();
  /** Listed addresses in order of `until` (every until is arrival + duration). */
  private readonly entries = new Map<string, Entry>();
  /** While restoring, reports already resolved before the restart are not counted again. */
  private restoring = false;

  constructor(private readonly config: ConsensusConfig) {
    this.allow = new IpRangeSet(config.allowlist);
  }

  /** One trusted report by `member` of `value` (an address) at `now`. */
  report(member: string, value: string, scenario: string, now: number, changes: ConsensusChanges): void {
    if (this.allow.covers(value)) return;
    const reports = this.reportsOf(value, now);
    const own = reports.get(member);
    if (own) {
      own.lastAt = now;
      own.scenario = scenario;
    } else {
      const key = `${member}\u0000${value}`;
      // A previous report of this pair that aged out alone is resolved now, so the queue stays in time order.
      if (this.pending.delete(key) && !this.restoring) {
        this.standingOf(member).uncorroborated++;
        changes.members.add(member);
      }
      reports.set(member, { firstAt: now, lastAt: now, scenario, pending: true });
      this.pending.set(key, { member, value, at: now });
    }
    this.touched.delete(value);
    this.touched.set(value, now);
    if (reports.size >= 2) this.corroborate(value, reports, changes);
    if (!this.restoring) this.evaluate(value, reports, scenario, now, changes);
    if (this.touched.size > this.config.maxAddresses) this.forgetOldest();
  }

  /**
   * Memory is bounded: past `maxAddresses` tracked addresses, the least recently reported one is
   * forgotten with its reports (the ones still waiting for corroboration count for no one, against
   * no one). A flood of single reports of fresh addresses costs old lone reports, never an entry.
   */
  private forgetOldest(): void {
    const oldest = this.touched.keys().next();
    if (oldest.done) return;
    const value = oldest.value;
    this.touched.delete(value);
    for (const member of this.addresses.get(value)?.keys() ?? []) this.pending.delete(`${member}\u0000${value}`);
    this.addresses.delete(value);
    this.forgotten++;
  }

  /** Addresses tracked now (reports inside the window), and how many the cap made it forget. */
  get tracked(): number {
    return this.touched.size;
  }

  forgotten = 0;

  /** Resolves reports whose window passed alone, forgets old reports, ends expired entries. */
  sweep(now: number): ConsensusChanges {
    const changes = noChanges();
    const horizon = now - this.config.windowMs;
    for (const [key, p] of this.pending) {
      if (p.at > horizon) break;
      this.pending.delete(key);
      const r = this.addresses.get(p.value)?.get(p.member);
      if (r) r.pending = false;
      this.standingOf(p.member).uncorroborated++;
      changes.members.add(p.member);
    }
    for (const [value, at] of this.touched) {
      if (at > horizon) break;
      this.touched.delete(value);
      this.addresses.delete(value);
    }
    for (const [value, entry] of this.entries) {
      if (entry.until > now) break;
      this.entries.delete(value);
      changes.expired.push(entry);
    }
    return changes;
  }

  weight(member: string): number {
    return weightOf(this.standingOf(member));
  }

  standing(member: string): Standing {
    return { ...this.standingOf(member) };
  }

  /** Reports of `member` still waiting for corroboration. */
  pendingCount(member: string): number {
    let n = 0;
    for (const p of this.pending.values()) if (p.member === member) n++;
    return n;
  }

  entry(value: string): Entry | undefined {
    return this.entries.get(value);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The members counted for `value` now, and their weighted sum. */
  tally(value: string, now: number): { members: number; weighted: number } {
    const reports = this.live(value, now);
    let weighted = 0;
    for (const member of reports.keys()) weighted += this.weight(member);
    return { members: reports.size, weighted };
  }

  // Restoring from the store, in this order: standings, entries (by until), then the trusted
  // signals of the last window in arrival order.
  restoreStanding(member: string, standing: Standing): void {
    this.standings.set(member, { corroborated: standing.corroborated, uncorroborated: standing.uncorroborated });
  }

  restoreEntry(entry: Entry): void {
    this.entries.set(entry.value, { value: entry.value, scenario: entry.scenario, until: entry.until });
  }

  restoreReports(replay: (report: (member: string, value: string, scenario: string, at: number) => void) => void): void {
    this.restoring = true;
    try {
      replay((member, value, scenario, at) => this.report(member, value, scenario, at, noChanges()));
    } finally {
      this.restoring = false;
    }
  }

  private standingOf(member: string): Standing {
    let s = this.standings.get(member);
    if (!s) {
      s = { corroborated: 0, uncorroborated: 0 };
      this.standings.set(member, s);
    }
    return s;
  }

  /** The address's reports, without those older than the window. */
  private live(value: string, now: number): Map<string, MemberReport> {
    const reports = this.addresses.get(value);
    if (!reports) return new Map();
    const horizon = now - this.config.windowMs;
    for (const [member, r] of reports) if (r.lastAt <= horizon) reports.delete(member);
    return reports;
  }

  private reportsOf(value: string, now: number): Map<string, MemberReport> {
    const reports = this.live(value, now);
    if (!this.addresses.has(value)) this.addresses.set(value, reports);
    return reports;
  }

  private corroborate(value: string, reports: Map<string, MemberReport>, changes: ConsensusChanges): void {
    for (const [member, r] of reports) {
      if (!r.pending) continue;
      r.pending = false;
      this.pending.delete(`${member}\u0000${value}`);
      // Restored reports that were corroborated before the restart were counted then.
      if (this.restoring) continue;
      this.standingOf(member).corroborated++;
      changes.members.add(member);
    }
  }

  private evaluate(value: string, reports: Map<string, MemberReport>, scenario: string, now: number, changes: ConsensusChanges): void {
    const min = this.config.minMembers;
    if (reports.size < min) return;
    let weighted = 0;
    for (const member of reports.keys()) weighted += this.weight(member);
    if (weighted < min) return;
    const until = now + this.config.durationMs;
    const entry = this.entries.get(value);
    // An extension is written only once it adds a 24th of the duration: a busy address would
    // otherwise cost a write (and a stream item for every member) per report.
    if (entry && until - entry.until < this.config.durationMs / 24) return;
    const next = { value, scenario: entry?.scenario ?? scenario, until };
    this.entries.delete(value);
    this.entries.set(value, next);
    changes.listed.push({ ...next });
  }
}
