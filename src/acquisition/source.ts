// What every acquisition source hands the agent, and what the agent hands back.

/** Where a stream resumes after a restart; persisted by the agent with the alerts it caused. */
export type Position =
  /**
   * `head`: a digest of the file's first `headLen` bytes (at most 256), so a position is not
   * taken for another file that has the same inode (reused after a delete) or was replaced in
   * place (truncated, then written past the old offset).
   */
  | { kind: 'file'; dev: number; ino: number; offset: number; head?: string; headLen?: number }
  | { kind: 'journald'; cursor: string };

/** One stream of lines with its labels: a followed file, a journal filter, a syslog listener. */
export interface Stream {
  /** Stable across restarts: the key of its persisted position. */
  key: string;
  labels: Record<string, string> & { type: string };
  /** CrowdSec's `Line.Src`: the file path, `journalctl-<filters>`, the syslog client. */
  src: string;
  /** CrowdSec's `Line.Module`: file, journalctl, syslog, stdin. */
  module: string;
}

export interface LineSink {
  /**
   * Whole lines of one stream (newline-terminated, possibly many). `position` is where reading
   * resumes once these lines are accounted for (absent for sources that cannot resume).
   */
  lines(stream: Stream, lines: Buffer, position?: Position): void;
  /** A problem the operator should hear of; the source goes on unless it says otherwise. */
  warn(message: string): void;
  /** The stream is gone for good (a followed file deleted): its position can be forgotten. */
  forget?(stream: Stream): void;
}

export interface AcquisitionSource {
  /** Human-readable, for logs and `crowdwatch metrics`. */
  readonly name: string;
  /** Starts reading; `positions` are the persisted ones, by stream key. */
  start(sink: LineSink, positions: ReadonlyMap<string, Position>): Promise<void>;
  /** Stops reading more (backpressure); lines already read are still delivered. */
  pause(): void;
  resume(): void;
  /** Stops for good, after delivering what was read (a partial line at the end stays unread). */
  stop(): Promise<void>;
  /** For sources with an end (`cat` files, stdin): resolves once everything was delivered. */
  readonly ended?: Promise<void>;
}
