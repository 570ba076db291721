// Builds a CrowdSec config directory from Debian's offline hub, the way the package's postinst
// enables items: every item of the requested collections (recursively) lands at
// `<type>/[<stage>/]<file>` (postinst strips the author directory), patterns come from
// /etc/crowdsec/patterns and every shipped data file is copied (postinst: `cp
// /usr/share/crowdsec/data/* /var/lib/crowdsec/data/`). Files are copied byte for byte, so
// crowdwatch (`--config DIR`) and CrowdSec read identical content; quirks of the package are kept
// on purpose (e.g. it ships `path_traversal.txt` while the scenario asks for
// `http_path_traversal.txt`; see missingDataFiles).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireReference, type Reference } from './reference';

/** The collections the engine and throughput issues measure against (plus whitelists). */
export const TARGET_COLLECTIONS = [
  'crowdsecurity/linux',
  'crowdsecurity/sshd',
  'crowdsecurity/nginx',
  'crowdsecurity/base-http-scenarios',
  'crowdsecurity/http-cve',
];

export const ITEM_TYPES = ['parsers', 'postoverflows', 'scenarios', 'collections'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

export interface HubIndexItem {
  path: string;
  stage?: string;
  author?: string;
  version: string;
  versions?: Record<string, { digest: string; deprecated?: boolean }>;
  parsers?: string[] | null;
  postoverflows?: string[] | null;
  scenarios?: string[] | null;
  collections?: string[] | null;
}

export type HubIndex = Record<ItemType, Record<string, HubIndexItem>>;

export interface InstalledItem {
  type: ItemType;
  /** Hub name, e.g. `crowdsecurity/ssh-bf`. */
  name: string;
  version: string;
  /** Path relative to the hub directory, e.g. `scenarios/crowdsecurity/ssh-bf.yaml`. */
  hubPath: string;
  /** Path relative to the config directory, e.g. `scenarios/ssh-bf.yaml`. */
  configPath: string;
}

export interface HubConfig {
  configDir: string;
  items: InstalledItem[];
  /** Items the index lists but Debian does not ship (it strips geoip-enrich); not installed. */
  missingItems: Array<{ type: ItemType; name: string; hubPath: string }>;
  /** Data files copied into `data/` (all that the package ships). */
  dataFiles: string[];
  /** `dest_file`s referenced by installed items' `data:` entries that `data/` lacks. */
  missingDataFiles: string[];
}

export interface BuildOptions {
  /** Add `crowdsecurity/whitelists` (s02-enrich), as Debian does. Default true. */
  whitelists?: boolean;
  /** Further single items to install, e.g. `{type: 'scenarios', name: 'crowdsecurity/x'}`. */
  extraItems?: Array<{ type: ItemType; name: string }>;
  reference?: Reference;
}

const indexCache = new Map<string, HubIndex>();

export function loadHubIndex(hubDir: string): HubIndex {
  let index = indexCache.get(hubDir);
  if (!index) {
    const raw = JSON.parse(fs.readFileSync(path.join(hubDir, '.index.json'), 'utf8'));
    index = { parsers: {}, postoverflows: {}, scenarios: {}, collections: {}, ...raw } as HubIndex;
    indexCache.set(hubDir, index);
  }
  return index;
}

/** `parsers/s01-parse/crowdsecurity/x.yaml` → `parsers/s01-parse/x.yaml` (postinst drops the author). */
export function installPath(hubPath: string): string {
  const parts = hubPath.split('/');
  return [...parts.slice(0, -2), parts[parts.length - 1]].join('/');
}

export function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Every item a set of collections pulls in, collections included, in discovery order. */
export function resolveCollections(index: HubIndex, collections: string[], opts: BuildOptions = {}): Array<{ type: ItemType; name: string }> {
  const seen = new Set<string>();
  const out: Array<{ type: ItemType; name: string }> = [];
  const visit = (type: ItemType, name: string): void => {
    const key = `${type}:${name}`;
    if (seen.has(key)) return;
    seen.add(key);
    const item = index[type][name];
    if (!item) throw new Error(`hub index has no ${type} item ${name}`);
    out.push({ type, name });
    for (const sub of ITEM_TYPES) for (const child of item[sub] ?? []) visit(sub, child);
  };
  for (const name of collections) visit('collections', name);
  if (opts.whitelists !== false) visit('parsers', 'crowdsecurity/whitelists');
  for (const extra of opts.extraItems ?? []) visit(extra.type, extra.name);
  return out;
}

/** `dest_file` values of an item's `data:` entries (scalar lines only, as the hub writes them). */
export function dataFilesReferenced(itemText: string): string[] {
  const found: string[] = [];
  for (const m of itemText.matchAll(/^\s*-?\s*dest_file:\s*["']?([^"'\s#]+)["']?\s*(?:#.*)?$/gm)) found.push(m[1]);
  return found;
}

export function buildHubConfig(collections: string[], outDir: string, opts: BuildOptions = {}): HubConfig {
  const ref = opts.reference ?? requireReference();
  const index = loadHubIndex(ref.hubDir);
  const configDir = path.resolve(outDir);
  const result: HubConfig = { configDir, items: [], missingItems: [], dataFiles: [], missingDataFiles: [] };
  const taken = new Map<string, string>();
  const wantedData = new Set<string>();

  for (const { type, name } of resolveCollections(index, collections, opts)) {
    const item = index[type][name];
    const source = path.join(ref.hubDir, item.path);
    if (!fs.existsSync(source)) {
      result.missingItems.push({ type, name, hubPath: item.path });
      continue;
    }
    const configPath = installPath(item.path);
    const owner = taken.get(configPath);
    if (owner) throw new Error(`${name} and ${owner} would both install ${configPath}`);
    taken.set(configPath, name);
    const dest = path.join(configDir, configPath);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(source, dest);
    result.items.push({ type, name, version: item.version, hubPath: item.path, configPath });
    for (const file of dataFilesReferenced(fs.readFileSync(source, 'utf8'))) wantedData.add(file);
  }

  const patternsOut = path.join(configDir, 'patterns');
  fs.mkdirSync(patternsOut, { recursive: true });
  for (const file of fs.readdirSync(ref.patternsDir)) {
    fs.copyFileSync(path.join(ref.patternsDir, file), path.join(patternsOut, file));
  }

  const dataOut = path.join(configDir, 'data');
  fs.mkdirSync(dataOut, { recursive: true });
  for (const file of fs.readdirSync(ref.dataDir).sort()) {
    fs.copyFileSync(path.join(ref.dataDir, file), path.join(dataOut, file));
    result.dataFiles.push(file);
  }
  result.missingDataFiles = [...wantedData].filter((f) => !result.dataFiles.includes(f)).sort();
  return result;
}

/**
 * Which hub item a config-directory file is, the way CrowdSec's hub sync recognises it: same
 * type, stage and file name. Among same-named items of different authors, the one with a version
 * whose digest matches the content wins. Undefined for local (non-hub) files.
 */
export function findHubItem(
  index: HubIndex,
  type: ItemType,
  stage: string | undefined,
  fileName: string,
  content: string,
): { name: string; item: HubIndexItem } | undefined {
  const candidates = Object.entries(index[type] ?? {}).filter(
    ([, item]) => path.posix.basename(item.path) === fileName && (item.stage ?? undefined) === stage,
  );
  if (candidates.length === 0) return undefined;
  const digest = crypto.createHash('sha256').update(content).digest('hex');
  const exact = candidates.find(([, item]) => Object.values(item.versions ?? {}).some((v) => v.digest === digest));
  const [name, item] = exact ?? candidates[0];
  return { name, item };
}
