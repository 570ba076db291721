import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes a file whole or not at all (temp file beside it, then rename): a crash never leaves half a file. */
export function writeFileAtomic(file: string, text: string, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode });
  fs.renameSync(tmp, file);
}
