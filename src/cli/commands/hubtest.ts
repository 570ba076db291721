import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Command, Option } from 'commander';
import { type HubLocation, locateHub } from '../../hubtest/hub';
import { createCase } from '../../hubtest/create-case';
import { explainCase } from '../../hubtest/explain-case';
import { type CaseResult, runCase } from '../../hubtest/run-case';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../errors';
import type { CliIO, CommandContext } from '../io';
import { type OutputFormat, outputOption } from '../options';
import { formatTrace } from '../output/explain-tree';
import { formatHubtestReport } from '../output/hubtest-report';
import { writeJson } from '../output/json';
import { createProgress } from '../output/progress';

interface HubOptions {
  hub: string;
  patterns?: string;
  data: string[];
}

function hubOptions(command: Command): Command {
  return command
    .addOption(new Option('--hub <dir>', 'the hub checkout holding .tests/ (default: the current directory)').default('.'))
    .option('--patterns <dir>', "CrowdSec's grok patterns (default: <hub>/../patterns)")
    .option(
      '--data <dir>',
      'data files, by source_url path or dest_file name; repeat for several dirs, searched in order (default: <hub>/../data)',
      (dir: string, dirs: string[]) => [...dirs, dir],
      [],
    );
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
  const list = (value: string, previous: string[] = []) => [...previous, ...value.split(',').filter((v) => v !== '')];
  hubOptions(
    hubtest
      .command('create')
      .description("write a new case (config.yaml, its log) and, when the log has lines, its assert files from a run")
      .argument('<name>', 'the case (a directory of <hub>/.tests)')
      .requiredOption('-t, --type <label>', 'log_type: labels.type of the log')
      .option('-p, --parsers <names>', 'parsers, by hub name or path (comma-separated, repeatable)', list, [])
      .option('-s, --scenarios <names>', 'scenarios (comma-separated, repeatable)', list, [])
      .option('--postoverflows <names>', 'postoverflows (comma-separated, repeatable)', list, [])
      .option('--log <file>', 'a log to copy into the case (default: an empty <name>.log to fill)')
      .option('--ignore-parsers', 'assert on the scenarios only'),
  ).action((name: string, raw: HubOptions & { type: string; parsers: string[]; scenarios: string[]; postoverflows: string[]; log?: string; ignoreParsers?: boolean }) => {
    const created = createCase(hubOf(raw), {
      name,
      logType: raw.type,
      parsers: raw.parsers,
      scenarios: raw.scenarios,
      postoverflows: raw.postoverflows,
      log: raw.log,
      ignoreParsers: raw.ignoreParsers === true,
    });
    for (const file of created.files) ctx.io.stdout.write(`wrote ${file}\n`);
    if (created.files.length === 2) ctx.io.stdout.write(`fill ${created.files[1]} with log lines, then run \`crowdwatch hubtest create\` again on a new name or write the assert files\n`);
    ctx.exitCode = EXIT_OK;
  });
  hubOptions(
    hubtest
      .command('explain')
      .description("show each line of a case's log through its parsers and scenarios, and the alerts it raised")
      .argument('<name>', 'the case')
      .addOption(outputOption()),
  ).action((name: string, raw: HubOptions & { output: OutputFormat }) => {
    const hub = hubOf(raw);
    if (!listCases(hub).includes(name)) {
      ctx.io.stderr.write(`no such test case in ${path.join(hub.hubDir, '.tests')}: ${name}\n`);
      ctx.exitCode = EXIT_USAGE;
      return;
    }
    const lines = explainCase(hub, name);
    if (raw.output === 'json') writeJson(ctx.io.stdout, lines);
    else {
      for (const l of lines) {
        ctx.io.stdout.write(formatTrace(l.trace, `line ${l.line}`));
        for (const a of l.alerts) ctx.io.stdout.write(`→ alert: ${a.scenario} on ${a.source.scope} ${a.source.value} (${a.events_count} events)\n`);
        ctx.io.stdout.write('\n');
      }
    }
    ctx.exitCode = EXIT_OK;
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
