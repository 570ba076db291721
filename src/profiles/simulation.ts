import * as fs from 'node:fs';
import { isScalar, stringify } from 'yaml';
import { ConfigError, list, readMap, readYamlFile, scalar } from '../config/yaml-reader';
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

/** `on`/`off` as CrowdSec's YAML reads a bool (`true`, `yes` and their opposites too). */
function flag(text: string, where: string): boolean {
  const t = text.toLowerCase();
  if (['true', 'on', 'yes'].includes(t)) return true;
  if (['false', 'off', 'no'].includes(t)) return false;
  throw new ConfigError(`${where} must be on or off, not '${text}'`);
}

/** Reads the file strictly (known keys, typed values; problems as ConfigErrors with file:line); absent: off. */
export function readSimulation(file: string): SimulationConfig {
  if (!fs.existsSync(file)) return { global: false, exclusions: [] };
  const { documents, lines } = readYamlFile(file);
  const config: SimulationConfig = { global: false, exclusions: [] };
  readMap(documents[0], file, lines, {
    simulation: (v, w) => (config.global = flag(scalar(v, w), w)),
    exclusions: (v, w) => (config.exclusions = isScalar(v) && v.value === null ? [] : list(v, w)),
  }, '');
  return config;
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
