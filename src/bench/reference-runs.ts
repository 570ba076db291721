// The peers, run on the same generated log in the same bench run: Debian's CrowdSec 1.4.6 (the
// agent in time-machine mode, loading the same hub collections) and fail2ban-regex (sshd filter).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findReference, isSkip, runCrowdsecReplay } from '../reference/crowdsec';

export interface PeerMeasurement {
  tool: string;
  lines: number;
  seconds: number;
  /** Lines per second net of the tool's fixed start-up and shutdown cost (see `fixedSeconds`). */
  linesPerSec: number;
  fixedSeconds: number;
  alerts?: number;
  note?: string;
}

export type PeerOutcome = PeerMeasurement | { tool: string; skipped: string };

/** The first `lines` lines of `file` into `out` (the peers are far slower: they get a prefix). */
export function writePrefix(file: string, out: string, lines: number): number {
  const data = fs.readFileSync(file);
  let end = 0;
  let n = 0;
  while (n < lines && end < data.length) {
    const nl = data.indexOf(10, end);
    end = nl === -1 ? data.length : nl + 1;
    n++;
  }
  fs.writeFileSync(out, data.subarray(0, end));
  return n;
}

/**
 * A peer's run on the first `lines` lines of `file`, and once more on its first line alone: the
 * difference is its work on the lines, without process start, content load and shutdown.
 */
async function netOfStartup<R>(
  file: string,
  lines: number,
  workDir: string,
  tag: string,
  run: (log: string) => Promise<{ seconds: number; result: R }>,
): Promise<{ lines: number; seconds: number; fixedSeconds: number; linesPerSec: number; result: R }> {
  const prefix = path.join(workDir, `${tag}-${path.basename(file)}`);
  const one = path.join(workDir, `${tag}-1-${path.basename(file)}`);
  const n = writePrefix(file, prefix, lines);
  writePrefix(file, one, 1);
  const fixed = await run(one);
  const full = await run(prefix);
  return { lines: n, seconds: full.seconds, fixedSeconds: fixed.seconds, linesPerSec: (n - 1) / Math.max(full.seconds - fixed.seconds, 1e-3), result: full.result };
}

/** CrowdSec's agent (time-machine mode) with the hub config; its ~2 s exit flush is start-up cost. */
export async function runCrowdsec(hubConfigDir: string, file: string, type: string, lines: number, workDir: string): Promise<PeerOutcome> {
  const ref = findReference();
  if (isSkip(ref)) return { tool: 'crowdsec', skipped: ref.skip };
  const m = await netOfStartup(file, lines, workDir, 'crowdsec', async (log) => {
    const r = await runCrowdsecReplay(hubConfigDir, log, type, { logLevel: 'fatal', reference: ref });
    return { seconds: r.agentMs / 1000, result: r.alerts.length };
  });
  const { result: alerts, ...figures } = m;
  return { tool: 'crowdsec', ...figures, alerts };
}

const FAIL2BAN_REGEX = '/usr/bin/fail2ban-regex';

/** fail2ban-regex with Debian's sshd filter: matching only (no bans). */
export async function runFail2banRegex(file: string, lines: number, workDir: string): Promise<PeerOutcome> {
  if (!fs.existsSync(FAIL2BAN_REGEX)) {
    return { tool: 'fail2ban-regex', skipped: `${FAIL2BAN_REGEX} not found (apt-get install fail2ban)` };
  }
  const m = await netOfStartup(file, lines, workDir, 'fail2ban', async (log) => {
    const r = await timed(FAIL2BAN_REGEX, [log, 'sshd']);
    return { seconds: r.seconds, result: r.output };
  });
  const { result: output, ...figures } = m;
  const matched = /Lines: \d+ lines, \d+ ignored, (\d+) matched/.exec(output);
  return {
    tool: 'fail2ban-regex',
    ...figures,
    note: matched ? `${matched[1]} lines matched the sshd filter (regex only: no bans)` : 'regex only: no bans',
  };
}

function timed(bin: string, args: string[]): Promise<{ seconds: number; output: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${bin} ${args.join(' ')} exited ${code}:\n${output.slice(-2000)}`));
      else resolve({ seconds: (performance.now() - t0) / 1000, output });
    });
  });
}
