import { InvalidArgumentError, Option, type Command } from 'commander';
import { runBench, type BenchOptions, type LogKind, type Peer } from '../../bench/run';
import { findReference, isSkip } from '../../reference/crowdsec';
import { EXIT_OK } from '../errors';
import type { CommandContext } from '../io';
import { formatBenchReport } from '../output/bench-report';
import { formatCount } from '../output/format';
import { writeJson } from '../output/json';
import { createProgress } from '../output/progress';

interface RawBenchOptions {
  lines: number;
  seed: number;
  logs: LogKind[];
  buckets: number;
  content?: string[];
  parallel: boolean;
  vs: Peer[];
  vsLines: number;
  baseline?: string;
  output: 'human' | 'json';
  json?: boolean;
  progress: boolean;
}

export function registerBench(program: Command, ctx: CommandContext): void {
  program
    .command('bench')
    .description('generate nginx and sshd logs with planted attacks, replay them, and report throughput, memory and detection (optionally against CrowdSec and fail2ban)')
    .addOption(new Option('--lines <n>', 'lines per generated log').argParser(count).default(1_000_000))
    .addOption(new Option('--seed <n>', 'generator seed (same seed, same logs)').argParser(count).default(42))
    .addOption(new Option('--logs <list>', 'logs to generate: nginx,sshd').argParser(list(['nginx', 'sshd'])).default(['nginx', 'sshd']))
    .addOption(new Option('--buckets <n>', 'distinct attacking addresses for the bucket-memory run (0 skips it)').argParser(count).default(1_000_000))
    .addOption(new Option('--content <list>', "content sets to load: ours, hub (Debian's hub collections), or config dirs; default ours,hub (hub when the reference is installed)").argParser(list()))
    .option('--no-parallel', 'skip the extra replay of each log in the parallel mode (two threads)')
    .addOption(new Option('--vs <list>', 'also run these peers on the same logs: crowdsec, fail2ban').argParser(list(['crowdsec', 'fail2ban'])).default([]))
    .addOption(new Option('--vs-lines <n>', 'lines of each log the peers replay (a prefix: they are far slower)').argParser(count).default(20_000))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['human', 'json']).default('human'))
    .option('--baseline <dir>', 'another crowdwatch checkout, built: run each replay there too and print the ratio (this ÷ baseline)')
    .option('--json', 'same as -o json')
    .option('--no-progress', 'no progress bar (it is only drawn when stderr is a terminal)')
    .action(async (raw: RawBenchOptions) => {
      const progress = createProgress(ctx.io.stderr, raw.progress, formatCount);
      const options: BenchOptions = {
        lines: raw.lines,
        seed: raw.seed,
        logs: raw.logs,
        bucketIps: raw.buckets,
        contents: raw.content ?? defaultContents(),
        parallel: raw.parallel,
        vs: raw.vs,
        vsLines: raw.vsLines,
        ...(raw.baseline !== undefined ? { baseline: raw.baseline } : {}),
        onStep: (label) => {
          progress.finish();
          if (raw.progress) ctx.io.stderr.write(`${label}\n`);
        },
        onProgress: (done, total) => progress.update(done, total),
      };
      let report;
      try {
        report = await runBench(options);
      } finally {
        progress.finish();
      }
      if (raw.json || raw.output === 'json') writeJson(ctx.io.stdout, report);
      else ctx.io.stdout.write(formatBenchReport(report));
      ctx.exitCode = EXIT_OK;
    });
}

function defaultContents(): string[] {
  return isSkip(findReference()) ? ['ours'] : ['ours', 'hub'];
}

function count(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function list<T extends string>(allowed?: readonly T[]): (value: string) => T[] {
  return (value) => {
    const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '') as T[];
    const bad = allowed ? items.filter((i) => !allowed.includes(i)) : [];
    if (items.length === 0 || bad.length > 0) {
      throw new InvalidArgumentError(allowed ? `expected a comma-separated list of ${allowed.join(', ')}` : 'expected a comma-separated list');
    }
    return items;
  };
}
