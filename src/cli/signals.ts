import { createLogger, type Log } from '../log/logger';

/** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
export function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Text log lines on stderr (time, then the message), for commands without a config file. */
export function stderrLogger(stderr: { write(text: string): unknown }): Log {
  return createLogger({ level: 'info', format: 'text' }, stderr).log;
}
