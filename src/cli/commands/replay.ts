import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Command } from 'commander';
import { WatcherClient } from '../../api/client';
import { bindings } from '../../engine/native';
import { DEFAULT_MAX_LINE_BYTES, resolveEngineOptions } from '../../engine/options';
import { replayFile } from '../../engine/replay';
import { EXIT_OK } from '../errors';
import type { CliIO, CommandContext } from '../io';
import { configOption, maxLineBytesOption, type OutputFormat, outputOption, typeOption } from '../options';
import { formatCount } from '../output/format';
import { writeJsonArray } from '../output/json';
import { createProgress } from '../output/progress';
import { formatAlertTable, formatReplaySummary } from '../output/replay-report';

export interface ReplayArgs {
  file: string;
  type: string;
  configDir?: string | undefined;
  output: OutputFormat;
  progress: boolean;
  maxLineBytes: number;
  /** Parse on a second thread while this one pours (same alerts). */
  parallel?: boolean | undefined;
  /** Send the alerts to a local API as an agent would. */
  push?: { url: string; machineId: string; password: string } | undefined;
}

interface RawReplayOptions {
  type: string;
  config?: string;
  output: OutputFormat;
  progress: boolean;
  maxLineBytes?: number;
  parallel?: boolean;
  push?: string;
  machine?: string;
  password?: string;
}

export function registerReplay(program: Command, ctx: CommandContext): void {
  program
    .command('replay')
    .description('run a log file through the parsers and scenarios (time-machine mode) and print the alerts')
    .argument('<file>', 'log file to replay')
    .addOption(typeOption())
    .addOption(configOption())
    .addOption(outputOption())
    .option('--no-progress', 'no progress bar (it is only drawn when stderr is a terminal)')
    .addOption(maxLineBytesOption())
    .option('--parallel', 'parse on a second thread while this one pours, in line order (same alerts, about the slower stage instead of both)')
    .option('--push <url>', 'send the alerts to this local API (POST /v1/alerts) as an agent')
    .option('--machine <id>', 'machine id for --push (registered with `crowdwatch machines add`)')
    .option('--password <password>', 'its password for --push (default: $CROWDWATCH_MACHINE_PASSWORD)')
    .action(async (file: string, raw: RawReplayOptions) => {
      ctx.exitCode = await runReplay(normaliseReplayArgs(file, raw), ctx.io);
    });
}

export function normaliseReplayArgs(file: string, raw: RawReplayOptions): ReplayArgs {
  return {
    file,
    type: raw.type,
    configDir: raw.config,
    output: raw.output,
    progress: raw.progress,
    maxLineBytes: raw.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    parallel: raw.parallel === true,
    push: pushTarget(raw),
  };
}

function pushTarget(raw: RawReplayOptions): ReplayArgs['push'] {
  if (raw.push === undefined) return undefined;
  const password = raw.password ?? process.env.CROWDWATCH_MACHINE_PASSWORD;
  if (!raw.machine || !password) {
    throw Object.assign(new Error('--push needs --machine and --password (or $CROWDWATCH_MACHINE_PASSWORD)'), { code: 'CW_USAGE' });
  }
  return { url: raw.push, machineId: raw.machine, password };
}

export async function runReplay(args: ReplayArgs, io: CliIO): Promise<number> {
  await fs.access(args.file, fs.constants.R_OK); // fail on a bad path before loading the config
  const options = resolveEngineOptions({ configDir: args.configDir, mode: 'replay', maxLineBytes: args.maxLineBytes, parallel: args.parallel });
  const engine = bindings().Engine.load(options);
  const source = engine.source({ type: args.type }, path.resolve(args.file), 'file');
  const progress = createProgress(io.stderr, args.progress);
  let result;
  try {
    result = await replayFile(engine, source, args.file, {
      maxLineBytes: args.maxLineBytes,
      onProgress: (p) => progress.update(p.bytesDone, p.bytesTotal, `${formatCount(p.counters.lines)} lines`),
    });
  } finally {
    progress.finish();
  }
  const summary = formatReplaySummary(args.file, result);
  if (args.output === 'json') {
    writeJsonArray(io.stdout, result.alerts);
    io.stderr.write(summary);
  } else {
    io.stdout.write(`${formatAlertTable(result.alerts)}\n${summary}`);
  }
  if (args.push) {
    const ids = await new WatcherClient(args.push).pushAlerts(result.alerts);
    io.stderr.write(`pushed ${ids.length} alert(s) to ${args.push.url}\n`);
  }
  return EXIT_OK;
}
