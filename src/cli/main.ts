import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { packageRoot } from '../engine/package-root';
import { registerApi } from './commands/api';
import { registerBench } from './commands/bench';
import { registerBouncer } from './commands/bouncer';
import { registerCentral } from './commands/central';
import { registerConfig } from './commands/config';
import { registerExplain } from './commands/explain';
import { registerHubtest } from './commands/hubtest';
import { registerLint } from './commands/lint';
import { registerAlerts } from './commands/manage/alerts';
import { registerBouncers } from './commands/manage/bouncers';
import { registerCrowd } from './commands/manage/crowd';
import { registerDecisions } from './commands/manage/decisions';
import { registerLapi } from './commands/manage/lapi';
import { registerMachines } from './commands/manage/machines';
import { registerSimulation } from './commands/manage/simulation';
import { registerMetrics } from './commands/metrics';
import { registerReload } from './commands/reload';
import { registerReplay } from './commands/replay';
import { registerRun } from './commands/run';
import { registerSetup } from './commands/setup';
import { describeError, EXIT_OK, EXIT_USAGE } from './errors';
import { type CliIO, type CommandContext, processIO } from './io';

const COMMANDS = [
  registerRun,
  registerReload,
  registerReplay,
  registerExplain,
  registerLint,
  registerHubtest,
  registerApi,
  registerCentral,
  registerDecisions,
  registerAlerts,
  registerBouncers,
  registerBouncer,
  registerMachines,
  registerSimulation,
  registerLapi,
  registerCrowd,
  registerConfig,
  registerMetrics,
  registerBench,
  registerSetup,
];

function packageVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * Runs the CLI on `argv` (the user's arguments, without node and script) and resolves to the
 * exit status. Nothing here exits the process, so tests run it in-process with string sinks.
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const ctx: CommandContext = { io, exitCode: EXIT_OK };
  const program = new Command('crowdwatch')
    .description('CrowdSec-compatible intrusion prevention: detection engine, local API, decisions and bouncers')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    // A command's options are its own, after its name: `central --data-dir` runs the central,
    // `central tokens add --data-dir` gives the subcommand its data dir (not `central`).
    .enablePositionalOptions()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => io.stdout.columns ?? 80,
      getErrHelpWidth: () => io.stderr.columns ?? 80,
    })
    .showHelpAfterError('(run with --help for usage)');
  // Subcommands made by .command() inherit exitOverride and configureOutput from here.
  for (const register of COMMANDS) register(program, ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    // Help and --version arrive here as CommanderErrors with exit code 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const { exitCode, message } = describeError(error);
    io.stderr.write(`crowdwatch: ${message}\n`);
    return exitCode;
  }
}
