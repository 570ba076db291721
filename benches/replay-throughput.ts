// Replay throughput in one run, as ratios: the plain read-and-split-lines floor of a file, the
// engine alone (the native addon fed 1 MiB batches in-process), and the CLI end to end
// (`crowdwatch replay -o json`, a fresh process). Logs are generated (deterministic with --seed).
//
//   node dist/benches/replay-throughput.js [--lines N] [--seed S] [--config DIR] [--json]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { generateNginx } from './gen/nginx';
import { generateSshd } from './gen/sshd';
import { bindings } from '../src/engine/native';
import { packageRoot } from '../src/engine/package-root';

const root = packageRoot;
const CHUNK = 1 << 20;

interface Row {
  log: string;
  lines: number;
  floorLinesPerSec: number;
  engineLinesPerSec: number;
  cliLinesPerSec: number;
  alerts: number;
  attacksGenerated: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** The floor: read the file in 1 MiB chunks and find every line, doing nothing with it. */
function floor(file: string): number {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  let lines = 0;
  const t0 = process.hrtime.bigint();
  for (;;) {
    const n = fs.readSync(fd, buf, 0, CHUNK, null);
    if (n === 0) break;
    let i = -1;
    while ((i = buf.indexOf(10, i + 1)) !== -1 && i < n) lines++;
  }
  fs.closeSync(fd);
  return lines / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** The engine alone: whole-line batches of about 1 MiB straight into the addon. */
function engineOnly(file: string, type: string, configDirs: string[]): { rate: number; alerts: number } {
  const engine = bindings().Engine.load({ configDirs, basePatterns: path.join(root, 'scenarios/patterns/base'), mode: 'replay' });
  const src = engine.source({ type }, file, 'file');
  const data = fs.readFileSync(file);
  let alerts = 0;
  let lines = 0;
  const t0 = process.hrtime.bigint();
  for (let start = 0; start < data.length; ) {
    let end = Math.min(start + CHUNK, data.length);
    if (end < data.length) end = data.lastIndexOf(10, end) + 1 || data.length;
    const out = engine.processBatch(src, data.subarray(start, end));
    alerts += out.alerts.length;
    lines += out.counters.lines;
    start = end;
  }
  return { rate: lines / (Number(process.hrtime.bigint() - t0) / 1e9), alerts };
}

function cli(file: string, type: string, lines: number, config?: string): number {
  const args = [path.join(root, 'bin/crowdwatch.js'), 'replay', file, '--type', type, '-o', 'json', '--no-progress'];
  if (config) args.push('--config', config);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`crowdwatch replay failed: ${r.stderr}`);
  return lines / secs;
}

function main(): void {
  const lines = Number(arg('--lines', '200000'));
  const seed = Number(arg('--seed', '42'));
  const config = process.argv.includes('--config') ? path.resolve(arg('--config', '')) : undefined;
  const configDirs = [config ?? path.join(root, 'scenarios')];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-bench-'));
  const rows: Row[] = [];
  try {
    for (const [name, type, gen] of [
      ['nginx', 'nginx', generateNginx],
      ['sshd', 'syslog', generateSshd],
    ] as const) {
      const file = path.join(dir, `${name}.log`);
      const g = gen({ lines, seed, out: file, linesPerSecond: 200 });
      const f = floor(file);
      const e = engineOnly(file, type, configDirs);
      const c = cli(file, type, g.lines, config);
      rows.push({ log: name, lines: g.lines, floorLinesPerSec: f, engineLinesPerSec: e.rate, cliLinesPerSec: c, alerts: e.alerts, attacksGenerated: g.manifest.length });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  const k = (n: number) => `${Math.round(n / 1000).toLocaleString('en-US')}k/s`;
  console.log(`content: ${configDirs[0]}`);
  console.log('log    lines    floor        engine      CLI       floor/engine  floor/CLI  alerts  attacks');
  for (const r of rows) {
    console.log(
      `${r.log.padEnd(6)} ${String(r.lines).padEnd(8)} ${k(r.floorLinesPerSec).padEnd(12)} ${k(r.engineLinesPerSec).padEnd(11)} ${k(r.cliLinesPerSec).padEnd(9)} ` +
        `${(r.floorLinesPerSec / r.engineLinesPerSec).toFixed(1).padEnd(13)} ${(r.floorLinesPerSec / r.cliLinesPerSec).toFixed(1).padEnd(10)} ${String(r.alerts).padEnd(7)} ${r.attacksGenerated}`,
    );
  }
}

main();
