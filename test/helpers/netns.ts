// Network namespaces a test creates and removes itself: its own nftables ruleset, loopback,
// and veth links to other namespaces. Nothing outside them is touched.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { elementText, spanOf } from '../../src/bouncers/nftables/addresses';
import { listedElements, systemTool } from '../../src/bouncers/nftables/nft';

export const IP = systemTool('ip') ?? 'ip';
export const NFT = systemTool('nft') ?? 'nft';

/** Why namespace tests cannot run here, or null when they can. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, nftables)';
  if (!systemTool('ip') || !systemTool('nft')) return 'needs iproute2 and nftables (scripts/test-servers.sh installs them)';
  try {
    const probe = `cw-probe-${process.pid}`;
    execFileSync(IP, ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync(IP, ['netns', 'del', probe], { stdio: 'pipe' });
  } catch (error) {
    return `cannot create network namespaces: ${(error as Error).message.split('\n')[0]}`;
  }
  return null;
}

export class Netns {
  private constructor(readonly name: string) {}

  static create(name: string): Netns {
    try {
      execFileSync(IP, ['netns', 'del', name], { stdio: 'ignore' });
    } catch {
      // not there: fine
    }
    execFileSync(IP, ['netns', 'add', name]);
    const ns = new Netns(name);
    ns.ip('link', 'set', 'lo', 'up');
    return ns;
  }

  /** `argv` run inside the namespace (prefix for spawning). */
  exec(argv: string[]): string[] {
    return [IP, 'netns', 'exec', this.name, ...argv];
  }

  ip(...args: string[]): string {
    return execFileSync(IP, ['-n', this.name, ...args], { encoding: 'utf8' });
  }

  nft(...args: string[]): string {
    return execFileSync(IP, ['netns', 'exec', this.name, NFT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** A script that runs this namespace's nft (a bouncer's --nft, the bouncer itself staying outside). */
  nftWrapper(dir: string): string {
    const file = path.join(dir, `nft-${this.name}`);
    fs.writeFileSync(file, `#!/bin/sh\nexec ${IP} netns exec ${this.name} ${NFT} "$@"\n`, { mode: 0o755 });
    return file;
  }

  /** `nft -j list set`, parsed; null when the set does not exist. */
  private listSet(family: string, table: string, set: string): Record<string, unknown>[] | null {
    try {
      return (JSON.parse(this.nft('-j', 'list', 'set', family, table, set)) as { nftables: Record<string, unknown>[] }).nftables;
    } catch {
      return null;
    }
  }

  /** The elements of a set as nft writes them (`a.b.c.d` or `first-last`), sorted. */
  elements(table: string, set: string, family = 'inet'): string[] {
    const listing = this.listSet(family, table, set) ?? [];
    const v6 = listing.some((o) => (o.set as { type?: string } | undefined)?.type === 'ipv6_addr');
    const texts = listedElements(listing).map((e) => elementText(v6 ? 6 : 4, e.span));
    // An element this parser does not know shows up as '?', so no comparison passes over it.
    const raw = listing.reduce((n, o) => n + ((o.set as { elem?: unknown[] } | undefined)?.elem?.length ?? 0), 0);
    for (let i = texts.length; i < raw; i++) texts.push('?');
    return texts.sort();
  }

  /** Seconds left on one element, or null when absent. */
  expires(table: string, set: string, value: string): number | null {
    const want = spanOf(value)?.span;
    const found = listedElements(this.listSet('inet', table, set) ?? []).find((e) => want && e.span.start === want.start && e.span.end === want.end);
    return found?.expires ?? null;
  }

  remove(): void {
    try {
      execFileSync(IP, ['netns', 'del', this.name], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
