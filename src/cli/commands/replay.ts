import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Command } from 'commander';
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
}

interface RawReplayOptions {
  type: string;
  config?: string;
  output: OutputFormat;
  progress: boolean;
  maxLineBytes?: number;
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
  };
}

export async function runReplay(args: ReplayArgs, io: CliIO): Promise<number> {
  await fs.access(args.file, fs.constants.R_OK); // fail on a bad path before loading the config
  const options = resolveEngineOptions({ configDir: args.configDir, mode: 'replay', maxLineBytes: args.maxLineBytes });
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
  return EXIT_OK;
}
