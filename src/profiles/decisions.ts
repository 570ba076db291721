import * as fs from 'node:fs';
import { bindings, type Profiles } from '../engine/native';
import { IpRangeSet } from '../store/ip-range';
import type { NewDecision } from '../store/types';
import type { DecisionStore } from '../store/decisions';
import { isSimulated, readSimulation, type SimulationConfig } from './simulation';

/** The alert fields profiles look at (the API's JSON shape, already validated). */
export interface AlertForProfiles {
  scenario: string;
  simulated: boolean;
  source: { scope: string; value: string };
  /** Alert meta, which profiles read with `Alert.GetMeta(key)` (the crowd view among others). */
  meta?: Array<{ key: string; value: string }>;
}

/**
 * Turns alerts into decisions: simulation first (a simulated scenario's alert is marked so), then
 * the profiles, then the allowlist, which wins over everything.
 */
function stampOf(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return 'absent';
  }
}

export class DecisionMaker {
  private simulation: SimulationConfig;
  /** What the file looked like when last read (size, mtime, inode), to read it again only when it changed. */
  private simulationStamp: string;

  constructor(
    private readonly profiles: Profiles,
    /** Addresses and ranges that never get a decision. */
    private readonly allowlist: IpRangeSet,
    private readonly simulationFile: string,
  ) {
    this.simulationStamp = stampOf(simulationFile);
    this.simulation = readSimulation(simulationFile);
  }

  static load(profilesFile: string, allowlist: string[], simulationFile: string): DecisionMaker {
    return new DecisionMaker(bindings().Profiles.load(profilesFile), new IpRangeSet(allowlist), simulationFile);
  }

  /**
   * Reads simulation.yaml again if it changed since (`crowdwatch simulation enable` edits it while
   * the API runs). A file that no longer reads keeps the last good settings in force and is
   * reported once, as a warning; it never fails a push.
   */
  refreshSimulation(): string | undefined {
    const stamp = stampOf(this.simulationFile);
    if (stamp === this.simulationStamp) return undefined;
    this.simulationStamp = stamp;
    try {
      this.simulation = readSimulation(this.simulationFile);
      return undefined;
    } catch (error) {
      return `${(error as Error).message} (the previous simulation settings stay in force)`;
    }
  }

  isSimulated(scenario: string): boolean {
    return isSimulated(this.simulation, scenario);
  }

  allowlisted(value: string): boolean {
    return this.allowlist.covers(value);
  }

  /** Decisions for one alert; `stopAtMs` anchors `until` (CrowdSec: stop_at + duration). */
  async decide(alert: AlertForProfiles, stopAtMs: number, decisions: DecisionStore, now = Date.now()): Promise<{ decisions: NewDecision[]; warnings: string[] }> {
    const value = alert.source.value;
    const history = { value, createdAtMs: await decisions.createdTimes(value), nowMs: now };
    const outcome = this.profiles.evaluate(alert, history);
    const made: NewDecision[] = [];
    for (const d of outcome.decisions) {
      if (this.allowlisted(d.value)) continue;
      made.push({
        type: d.type,
        scope: d.scope,
        value: d.value,
        origin: d.origin,
        scenario: d.scenario,
        simulated: d.simulated,
        until: stopAtMs + Math.round(d.duration_ns / 1e6),
      });
    }
    return { decisions: made, warnings: outcome.warnings };
  }
}
