import * as net from 'node:net';

/**
 * An IP address or CIDR range as the store indexes it: both ends as 32 hex digits in one
 * 128-bit space (IPv4 lives in ::ffff:0:0/96), so a single lexicographic comparison answers
 * "does this decision contain that address" for IPv4 and IPv6 alike, in SQLite and PostgreSQL.
 */
export interface IpRange {
  /** 4 or 6: the family the value was written in. */
  family: 4 | 6;
  /** Prefix length in the 128-bit space (a /24 IPv4 range is 120). */
  prefix: number;
  start: string;
  end: string;
}

const V4_MAPPED = 0xffffn << 32n;
const ALL_ONES = (1n << 128n) - 1n;

function toHex(n: bigint): string {
  return n.toString(16).padStart(32, '0');
}

function v4ToBigInt(text: string): bigint {
  let n = 0n;
  for (const part of text.split('.')) n = (n << 8n) | BigInt(Number(part));
  return n;
}

function v6ToBigInt(text: string): bigint {
  let head = text;
  let tailV4: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tailV4 = v4ToBigInt(text.slice(lastColon + 1));
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, null];
  const leftGroups = left ? left.split(':') : [];
  const rightGroups = right ? right.split(':') : [];
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...Array<string>(right === null ? 0 : missing).fill('0'), ...rightGroups];
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(parseInt(g, 16));
  if (tailV4 !== null) n = (n & ~0xffffffffn) | tailV4;
  return n;
}

/** The 128-bit value of an address, or null when `text` is not an IP address. */
function addressValue(text: string): { family: 4 | 6; value: bigint } | null {
  const kind = net.isIP(text);
  if (kind === 4) return { family: 4, value: V4_MAPPED | v4ToBigInt(text) };
  if (kind === 6) {
    const value = v6ToBigInt(text.split('%')[0]);
    // An IPv4-mapped IPv6 address is the IPv4 address (Go's net.ParseIP does the same).
    if (value >> 32n === 0xffffn) return { family: 4, value };
    return { family: 6, value };
  }
  return null;
}

function rangeOf(family: 4 | 6, value: bigint, prefix: number): IpRange {
  const hostBits = BigInt(128 - prefix);
  const mask = hostBits === 128n ? 0n : (ALL_ONES >> hostBits) << hostBits;
  const start = value & mask;
  return { family, prefix, start: toHex(start), end: toHex(start | (ALL_ONES ^ mask)) };
}

const V4_HEX_PREFIX = '00000000000000000000ffff';

/** An IPv4 block in 32-bit arithmetic: the common case, about ten times cheaper than BigInt (imports parse every value). */
function v4Range(text: string, bits: number): IpRange {
  let n = 0;
  for (const part of text.split('.')) n = n * 256 + Number(part);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const start = (n & mask) >>> 0;
  const hex = (v: number): string => V4_HEX_PREFIX + v.toString(16).padStart(8, '0');
  return { family: 4, prefix: bits + 96, start: hex(start), end: hex((start | ~mask) >>> 0) };
}

/** Parses `1.2.3.4`, `2001:db8::1`, `10.0.0.0/8` or `2001:db8::/32`; null when invalid. */
export function parseIpRange(text: string): IpRange | null {
  if (text.length > 64) return null;
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  let bits: number | null = null;
  if (slash >= 0) {
    const bitsText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(bitsText)) return null;
    bits = Number(bitsText);
  }
  if (net.isIPv4(addrText)) return bits !== null && bits > 32 ? null : v4Range(addrText, bits ?? 32);
  const addr = addressValue(addrText);
  if (addr === null) return null;
  if (bits === null) return rangeOf(addr.family, addr.value, 128);
  const max = addr.family === 4 ? 32 : 128;
  if (bits > max) return null;
  return rangeOf(addr.family, addr.value, addr.family === 4 ? bits + 96 : bits);
}

/** Whether `text` is a single address (not a range). */
export function isIpAddress(text: string): boolean {
  return text.length <= 64 && !text.includes('/') && addressValue(text) !== null;
}

/** Whether `text` is a CIDR range (`10.0.0.0/8`, `2001:db8::/32`). */
export function isIpRange(text: string): boolean {
  return text.includes('/') && parseIpRange(text) !== null;
}

/** A fixed set of addresses and ranges (an allowlist, trusted_ips), parsed once. */
export class IpRangeSet {
  private readonly ranges: IpRange[];

  constructor(entries: readonly string[]) {
    this.ranges = entries.map((e) => parseIpRange(e)).filter((r) => r !== null);
  }

  /** Whether `value` (an IP or a range) lies entirely inside one of the set's ranges. */
  covers(value: string): boolean {
    const r = parseIpRange(value);
    return r !== null && this.ranges.some((a) => a.start <= r.start && a.end >= r.end);
  }
}

/**
 * The start of every CIDR block (within the family's prefixes) that contains `range`: a decision
 * range contains the query exactly when its start is one of these and its end is at or past the
 * query's end. This turns a containment search into a handful of index lookups.
 */
export function enclosingStarts(range: IpRange): string[] {
  const value = BigInt(`0x${range.start}`);
  const low = range.family === 4 ? 96 : 0;
  const starts: string[] = [];
  for (let p = low; p <= range.prefix; p++) starts.push(rangeOf(range.family, value, p).start);
  return starts;
}
