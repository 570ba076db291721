// What the nginx and sshd generators share: address pools, the timeline that mixes benign traffic
// with attack bursts, chunked output, and the attack manifest.
import * as fs from 'node:fs';
import { Rng } from './prng';

/** One generated attack and the hub scenarios it should make CrowdSec 1.4.6 alert on. */
export interface AttackRecord {
  /** The scenario the attack is built to trip, e.g. `crowdsecurity/ssh-bf`. */
  scenarioKind: string;
  source_ip: string;
  /** Every scenario expected to alert for this source (a burst can trip several). */
  expected: string[];
  /** First and last line time, RFC 3339. */
  start: string;
  end: string;
  lines: number;
}

export interface GenerateOptions {
  lines: number;
  seed?: number;
  /** Output file; when absent the text is returned in `text` (small logs, tests). */
  out?: string;
  /** Time of the first line (default 2026-11-24T10:00:00Z). Logs are written in UTC. */
  start?: Date | string;
  /** Average lines per second of log time (timestamps advance accordingly). */
  linesPerSecond?: number;
  /** Number of attacks (default: one per 2,000 lines, at least 1, never over a third of the lines). */
  attacks?: number;
  /** Distinct benign clients (default scales with linesPerSecond so none looks abusive). */
  clients?: number;
}

export interface GenerateResult {
  manifest: AttackRecord[];
  lines: number;
  bytes: number;
  start: string;
  end: string;
  text?: string;
}

export const DEFAULT_START = '2026-11-24T10:00:00Z';

// First octets used for benign clients and for attackers are disjoint, so a benign line never
// pours into an attacker's bucket. None is private, loopback or otherwise whitelisted by the hub.
const BENIGN_OCTETS = [2, 5, 24, 31, 37, 50, 62, 66, 68, 71, 73, 76, 78, 81, 82, 84, 86, 88, 90, 92, 96, 98, 99, 109, 151, 174, 176, 188];
const ATTACKER_OCTETS = [23, 27, 36, 39, 42, 43, 45, 46, 61, 80, 89, 91, 101, 103, 104, 106, 112, 114, 115, 117, 118, 119, 120, 121, 122, 123, 125, 139, 141, 159, 161, 162, 164, 165, 167, 170, 171, 175, 178, 180, 183, 185, 193, 194, 195, 209, 212, 213, 218, 220, 221, 222];
// Documentation ranges (RFC 5737) are part of the benign pool, as the samples in docs use them.
const DOC_PREFIXES = ['192.0.2.', '198.51.100.', '203.0.113.'];

export function benignPool(rng: Rng, size: number): string[] {
  const seen = new Set<string>();
  while (seen.size < size) {
    const ip = rng.chance(0.05)
      ? rng.pick(DOC_PREFIXES) + rng.range(1, 254)
      : `${rng.pick(BENIGN_OCTETS)}.${rng.int(256)}.${rng.int(256)}.${rng.range(1, 254)}`;
    seen.add(ip);
  }
  return [...seen];
}

/** Attacker addresses: unique per attack so every manifest entry maps to its own alerts. */
export class AttackerPool {
  private used = new Set<string>();
  constructor(private readonly rng: Rng) {}
  next(): string {
    for (;;) {
      const ip = `${this.rng.pick(ATTACKER_OCTETS)}.${this.rng.int(256)}.${this.rng.int(256)}.${this.rng.range(1, 254)}`;
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
  }
}

/** An attack line: `render` receives the second it is written in (seconds since start). */
export interface TimedLine {
  sec: number;
  render: (sec: number) => string;
}

export interface PlannedAttack {
  record: Omit<AttackRecord, 'start' | 'end' | 'lines'>;
  lines: TimedLine[];
}

export interface TimelineSpec {
  rng: Rng;
  lines: number;
  linesPerSecond: number;
  startMs: number;
  attacks: PlannedAttack[];
  /** Appends `count` benign lines for second `sec` to `out`. */
  benign: (sec: number, count: number, out: string[]) => void;
  out?: string;
}

/**
 * Writes benign lines evenly over the log's duration with the attack lines slotted into their
 * seconds at random positions; text is flushed in large chunks so a million lines take seconds.
 */
export function writeTimeline(spec: TimelineSpec): GenerateResult {
  const attackLines = spec.attacks.reduce((n, a) => n + a.lines.length, 0);
  const benignTotal = Math.max(0, spec.lines - attackLines);
  const duration = Math.max(1, Math.ceil(spec.lines / spec.linesPerSecond));
  const bySecond = new Map<number, TimedLine[]>();
  for (const attack of spec.attacks) {
    for (const line of attack.lines) {
      const list = bySecond.get(line.sec);
      if (list) list.push(line);
      else bySecond.set(line.sec, [line]);
    }
  }

  const fd = spec.out ? fs.openSync(spec.out, 'w') : undefined;
  const parts: string[] = [];
  let pending: string[] = [];
  let bytes = 0;
  let written = 0;
  let lastSec = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    const chunk = Buffer.from(pending.join('\n') + '\n');
    pending = [];
    bytes += chunk.length;
    if (fd !== undefined) fs.writeSync(fd, chunk);
    else parts.push(chunk.toString());
  };

