// What a replay found against what the generator planted: an attack is detected when at least
// one alert names its source address (attackers are unique per attack and never benign).
import type { AttackRecord } from './gen/common';

export interface Detection {
  attacks: number;
  detected: number;
  /** Planted attacks no alert names. */
  missed: string[];
  alerts: number;
  /** Alerts on addresses the generator used only for benign traffic. */
  benignAlerts: number;
}

export function compareWithManifest(alerts: ReadonlyArray<{ source_ip: string }>, manifest: readonly AttackRecord[]): Detection {
  const alerted = new Set(alerts.map((a) => a.source_ip));
  const attackers = new Set(manifest.map((m) => m.source_ip));
  const missed = manifest.filter((m) => !alerted.has(m.source_ip)).map((m) => `${m.scenarioKind} from ${m.source_ip}`);
  return {
    attacks: manifest.length,
    detected: manifest.length - missed.length,
    missed,
    alerts: alerts.length,
    benignAlerts: alerts.filter((a) => !attackers.has(a.source_ip)).length,
  };
}
