import * as fs from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node as YamlNode, type Pair } from 'yaml';

// Strict reading of YAML config files: known keys only, each problem reported as file:line.

export class ConfigError extends Error {
  readonly code = 'CW_CONFIG_FILE';
}

/** Reads one key's value; `key` is the key's own node (for its line). */
export type Reader = (node: YamlNode | null | undefined, where: string, key: YamlNode) => void;

/** Reads a YAML mapping strictly: known keys only, each problem with file:line. */
export function readMap(node: YamlNode | null | undefined, file: string, lines: LineCounter, keys: Record<string, Reader>, where: string): void {
  if (node === null || node === undefined) return;
  if (!isMap(node)) throw new ConfigError(`${file}:${lineOf(lines, node)}: ${where || 'the file'} must be a mapping`);
  for (const pair of node.items as Pair<YamlNode, YamlNode>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const read = keys[key];
    if (!read) throw new ConfigError(`${file}:${lineOf(lines, pair.key)}: unknown key '${where ? `${where}.` : ''}${key}'`);
    try {
      read(pair.value, `${where ? `${where}.` : ''}${key}`, pair.key);
    } catch (error) {
      if (error instanceof ConfigError && error.message.startsWith(file)) throw error;
      throw new ConfigError(`${file}:${lineOf(lines, pair.value ?? pair.key)}: ${(error as Error).message}`);
    }
  }
}

export function scalar(node: YamlNode | null | undefined, where: string): string {
  if (!isScalar(node)) throw new ConfigError(`${where} must be a scalar`);
  return String(node.value);
}

export function list(node: YamlNode | null | undefined, where: string): string[] {
  if (!isSeq(node)) throw new ConfigError(`${where} must be a list`);
  return node.items.map((item, i) => scalar(item as YamlNode, `${where}[${i}]`));
}


/** Every document of a YAML file (empty ones dropped), or a ConfigError with file:line. */
export function readYamlFile(file: string): { documents: YamlNode[]; lines: LineCounter } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const lines = new LineCounter();
  const documents: YamlNode[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: lines, prettyErrors: false })) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      throw new ConfigError(`${file}:${e.linePos?.[0].line ?? 0}: ${e.message.split('\n')[0]}`);
    }
    if (doc.contents !== null) documents.push(doc.contents);
  }
  return { documents, lines };
}

/** The 1-based line a node starts on (0 when unknown). */
export function lineOf(lines: LineCounter, node: YamlNode | null | undefined): number {
  return node?.range ? lines.linePos(node.range[0]).line : 0;
}
