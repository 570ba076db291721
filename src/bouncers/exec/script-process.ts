// One run of the user's command to completion: exit status, the end of its output, and a
// deadline after which it is killed (a hung script must not hold its value's queue forever).
import { spawn } from 'node:child_process';

export interface ScriptResult {
  /** Exit status, or null when it ended on a signal or could not start. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why it failed to start or was killed, when it did not simply exit. */
  error?: string;
  /** The last bytes of stdout and stderr together. */
  output: string;
}

const OUTPUT_TAIL = 2048;

export function runScript(command: string, args: string[], timeoutMs: number): Promise<ScriptResult> {
  return new Promise((resolve) => {
    let output = '';
    let error: string | undefined;
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      // Refused before starting, e.g. an argument with a NUL byte from a hostile decision.
      return resolve({ code: null, signal: null, error: (err as Error).message, output: '' });
    }
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const timer = setTimeout(() => {
      error = `killed after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      error = err.message;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // A command that could not start closes with a negative errno, not an exit status.
      resolve({ code: code !== null && code < 0 ? null : code, signal, error, output: output.trim() });
    });
  });
}

/** `exit status 3`, `signal SIGKILL (killed after 30000 ms)`, `spawn ./x ENOENT`. */
export function describeResult(r: ScriptResult): string {
  const how = r.code !== null ? `exit status ${r.code}` : r.signal ? `signal ${r.signal}` : 'did not run';
  const detail = [r.error, r.output && `output: ${r.output.slice(-300)}`].filter(Boolean).join('; ');
  return detail ? `${how} (${detail})` : how;
}
