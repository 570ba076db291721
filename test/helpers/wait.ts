import { type Server, sleep } from '../../src/reference/processes';

/** Polls `probe` every 100 ms until it returns something truthy; the error carries `log()`. */
export async function until<T>(what: string, probe: () => T | undefined | false, log: () => string = () => '', timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${log()}`);
    await sleep(100);
  }
}

/** Waits until `server` has printed `pattern`; fails at once, with its output, if it exits first. */
export async function waitForOutput(server: Server, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pattern.test(server.output)) {
    if (!server.alive) throw new Error(`exited before printing ${pattern}:\n${server.output}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}:\n${server.output}`);
    await sleep(50);
  }
}
