import type { LineSink, Position, Stream } from './source';

export interface BatcherOptions {
  /** Flush when this many bytes are waiting. */
  maxBytes?: number;
  /** Flush this long after the first waiting line at the latest. */
  maxDelayMs?: number;
}

/**
 * Gathers single messages (syslog datagrams, journal entries) into one engine batch per stream:
 * a batch leaves when it is big enough or a few milliseconds after its first line, so latency
 * stays low when it is quiet and the per-call cost is amortised when it is busy.
 */
export class LineBatcher {
  private readonly parts = new Map<string, { stream: Stream; lines: string[]; bytes: number; position?: Position }>();
  private timer: NodeJS.Timeout | null = null;
  private readonly maxBytes: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly sink: LineSink,
    options: BatcherOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 256 * 1024;
    this.maxDelayMs = options.maxDelayMs ?? 5;
  }

  /** One line (without its newline); `position` is where the stream resumes after it. */
  add(stream: Stream, line: string, position?: Position): void {
    let part = this.parts.get(stream.key);
    if (!part) {
      part = { stream, lines: [], bytes: 0 };
      this.parts.set(stream.key, part);
    }
    part.lines.push(line);
    part.bytes += line.length + 1;
    if (position) part.position = position;
    if (part.bytes >= this.maxBytes) this.flushOne(stream.key);
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const key of [...this.parts.keys()]) this.flushOne(key);
  }

  private flushOne(key: string): void {
    const part = this.parts.get(key);
    if (!part) return;
    this.parts.delete(key);
    this.sink.lines(part.stream, Buffer.from(`${part.lines.join('\n')}\n`), part.position);
  }
}
