import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes a file whole or not at all, and durably: a temp file beside it, fsync'd, renamed over
 * the file, then the directory fsync'd, so neither a crash nor a power loss leaves half a file or
 * the old one back. A write that fails (a full disk) removes the temp file and leaves the old
 * file as it was.
 */
export function writeFileAtomic(file: string, text: string | Uint8Array, mode = 0o644): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'w', mode);
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}
