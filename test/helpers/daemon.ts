import * as path from 'node:path';
import { loadApiConfig } from '../../src/config/api-config';
import { packageRoot } from '../../src/engine/package-root';
import { freeLoopbackPort, Server, sleep } from '../../src/reference/processes';
import { Store } from '../../src/store/store';
import { waitForOutput } from './wait';

/** `crowdwatch run` as its own process on a free loopback port, with fast ticks. */
export class DaemonProcess {
  private constructor(
    readonly server: Server,
    readonly url: string,
  ) {}

  static async start(dataDir: string, args: string[]): Promise<DaemonProcess> {
    const port = await freeLoopbackPort();
    const server = new Server(
      process.execPath,
      [path.join(packageRoot, 'bin/crowdwatch.js'), 'run', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--tick-ms', '100', '--metrics-listen', '127.0.0.1:0', ...args],
      { cwd: dataDir, env: process.env },
    );
    const daemon = new DaemonProcess(server, `http://127.0.0.1:${port}`);
    await daemon.waitFor(/reading /, 20_000);
    return daemon;
  }

  /** The Prometheus endpoint the daemon logged at start. */
  get metricsUrl(): string {
    const m = /metrics on (http:\/\/[^\s"]+)/.exec(this.server.output);
    if (!m) throw new Error(`no metrics endpoint in the daemon's output:\n${this.server.output}`);
    return m[1];
  }

  get output(): string {
    return this.server.output;
  }

  waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
    return waitForOutput(this.server, pattern, timeoutMs);
  }

  async kill9(): Promise<void> {
    const exited = new Promise((resolve) => this.server.child.once('exit', resolve));
    this.server.child.kill('SIGKILL');
    await exited;
  }

  stop(): Promise<void> {
    return this.server.stop(10_000);
  }
}

/** Reads the data dir's database (the daemon may be running: SQLite WAL readers do not block it). */
export async function withDataDirStore<T>(dataDir: string, use: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(loadApiConfig({ dataDir }).store);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** Polls until `check` returns a value other than undefined, or fails with `what`. */
export async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
