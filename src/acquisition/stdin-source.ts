import type { Readable } from 'node:stream';
import { LineCutter } from '../engine/line-batches';
import type { AcquisitionSource, LineSink, Stream } from './source';

/** Lines piped into the process (`tail -F log | crowdwatch run --stdin-type syslog`). */
export class StdinSource implements AcquisitionSource {
  readonly name = 'stdin';
  readonly stream: Stream;
  private paused = false;
  /** Set by `start`: resolves when the input ends. */
  ended?: Promise<void>;

  constructor(
    labels: Stream['labels'],
    private readonly maxLineBytes: number,
    private readonly input: Readable = process.stdin,
  ) {
    this.stream = { key: 'stdin', labels, src: 'stdin', module: 'stdin' };
  }

  async start(sink: LineSink): Promise<void> {
    const cutter = new LineCutter(this.maxLineBytes);
    this.ended = new Promise((resolve) => {
      this.input.on('data', (chunk: Buffer | string) => {
        const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        for (const lines of cutter.push(data)) sink.lines(this.stream, lines);
      });
      this.input.on('end', () => {
        const rest = cutter.flush();
        if (rest.length > 0) sink.lines(this.stream, rest);
        resolve();
      });
      this.input.on('error', (e) => {
        sink.warn(`stdin: ${e.message}`);
        resolve();
      });
    });
    if (this.paused) this.input.pause();
  }

  pause(): void {
    this.paused = true;
    this.input.pause();
  }

  resume(): void {
    this.paused = false;
    this.input.resume();
  }

  async stop(): Promise<void> {
    this.input.pause();
  }
}
