// The daemon's log: text (`time message`) or JSON lines (`{"time","level","msg"}`, logrus's
// field names, as CrowdSec's JSON logs use), to stderr or appended to a file, filtered by level.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LogConfig } from '../config/api-config';
import { LOG_LEVELS, type LogLevel } from '../config/values';

/** Every component logs through this; `level` defaults to info. */
export type Log = (message: string, level?: LogLevel) => void;

export interface Logger {
  log: Log;
  close(): Promise<void>;
}

export function createLogger(config: LogConfig, stderr: { write(text: string): unknown }): Logger {
  let out: { write(text: string): unknown } = stderr;
  let file: fs.WriteStream | null = null;
  if (config.file) {
    fs.mkdirSync(path.dirname(config.file), { recursive: true });
    file = fs.createWriteStream(config.file, { flags: 'a', mode: 0o640 });
    out = file;
  }
  const threshold = LOG_LEVELS.indexOf(config.level);
  const format = config.format === 'json'
    ? (message: string, level: LogLevel) => `${JSON.stringify({ time: new Date().toISOString(), level, msg: message })}\n`
    : (message: string, level: LogLevel) => `${new Date().toISOString()} ${level === 'info' ? '' : `${level.toUpperCase()} `}${message}\n`;
  return {
    log: (message, level = 'info') => {
      if (LOG_LEVELS.indexOf(level) <= threshold) out.write(format(message, level));
    },
    close: () => new Promise((resolve) => (file ? file.end(resolve) : resolve())),
  };
}
