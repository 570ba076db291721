// The files `decisions import` reads, in cscli 1.4.6's two formats: CSV with a header line naming
// any of duration, origin, reason, scope, type, value; or JSON, an array of objects with those
// keys. Only `value` is required. Rows come back with where they are (line, JSON entry) and
// nothing else is decided here: defaults and checks are decision-import.ts's.
import { CsvError, parseCsv } from './csv';

export type ImportFormat = 'csv' | 'json';

/** The fields a row may give; a missing or empty one takes the command's default. */
export const IMPORT_FIELDS = ['value', 'duration', 'type', 'reason', 'scope'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

export interface ImportRow {
  /** 1-based line the row starts on. */
  line: number;
  /** JSON: 1-based position in the array (messages say `entry 3`). */
  entry?: number;
  fields: Partial<Record<ImportField, string>>;
}

export interface DecisionFile {
  rows: ImportRow[];
  /** Columns or keys that were read and ignored, said once each. */
  warnings: string[];
}

/** A problem with the file as a whole (not JSON, no `value` column…), at a line when known. */
export class DecisionFileError extends Error {
  readonly code = 'CW_IMPORT';

  constructor(readonly line: number | null, message: string) {
    super(message);
  }
}

/**
 * `scenario` is what the API and `decisions list -o json` call a decision's reason, so it is
 * taken for `reason`. `origin` is part of cscli's format but every import has origin
 * cscli-import, as in cscli.
 */
const ALIASES: Record<string, ImportField | 'origin'> = { scenario: 'reason' };
const KNOWN = new Set<string>([...IMPORT_FIELDS, 'origin']);

function fieldOf(name: string): ImportField | 'origin' | null {
  const lower = name.trim().toLowerCase();
  if (KNOWN.has(lower)) return lower as ImportField | 'origin';
  return ALIASES[lower] ?? null;
}

const ORIGIN_IGNORED = "'origin' is ignored: imported decisions have origin cscli-import";

/** The format named by a file's extension, or null. */
export function formatOfPath(file: string): ImportFormat | null {
  const m = /\.(csv|json)$/i.exec(file);
  return m ? (m[1].toLowerCase() as ImportFormat) : null;
}

/** For stdin without --format: JSON when the text starts with `[`, CSV otherwise. */
export function sniffFormat(text: string): ImportFormat {
  return /^\ufeff?\s*\[/.test(text) ? 'json' : 'csv';
}

export function readDecisionFile(text: string, format: ImportFormat): DecisionFile {
  return format === 'csv' ? readCsv(text) : readJson(text);
}

function readCsv(text: string): DecisionFile {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError) throw new DecisionFileError(error.line, error.message);
    throw error;
  }
  if (records.length === 0) throw new DecisionFileError(null, 'empty: a CSV import starts with a header line (e.g. value,duration,reason)');
  const [header, ...body] = records;
  const columns: Array<ImportField | null> = [];
  const warnings: string[] = [];
  const seen = new Map<string, string>();
  for (const name of header.fields) {
    const field = fieldOf(name);
    if (field === null) {
      warnings.push(`column '${name}' is not one of ${[...IMPORT_FIELDS, 'origin'].join(', ')}: ignored`);
      columns.push(null);
      continue;
    }
    const earlier = seen.get(field);
    if (earlier !== undefined) throw new DecisionFileError(header.line, `columns '${earlier}' and '${name}' both give the ${field}`);
    seen.set(field, name);
    if (field === 'origin') warnings.push(`column ${ORIGIN_IGNORED}`);
    columns.push(field === 'origin' ? null : field);
  }
  if (!seen.has('value')) {
    throw new DecisionFileError(header.line, `the header has no 'value' column (it has: ${header.fields.join(', ') || 'nothing'})`);
  }
  const rows = body.map((r) => {
    const fields: ImportRow['fields'] = {};
    r.fields.forEach((cell, i) => {
      const column = columns[i];
      if (column && cell !== '') fields[column] = cell;
    });
    return { line: r.line, fields };
  });
  return { rows, warnings };
}

function readJson(text: string): DecisionFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (error) {
    throw new DecisionFileError(null, `not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new DecisionFileError(null, 'a JSON import is an array of objects, e.g. [{"value": "192.0.2.1", "duration": "24h"}]');
  const lines = elementLines(text);
  const ignored = new Set<string>();
  const rows = parsed.map((entry: unknown, i) => {
    const line = lines[i] ?? 1;
    const where = `entry ${i + 1}`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new DecisionFileError(line, `${where}: an entry is an object with at least a "value"`);
    }
    const fields: ImportRow['fields'] = {};
    const given = new Map<string, string>();
    for (const [key, v] of Object.entries(entry)) {
      const field = fieldOf(key);
      if (field === null || field === 'origin') {
        ignored.add(field === 'origin' ? ORIGIN_IGNORED : `'${key}' is not one of ${[...IMPORT_FIELDS, 'origin'].join(', ')}: ignored`);
        continue;
      }
      if (given.has(field)) throw new DecisionFileError(line, `${where}: "${given.get(field)}" and "${key}" both give the ${field}`);
      given.set(field, key);
      // Go's decoder leaves a string field empty for null and refuses other types.
      if (v === null) continue;
      if (typeof v !== 'string') throw new DecisionFileError(line, `${where}: "${key}" must be a string, not ${typeof v}`);
      if (v !== '') fields[field] = v;
    }
    return { line, entry: i + 1, fields };
  });
  return { rows, warnings: [...ignored].map((w) => `key ${w}`) };
}

/**
 * The line on which each top-level array element starts: JSON.parse gives no positions, and
 * "line 4 (entry 3)" is what finds the row in an editor. Assumes `text` parsed as an array.
 */
function elementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let expectingElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\ufeff') continue;
    if (depth === 1 && expectingElement && c !== ']') {
      lines.push(line);
      expectingElement = false;
    }
    if (c === '"') {
      // Skip the string; escapes never hide a quote from this scan.
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectingElement = true;
    } else if (c === ']' || c === '}') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectingElement = true;
    }
  }
  return lines;
}
