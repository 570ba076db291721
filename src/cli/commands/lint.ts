import type { Command } from 'commander';
import { bindings } from '../../engine/native';
import { resolveEngineOptions } from '../../engine/options';
import { EXIT_FAILURE, EXIT_OK } from '../errors';
import type { CliIO, CommandContext } from '../io';
import { configOption, type OutputFormat, outputOption } from '../options';
import { writeJson } from '../output/json';
import { formatLintReport, lintErrorCount } from '../output/lint-report';

export interface LintArgs {
  configDir?: string | undefined;
  output: OutputFormat;
}

interface RawLintOptions {
  config?: string;
  output: OutputFormat;
}

export function registerLint(program: Command, ctx: CommandContext): void {
  program
    .command('lint')
    .description('load every parser, scenario and pattern and report each problem as file:line')
    .addOption(configOption())
    .addOption(outputOption())
    .action(async (raw: RawLintOptions) => {
      ctx.exitCode = await runLint({ configDir: raw.config, output: raw.output }, ctx.io);
    });
}

/** Exit status 1 when anything failed to load; warnings alone pass. */
export async function runLint(args: LintArgs, io: CliIO): Promise<number> {
  const options = resolveEngineOptions({ configDir: args.configDir, mode: 'replay' });
  const report = bindings().lint(options);
  if (args.output === 'json') writeJson(io.stdout, report);
  else io.stdout.write(formatLintReport(report));
  return lintErrorCount(report) > 0 ? EXIT_FAILURE : EXIT_OK;
}
