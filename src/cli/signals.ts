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

/** Calls `reload` on every SIGHUP, one at a time (a SIGHUP during a reload runs once more after it); returns the unsubscribe. */
export function onReloadSignal(reload: () => Promise<void>): () => void {
  let running: Promise<void> | null = null;
  let again = false;
  const handler = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await reload();
      } while (again);
    })().finally(() => (running = null));
  };
  process.on('SIGHUP', handler);
  return () => process.off('SIGHUP', handler);
}

/** Text log lines on stderr (time, then the message), for commands without a config file. */
export function stderrLogger(stderr: { write(text: string): unknown }): Log {
  return createLogger({ level: 'info', format: 'text' }, stderr).log;
}
