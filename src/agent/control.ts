// How `crowdwatch reload` reaches a running daemon: its pid file in the data dir, and the outcome
// of the last reload, written by the daemon after each SIGHUP.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bindings } from '../engine/native';
import { writeFileAtomic } from '../files/atomic';

export interface ReloadStatus {
  pid: number;
  /** Milliseconds since the epoch when the reload finished. */
  at: number;
  ok: boolean;
  message: string;
}

/** What a daemon owns in a data dir: the agent its journal, the API its database. */
export type DataDirRole = 'agent' | 'api';

export const lockFile = (dataDir: string, role: DataDirRole): string => path.join(dataDir, `crowdwatch-${role}.lock`);

/**
 * Takes the data dir's `roles` for this process (`run` both, or the agent alone with --no-api;
 * `api` the API), or throws CW_LOCKED naming the daemon that has one: two agents on one journal
 * append to it both and raise every alert twice. `crowdwatch api` and `run --no-api` share a data
 * dir, as the README shows. The kernel drops the locks when the process ends, kill -9 included,
 * so a restart never finds a stale one. Returns the release.
 */
export function lockDataDir(dataDir: string, roles: readonly DataDirRole[]): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const held: { release(): void }[] = [];
  const release = (): void => {
    for (const lock of held.splice(0)) lock.release();
  };
  for (const role of roles) {
    const lock = bindings().lockFile(lockFile(dataDir, role));
    if (lock === null) {
      release();
      const pid = runningPid(dataDir);
      const by = `another crowdwatch${pid === null ? '' : ` (pid ${pid})`}`;
      throw Object.assign(new Error(`data dir ${dataDir}: its ${role === 'agent' ? 'agent journal' : 'local API database'} is in use by ${by}; one per data dir (lock: ${lockFile(dataDir, role)})`), {
        code: 'CW_LOCKED',
      });
    }
    held.push(lock);
  }
  return release;
}

export const pidFile = (dataDir: string): string => path.join(dataDir, 'crowdwatch.pid');
const statusFile = (dataDir: string): string => path.join(dataDir, 'reload-status.json');

export function writePidFile(dataDir: string): void {
  writeFileAtomic(pidFile(dataDir), `${process.pid}\n`);
}

/** Removes the pid file if it is still ours (a newer daemon may have replaced it). */
export function removePidFile(dataDir: string): void {
  try {
    if (fs.readFileSync(pidFile(dataDir), 'utf8').trim() === String(process.pid)) fs.unlinkSync(pidFile(dataDir));
  } catch {
    // Already gone.
  }
}

/** The pid of a live daemon on this data dir, or null. */
export function runningPid(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile(dataDir), 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

export function writeReloadStatus(dataDir: string, ok: boolean, message: string): void {
  const status: ReloadStatus = { pid: process.pid, at: Date.now(), ok, message };
  writeFileAtomic(statusFile(dataDir), `${JSON.stringify(status)}\n`);
}

export function readReloadStatus(dataDir: string): ReloadStatus | null {
  try {
    return JSON.parse(fs.readFileSync(statusFile(dataDir), 'utf8')) as ReloadStatus;
  } catch {
    return null;
  }
}
