// CSV as cscli reads it (Go's encoding/csv with its defaults): comma-separated, RFC 4180 quoting
// (a quoted field may hold commas, newlines and "" for a quote), empty lines skipped, every record
// as wide as the first. Each record keeps the line it starts on, for error messages. Written here
// rather than taken from a package: it is ~80 lines, and the line numbers are the point.

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

/** Reads every record of `text`. Unquoted fields lose surrounding spaces and tabs; quoted ones keep everything. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let width = -1;
  while (pos < text.length) {
    // An empty line is no record.
    if (newline(text, pos) > 0) {
      pos += newline(text, pos);
      line++;
      continue;
    }
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field: string;
      let at = pos;
      while (text[at] === ' ' || text[at] === '\t') at++;
      if (text[at] === '"') {
        // Quoted: runs to the quote that is not doubled.
        let value = '';
        at++;
        for (;;) {
          const quote = text.indexOf('"', at);
          if (quote < 0) throw new CsvError(start, 'a quoted field is not closed');
          const chunk = text.slice(at, quote);
          value += chunk;
          line += countNewlines(chunk);
          if (text[quote + 1] === '"') {
            value += '"';
            at = quote + 2;
            continue;
          }
          at = quote + 1;
          break;
        }
        while (text[at] === ' ' || text[at] === '\t') at++;
        if (at < text.length && text[at] !== ',' && newline(text, at) === 0) {
          throw new CsvError(line, 'unexpected text after a closing quote (a quote inside a quoted field is written "")');
        }
        field = value.replace(/\r\n/g, '\n');
      } else {
        let end = at;
        while (end < text.length && text[end] !== ',' && newline(text, end) === 0) end++;
        field = text.slice(at, end).replace(/[ \t]+$/, '');
        if (field.includes('"')) throw new CsvError(line, 'a quote in an unquoted field (quote the whole field and double the quote)');
        at = end;
      }
      fields.push(field);
      if (text[at] === ',') {
        pos = at + 1;
        continue;
      }
      // End of record: a newline or the end of the text.
      pos = at + newline(text, at);
      line++;
      break;
    }
    if (width < 0) width = fields.length;
    else if (fields.length !== width) throw new CsvError(start, `${fields.length} field(s) where the header has ${width}`);
    records.push({ line: start, fields });
  }
  return records;
}

/** The length of the line break at `at` (\n or \r\n; a lone \r is data, as in Go), or 0. */
function newline(text: string, at: number): number {
  if (text[at] === '\n') return 1;
  return text[at] === '\r' && text[at + 1] === '\n' ? 2 : 0;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
