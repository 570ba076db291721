// A distributed sshd brute force: `ips` distinct public source addresses, one failed password
// each, packed into `spanSeconds` of log time so every bucket they open is still live at the
// end. Produced in ~1 MiB batches of whole lines, so memory measurements see the engine's
// buckets, not the generator's text.
import { syslogTime } from './common';

// Public first octets (none private, loopback, CGNAT or documentation): 16 of them, so
// `i >>> 16` picks one and the addresses stay distinct up to 16 × 254 × 65,536.
const FIRST_OCTETS = [23, 27, 36, 45, 46, 61, 80, 89, 91, 103, 139, 141, 159, 185, 193, 212];

export function distinctAttacker(i: number): string {
  const block = i >>> 16;
  const a = FIRST_OCTETS[block % FIRST_OCTETS.length];
  const d = 1 + (Math.floor(block / FIRST_OCTETS.length) % 254);
  return `${a}.${(i >>> 8) & 255}.${i & 255}.${d}`;
}

export interface DistributedBfOptions {
  ips: number;
  /** Log time the whole attack spans (default 30 s: inside every ssh scenario's bucket lifetime). */
  spanSeconds?: number;
  startMs: number;
  batchBytes?: number;
}

/** Yields batches of newline-terminated syslog lines. */
export function* distributedBruteForce(opts: DistributedBfOptions): Generator<Buffer> {
  const span = opts.spanSeconds ?? 30;
  const batchBytes = opts.batchBytes ?? 1 << 20;
  let text = '';
  let sec = -1;
  let stamp = '';
  for (let i = 0; i < opts.ips; i++) {
    const s = Math.floor((i * span) / opts.ips);
    if (s !== sec) {
      sec = s;
      stamp = syslogTime(new Date(opts.startMs + s * 1000));
    }
    text += `${stamp} bastion sshd[${10000 + (i % 50000)}]: Failed password for invalid user u${i % 997} from ${distinctAttacker(i)} port ${32768 + (i % 28000)} ssh2\n`;
    if (text.length >= batchBytes) {
      yield Buffer.from(text);
      text = '';
    }
  }
  if (text.length > 0) yield Buffer.from(text);
}
