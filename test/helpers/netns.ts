// Network namespaces a test creates and removes itself: its own nftables ruleset, loopback,
// and veth links to other namespaces. Nothing outside them is touched.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kernelSpan } from '../../src/bouncers/nftables/addresses';
import { elementText, spanOf } from '../../src/bouncers/nftables/addresses';

/** System tools by absolute path: npm puts node_modules/.bin first on PATH, and it has an `nft` too. */
export function sbin(tool: string): string | null {
  return ['/usr/sbin', '/sbin', '/usr/bin'].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p)) ?? null;
}

export const IP = sbin('ip') ?? 'ip';
export const NFT = sbin('nft') ?? 'nft';

/** Why namespace tests cannot run here, or null when they can. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, nftables)';
  if (!sbin('ip') || !sbin('nft')) return 'needs iproute2 and nftables (scripts/test-servers.sh installs them)';
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

  /** The elements of a set as `text@seconds-left`-free strings (nft's own forms normalised). */
  elements(table: string, set: string, family = 'inet'): string[] {
    let out: string;
    try {
      out = this.nft('-j', 'list', 'set', family, table, set);
    } catch {
      return [];
    }
    const parsed = JSON.parse(out) as { nftables: { set?: { elem?: unknown[]; type: string } }[] };
    const s = parsed.nftables.find((o) => o.set)?.set;
    const v6 = s?.type === 'ipv6_addr';
    return (s?.elem ?? [])
      .map((raw) => {
        const e = (raw as { elem?: { val: unknown } }).elem;
        const span = kernelSpan(e ? e.val : raw);
        return span ? elementText(v6 ? 6 : 4, span) : '?';
      })
      .sort();
  }

  /** Seconds left on one element, or null when absent. */
  expires(table: string, set: string, value: string): number | null {
    const want = spanOf(value)?.span;
    const parsed = JSON.parse(this.nft('-j', 'list', 'set', 'inet', table, set)) as { nftables: { set?: { elem?: unknown[] } }[] };
    for (const raw of parsed.nftables.find((o) => o.set)?.set?.elem ?? []) {
      const e = (raw as { elem?: { val: unknown; expires?: number } }).elem;
      const span = kernelSpan(e?.val);
      if (span && want && span.start === want.start && span.end === want.end) return e?.expires ?? null;
    }
    return null;
  }

  remove(): void {
    try {
      execFileSync(IP, ['netns', 'del', this.name], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
