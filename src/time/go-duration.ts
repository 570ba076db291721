// Go's time.Duration text, both ways: bouncers parse what we send with Go's ParseDuration, and
// users write `4h`, `90m` or `1h30m` in profiles, flags and filters (plus CrowdSec's `d` suffix).

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Parses a Go duration (`300ms`, `-1.5h`, `2h45m`) into nanoseconds. With `allowDays`, a `d` unit
 * (24h) is accepted too, as CrowdSec's filters do. Returns null for anything else.
 */
export function parseGoDuration(text: string, allowDays = false): number | null {
  let s = text.trim();
  if (s === '0') return 0;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '') return null;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return null;
    if (m[2] === 'd' && !allowDays) return null;
    total += Number(m[1]) * (m[2] === 'd' ? 86400e9 : UNIT_NS[m[2]]);
    pos = re.lastIndex;
  }
  return sign * total;
}

function fraction(value: bigint, digits: number): string {
  const text = value.toString().padStart(digits, '0').replace(/0+$/, '');
  return text === '' ? '' : `.${text}`;
}

/** Formats nanoseconds as Go's `Duration.String()`: `1h21m52.989315404s`, `-8.801618ms`, `0s`. */
export function formatGoDuration(nanos: number | bigint): string {
  let n = typeof nanos === 'bigint' ? nanos : BigInt(Math.trunc(nanos));
  if (n === 0n) return '0s';
  const negative = n < 0n;
  if (negative) n = -n;
  let out: string;
  if (n < 1000n) out = `${n}ns`;
  else if (n < 1_000_000n) out = `${n / 1000n}${fraction(n % 1000n, 3)}µs`;
  else if (n < 1_000_000_000n) out = `${n / 1_000_000n}${fraction(n % 1_000_000n, 6)}ms`;
  else {
    const seconds = n / 1_000_000_000n;
    const secText = `${seconds % 60n}${fraction(n % 1_000_000_000n, 9)}s`;
    const minutes = seconds / 60n;
    const hours = minutes / 60n;
    if (hours > 0n) out = `${hours}h${minutes % 60n}m${secText}`;
    else if (minutes > 0n) out = `${minutes}m${secText}`;
    else out = secText;
  }
  return negative ? `-${out}` : out;
}
