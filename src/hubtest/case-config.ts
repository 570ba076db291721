import * as path from 'node:path';
import { isMap, isScalar, isSeq, type Node as YamlNode, type Pair } from 'yaml';
import { ConfigError, lineOf, list, type Reader, readYamlFile, scalar } from '../config/yaml-reader';

/** A hubtest case's `config.yaml` (cscli hubtest's HubTestItemConfig). */
export interface CaseConfig {
  parsers: string[];
  scenarios: string[];
  postoverflows: string[];
  logFile: string;
  logType: string;
  labels: Record<string, string>;
  ignoreParsers: boolean;
  /** Statics applied before s00-raw, as a node CrowdSec writes to `parsers/s00-raw/00_overrides.yaml`. */
  overrideStatics: Record<string, string>[];
  /** Set for the cases this runner does not run (AppSec rules, nuclei templates), with why. */
  unsupported?: string;
}

/** Items are listed with "" for none, as `cscli hubtest create` writes them. */
function items(node: YamlNode | null | undefined, where: string): string[] {
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return [];
  return list(node, where).filter((name) => name !== '');
}

function stringMap(node: YamlNode | null | undefined, where: string): Record<string, string> {
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return {};
  if (!isMap(node)) throw new ConfigError(`${where} must be a mapping`);
  const out: Record<string, string> = {};
  for (const pair of node.items as Pair<YamlNode, YamlNode>[]) out[scalar(pair.key, where)] = scalar(pair.value, `${where}.${scalar(pair.key, where)}`);
  return out;
}

/** Reads `<caseDir>/config.yaml` strictly; problems are ConfigErrors with file:line. */
export function readCaseConfig(caseDir: string): CaseConfig {
  const file = path.join(caseDir, 'config.yaml');
  const { documents, lines } = readYamlFile(file);
  const config: CaseConfig = {
    parsers: [],
    scenarios: [],
    postoverflows: [],
    logFile: '',
    logType: '',
    labels: {},
    ignoreParsers: false,
    overrideStatics: [],
  };
  const unsupported = (what: string) => () => {
    config.unsupported = what;
  };
  const readers: Record<string, Reader> = {
    parsers: (v, w) => (config.parsers = items(v, w)),
    scenarios: (v, w) => (config.scenarios = items(v, w)),
    postoverflows: (v, w) => (config.postoverflows = items(v, w)),
    collections: () => undefined,
    log_file: (v, w) => (config.logFile = scalar(v, w)),
    log_type: (v, w) => (config.logType = scalar(v, w)),
    labels: (v, w) => (config.labels = stringMap(v, w)),
    ignore_parsers: (v, w) => (config.ignoreParsers = scalar(v, w) === 'true'),
    own_data_dir: () => undefined,
    override_statics: (v, w) => {
      if (v === null || v === undefined || (isScalar(v) && v.value === null)) return;
      if (!isSeq(v)) throw new ConfigError(`${w} must be a list`);
      config.overrideStatics = v.items.map((item, i) => stringMap(item as YamlNode, `${w}[${i}]`));
    },
    'appsec-rules': (v) => {
      if (v !== null && v !== undefined && !(isScalar(v) && v.value === null)) unsupported('AppSec rule tests (.appsec-tests) are not run by crowdwatch')();
    },
    nuclei_template: unsupported('nuclei template tests are not run by crowdwatch'),
    expect_failure: () => undefined,
  };
  // Like cscli (yaml.v3 without KnownFields), keys it does not know are ignored.
  const root = documents[0];
  if (!isMap(root)) throw new ConfigError(`${file}:${lineOf(lines, root)}: the file must be a mapping`);
  for (const pair of root.items as Pair<YamlNode, YamlNode>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    try {
      readers[key]?.(pair.value, key, pair.key);
    } catch (error) {
      throw new ConfigError(`${file}:${lineOf(lines, pair.value ?? pair.key)}: ${(error as Error).message}`);
    }
  }
  if (config.unsupported === undefined && config.logFile === '') {
    throw new ConfigError(`${file}:${lineOf(lines, documents[0])}: log_file is required`);
  }
  return config;
}
