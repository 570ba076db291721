import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type { Command } from 'commander';
import { bindings, type Trace } from '../../engine/native';
import { resolveEngineOptions } from '../../engine/options';
import { EXIT_OK, EXIT_USAGE } from '../errors';
import type { CliIO, CommandContext } from '../io';
import { configOption, type OutputFormat, outputOption, typeOption } from '../options';
import { formatTrace } from '../output/explain-tree';
import { writeJsonArray } from '../output/json';

export type ExplainInput = { kind: 'line'; line: string } | { kind: 'file'; file: string };

export interface ExplainArgs {
  input: ExplainInput;
  type: string;
  configDir?: string | undefined;
  output: OutputFormat;
  failuresOnly: boolean;
}

interface RawExplainOptions {
  line?: string;
  file?: string;
  type: string;
  config?: string;
  output: OutputFormat;
  failures?: boolean;
}

export function registerExplain(program: Command, ctx: CommandContext): void {
  const command = program
    .command('explain')
    .description('show how each parser stage and scenario handles a log line')
    .option('-l, --line <text>', 'explain this one log line')
    .option('-f, --file <path>', 'explain every line of this file')
    .addOption(typeOption())
    .addOption(configOption())
    .addOption(outputOption())
    .option('--failures', 'only show lines that no parser parsed')
    .action(async (raw: RawExplainOptions) => {
      if ((raw.line === undefined) === (raw.file === undefined)) {
        command.error('error: give exactly one of --line <text> or --file <path>', { exitCode: EXIT_USAGE });
      }
      ctx.exitCode = await runExplain(normaliseExplainArgs(raw), ctx.io);
    });
}

export function normaliseExplainArgs(raw: RawExplainOptions): ExplainArgs {
  const input: ExplainInput =
    raw.line !== undefined ? { kind: 'line', line: raw.line } : { kind: 'file', file: raw.file ?? '' };
  return {
    input,
    type: raw.type,
    configDir: raw.config,
    output: raw.output,
    failuresOnly: raw.failures === true,
  };
}

/** Lines to explain; empty lines are skipped, as CrowdSec's acquisition skips them. */
async function* inputLines(input: ExplainInput): AsyncGenerator<string> {
  if (input.kind === 'line') {
    yield input.line;
    return;
  }
  await fs.promises.access(input.file, fs.constants.R_OK);
  const lines = readline.createInterface({ input: fs.createReadStream(input.file), crlfDelay: Infinity });
  for await (const line of lines) if (line.length > 0) yield line;
}

export async function runExplain(args: ExplainArgs, io: CliIO): Promise<number> {
  const options = resolveEngineOptions({ configDir: args.configDir, mode: 'replay' });
  const engine = bindings().Engine.load(options);
  const src = args.input.kind === 'file' ? args.input.file : 'explain';
  const source = engine.source({ type: args.type }, src, args.input.kind === 'file' ? 'file' : 'explain');
  const shown: Trace[] = [];
  let total = 0;
  let unparsed = 0;
  for await (const line of inputLines(args.input)) {
    total += 1;
    const trace = engine.explain(source, line);
    if (!trace.parsed) unparsed += 1;
    if (args.failuresOnly && trace.parsed) continue;
    if (args.output === 'json') {
      shown.push(trace);
    } else {
      const label = args.input.kind === 'line' ? 'line' : `line ${total}`;
      io.stdout.write(`${shown.length > 0 ? '\n' : ''}${formatTrace(trace, label)}`);
      shown.push(trace);
    }
  }
  const summary = `${total} line(s) explained: ${total - unparsed} parsed, ${unparsed} not parsed\n`;
  if (args.output === 'json') {
    writeJsonArray(io.stdout, shown);
    io.stderr.write(summary);
  } else {
    io.stdout.write(`\n${summary}`);
  }
  return EXIT_OK;
}
