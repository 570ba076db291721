import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main';
import type { OutputStream } from '../../src/cli/io';
import { packageRoot } from '../../src/engine/package-root';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

class StringSink implements OutputStream {
  text = '';
  isTTY = false;
  columns = 100;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Runs the CLI in-process, as `crowdwatch ...args`, capturing both streams. */
export async function runCli(...args: string[]): Promise<CliRun> {
  return runCliWithInput(undefined, ...args);
}

/** runCli with `input` as its standard input. */
export async function runCliWithInput(input: string | undefined, ...args: string[]): Promise<CliRun> {
  const stdout = new StringSink();
  const stderr = new StringSink();
  const stdin = input === undefined ? undefined : Readable.from([Buffer.from(input)]);
  const code = await main(args, { stdout, stderr, stdin });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export function fixture(name: string): string {
  return path.join(packageRoot, 'test', 'fixtures', name);
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `crowdwatch-${prefix}-`));
}

/** A counter's value from the replay summary (`name   1,234`). */
export function summaryCount(summary: string, name: string): number {
  const match = new RegExp(`^${name}\\s+([\\d,]+)$`, 'm').exec(summary);
  if (match === null) throw new Error(`no "${name}" in summary:\n${summary}`);
  return Number((match[1] ?? '').replace(/,/g, ''));
}
