import { sleep } from '../../src/reference/processes';

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
