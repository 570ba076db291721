// node dist/src/bench/gen/cli.js nginx|sshd --lines N [--seed S] --out FILE [--lps R] [--attacks K]
//   [--start ISO] [--clients C]
// Writes the log and prints {lines, bytes, start, end, seconds, manifest} as JSON on stdout.
import { parseArgs } from 'node:util';
import { generateNginx } from './nginx';
import { generateSshd } from './sshd';
import type { GenerateOptions } from './common';

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      lines: { type: 'string' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      lps: { type: 'string' },
      attacks: { type: 'string' },
      start: { type: 'string' },
      clients: { type: 'string' },
    },
  });
  const kind = positionals[0];
  if ((kind !== 'nginx' && kind !== 'sshd') || !values.lines || !values.out) {
    process.stderr.write('usage: cli nginx|sshd --lines N --out FILE [--seed S] [--lps R] [--attacks K] [--start ISO] [--clients C]\n');
    return 1;
  }
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${v}`);
    return n;
  };
  const opts: GenerateOptions = {
    lines: num('lines', values.lines) as number,
    seed: num('seed', values.seed),
    out: values.out,
    linesPerSecond: num('lps', values.lps),
    attacks: num('attacks', values.attacks),
    clients: num('clients', values.clients),
    start: values.start,
  };
  const t0 = process.hrtime.bigint();
  const result = kind === 'nginx' ? generateNginx(opts) : generateSshd(opts);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`${JSON.stringify({ ...result, seconds: Math.round(seconds * 1000) / 1000 }, null, 2)}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
