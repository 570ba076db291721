// The central's state between HTTP and the database: the consensus in memory, the revision
// counter, and one queue that every write goes through (a push, a sweep), so revisions commit in
// order and the consensus never runs ahead of two writes at once.
import type { ConsensusConfig } from './config';
import { Consensus, type ConsensusChanges, type Entry, noChanges, type Standing } from './consensus';
import { CentralMetrics } from './metrics';
import { counts, type IncomingSignal, toSignal } from './signal';
import type { CentralStore, Member } from './store';

class Queue {
  private tail: Promise<void> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.then(() => undefined, () => undefined);
    return result;
  }
}

export interface PushOutcome {
  received: number;
  stored: number;
  counted: number;
}

export class CentralService {
  readonly consensus: Consensus;
  readonly metrics = new CentralMetrics();
  private readonly writes = new Queue();
  /** The last revision whose write committed: pulls read up to here. */
  private committed = 0;
  /** Stored signals removed past their retention. */
  prunedSignals = 0;

  private constructor(
    readonly store: CentralStore,
    readonly config: ConsensusConfig,
    readonly now: () => number,
  ) {
    this.consensus = new Consensus(config);
  }

  /** Rebuilds the consensus from the store: standings, active entries, the last window's trusted signals. */
  static async open(store: CentralStore, config: ConsensusConfig, now: () => number = Date.now): Promise<CentralService> {
    const service = new CentralService(store, config, now);
    const at = now();
    for (const m of await store.members()) service.consensus.restoreStanding(m.machineId, m);
    for (const e of await store.activeEntries(at)) service.consensus.restoreEntry(e);
    const signals: Array<{ member: string; value: string; scenario: string; at: number }> = [];
    await store.eachSignalSince(at - config.windowMs, (s) => {
      if (counts(s, config)) signals.push({ member: s.machineId, value: s.value, scenario: s.scenario, at: s.receivedAt });
    });
    service.consensus.restoreReports((report) => {
      for (const s of signals) report(s.member, s.value, s.scenario, s.at);
    });
    service.committed = await store.maxRevision();
    service.metrics.blocklistSize = service.consensus.size;
    return service;
  }

  /** One member's batch: stored (the kept fields only), then counted by consensus. */
  push(member: Member, items: IncomingSignal[]): Promise<PushOutcome> {
    return this.writes.run(async () => {
      const now = this.now();
      const signals = items.filter((s) => s.simulated !== true).map((s) => toSignal(s, member.id));
      const changes = noChanges();
      let counted = 0;
      for (const s of signals) {
        if (!counts(s, this.config)) continue;
        counted++;
        this.consensus.report(member.machineId, s.value, s.scenario, now, changes);
      }
      await this.commit(changes, (revision, standings) => this.store.ingest(member.id, signals, changes, standings, revision, now));
      this.metrics.pushed(items.length, signals.length, counted);
      return { received: items.length, stored: signals.length, counted };
    });
  }

  /** Resolves reports whose window passed and ends expired entries. */
  sweep(): Promise<ConsensusChanges> {
    return this.writes.run(async () => {
      const now = this.now();
      const changes = this.consensus.sweep(now);
      if (changes.expired.length > 0 || changes.members.size > 0) {
        await this.commit(changes, (revision, standings) => this.store.applySweep(changes, standings, revision, now));
      }
      // Stored signals are kept for their retention only (the window is rebuilt from them).
      this.prunedSignals += await this.store.pruneSignals(now - this.config.signalRetentionMs);
      return changes;
    });
  }

  /** A member's stream pull (a sweep first, so what ran out is listed as deleted at once). */
  async pull(member: Member, startup: boolean): Promise<{ pages: AsyncIterable<Entry[]>; deleted: Entry[]; now: number }> {
    await this.sweep();
    const now = this.now();
    const changes = await this.store.stream(member, startup, this.committed, now);
    this.metrics.pulled(startup);
    return { ...changes, now };
  }

  private async commit(changes: ConsensusChanges, write: (revision: number, standings: Map<string, Standing & { weight: number }>) => Promise<void>): Promise<void> {
    const revision = this.committed + 1;
    const standings = new Map<string, Standing & { weight: number }>();
    for (const m of changes.members) standings.set(m, { ...this.consensus.standing(m), weight: this.consensus.weight(m) });
    await write(revision, standings);
    if (changes.listed.length > 0 || changes.expired.length > 0) this.committed = revision;
    this.metrics.blocklistSize = this.consensus.size;
    this.metrics.changed(changes);
  }
}
