// A private PostgreSQL cluster for tests: Debian's server binaries (scripts/test-servers.sh
// installs the package), a fresh data dir in /tmp owned by the `postgres` user, listening on a
// free 127.0.0.1 port only, trust auth for loopback. Stopped and deleted by stop().
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { freeLoopbackPort, Server, sleep } from '../../src/reference/processes';

export interface PostgresCluster {
  /** A new empty database, as a connection URL. */
  createDatabase(): Promise<string>;
  /** Stops the server (fast shutdown: its clients are cut off), keeping its data. */
  pause(): Promise<void>;
  /** Starts it again on the same port and data. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** Debian's newest PostgreSQL server binaries, or null when the package is not installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(root, versions[0], 'bin') : null;
}

let counter = 0;

export async function startPostgres(): Promise<PostgresCluster | { skip: string }> {
  const bin = postgresBinDir();
  if (bin === null) return { skip: 'PostgreSQL server binaries not found (scripts/test-servers.sh installs Debian\'s postgresql)' };
  const asPostgres = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crowdwatch-pg-'));
  const data = path.join(dir, 'data');
  const wrap = (cmd: string, args: string[]): [string, string[]] => (asPostgres ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  if (asPostgres) execFileSync('chown', ['-R', 'postgres', dir]);
  const [initCmd, initArgs] = wrap(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  const port = await freeLoopbackPort();
  const [pgCmd, pgArgs] = wrap(path.join(bin, 'postgres'), ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'fsync=off']);
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const launch = async (): Promise<Server> => {
    const server = new Server(pgCmd, pgArgs, { cwd: dir, env: process.env });
    for (let i = 0; ; i++) {
      try {
        const c = new pg.Client(admin);
        await c.connect();
        await c.end();
        return server;
      } catch (error) {
        if (!server.alive || i > 100) {
          await server.stop();
          throw new Error(`postgres did not start: ${(error as Error).message}\n${server.output}`);
        }
        await sleep(100);
      }
    }
  };
  let server: Server | null = await launch();
  return {
    async createDatabase() {
      const name = `cw_test_${process.pid}_${++counter}`;
      const c = new pg.Client(admin);
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async pause() {
      // Fast shutdown: clients are cut off at once (SIGTERM's smart one waits for them to leave).
      const [ctlCmd, ctlArgs] = wrap(path.join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']);
      execFileSync(ctlCmd, ctlArgs, { stdio: 'pipe' });
      await server?.stop();
      server = null;
    },
    async resume() {
      server ??= await launch();
    },
    async stop() {
      await server?.stop();
      server = null;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