  const lastAttackSec = bySecond.size ? Math.max(...bySecond.keys()) : 0;
  const seconds = Math.max(duration, lastAttackSec + 1);
  const secLines: string[] = [];
  for (let sec = 0; sec < seconds; sec++) {
    const benignCount = Math.floor(((sec + 1) * benignTotal) / seconds) - Math.floor((sec * benignTotal) / seconds);
    secLines.length = 0;
    spec.benign(sec, benignCount, secLines);
    const extra = bySecond.get(sec);
    if (extra) {
      for (const line of extra) {
        const at = spec.rng.int(secLines.length + 1);
        secLines.splice(at, 0, line.render(sec));
      }
    }
    if (secLines.length) lastSec = sec;
    for (const l of secLines) pending.push(l);
    written += secLines.length;
    if (pending.length >= 8192) flush();
  }
  flush();
  if (fd !== undefined) fs.closeSync(fd);

  const iso = (sec: number) => new Date(spec.startMs + sec * 1000).toISOString().replace('.000Z', 'Z');
  const manifest = spec.attacks
    .map((a) => {
      const secs = a.lines.map((l) => l.sec);
      return { ...a.record, start: iso(Math.min(...secs)), end: iso(Math.max(...secs)), lines: a.lines.length };
    })
    .sort((x, y) => x.start.localeCompare(y.start) || x.source_ip.localeCompare(y.source_ip));
  return {
    manifest,
    lines: written,
    bytes,
    start: iso(0),
    end: iso(lastSec),
    text: fd === undefined ? parts.join('') : undefined,
  };
}

export function resolveStart(start: Date | string | undefined): number {
  const ms = new Date(start ?? DEFAULT_START).getTime();
  if (Number.isNaN(ms)) throw new Error(`invalid start time: ${String(start)}`);
  return Math.floor(ms / 1000) * 1000;
}

/** Attack count: explicit, else one per 2,000 lines; capped so attacks stay a minority. */
export function attackCount(opts: GenerateOptions, avgLinesPerAttack: number): number {
  const cap = Math.floor(opts.lines / 3 / avgLinesPerAttack);
  const wanted = opts.attacks ?? Math.max(1, Math.floor(opts.lines / 2000));
  return Math.max(0, Math.min(wanted, cap));
}

/** Start second for an attack lasting `span` seconds somewhere in a log of `duration` seconds. */
export function attackStart(rng: Rng, duration: number, span: number): number {
  return rng.int(Math.max(1, duration - span));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Formats per second, memoising the last one (many lines share a second). */
export function timeFormatter(startMs: number, format: (d: Date) => string): (sec: number) => string {
  let lastSec = -1;
  let last = '';
  return (sec: number) => {
    if (sec !== lastSec) {
      lastSec = sec;
      last = format(new Date(startMs + sec * 1000));
    }
    return last;
  };
}

/** nginx `$time_local` in UTC: `24/Nov/2026:10:00:00 +0000`. */
export function nginxTime(d: Date): string {
  return `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}

/** RFC 3164 syslog time: `Nov 24 10:00:00`, day space-padded (`Nov  4`). */
export function syslogTime(d: Date): string {
  const day = d.getUTCDate();
  return `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ' ' : ''}${day} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}
