// How `crowdwatch reload` reaches a running daemon: its pid file in the data dir, and the outcome
// of the last reload, written by the daemon after each SIGHUP.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../files/atomic';

export interface ReloadStatus {
  pid: number;
  /** Milliseconds since the epoch when the reload finished. */
  at: number;
  ok: boolean;
  message: string;
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
