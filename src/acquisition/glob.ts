import * as fs from 'node:fs';
import * as path from 'node:path';

// Go's filepath.Glob, which CrowdSec's file source uses: `*`, `?` and `[...]` within one path
// segment (no `**`), matched against directory entries; a pattern without magic is a plain path.

const MAGIC = /[*?[]/;

export function hasMagic(pattern: string): boolean {
  return MAGIC.test(pattern);
}

/** One path segment's pattern as a regular expression. */
export function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, end);
      if (body.startsWith('^') || body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function readdir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Paths matching an absolute pattern, sorted; only existing entries are returned. */
export function expandGlob(pattern: string): string[] {
  const absolute = path.resolve(pattern);
  if (!hasMagic(absolute)) return fs.existsSync(absolute) ? [absolute] : [];
  const segments = absolute.split(path.sep).filter((s) => s !== '');
  let found: string[] = [path.sep];
  for (const segment of segments) {
    const next: string[] = [];
    if (!hasMagic(segment)) {
      for (const dir of found) {
        const candidate = path.join(dir, segment);
        if (fs.existsSync(candidate)) next.push(candidate);
      }
    } else {
      const re = segmentRegExp(segment);
      for (const dir of found) {
        for (const name of readdir(dir)) {
          // Like Go, a leading dot is matched by a wildcard too; hidden files are the user's call.
          if (re.test(name)) next.push(path.join(dir, name));
        }
      }
    }
    found = next;
  }
  return found;
}

/** The directories to watch for a pattern: its longest prefix without magic. */
export function watchRoot(pattern: string): string {
  const absolute = path.resolve(pattern);
  if (!hasMagic(absolute)) return path.dirname(absolute);
  const segments = absolute.split(path.sep);
  const fixed: string[] = [];
  for (const s of segments) {
    if (hasMagic(s)) break;
    fixed.push(s);
  }
  return fixed.join(path.sep) || path.sep;
}
