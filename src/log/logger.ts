// The daemon's log, on pino: text (`time [LEVEL ]message`) or JSON lines (`{"level","time","msg"}`,
// logrus's field names and level labels, as CrowdSec's JSON logs use), to stderr or appended to
// a file, filtered by level. A file goes through pino's asynchronous destination (sonic-boom),
// which `reopen` closes and opens again by name: logrotate renames the file, sends SIGHUP, and
// the next line goes to a new file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import pino, { type DestinationStream, type Level } from 'pino';
import type { LogConfig } from '../config/api-config';
import { LOG_LEVELS, type LogLevel } from '../config/values';

/** Every component logs through this; `level` defaults to info. */
export type Log = (message: string, level?: LogLevel) => void;

export interface Logger {
  log: Log;
  /** Opens the log file again by its name (after logrotate moved it); nothing for stderr. */
  reopen(): void;
  close(): Promise<void>;
}

/** Our (logrus's) level names in pino's, and back. */
const PINO_LEVEL: Record<LogLevel, Level> = { error: 'error', warning: 'warn', info: 'info', debug: 'debug', trace: 'trace' };
const LOGRUS_LABEL: Record<string, string> = { warn: 'warning', fatal: 'fatal' };

export function createLogger(config: LogConfig, stderr: { write(text: string): unknown }): Logger {
  let file: ReturnType<typeof pino.destination> | null = null;
  if (config.file) {
    fs.mkdirSync(path.dirname(config.file), { recursive: true });
    file = pino.destination({ dest: config.file, append: true, sync: false, mode: 0o640 });
  }
  const out: DestinationStream = file ?? { write: (text: string) => void stderr.write(text) };
  const threshold = LOG_LEVELS.indexOf(config.level);
  const json =
    config.format === 'json'
      ? pino(
          {
            level: PINO_LEVEL[config.level],
            base: null,
            timestamp: () => `,"time":"${new Date().toISOString()}"`,
            formatters: { level: (label) => ({ level: LOGRUS_LABEL[label] ?? label }) },
          },
          out,
        )
      : null;
  const text = (message: string, level: LogLevel): string => `${new Date().toISOString()} ${level === 'info' ? '' : `${level.toUpperCase()} `}${message}\n`;
  return {
    log: (message, level = 'info') => {
      if (LOG_LEVELS.indexOf(level) > threshold) return;
      if (json) json[PINO_LEVEL[level]](message);
      else out.write(text(message, level));
    },
    reopen: () => file?.reopen(),
    close: () =>
      new Promise((resolve) => {
        if (!file) return resolve();
        file.once('close', () => resolve());
        file.end();
      }),
  };
}
