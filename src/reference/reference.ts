// Where the reference CrowdSec 1.4.6 lives: Debian's packages unpacked by scripts/fetch-reference.sh
// (`dpkg -x`, never installed). Tests call findReference() and skip with its reason when absent.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Reference {
  /** Root of the unpacked crowdsec package (`$ref/crowdsec`). */
  root: string;
  crowdsecBin: string;
  cscliBin: string;
  /** Debian's offline hub: item files plus `.index.json`. */
  hubDir: string;
  /** Grok pattern files (`/etc/crowdsec/patterns`). */
  patternsDir: string;
  /** Data files the package copies into `/var/lib/crowdsec/data` at configure time. */
  dataDir: string;
  /** Debian's `/etc/crowdsec` (config.yaml, profiles.yaml, simulation.yaml, acquis.yaml). */
  configTemplateDir: string;
}

export interface ReferenceSkip {
  skip: string;
}

export function refDir(): string {
  return process.env.CROWDWATCH_REF_DIR || path.join(os.homedir(), '.cache', 'crowdwatch', 'ref');
}

export function findReference(dir: string = refDir()): Reference | ReferenceSkip {
  const fetchHint = 'run scripts/fetch-reference.sh (needs apt-get and Debian repositories)';
  // The fetch script leaves its reason here when it could not download the packages.
  const unavailable = path.join(dir, '.unavailable');
  if (fs.existsSync(unavailable)) {
    const reason = fs.readFileSync(unavailable, 'utf8').trim();
    return { skip: `CrowdSec reference unavailable: ${reason}` };
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { skip: `CrowdSec reference binaries are linux/amd64; this is ${process.platform}/${process.arch}` };
  }
  const root = path.join(dir, 'crowdsec');
  const ref: Reference = {
    root,
    crowdsecBin: path.join(root, 'usr/bin/crowdsec'),
    cscliBin: path.join(root, 'usr/bin/cscli'),
    hubDir: path.join(root, 'usr/share/crowdsec/hub'),
    patternsDir: path.join(root, 'etc/crowdsec/patterns'),
    dataDir: path.join(root, 'usr/share/crowdsec/data'),
    configTemplateDir: path.join(root, 'etc/crowdsec'),
  };
  const required = [
    ref.crowdsecBin,
    ref.cscliBin,
    path.join(ref.hubDir, '.index.json'),
    ref.patternsDir,
    ref.dataDir,
    path.join(ref.configTemplateDir, 'profiles.yaml'),
  ];
  for (const file of required) {
    if (!fs.existsSync(file)) return { skip: `CrowdSec reference not found (${file} missing); ${fetchHint}` };
  }
  return ref;
}

export function isSkip(ref: Reference | ReferenceSkip): ref is ReferenceSkip {
  return 'skip' in ref;
}

/** findReference() for callers that cannot skip: throws with the skip reason. */
export function requireReference(): Reference {
  const ref = findReference();
  if (isSkip(ref)) throw new Error(ref.skip);
  return ref;
}
