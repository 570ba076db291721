import { type Command, InvalidArgumentError, Option } from 'commander';
import { Nft } from '../../../bouncers/nftables/nft';
import { DROP_HOOKS, isDropHook, NFT_NAME, removeTable, type TableLayout } from '../../../bouncers/nftables/ruleset';
import { NFTABLES_USER_AGENT, startNftablesService } from '../../../bouncers/nftables/run';
import type { CommandContext } from '../../io';
import { stderrLogger, stopSignal } from '../../signals';
import { usageError } from '../manage/with-store';
import { addStreamOptions, type StreamFlags, streamOptions, typeSet } from './stream-options';

interface NftFlags extends StreamFlags {
  table: string;
  hook: string[];
  priority: number;
  setSize: number;
  setOnly?: boolean;
  tableFamily: string;
  setV4?: string;
  setV6?: string;
  rangeSetV4?: string;
  rangeSetV6?: string;
  allow: string[];
  nft?: string;
  remove?: boolean;
}

function nameArg(value: string): string {
  if (!NFT_NAME.test(value)) throw new InvalidArgumentError(`'${value}' is not an nftables name`);
  return value;
}

function intArg(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function layoutOf(o: NftFlags): TableLayout {
  if (!o.setOnly) {
    if (o.setV4 || o.setV6 || o.rangeSetV4 || o.rangeSetV6) throw usageError('--set-v4/--set-v6 go with --set-only');
    const hooks = o.hook.length > 0 ? [...new Set(o.hook)] : ['input'];
    for (const hook of hooks) if (!isDropHook(hook)) throw usageError(`--hook '${hook}': expected ${DROP_HOOKS.join(', ')}`);
    return { mode: 'owned', table: o.table, hooks, priority: o.priority, size: o.setSize };
  }
  if (!o.setV4 && !o.setV6) throw usageError('--set-only needs --set-v4 and/or --set-v6');
  return { mode: 'set-only', tableFamily: o.tableFamily, table: o.table, v4: o.setV4, v6: o.setV6, v4Ranges: o.rangeSetV4, v6Ranges: o.rangeSetV6 };
}

export function registerNftables(group: Command, ctx: CommandContext): void {
  const cmd = group
    .command('nftables')
    .description('drop banned addresses with nftables sets, updated in one transaction per change')
    .addOption(new Option('--table <name>', 'table to own (family inet), or the set-only table').argParser(nameArg).default('crowdwatch'))
    .addOption(new Option('--hook <hook>', 'base chain hook to drop in (repeatable)').argParser(collect).default([], 'input'))
    .addOption(new Option('--priority <n>', 'priority of the drop chains').argParser(intArg(-1000, 1000)).default(-10))
    .addOption(new Option('--set-size <n>', 'maximum elements per set').argParser(intArg(1, 16_777_216)).default(65_536))
    .option('--set-only', 'fill sets you created (your own rules reference them); create no table or rule')
    .addOption(new Option('--table-family <family>', 'family of the set-only table').choices(['inet', 'ip', 'ip6', 'bridge', 'netdev']).default('inet'))
    .addOption(new Option('--set-v4 <name>', 'set-only: IPv4 set (flags timeout; interval to hold ranges too)').argParser(nameArg))
    .addOption(new Option('--set-v6 <name>', 'set-only: IPv6 set').argParser(nameArg))
    .addOption(new Option('--range-set-v4 <name>', 'set-only: IPv4 set for Range decisions (flags interval, timeout)').argParser(nameArg))
    .addOption(new Option('--range-set-v6 <name>', 'set-only: IPv6 set for Range decisions').argParser(nameArg))
    .addOption(new Option('--allow <cidr>', 'never drop this address or range (repeatable; loopback and the API are always allowed)').argParser(collect).default([]))
    .option('--nft <path>', 'nft binary (default /usr/sbin/nft)')
    .option('--remove', 'delete the owned table and exit');
  addStreamOptions(cmd).action(async (o: NftFlags) => {
    const log = stderrLogger(ctx.io.stderr);
    const nft = new Nft(o.nft);
    if (o.remove) {
      const removed = await removeTable(nft, o.table);
      ctx.io.stdout.write(removed ? `removed table inet ${o.table}\n` : `no table inet ${o.table}\n`);
      return;
    }
    const service = await startNftablesService({
      stream: streamOptions(o, log, NFTABLES_USER_AGENT),
      layout: layoutOf(o),
      types: typeSet(o),
      allow: o.allow,
      nftBin: o.nft,
      verbose: o.verbose,
    });
    const signal = await Promise.race([stopSignal(), service.done.then(() => null)]);
    if (signal) log(`${signal}: stopping (the sets keep their elements until they time out)`);
    await service.stop();
  });
}
