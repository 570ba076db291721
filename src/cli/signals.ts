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

/** A log line on stderr: ISO time, then the message. */
export function stderrLogger(stderr: { write(text: string): unknown }): (message: string) => void {
  return (message) => {
    stderr.write(`${new Date().toISOString()} ${message}\n`);
  };
}
