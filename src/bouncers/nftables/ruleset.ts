// The table the bouncer owns (sets and drop rules, created or repaired in one transaction), or,
// in set-only mode, the sets an administrator made and references from their own rules.
import type { Family } from './addresses';
import { type Nft, NftError } from './nft';
import type { SetSpec } from './target-set';

export interface OwnedTable {
  mode: 'owned';
  /** Table name, in family `inet`. */
  table: string;
  /** Base chains to drop in (`input`, `forward`, ...), one per hook. */
  hooks: string[];
  priority: number;
  size: number;
}

export interface SetOnly {
  mode: 'set-only';
  tableFamily: string;
  table: string;
  /** Set names; a range set, when given, takes the Range decisions of its family. */
  v4?: string;
  v6?: string;
  v4Ranges?: string;
  v6Ranges?: string;
}

export type TableLayout = OwnedTable | SetOnly;

/** Where each kind of decision goes. */
export interface SetRouting {
  addresses: Partial<Record<Family, SetSpec>>;
  ranges: Partial<Record<Family, SetSpec>>;
}

/** What nft accepts as a table, chain or set name (letters first, at most 64). */
export const NFT_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
/** Hooks a drop chain may sit at. */
export const DROP_HOOKS = ['input', 'forward', 'prerouting', 'output'] as const;

export function isDropHook(hook: string): boolean {
  return (DROP_HOOKS as readonly string[]).includes(hook);
}

const TYPE: Record<Family, string> = { 4: 'ipv4_addr', 6: 'ipv6_addr' };
const MATCH: Record<Family, string> = { 4: 'ip saddr', 6: 'ip6 saddr' };

export function ownedSpecs(t: OwnedTable): SetSpec[] {
  const spec = (name: string, family: Family, interval: boolean): SetSpec => ({ tableFamily: 'inet', table: t.table, name, family, interval, size: t.size });
  return [spec('banned-v4', 4, false), spec('banned-ranges-v4', 4, true), spec('banned-v6', 6, false), spec('banned-ranges-v6', 6, true)];
}

function flagsOf(s: SetSpec): string {
  return s.interval ? 'interval, timeout' : 'timeout';
}

/** The transaction creating or repairing the owned table; elements already there stay. */
export function ownedScript(t: OwnedTable, existing: Record<string, unknown>[] | null): string {
  const specs = ownedSpecs(t);
  const lines: string[] = [];
  const sets = new Map<string, { type?: string; flags?: string[] }>();
  const chains = new Set<string>();
  for (const o of existing ?? []) {
    const set = o.set as { name: string; type?: string; flags?: string[] } | undefined;
    if (set) sets.set(set.name, set);
    const chain = o.chain as { name: string } | undefined;
    if (chain) chains.add(chain.name);
  }
  // A set of ours with another type or flags cannot be changed in place: start the table over.
  const incompatible = specs.some((s) => {
    const have = sets.get(s.name);
    return have && (have.type !== TYPE[s.family] || [...(have.flags ?? [])].sort().join(',') !== (s.interval ? 'interval,timeout' : 'timeout'));
  });
  if (existing && incompatible) {
    lines.push(`delete table inet ${t.table}`);
    chains.clear();
  }
  lines.push(`add table inet ${t.table}`);
  for (const s of specs) lines.push(`add set inet ${t.table} ${s.name} { type ${TYPE[s.family]}; flags ${flagsOf(s)}; size ${s.size}; }`);
  for (const hook of t.hooks) {
    lines.push(`add chain inet ${t.table} ${hook} { type filter hook ${hook} priority ${t.priority}; policy accept; }`);
    lines.push(`flush chain inet ${t.table} ${hook}`);
    for (const s of specs) lines.push(`add rule inet ${t.table} ${hook} ${MATCH[s.family]} @${s.name} counter drop`);
  }
  for (const chain of chains) {
    if (!t.hooks.includes(chain)) lines.push(`flush chain inet ${t.table} ${chain}`, `delete chain inet ${t.table} ${chain}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Creates or repairs the owned table, or checks the set-only sets; resolves to the routing. */
export async function prepareTable(nft: Nft, layout: TableLayout): Promise<SetRouting> {
  if (layout.mode === 'owned') {
    const existing = await nft.list(['table', 'inet', layout.table], true);
    await nft.apply(ownedScript(layout, existing));
    const [v4, r4, v6, r6] = ownedSpecs(layout);
    return { addresses: { 4: v4, 6: v6 }, ranges: { 4: r4, 6: r6 } };
  }
  const routing: SetRouting = { addresses: {}, ranges: {} };
  const describe = async (name: string, family: Family): Promise<SetSpec> => {
    const listed = await nft.list(['set', layout.tableFamily, layout.table, name], true);
    const set = listed?.find((o) => o.set)?.set as { type?: string; flags?: string[]; size?: number } | undefined;
    const where = `set ${layout.tableFamily} ${layout.table} ${name}`;
    if (!set) throw new NftError(`${where} does not exist (set-only mode fills sets you create)`);
    if (set.type !== TYPE[family]) throw new NftError(`${where} has type ${set.type}, expected ${TYPE[family]}`);
    if (!set.flags?.includes('timeout')) throw new NftError(`${where} needs 'flags timeout' (elements end with their decisions)`);
    return { tableFamily: layout.tableFamily, table: layout.table, name, family, interval: set.flags.includes('interval'), size: set.size ?? 65536 };
  };
  for (const family of [4, 6] as const) {
    const name = family === 4 ? layout.v4 : layout.v6;
    const rangeName = family === 4 ? layout.v4Ranges : layout.v6Ranges;
    if (name) routing.addresses[family] = await describe(name, family);
    if (rangeName) routing.ranges[family] = await describe(rangeName, family);
    else if (routing.addresses[family]?.interval) routing.ranges[family] = routing.addresses[family];
  }
  if (!routing.addresses[4] && !routing.addresses[6]) throw new NftError('set-only mode needs --set-v4 and/or --set-v6');
  return routing;
}

/** Removes the owned table (`--remove`). */
export async function removeTable(nft: Nft, table: string): Promise<boolean> {
  if ((await nft.list(['table', 'inet', table], true)) === null) return false;
  await nft.apply(`delete table inet ${table}\n`);
  return true;
}
