// --stdin mode: the command runs once and reads one JSON line per change on its stdin. If it
// exits it is started again with backoff; changes meanwhile wait in a queue, and lines the dead
// process had not accepted (their write failed) go back to the front of it, so no change is
// dropped for a restart. A line already in the pipe when the reader died cannot be known and is
// not sent again.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as readline from 'node:readline';
import type { Change } from './announcements';
import { stdinLine } from './decision-json';

export interface StdinFeedOptions {
  command: string;
  args: readonly string[];
  log: (message: string) => void;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** How long `close` waits for the command to exit once its stdin is closed. */
  stopGraceMs: number;
}

/** A process that ran this long before exiting is restarted after the shortest backoff. */
const HEALTHY_MS = 10_000;

export class StdinFeed {
  private child: ChildProcessWithoutNullStreams | null = null;
  /** Changes not yet written to a running process, oldest first. */
  private readonly pending: Change[] = [];
  /** Changes written to the current process whose write has not completed. */
  private unconfirmed: Change[] = [];
  private blocked = false;
  private closing = false;
  private backoff: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** Times the command was started. */
  starts = 0;

  constructor(private readonly opts: StdinFeedOptions) {
    this.backoff = opts.minBackoffMs;
  }

  /** Changes waiting for the command. */
  get queued(): number {
    return this.pending.length + this.unconfirmed.length;
  }

  start(): void {
    const o = this.opts;
    const startedAt = Date.now();
    const child = spawn(o.command, [...o.args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.starts++;
    this.blocked = false;
    const unconfirmed: Change[] = [];
    this.unconfirmed = unconfirmed;
    let startError = '';
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => o.log(`script: ${line.slice(0, 500)}`));
    }
    child.stdin.on('error', () => undefined); // EPIPE once it is gone: handled on close
    child.stdin.on('drain', () => {
      this.blocked = false;
      this.flush();
    });
    child.on('error', (err) => {
      startError = err.message;
    });
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.child = null;
        // Whatever it had not accepted is sent to the next process, in the same order.
        this.pending.unshift(...unconfirmed);
        unconfirmed.length = 0;
        resolve();
        if (this.closing) return;
        if (Date.now() - startedAt >= HEALTHY_MS) this.backoff = o.minBackoffMs;
        const how = startError || (code !== null && code >= 0 ? `exit status ${code}` : `signal ${signal}`);
        o.log(`script ${o.command} stopped (${how}); restarting in ${this.backoff} ms, ${this.pending.length} change(s) queued`);
        this.restartTimer = setTimeout(() => this.start(), this.backoff);
        this.backoff = Math.min(this.backoff * 2, o.maxBackoffMs);
      });
    });
    this.flush();
  }

  send(change: Change): void {
    this.pending.push(change);
    this.flush();
  }

  /** Writes pending changes until the pipe is full (`all`: regardless, Node buffers the rest). */
  private flush(all = false): void {
    const child = this.child;
    if (!child || (this.blocked && !all) || !child.stdin.writable) return;
    const unconfirmed = this.unconfirmed;
    while (this.pending.length > 0 && (all || !this.blocked)) {
      const change = this.pending.shift() as Change;
      unconfirmed.push(change);
      // Write callbacks come in order, so the oldest unconfirmed change is the one completed.
      const more = child.stdin.write(stdinLine(change, Date.now()), (err) => {
        if (!err && unconfirmed[0] === change) unconfirmed.shift();
      });
      if (!more) this.blocked = true;
    }
  }

  /** Delivers what is queued if the command runs, closes its stdin and waits for it to exit. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child) {
      this.flush(true);
      child.stdin.end();
      const term = setTimeout(() => child.kill('SIGTERM'), this.opts.stopGraceMs);
      const kill = setTimeout(() => child.kill('SIGKILL'), 2 * this.opts.stopGraceMs);
      await this.exited;
      clearTimeout(term);
      clearTimeout(kill);
    }
    if (this.queued > 0) this.opts.log(`${this.queued} change(s) were not delivered to the script (it was not running)`);
  }
}
