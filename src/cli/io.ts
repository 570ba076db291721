/** The part of a stream the CLI writes to; tests pass string collectors instead of process streams. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  /** What `-i -` reads (process.stdin; tests pass their own). */
  stdin?: AsyncIterable<Buffer | string>;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

/** All of `input` as UTF-8 text. */
export async function readAll(input: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** What every command needs from the root: where to write, and where to put its exit status. */
export interface CommandContext {
  io: CliIO;
  exitCode: number;
}
