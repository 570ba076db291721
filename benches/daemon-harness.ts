// What the daemon benchmarks share: `crowdwatch run` as its own process
// following an nginx access log and a syslog auth log in a temp dir.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageRoot } from '../src/engine/package-root';
import { freeLoopbackPort, Server, sleep } from '../src/reference/processes';

export const CLI = path.join(packageRoot, 'bin', 'crowdwatch.js');


export interface FollowingDaemon {
  dir: string;
  access: string;
  auth: string;
  daemon: Server;
  url: string;
  metricsUrl: string;
  stop: () => Promise<void>;
}

/**
 * Starts `crowdwatch run` on a fresh data dir, following `access.log` (nginx) and `auth.log`
 * (syslog) there, and resolves once it reads. `prepare` runs on the data dir before the start
 * (adding a bouncer key, say). CROWDWATCH_DAEMON_NODE_ARGS passes node flags to the daemon
 * (`--cpu-prof --cpu-prof-dir=/tmp/prof` profiles it); `runFlags` go to `crowdwatch run` (`--parallel`).
 */
export async function startFollowingDaemon(
  prefix: string,
  prepare: (dir: string) => Promise<void> = async () => undefined,
  runFlags: string[] = [],
): Promise<FollowingDaemon> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `crowdwatch-${prefix}-`));
  const access = path.join(dir, 'access.log');
  const auth = path.join(dir, 'auth.log');
  fs.writeFileSync(access, '');
  fs.writeFileSync(auth, '');
  fs.writeFileSync(path.join(dir, 'acquis.yaml'), `filename: ${access}\nlabels:\n  type: nginx\n---\nfilename: ${auth}\nlabels:\n  type: syslog\n`);
  await prepare(dir);
  const port = await freeLoopbackPort();
  const nodeArgs = (process.env.CROWDWATCH_DAEMON_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const daemon = new Server(process.execPath, [...nodeArgs, CLI, 'run', '--data-dir', dir, '--listen', `127.0.0.1:${port}`, '--acquis', path.join(dir, 'acquis.yaml'), '--metrics-listen', '127.0.0.1:0', ...runFlags], { cwd: dir, env: process.env });
  const stop = async (): Promise<void> => {
    await daemon.stop(30_000);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    while (!/reading /.test(daemon.output)) {
      if (!daemon.alive) throw new Error(daemon.output);
      await sleep(20);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const metricsUrl = /metrics on (http:\/\/[^\s"]+)/.exec(daemon.output)?.[1] ?? '';
  return { dir, access, auth, daemon, url: `http://127.0.0.1:${port}`, metricsUrl, stop };
}
