import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DecisionStream } from '../../../bouncers/common/decision-stream';
import { ExecBouncer } from '../../../bouncers/exec/exec-bouncer';
import type { CommandContext } from '../../io';
import { stderrLogger, stopSignal } from '../../signals';
import { usageError } from '../manage/with-store';
import { addStreamOptions, durationArg, type StreamFlags, streamOptions, typeSet } from './stream-options';

interface ExecFlags extends StreamFlags {
  stdin?: boolean;
  retries: number;
  retryDelay: number;
  concurrency: number;
  callTimeout: number;
}

function intArg(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

/** Whether `command` names an executable file, directly or through PATH (as spawn will look). */
function executable(command: string): boolean {
  const candidates = command.includes('/') ? [command] : (process.env.PATH ?? '').split(':').filter(Boolean).map((dir) => path.join(dir, command));
  return candidates.some((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

/** How long queued calls may still run after SIGTERM. */
const STOP_GRACE_MS = 10_000;

export function registerExec(group: Command, ctx: CommandContext): void {
  const cmd = group
    .command('exec')
    .usage('[options] -- CMD [ARGS...]')
    .description('run a command for each decision added or removed (CrowdSec custom bouncer style):\n'
      + '`CMD [ARGS...] add|del <value> <seconds> <scenario> <decision-json>`, or JSON lines on its stdin with --stdin')
    .argument('<cmd...>', 'the command and its own arguments (put them after --)')
    .option('--stdin', 'start CMD once and write one JSON line per change (the decision plus "action": "add"|"del")')
    .addOption(new Option('--retries <n>', 'further attempts for a call that exits non-zero').argParser(intArg(0, 100)).default(3))
    .addOption(new Option('--retry-delay <duration>', 'wait before the first retry (doubled each time) or a --stdin restart').argParser(durationArg).default(1000, '1s'))
    .addOption(new Option('--concurrency <n>', 'calls running at once (calls for one value always run in order)').argParser(intArg(1, 256)).default(4))
    .addOption(new Option('--call-timeout <duration>', 'kill a call still running after this (counts as failed)').argParser(durationArg).default(30_000, '30s'));
  addStreamOptions(cmd, 'all').action(async (argv: string[], o: ExecFlags) => {
    const [command, ...args] = argv;
    if (!command) throw usageError('no command given: crowdwatch bouncer exec [options] -- CMD [ARGS...]');
    if (!executable(command)) throw usageError(`'${command}' is not an executable file (nor one found in PATH)`);
    const log = stderrLogger(ctx.io.stderr);
    const stream = new DecisionStream(streamOptions(o, log, 'crowdwatch-exec-bouncer/0.1.0'));
    const types = o.types.trim() === 'all' ? undefined : typeSet(o);
    const bouncer = new ExecBouncer({
      command,
      args,
      stdin: Boolean(o.stdin),
      types,
      concurrency: o.concurrency,
      retries: o.retries,
      retryDelayMs: o.retryDelay,
      timeoutMs: o.callTimeout,
      log,
      verbose: o.verbose,
    });
    bouncer.start();
    log(`${o.stdin ? 'feeding' : 'calling'} ${command} for ${types ? [...types].join(', ') : 'every decision type'}`);
    const stop = new AbortController();
    const stopped = stopSignal().then((signal) => {
      log(`${signal}: stopping (a restart announces every decision again)`);
      stop.abort();
    });
    await stream.run((update) => bouncer.apply(update), stop.signal);
    await stopped;
    await bouncer.stop(STOP_GRACE_MS);
  });
}
