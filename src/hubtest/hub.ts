import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** Where a hubtest run finds its content: a hub checkout, CrowdSec's patterns, the data files. */
export interface HubLocation {
  /** The hub root: `.tests/`, `.index.json`, `parsers/`, `scenarios/`, `postoverflows/`. */
  hubDir: string;
  patternsDir: string;
  /** Where data files are, in order: by their `source_url` path or their `dest_file` name. */
  dataDirs: string[];
}

export type ItemKind = 'parsers' | 'scenarios' | 'postoverflows';

/** An item to install: its file, and the stage it goes in (parsers and postoverflows). */
export interface HubItem {
  file: string;
  stage?: string;
}

interface IndexEntry {
  path?: string;
  stage?: string;
}

type HubIndex = Partial<Record<ItemKind, Record<string, IndexEntry>>>;

export class HubError extends Error {
  readonly code = 'CW_USAGE';
}

/** `--hub DIR`, with patterns and data beside it (the layout of a hub snapshot) unless given. */
export function locateHub(hubDir: string, patternsDir?: string, dataDirs: string[] = []): HubLocation {
  const hub = path.resolve(hubDir);
  if (!fs.existsSync(path.join(hub, '.tests'))) throw new HubError(`${hub} is not a hub checkout: it has no .tests/ directory`);
  const patterns = path.resolve(patternsDir ?? path.join(hub, '..', 'patterns'));
  if (!fs.existsSync(patterns)) throw new HubError(`grok patterns not found at ${patterns}: pass --patterns DIR (CrowdSec's config/patterns)`);
  const data = dataDirs.length > 0 ? dataDirs : [path.join(hub, '..', 'data')];
  return { hubDir: hub, patternsDir: patterns, dataDirs: data.map((d) => path.resolve(d)) };
}

const indexCache = new Map<string, HubIndex>();

function readIndex(hubDir: string): HubIndex {
  let index = indexCache.get(hubDir);
  if (index === undefined) {
    const file = path.join(hubDir, '.index.json');
    index = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as HubIndex) : {};
    indexCache.set(hubDir, index);
  }
  return index;
}

/**
 * Finds an item as cscli hubtest does: a hub item by name (`crowdsecurity/sshd-logs`), else a
 * file path relative to the hub or to the test (`./parsers/s01-parse/me/x.yaml`), whose stage is
 * its grandparent directory.
 */
export function resolveItem(hub: HubLocation, kind: ItemKind, name: string, caseDir: string): HubItem {
  const entry = readIndex(hub.hubDir)[kind]?.[name];
  if (entry?.path !== undefined) {
    const file = path.join(hub.hubDir, entry.path);
    return { file, ...(kind === 'scenarios' ? {} : { stage: entry.stage ?? stageOf(file) }) };
  }
  for (const base of [hub.hubDir, caseDir]) {
    // Joined, not resolved: cscli reads "/scenarios/x.yaml" as relative to the hub too.
    const file = path.join(base, name);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return { file, ...(kind === 'scenarios' ? {} : { stage: stageOf(file) }) };
  }
  throw new HubError(`${kind.slice(0, -1)} '${name}' is neither in the hub index nor a file under ${hub.hubDir} or ${caseDir}`);
}

function stageOf(file: string): string {
  return path.basename(path.dirname(path.dirname(file)));
}

/** The `data:` entries of an item's documents: where each file goes, and where it comes from. */
export function dataFilesOf(file: string): { destFile: string; sourceUrl: string }[] {
  const out: { destFile: string; sourceUrl: string }[] = [];
  for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const data = (doc.toJS() as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) continue;
    for (const entry of data as { dest_file?: unknown; source_url?: unknown }[]) {
      if (typeof entry?.dest_file === 'string') out.push({ destFile: entry.dest_file, sourceUrl: typeof entry.source_url === 'string' ? entry.source_url : '' });
    }
  }
  return out;
}

/** A data file in the data dirs, in order: by the path of its `source_url`, else by its `dest_file` name. */
export function findDataFile(hub: HubLocation, destFile: string, sourceUrl: string): string | undefined {
  let urlPath: string | undefined;
  try {
    urlPath = sourceUrl === '' ? undefined : decodeURIComponent(new URL(sourceUrl).pathname);
  } catch {
    // Not a URL: only the name is left.
  }
  const candidates = hub.dataDirs.flatMap((dir) => [
    ...(urlPath === undefined ? [] : [path.join(dir, urlPath)]),
    path.join(dir, path.basename(destFile)),
  ]);
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
}
