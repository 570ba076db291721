// The `nft` binary: scripts go in on stdin as one transaction (`nft -f -`: all of it applies or
// none does), listings come back as JSON.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

export class NftError extends Error {
  readonly code = 'CW_NFT';
}

/** The system's nft, by absolute path: npm puts node_modules/.bin first on PATH. */
export function defaultNft(): string {
  return ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'].find((p) => fs.existsSync(p)) ?? 'nft';
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
