// The central's Prometheus figures, defined in one place. No member or address ever becomes a
// label: the figures describe the crowd, not who is in it.
import type { Family } from '../metrics/exposition';
import type { ConsensusChanges } from './consensus';

export class CentralMetrics {
  blocklistSize = 0;
  private signalsReceived = 0;
  private signalsStored = 0;
  private signalsCounted = 0;
  private pushes = 0;
  private pulls = { startup: 0, delta: 0 };
  private listed = 0;
  private expired = 0;
  private resolved = 0;
  private refused = 0;

  pushed(received: number, stored: number, counted: number): void {
    this.pushes++;
    this.signalsReceived += received;
    this.signalsStored += stored;
    this.signalsCounted += counted;
  }

  pulled(startup: boolean): void {
    this.pulls[startup ? 'startup' : 'delta']++;
  }

  changed(changes: ConsensusChanges): void {
    this.listed += changes.listed.length;
    this.expired += changes.expired.length;
    this.resolved += changes.members.size;
  }

  /** A request answered 4xx (malformed, too big, unauthenticated). */
  refusedRequest(): void {
    this.refused++;
  }

  families(members: number): Family[] {
    const counter = (name: string, help: string, value: number): Family => ({ name, help, type: 'counter', samples: [{ labels: {}, value }] });
    const gauge = (name: string, help: string, value: number): Family => ({ name, help, type: 'gauge', samples: [{ labels: {}, value }] });
    return [
      counter('crowdwatch_central_signals_received_total', 'Signals received from members', this.signalsReceived),
      counter('crowdwatch_central_signals_stored_total', 'Signals stored (simulated ones are dropped)', this.signalsStored),
      counter('crowdwatch_central_signals_counted_total', 'Stored signals that counted towards consensus (trusted, Ip scope)', this.signalsCounted),
      counter('crowdwatch_central_pushes_total', 'Signal batches accepted', this.pushes),
      {
        name: 'crowdwatch_central_pulls_total', help: 'Blocklist stream pulls', type: 'counter',
        samples: [{ labels: { startup: 'true' }, value: this.pulls.startup }, { labels: { startup: 'false' }, value: this.pulls.delta }],
      },
      counter('crowdwatch_central_entries_listed_total', 'Blocklist entries created or extended', this.listed),
      counter('crowdwatch_central_entries_expired_total', 'Blocklist entries that ran out', this.expired),
      counter('crowdwatch_central_standing_updates_total', 'Member standings changed by corroboration or its absence', this.resolved),
      counter('crowdwatch_central_refused_requests_total', 'Requests answered with a 4xx error', this.refused),
      gauge('crowdwatch_central_blocklist_entries', 'Addresses in the community blocklist', this.blocklistSize),
      gauge('crowdwatch_central_members', 'Registered members', members),
    ];
  }
}
