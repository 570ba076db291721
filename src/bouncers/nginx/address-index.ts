// The nginx bouncer's copy of the decisions, indexed for one question asked per request: which
// decision covers this address? Exact addresses and CIDR ranges live in one structure: per
// family, a map per prefix length from the block's start to the decision values there. A lookup
// masks the address once per prefix length in use (an exact address is prefix 128), so it costs
// a few map lookups however many decisions there are.
import { DecisionCache } from '../common/decision-cache';
import type { StreamDecision, StreamUpdate } from '../common/decision-stream';
import { parseIpRange } from '../../store/ip-range';

export type Remediation = 'ban' | 'captcha';

export interface Verdict {
  remediation: Remediation;
  decision: StreamDecision;
}

interface Slot {
  family: 4 | 6;
  prefix: number;
  start: bigint;
}

const ALL_ONES = (1n << 128n) - 1n;

function maskOf(prefix: number): bigint {
  return prefix === 0 ? 0n : (ALL_ONES >> BigInt(128 - prefix)) << BigInt(128 - prefix);
}

/** Prefix length → block start → values, with the lengths in use kept sorted. */
class FamilyIndex {
  readonly blocks = new Map<number, Map<bigint, Set<string>>>();
  private lengths: { prefix: number; mask: bigint }[] = [];

  add(slot: Slot, value: string): void {
    let starts = this.blocks.get(slot.prefix);
    if (!starts) {
      this.blocks.set(slot.prefix, (starts = new Map()));
      this.relist();
    }
    const values = starts.get(slot.start) ?? new Set<string>();
    values.add(value);
    starts.set(slot.start, values);
  }

  remove(slot: Slot, value: string): void {
    const starts = this.blocks.get(slot.prefix);
    const values = starts?.get(slot.start);
    if (!starts || !values) return;
    values.delete(value);
    if (values.size > 0) return;
    starts.delete(slot.start);
    if (starts.size > 0) return;
    this.blocks.delete(slot.prefix);
    this.relist();
  }

  *covering(address: bigint): Generator<string> {
    for (const { prefix, mask } of this.lengths) yield* this.blocks.get(prefix)?.get(address & mask) ?? [];
  }

  private relist(): void {
    this.lengths = [...this.blocks.keys()].sort((a, b) => b - a).map((prefix) => ({ prefix, mask: maskOf(prefix) }));
  }
}

/** An address or range as a slot in the index; null when it is neither. */
function slotOf(text: string): Slot | null {
  const r = parseIpRange(text);
  return r && { family: r.family, prefix: r.prefix, start: BigInt(`0x${r.start}`) };
}

export class AddressIndex {
  private readonly cache = new DecisionCache();
  private readonly families = { 4: new FamilyIndex(), 6: new FamilyIndex() };
  private readonly slots = new Map<string, Slot>();
  private readonly banTypes: ReadonlySet<string>;
  private readonly captchaTypes: ReadonlySet<string>;

  /** `types`: decision types enforced (a type other than captcha is enforced as a ban). */
  constructor(types: ReadonlySet<string>, private readonly warn: (message: string) => void = () => undefined) {
    this.banTypes = new Set([...types].filter((t) => t !== 'captcha'));
    this.captchaTypes = new Set([...types].filter((t) => t === 'captcha'));
  }

  /** Values (addresses and ranges) with at least one decision. */
  get size(): number {
    return this.slots.size;
  }

  apply(update: StreamUpdate): void {
    for (const value of this.cache.apply(update)) this.reindex(value);
  }

  /** Forgets decisions that ended by `now` (lookups already ignore them; this frees memory). */
  expire(now: number): void {
    for (const value of this.cache.expire(now)) this.reindex(value);
  }

  private reindex(value: string): void {
    const held = this.cache.effective(value, Number.NEGATIVE_INFINITY) !== undefined;
    const slot = this.slots.get(value);
    if (held && !slot) {
      const fresh = slotOf(value);
      if (!fresh) return this.warn(`ignoring decision on '${value.slice(0, 80)}': not an IP address or range`);
      this.families[fresh.family].add(fresh, value);
      this.slots.set(value, fresh);
    } else if (!held && slot) {
      this.families[slot.family].remove(slot, value);
      this.slots.delete(value);
    }
  }

  /**
   * The decision that applies to `address` at `now`: a ban before a captcha, and among those the
   * one that ends last. Undefined when the address is free (or is not an address).
   */
  verdict(address: string, now: number): Verdict | undefined {
    const slot = address.includes('/') ? null : slotOf(address);
    if (!slot) return undefined;
    let ban: StreamDecision | undefined;
    let captcha: StreamDecision | undefined;
    for (const value of this.families[slot.family].covering(slot.start)) {
      const b = this.banTypes.size > 0 ? this.cache.effective(value, now, this.banTypes) : undefined;
      if (b && (!ban || b.until > ban.until)) ban = b;
      const c = this.captchaTypes.size > 0 ? this.cache.effective(value, now, this.captchaTypes) : undefined;
      if (c && (!captcha || c.until > captcha.until)) captcha = c;
    }
    if (ban) return { remediation: 'ban', decision: ban };
    return captcha && { remediation: 'captcha', decision: captcha };
  }
}
