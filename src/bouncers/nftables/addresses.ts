// Decision values and kernel elements as spans of addresses in their family's own space.
import { parseIpRange } from '../../store/ip-range';
import type { Span } from './intervals';

export type Family = 4 | 6;

const LOW32 = 0xffffffffn;

/** `1.2.3.4`, `10.0.0.0/8`, `2001:db8::/32` as a span; null when not an address or range. */
export function spanOf(value: string): { family: Family; span: Span } | null {
  const r = parseIpRange(value);
  if (r === null) return null;
  let start = BigInt(`0x${r.start}`);
  let end = BigInt(`0x${r.end}`);
  if (r.family === 4) {
    start &= LOW32;
    end &= LOW32;
  }
  return { family: r.family, span: { start, end } };
}

function formatV6(n: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: the longest run (of two or more) of zero groups becomes '::'.
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestAt, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

export function formatAddress(family: Family, n: bigint): string {
  if (family === 6) return formatV6(n);
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
}

/** The element as nft writes it: an address, or `first-last`. */
export function elementText(family: Family, s: Span): string {
  const start = formatAddress(family, s.start);
  return s.start === s.end ? start : `${start}-${formatAddress(family, s.end)}`;
}

/** A kernel element's value from `nft -j list set` (address, prefix or range); null if unknown. */
export function kernelSpan(val: unknown): Span | null {
  if (typeof val === 'string') return spanOf(val)?.span ?? null;
  if (typeof val !== 'object' || val === null) return null;
  const o = val as { prefix?: { addr: string; len: number }; range?: [string, string] };
  if (o.prefix) return spanOf(`${o.prefix.addr}/${o.prefix.len}`)?.span ?? null;
  if (o.range) {
    const a = spanOf(o.range[0]);
    const b = spanOf(o.range[1]);
    return a && b ? { start: a.span.start, end: b.span.end } : null;
  }
  return null;
}

export function spanKey(s: Span): string {
  return `${s.start.toString(16)}-${s.end.toString(16)}`;
}
