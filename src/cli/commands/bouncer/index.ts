import type { Command } from 'commander';
import type { CommandContext } from '../../io';
import { registerExec } from './exec';
import { registerNftables } from './nftables';
import { registerNginx } from './nginx';

/** `crowdwatch bouncer <kind>`: the bouncers crowdwatch ships, each a client of a local API. */
export function registerBouncer(program: Command, ctx: CommandContext): void {
  const group = program.command('bouncer').description('run a bouncer against a local API (crowdwatch or CrowdSec)');
  registerNftables(group, ctx);
  registerExec(group, ctx);
  registerNginx(group, ctx);
}
