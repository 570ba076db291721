import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { CaseConfig } from './case-config';
import { dataFilesOf, findDataFile, type HubLocation, type ItemKind, resolveItem } from './hub';

/**
 * Lays out a CrowdSec-layout config dir holding exactly what a case's config.yaml lists, as
 * `cscli hubtest` installs its runtime: each item linked into its stage, the hub's patterns,
 * the data files the items name, and the case's `override_statics` as a first s00-raw node.
 * Returns warnings (a data file that cannot be found).
 */
export function installCase(hub: HubLocation, caseDir: string, config: CaseConfig, runtimeDir: string): string[] {
  const warnings: string[] = [];
  fs.mkdirSync(path.join(runtimeDir, 'data'), { recursive: true });
  fs.symlinkSync(hub.patternsDir, path.join(runtimeDir, 'patterns'));
  const installed: string[] = [];
  const lists: [ItemKind, string[]][] = [
    ['parsers', config.parsers],
    ['scenarios', config.scenarios],
    ['postoverflows', config.postoverflows],
  ];
  for (const [kind, names] of lists) {
    for (const name of names) {
      const item = resolveItem(hub, kind, name, caseDir);
      const dir = path.join(runtimeDir, kind, item.stage ?? '');
      fs.mkdirSync(dir, { recursive: true });
      const target = path.join(dir, path.basename(item.file));
      if (!fs.existsSync(target)) fs.symlinkSync(item.file, target);
      installed.push(item.file);
    }
  }
  for (const file of installed) {
    for (const { destFile, sourceUrl } of dataFilesOf(file)) {
      const target = path.join(runtimeDir, 'data', path.basename(destFile));
      if (fs.existsSync(target)) continue;
      const found = findDataFile(hub, destFile, sourceUrl);
      if (found === undefined) warnings.push(`data file ${destFile} of ${path.basename(file)} not found in ${hub.dataDirs.join(', ')}`);
      else fs.symlinkSync(found, target);
    }
  }
  if (config.overrideStatics.length > 0) {
    const dir = path.join(runtimeDir, 'parsers', 's00-raw');
    fs.mkdirSync(dir, { recursive: true });
    const node = { name: 'overrides', filter: '1==1', statics: config.overrideStatics };
    fs.writeFileSync(path.join(dir, '00_overrides.yaml'), stringify(node));
  }
  return warnings;
}
