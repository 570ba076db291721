// Small child-process helpers for driving the reference binaries: run-to-completion with a
// timeout, long-running servers that are always reaped, loopback port discovery.
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved as received (CrowdSec logs to either depending on config). */
  output: string;
  stdout: string;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Keep only the last maxBytes of output (a replay can log gigabytes; see crowdsec.ts). */
  maxBytes?: number;
}

/** Collects chunks, dropping the oldest once more than maxBytes are held. */
class Tail {
  private chunks: Buffer[] = [];
  private held = 0;
  dropped = 0;
  constructor(private readonly maxBytes = Infinity) {}
  push(b: Buffer): void {
    this.chunks.push(b);
    this.held += b.length;
    while (this.held - this.chunks[0].length >= this.maxBytes) {
      const old = this.chunks.shift() as Buffer;
      this.held -= old.length;
      this.dropped += old.length;
    }
  }
  text(): string {
    const body = Buffer.concat(this.chunks).toString();
    return this.dropped ? `[${this.dropped} earlier bytes dropped]\n${body}` : body;
  }
}

export function runToCompletion(bin: string, args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = new Tail(opts.maxBytes);
    const all = new Tail(opts.maxBytes);
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      all.push(b);
    });
    child.stderr.on('data', (b: Buffer) => all.push(b));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${bin} ${args.join(' ')} timed out after ${opts.timeoutMs} ms:\n${tail(all.text())}`));
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output: all.text(), stdout: out.text() });
    });
  });
}

/** A background process whose output is kept in memory and which dies with the test process. */
export class Server {
  readonly child: ChildProcess;
  private log = new Tail(4 << 20);
  private exited = false;
  private readonly reaper = (): void => {
    if (!this.exited) this.child.kill('SIGKILL');
  };

  constructor(bin: string, args: string[], opts: Omit<RunOptions, 'timeoutMs'>) {
    this.child = spawn(bin, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (b: Buffer) => this.log.push(b));
    this.child.stderr?.on('data', (b: Buffer) => this.log.push(b));
    this.child.on('exit', () => {
      this.exited = true;
      process.removeListener('exit', this.reaper);
    });
    this.child.on('error', (err) => this.log.push(Buffer.from(`spawn error: ${err.message}\n`)));
    process.once('exit', this.reaper);
  }

  get alive(): boolean {
    return !this.exited && this.child.exitCode === null;
  }

  get output(): string {
    return this.log.text();
  }

  /** SIGTERM, then SIGKILL if it has not exited after graceMs. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

/** A TCP port that was free on 127.0.0.1 a moment ago (callers retry on a bind race). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export function httpStatus(url: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
