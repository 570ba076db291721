// Timestamps as CrowdSec's API writes them.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|z|[+-]\d{2}:\d{2})$/;

/** A parsed RFC3339 time: epoch milliseconds plus the sub-millisecond digits Date cannot hold. */
export interface PreciseTime {
  ms: number;
  /** Fraction of a second, 9 digits (nanoseconds). */
  nanos: string;
}

export function parseRfc3339(text: string): PreciseTime | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const frac = (m[7] ?? '.').slice(1).padEnd(9, '0').slice(0, 9);
  const base = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (Number.isNaN(base) || +m[2] < 1 || +m[2] > 12 || +m[3] < 1 || +m[3] > 31 || +m[4] > 23 || +m[5] > 59 || +m[6] > 60) return null;
  let offsetMin = 0;
  if (m[8] !== 'Z' && m[8] !== 'z') {
    const sign = m[8][0] === '-' ? -1 : 1;
    offsetMin = sign * (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6)));
  }
  return { ms: base - offsetMin * 60_000 + Number(frac.slice(0, 3)), nanos: frac };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function utcParts(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
    + `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function nanosOf(t: PreciseTime): string {
  return t.nanos.replace(/0+$/, '');
}

/** RFC3339 in UTC with the fraction Go would print (`2026-11-24T10:02:00.5Z`). */
export function formatRfc3339(t: PreciseTime | number): string {
  const p = typeof t === 'number' ? { ms: t, nanos: pad(((t % 1000) + 1000) % 1000, 3) } : t;
  const frac = nanosOf(p);
  return `${utcParts(p.ms)}${frac ? `.${frac}` : ''}Z`;
}

/** Go's `Time.String()` for a UTC time, as 1.4.6 renders alert times: `2026-11-24 10:02:00 +0000 UTC`. */
export function formatGoTimeString(t: PreciseTime | number): string {
  const p = typeof t === 'number' ? { ms: t, nanos: pad(((t % 1000) + 1000) % 1000, 3) } : t;
  const frac = nanosOf(p);
  return `${utcParts(p.ms).replace('T', ' ')}${frac ? `.${frac}` : ''} +0000 UTC`;
}
