// Measurements run in a fresh child process each, so one's peak RSS and heap never leak into
// another's. The child prints one JSON document on stdout; on stderr, lines starting with
// `@progress ` carry `done total` for the parent's progress bar, anything else is its log.
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const PROGRESS = '@progress ';

export interface ChildOptions {
  onProgress?: (done: number, total: number) => void;
  /** Extra node flags (e.g. --expose-gc). */
  nodeFlags?: string[];
  /** Where the child scripts are: another checkout's `dist/src/bench` (`bench --baseline`). */
  root?: string;
}

/** Runs `dist/src/bench/<script>.js` with `args` as JSON and resolves to its JSON result. */
export function runChild<T>(script: string, args: unknown, opts: ChildOptions = {}): Promise<T> {
  const entry = path.join(opts.root ?? __dirname, `${script}.js`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), entry, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let log = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.startsWith(PROGRESS)) {
          const [done, total] = line.slice(PROGRESS.length).split(' ').map(Number);
          opts.onProgress?.(done, total);
        } else {
          log += `${line}\n`;
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`bench step ${script} failed (${signal ?? `exit ${code}`}):\n${(log + pending).trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`bench step ${script} printed no result:\n${(log + pending).trim()}`));
      }
    });
  });
}

/** Child side: report progress to the parent. */
export function reportProgress(done: number, total: number): void {
  process.stderr.write(`${PROGRESS}${done} ${total}\n`);
}

/** Child side: parse the arguments, run, print the result; a failure exits 1 with its message. */
export function childMain<A, R>(run: (args: A) => Promise<R> | R): void {
  Promise.resolve()
    .then(() => run(JSON.parse(process.argv[2] ?? '{}') as A))
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    });
}

/** Peak resident memory of this process so far, in bytes. */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
