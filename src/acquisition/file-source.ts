import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { LineCutter } from '../engine/line-batches';
import { FileTail, type FilePosition } from './file-tail';
import { expandGlob, watchRoot } from './glob';
import type { AcquisitionSource, LineSink, Position, Stream } from './source';

export interface FileSourceSpec {
  name: string;
  /** Absolute paths or globs. */
  filenames: string[];
  excludeRegexps: RegExp[];
  labels: Stream['labels'];
  /** tail: follow for ever; cat: read each file once from the start (`.gz` too), then end. */
  mode: 'tail' | 'cat';
}

export interface FileSourceOptions {
  maxLineBytes: number;
  /** Safety-net poll of every file and glob; inotify (fs.watch) does the fast path. */
  pollMs?: number;
}

export function fileStream(spec: FileSourceSpec, file: string): Stream {
  return { key: `file:${file}`, labels: spec.labels, src: file, module: 'file' };
}

/** A `source: file` entry: every file its globs match, now and later. */
export class FileSource implements AcquisitionSource {
  readonly name: string;
  private readonly tails = new Map<string, FileTail>();
  /** Files rotated away (by `dev:ino`) and how far they were read, for when a glob matches them. */
  private readonly retired = new Map<string, FilePosition>();
  private readonly watchers: fs.FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sink: LineSink | null = null;
  private positions: ReadonlyMap<string, Position> = new Map();
  private paused = false;
  private stopped = false;
  /** Set by `start` in `cat` mode: resolves when every file was read. A `tail` source never ends. */
  ended?: Promise<void>;

  constructor(
    private readonly spec: FileSourceSpec,
    private readonly options: FileSourceOptions,
  ) {
    this.name = spec.name;
  }

  private matches(): string[] {
    const files = new Set<string>();
    for (const pattern of this.spec.filenames) for (const f of expandGlob(pattern)) files.add(f);
    return [...files].filter((f) => !this.spec.excludeRegexps.some((re) => re.test(f)));
  }

  async start(sink: LineSink, positions: ReadonlyMap<string, Position>): Promise<void> {
    this.sink = sink;
    this.positions = positions;
    const files = this.matches();
    if (files.length === 0) sink.warn(`${this.name}: no file matches ${this.spec.filenames.join(', ')} yet`);
    if (this.spec.mode === 'cat') {
      this.ended = this.catAll(files);
      return;
    }
    for (const file of files) await this.follow(file, 'end');
    for (const dir of new Set(this.spec.filenames.map(watchRoot))) this.watch(dir);
    this.timer = setInterval(() => this.scanInBackground(), this.options.pollMs ?? 1000);
    this.timer.unref();
  }

  pause(): void {
    this.paused = true;
    for (const tail of this.tails.values()) tail.pause();
  }

  resume(): void {
    this.paused = false;
    for (const tail of this.tails.values()) {
      tail.resume();
      this.pollInBackground(tail);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const w of this.watchers) w.close();
    await Promise.all([...this.tails.values()].map((t) => t.close()));
    this.tails.clear();
  }

  private watch(dir: string): void {
    try {
      const watcher = fs.watch(dir, { persistent: false }, (_event, name) => {
        const tail = name ? this.tails.get(path.join(dir, name.toString())) : undefined;
        if (tail) this.pollInBackground(tail);
        else this.scanInBackground();
      });
      watcher.on('error', () => undefined);
      this.watchers.push(watcher);
    } catch {
      // The directory may not exist yet: the periodic scan picks its files up when it does.
    }
  }

  // From a timer or a watch event nobody awaits: a failure (a read error, say) is a warning and
  // the next poll tries again; unhandled, the rejection would end the daemon.
  private scanInBackground(): void {
    this.scan().catch((error: Error) => this.sink?.warn(`${this.name}: ${error.message}`));
  }

  private pollInBackground(tail: FileTail): void {
    tail.poll().catch((error: Error) => this.sink?.warn(`${tail.file}: ${error.message}`));
  }

  /** New files matching the globs (read from their start), and a poll of every known file. */
  private async scan(): Promise<void> {
    if (this.stopped || this.paused) return;
    for (const file of this.matches()) if (!this.tails.has(file)) await this.follow(file, 'start');
    await Promise.all([...this.tails.values()].map((t) => t.poll()));
  }

  /**
   * A file found while running is new, unless it is a rotated name of a file we follow (a glob
   * like `*.log` matching `app-20261124.log`): then it continues where that file's reading
   * stopped, and waits while another tail still reads that inode, so no line is read twice.
   */
  private async startOf(file: string): Promise<FilePosition | 'start' | 'busy'> {
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(file);
    } catch {
      return 'busy';
    }
    const id = `${st.dev}:${st.ino}`;
    for (const tail of this.tails.values()) if (tail.inode === id) return 'busy';
    return this.retired.get(id) ?? 'start';
  }

  private async follow(file: string, fresh: 'start' | 'end'): Promise<void> {
    const sink = this.sink;
    if (!sink || this.tails.has(file)) return;
    if (file.endsWith('.gz')) return; // compressed logs are rotated-away history: `mode: cat` reads them
    const stream = fileStream(this.spec, file);
    let saved = this.positions.get(stream.key) as FilePosition | undefined;
    if (!saved && fresh === 'start') {
      const start = await this.startOf(file);
      if (start === 'busy') return;
      if (start !== 'start') saved = start;
    }
    const tail = new FileTail(file, {
      lines: (lines, position) => sink.lines(stream, lines, position),
      warn: (m) => sink.warn(m),
      retired: (position) => {
        this.retired.set(`${position.dev}:${position.ino}`, position);
        if (this.retired.size > 1000) this.retired.delete(this.retired.keys().next().value as string);
      },
      // Deleted (a date-stamped log past its retention): its handle is closed, so its disk space
      // comes back, and its position forgotten. A file that takes its name later is a new one.
      vanished: () => {
        if (this.tails.get(file) !== tail) return;
        this.tails.delete(file);
        tail.close().catch(() => undefined);
        sink.forget?.(stream);
      },
    }, this.options.maxLineBytes);
    this.tails.set(file, tail);
    await tail.open(saved, fresh);
    if (this.paused) tail.pause();
    await tail.poll();
  }

  private async catAll(files: string[]): Promise<void> {
    for (const file of files) {
      if (this.stopped) return;
      await this.cat(file).catch((error: Error) => this.sink?.warn(`${file}: ${error.message}`));
    }
  }

  /** Reads one file (gunzipped when it ends in .gz) from its start to its end. */
  private async cat(file: string): Promise<void> {
    const sink = this.sink;
    if (!sink) return;
    const stream = fileStream(this.spec, file);
    const cutter = new LineCutter(this.options.maxLineBytes);
    const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    const input = file.endsWith('.gz') ? raw.pipe(zlib.createGunzip()) : raw;
    for await (const chunk of input as AsyncIterable<Buffer>) {
      while (this.paused && !this.stopped) await new Promise((r) => setTimeout(r, 20));
      if (this.stopped) break;
      for (const lines of cutter.push(chunk)) sink.lines(stream, lines);
    }
    const rest = cutter.flush();
    if (rest.length > 0) sink.lines(stream, rest);
  }
}
