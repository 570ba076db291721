// The floor of a replay: read the file in 1 MiB chunks and find every line, doing nothing with
// it. Nothing that reads lines from this file can be faster, so throughput is reported against it.
import * as fs from 'node:fs';

const CHUNK = 1 << 20;

export interface FloorMeasurement {
  lines: number;
  seconds: number;
  linesPerSec: number;
}

export function measureFloor(file: string): FloorMeasurement {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  let lines = 0;
  const t0 = process.hrtime.bigint();
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      for (let i = buf.indexOf(10); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) lines++;
    }
  } finally {
    fs.closeSync(fd);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { lines, seconds, linesPerSec: lines / seconds };
}
