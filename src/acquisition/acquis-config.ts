import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, type Node as YamlNode } from 'yaml';
import { ConfigError, lineOf, list, readMap, readYamlFile, type Reader, scalar } from '../config/yaml-reader';
import type { Stream } from './source';

// CrowdSec's acquisition files (`acquis.yaml`, `acquis.d/*.yaml`): one source per YAML document,
// read strictly (an unknown key is an error with file:line, as CrowdSec's strict unmarshal).

interface Common {
  name: string;
  labels: Stream['labels'];
  /** Where it was declared, for messages. */
  origin: string;
}

export type AcquisEntry =
  | (Common & { source: 'file'; filenames: string[]; excludeRegexps: RegExp[]; mode: 'tail' | 'cat' })
  | (Common & { source: 'journalctl'; filters: string[] })
  | (Common & { source: 'syslog'; listenAddr: string; listenPort: number; protocols: Array<'udp' | 'tcp'>; maxMessageLen: number })
  | (Common & { source: 'stdin' });

const OTHER_SOURCES = new Set(['docker', 'cloudwatch', 'kinesis', 'kafka', 'wineventlog', 'k8s-audit', 'loki', 's3']);

type Lines = ReturnType<typeof readYamlFile>['lines'];

function labelsOf(node: YamlNode | null | undefined, where: string, file: string, lines: Lines): Stream['labels'] {
  if (!isMap(node)) throw new ConfigError(`${where} must be a mapping`);
  const labels: Record<string, string> = {};
  for (const pair of node.items) {
    const key = String((pair.key as { value?: unknown })?.value);
    try {
      labels[key] = scalar(pair.value as YamlNode, `${where}.${key}`);
    } catch (error) {
      throw new ConfigError(`${file}:${lineOf(lines, pair.value as YamlNode)}: ${(error as Error).message}`);
    }
  }
  if (!labels.type) throw new ConfigError(`${where}.type is required: it selects the parsers`);
  return labels as Stream['labels'];
}

function port(text: string, where: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${where}: '${text}' is not a port`);
  return n;
}

function regexps(items: string[], where: string): RegExp[] {
  return items.map((re, i) => {
    try {
      return new RegExp(re);
    } catch (error) {
      throw new ConfigError(`${where}[${i}]: ${(error as Error).message}`);
    }
  });
}

/** One document: which source, its labels and its own keys. */
function entryOf(doc: YamlNode, file: string, lines: Lines, index: number): AcquisEntry {
  const origin = `${file}:${lineOf(lines, doc)}`;
  const raw: Record<string, string | string[] | undefined> = {};
  let labels: Stream['labels'] | undefined;
  const str = (key: string): Reader => (n, w) => { raw[key] = scalar(n, w); };
  const strs = (key: string): Reader => (n, w) => { raw[key] = list(n, w); };
  const common: Record<string, Reader> = {
    source: str('source'), name: str('name'), mode: str('mode'), log_level: str('log_level'), use_time_machine: str('use_time_machine'),
    labels: (n, w) => { labels = labelsOf(n, w, file, lines); },
  };
  const perSource: Record<string, Record<string, Reader>> = {
    file: { filename: str('filename'), filenames: strs('filenames'), exclude_regexps: strs('exclude_regexps'), force_inotify: str('force_inotify'), poll_without_inotify: str('poll_without_inotify') },
    journalctl: { journalctl_filter: strs('journalctl_filter') },
    syslog: { listen_addr: str('listen_addr'), listen_port: str('listen_port'), max_message_len: str('max_message_len'), protocol: str('protocol') },
    stdin: {},
  };
  // The source decides which keys are allowed; CrowdSec infers `file` from filename(s).
  let source = '';
  if (isMap(doc)) {
    for (const pair of doc.items) {
      const key = String((pair.key as { value?: unknown })?.value);
      if (key === 'source') source = scalar(pair.value as YamlNode, 'source');
      else if (!source && (key === 'filename' || key === 'filenames')) source = 'file';
    }
  }
  if (!source) throw new ConfigError(`${origin}: no 'source' (and no filename/filenames to infer 'file' from)`);
  if (OTHER_SOURCES.has(source)) throw new ConfigError(`${origin}: source '${source}' is not supported by crowdwatch (file, journalctl, syslog, stdin are)`);
  const own = perSource[source];
  if (!own) throw new ConfigError(`${origin}: unknown source '${source}'`);
  readMap(doc, file, lines, { ...common, ...own }, '');
  if (!labels) throw new ConfigError(`${origin}: labels (with labels.type) are required`);
  const name = (raw.name as string | undefined) ?? `${path.basename(file)}#${index + 1}`;
  const base = { name, labels, origin };
  const dir = path.dirname(path.resolve(file));
  switch (source) {
    case 'file': {
      const names = [...(raw.filename ? [raw.filename as string] : []), ...((raw.filenames as string[] | undefined) ?? [])];
      if (names.length === 0) throw new ConfigError(`${origin}: a file source needs filename or filenames`);
      const mode = (raw.mode as string | undefined) ?? 'tail';
      if (mode !== 'tail' && mode !== 'cat') throw new ConfigError(`${origin}: mode must be tail or cat`);
      return { ...base, source, filenames: names.map((f) => path.resolve(dir, f)), excludeRegexps: regexps((raw.exclude_regexps as string[] | undefined) ?? [], `${origin}: exclude_regexps`), mode };
    }
    case 'journalctl': {
      const filters = (raw.journalctl_filter as string[] | undefined) ?? [];
      if (filters.length === 0) throw new ConfigError(`${origin}: journalctl_filter is required (e.g. _SYSTEMD_UNIT=ssh.service)`);
      return { ...base, source, filters };
    }
    case 'syslog': {
      const protocol = (raw.protocol as string | undefined) ?? 'udp';
      const protocols = protocol === 'udp+tcp' || protocol === 'both' ? (['udp', 'tcp'] as const) : protocol === 'tcp' ? (['tcp'] as const) : protocol === 'udp' ? (['udp'] as const) : null;
      if (!protocols) throw new ConfigError(`${origin}: protocol must be udp, tcp or udp+tcp`);
      const maxLen = Number((raw.max_message_len as string | undefined) ?? 2048);
      if (!Number.isSafeInteger(maxLen) || maxLen < 64) throw new ConfigError(`${origin}: max_message_len must be an integer >= 64`);
      return {
        ...base, source,
        listenAddr: (raw.listen_addr as string | undefined) ?? '127.0.0.1',
        listenPort: port((raw.listen_port as string | undefined) ?? '514', `${origin}: listen_port`),
        protocols: [...protocols], maxMessageLen: maxLen,
      };
    }
    default:
      return { ...base, source: 'stdin' };
  }
}

/** Every source of one acquisition file. */
export function readAcquisFile(file: string): AcquisEntry[] {
  const { documents, lines } = readYamlFile(file);
  return documents.map((doc, i) => entryOf(doc, file, lines, i));
}

/** `acquis.yaml` plus every `*.yaml` of an `acquis.d` directory, in name order. */
export function readAcquisition(files: string[], dirs: string[] = []): AcquisEntry[] {
  const all = [...files];
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) if (/\.ya?ml$/.test(name)) all.push(path.join(dir, name));
  }
  return all.flatMap(readAcquisFile);
}
