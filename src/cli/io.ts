/** The part of a stream the CLI writes to; tests pass string collectors instead of process streams. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr };
}

/** What every command needs from the root: where to write, and where to put its exit status. */
export interface CommandContext {
  io: CliIO;
  exitCode: number;
}
