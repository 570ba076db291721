import * as fs from 'node:fs';
import { parse, stringify } from 'yaml';
import { writeFileAtomic } from '../files/atomic';

/**
 * `simulation.yaml` (CrowdSec format): `simulation: on|off` and `exclusions`, scenarios for which
 * the global flag is inverted. A simulated scenario's decisions are stored but never reach a
 * bouncer.
 */
export interface SimulationConfig {
  global: boolean;
  exclusions: string[];
}

export function readSimulation(file: string): SimulationConfig {
  if (!fs.existsSync(file)) return { global: false, exclusions: [] };
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw Object.assign(new Error(`${file}: ${(error as Error).message.split('\n')[0]}`), { code: 'CW_CONFIG_FILE' });
  }
  const o = (doc ?? {}) as { simulation?: unknown; exclusions?: unknown };
  const flag = o.simulation;
  const global = flag === true || flag === 'on' || flag === 'true';
  const exclusions = Array.isArray(o.exclusions) ? o.exclusions.map(String) : [];
  return { global, exclusions };
}

export function isSimulated(config: SimulationConfig, scenario: string): boolean {
  return config.exclusions.includes(scenario) ? !config.global : config.global;
}

/** Writes the file atomically (temp file + rename): a crash never leaves half a file. */
export function writeSimulation(file: string, config: SimulationConfig): void {
  writeFileAtomic(file, stringify({ simulation: config.global, exclusions: config.exclusions }));
}

/** Turns simulation on for one scenario (or globally when `scenario` is undefined). */
export function setSimulated(config: SimulationConfig, on: boolean, scenario?: string): SimulationConfig {
  if (scenario === undefined) return { global: on, exclusions: [] };
  const others = config.exclusions.filter((s) => s !== scenario);
  // An exclusion inverts the global flag: it is listed when the scenario differs from global.
  return { global: config.global, exclusions: on !== config.global ? [...others, scenario] : others };
}
