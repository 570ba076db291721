import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Command, Option } from 'commander';
import { type HubLocation, locateHub } from '../../hubtest/hub';
import { type CaseResult, runCase } from '../../hubtest/run-case';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../errors';
import type { CliIO, CommandContext } from '../io';
import { type OutputFormat, outputOption } from '../options';
import { formatHubtestReport } from '../output/hubtest-report';
import { writeJson } from '../output/json';
import { createProgress } from '../output/progress';

interface HubOptions {
  hub: string;
  patterns?: string;
  data?: string;
}

function hubOptions(command: Command): Command {
  return command
    .addOption(new Option('--hub <dir>', 'the hub checkout holding .tests/ (default: the current directory)').default('.'))
    .option('--patterns <dir>', "CrowdSec's grok patterns (default: <hub>/../patterns)")
    .option('--data <dir>', 'data files, by source_url path or dest_file name (default: <hub>/../data)');
}

function hubOf(raw: HubOptions): HubLocation {
  return locateHub(raw.hub, raw.patterns, raw.data);
}

export function registerHubtest(program: Command, ctx: CommandContext): void {
  const hubtest = program.command('hubtest').description("run the hub's test cases (cscli hubtest's format) against crowdwatch's engine");
  hubOptions(
    hubtest
      .command('run')
      .description('replay each case\'s log through exactly the items its config.yaml lists, and check parser.assert and scenario.assert')
      .argument('[names...]', 'test cases (directories of <hub>/.tests)')
      .option('--all', 'every case')
      .addOption(outputOption())
      .option('--no-progress', 'no progress bar (it is only drawn when stderr is a terminal)'),
  ).action(async (names: string[], raw: HubOptions & { all?: boolean; output: OutputFormat; progress: boolean }) => {
    ctx.exitCode = await runHubtest({ names, all: raw.all === true, output: raw.output, progress: raw.progress, hub: hubOf(raw) }, ctx.io);
  });
}

export interface HubtestRunArgs {
  names: string[];
  all: boolean;
  output: OutputFormat;
  progress: boolean;
  hub: HubLocation;
}

/** The case names of a hub, sorted (directories of `.tests` with a config.yaml). */
export function listCases(hub: HubLocation): string[] {
  const dir = path.join(hub.hubDir, '.tests');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'config.yaml')))
    .map((e) => e.name)
    .sort();
}

/** Exit status 1 when any case failed, 2 when no case was named or a name is unknown. */
export async function runHubtest(args: HubtestRunArgs, io: CliIO): Promise<number> {
  const known = listCases(args.hub);
  const names = args.all ? known : args.names;
  if (names.length === 0) {
    io.stderr.write('name the cases to run, or pass --all\n');
    return EXIT_USAGE;
  }
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    io.stderr.write(`no such test case in ${path.join(args.hub.hubDir, '.tests')}: ${unknown.join(', ')}\n`);
    return EXIT_USAGE;
  }
  const progress = createProgress(io.stderr, args.progress, String);
  const results: CaseResult[] = [];
  for (const [i, name] of names.entries()) {
    progress.update(i, names.length, name);
    results.push(runCase(args.hub, name));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  progress.finish();
  if (args.output === 'json') writeJson(io.stdout, results);
  else io.stdout.write(formatHubtestReport(results));
  return results.some((r) => r.status === 'failed') ? EXIT_FAILURE : EXIT_OK;
}
