import { type ChildProcess, spawn } from 'node:child_process';
import * as os from 'node:os';
import { LineBatcher } from './batcher';
import { LineCutter } from '../engine/line-batches';
import type { AcquisitionSource, LineSink, Position, Stream } from './source';
import { renderSyslog } from './syslog-format';

export interface JournaldSourceSpec {
  name: string;
  /** `journalctl` match arguments, e.g. `_SYSTEMD_UNIT=ssh.service`. */
  filters: string[];
  labels: Stream['labels'];
  /** The binary; tests may point it elsewhere. */
  journalctl?: string;
}

const RESTART_MS = 5000;

/** `MESSAGE` is a string, or a byte array when it is not valid UTF-8. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return Buffer.from(value as number[]).toString('utf8');
  return '';
}

/** One journal entry (`journalctl -o json`) as the line `journalctl`'s short format would print. */
export function renderJournalEntry(entry: Record<string, unknown>): string | null {
  const message = text(entry.MESSAGE);
  if (message === '') return null;
  const micros = Number(entry.__REALTIME_TIMESTAMP);
  return renderSyslog(
    {
      time: Number.isFinite(micros) ? new Date(micros / 1000) : new Date(),
      host: text(entry._HOSTNAME),
      program: text(entry.SYSLOG_IDENTIFIER) || text(entry._COMM),
      pid: text(entry.SYSLOG_PID) || text(entry._PID),
      message: message.replace(/[\r\n]+/g, ' '),
    },
    os.hostname(),
  );
}

/**
 * Follows the journal through `journalctl --follow -o json`: each entry's cursor is its
 * position, so a restart resumes right after the last entry accounted for.
 */
export class JournaldSource implements AcquisitionSource {
  readonly name: string;
  private child: ChildProcess | null = null;
  private batcher: LineBatcher | null = null;
  private cursor: string | null = null;
  private stopped = false;
  private paused = false;
  private restartTimer: NodeJS.Timeout | null = null;
  readonly stream: Stream;

  constructor(private readonly spec: JournaldSourceSpec) {
    this.name = spec.name;
    const filters = spec.filters.join(' ');
    this.stream = { key: `journalctl:${filters}`, labels: spec.labels, src: `journalctl-${filters}`, module: 'journalctl' };
  }

  async start(sink: LineSink, positions: ReadonlyMap<string, Position>): Promise<void> {
    const saved = positions.get(this.stream.key);
    if (saved?.kind === 'journald') this.cursor = saved.cursor;
    this.batcher = new LineBatcher(sink);
    this.spawn(sink);
  }

  private spawn(sink: LineSink): void {
    const args = ['--follow', '-o', 'json', '--no-pager', ...(this.cursor ? ['--after-cursor', this.cursor] : ['-n', '0']), ...this.spec.filters];
    const child = spawn(this.spec.journalctl ?? 'journalctl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    if (this.paused) child.stdout?.pause();
    const cutter = new LineCutter(1 << 20);
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const lines of cutter.push(chunk)) {
        for (const json of lines.toString('utf8').split('\n')) {
          if (json === '') continue;
          let entry: Record<string, unknown>;
          try {
            entry = JSON.parse(json) as Record<string, unknown>;
          } catch {
            continue;
          }
          const line = renderJournalEntry(entry);
          const cursor = typeof entry.__CURSOR === 'string' ? entry.__CURSOR : null;
          if (cursor) this.cursor = cursor;
          const position: Position | undefined = cursor ? { kind: 'journald', cursor } : undefined;
          if (line !== null) this.batcher?.add(this.stream, line, position);
        }
      }
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-2000);
    });
    child.on('error', (e) => sink.warn(`${this.name}: cannot run journalctl: ${e.message}`));
    child.on('close', (code) => {
      this.batcher?.flush();
      if (this.stopped) return;
      sink.warn(`${this.name}: journalctl exited (${code ?? 'signal'})${stderr ? `: ${stderr.trim()}` : ''}; restarting in ${RESTART_MS / 1000}s`);
      this.restartTimer = setTimeout(() => this.spawn(sink), RESTART_MS);
      this.restartTimer.unref();
    });
  }

  pause(): void {
    this.paused = true;
    this.child?.stdout?.pause();
  }

  resume(): void {
    this.paused = false;
    this.child?.stdout?.resume();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null) {
      const closed = new Promise<void>((r) => child.once('close', () => r()));
      child.kill('SIGTERM');
      await closed;
    }
    this.batcher?.flush();
  }
}
