import type { OutputStream } from '../io';
import { formatBytes } from './format';

export interface Progress {
  update(done: number, total: number, detail?: string): void;
  finish(): void;
}

const NO_PROGRESS: Progress = { update() {}, finish() {} };
const REDRAW_MS = 100;
const BAR_WIDTH = 30;

/**
 * A one-line progress bar redrawn in place with `\r`. Only on a terminal: when stderr is a
 * file or a pipe (CI logs, tests) it writes nothing. `format` renders done/total (bytes by default).
 */
export function createProgress(stream: OutputStream, enabled: boolean, format: (n: number) => string = formatBytes): Progress {
  if (!enabled || stream.isTTY !== true) return NO_PROGRESS;
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done, total, detail) {
      const now = Date.now();
      if (now - lastDraw < REDRAW_MS && done < total) return;
      lastDraw = now;
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(ratio * BAR_WIDTH);
      const bar = '#'.repeat(filled) + '.'.repeat(BAR_WIDTH - filled);
      const pct = `${Math.floor(ratio * 100)}`.padStart(3);
      const text = `[${bar}] ${pct}%  ${format(done)} / ${format(total)}${detail ? `  ${detail}` : ''}`;
      const columns = stream.columns ?? 80;
      stream.write(`\r${text.slice(0, columns - 1)}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
