// The `nft` binary: scripts go in on stdin as one transaction (`nft -f -`: all of it applies or
// none does), listings come back as JSON.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kernelSpan } from './addresses';
import type { Span } from './intervals';

export class NftError extends Error {
  readonly code = 'CW_NFT';
}

/**
 * A system tool (nft, ip) by absolute path, or null: npm puts node_modules/.bin first on PATH,
 * and it has an unrelated `nft`.
 */
export function systemTool(tool: string): string | null {
  return ['/usr/sbin', '/sbin', '/usr/bin'].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p)) ?? null;
}

/** The system's nft. */
export function defaultNft(): string {
  return systemTool('nft') ?? 'nft';
}

export class Nft {
  /** Transactions run, and the time they took (figures for status and benches). */
  runs = 0;
  busyMs = 0;

  constructor(private readonly bin: string = defaultNft()) {}

  private exec(args: string[], input: string | null): Promise<string> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const child = spawn(this.bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => reject(new NftError(`cannot run ${this.bin}: ${e.message}`)));
      child.on('close', (code) => {
        this.runs++;
        this.busyMs += Date.now() - started;
        if (code === 0) return resolve(Buffer.concat(out).toString());
        const message = Buffer.concat(err).toString().trim().split('\n').slice(0, 6).join('\n');
        reject(new NftError(`nft ${args.join(' ')} failed (${code}): ${message}`));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(input ?? '');
    });
  }

  /** Runs `script` as one transaction. */
  async apply(script: string): Promise<void> {
    if (script.trim() === '') return;
    await this.exec(['-f', '-'], script);
  }

  /** `nft -j [-t] list ...` parsed; null when the object does not exist. */
  async list(what: string[], terse = false): Promise<Record<string, unknown>[] | null> {
    let text: string;
    try {
      text = await this.exec(['-j', ...(terse ? ['-t'] : []), 'list', ...what], null);
    } catch (error) {
      if (/No such file or directory|does not exist/.test((error as Error).message)) return null;
      throw error;
    }
    const parsed = JSON.parse(text) as { nftables?: Record<string, unknown>[] };
    return parsed.nftables ?? [];
  }
}

export interface ListedElement {
  span: Span;
  /** Seconds left; absent for an element without a timeout. */
  expires?: number;
}

/** The elements of a `nft -j list set` answer (addresses, prefixes and ranges alike). */
export function listedElements(listing: readonly Record<string, unknown>[]): ListedElement[] {
  const out: ListedElement[] = [];
  for (const entry of listing) {
    const set = (entry as { set?: { elem?: unknown[] } }).set;
    for (const raw of set?.elem ?? []) {
      const elem = (raw as { elem?: { val: unknown; expires?: number } }).elem;
      const span = kernelSpan(elem ? elem.val : raw);
      if (span) out.push(elem?.expires === undefined ? { span } : { span, expires: elem.expires });
    }
  }
  return out;
}
