import type { Command } from 'commander';
import { hashApiKey, newApiKey } from '../../../api/credentials';
import { formatRfc3339 } from '../../../time/go-time';
import { EXIT_FAILURE, EXIT_OK } from '../../errors';
import type { CommandContext } from '../../io';
import { configFileOption, dataDirOption, type ListFormat, listOutputOption } from '../../options';
import { writeJson } from '../../output/json';
import { formatTable } from '../../output/table';
import { csv, deleteNamed, type StoreFlags, usageError, withStore } from './with-store';

const NAME = /^[A-Za-z0-9._@:-]{1,128}$/;

export function registerBouncers(program: Command, ctx: CommandContext): void {
  const group = program.command('bouncers').description('manage bouncers (API keys)');

  group
    .command('add <name>')
    .description('create a bouncer and print its API key (shown only this once)')
    .option('-k, --key <key>', 'use this key instead of a random one (at least 16 characters)')
    .addOption(listOutputOption())
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .action(async (name: string, o: StoreFlags & { key?: string; output: ListFormat }) => {
      if (!NAME.test(name)) throw usageError(`invalid bouncer name '${name}'`);
      if (o.key !== undefined && (o.key.length < 16 || o.key.length > 256)) throw usageError('a key needs 16 to 256 characters');
      const key = o.key ?? newApiKey();
      const added = await withStore(o, (store) => store.bouncers.add(name, hashApiKey(key)));
      if (!added) {
        ctx.io.stderr.write(`crowdwatch: bouncer '${name}' already exists (or the key is in use)\n`);
        ctx.exitCode = EXIT_FAILURE;
        return;
      }
      if (o.output === 'json') writeJson(ctx.io.stdout, key);
      else if (o.output === 'raw') ctx.io.stdout.write(`${key}\n`);
      else ctx.io.stdout.write(`API key for '${name}':\n\n   ${key}\n\nPlease keep this key: it will not be shown again.\n`);
      ctx.exitCode = EXIT_OK;
    });

  group
    .command('list')
    .description('list bouncers and when they last pulled')
    .addOption(listOutputOption())
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .action(async (o: StoreFlags & { output: ListFormat }) => {
      const bouncers = await withStore(o, (store) => store.bouncers.list());
      const rows = bouncers.map((b) => ({
        name: b.name,
        ip_address: b.ipAddress,
        valid: true,
        last_pull: b.lastPull === null ? '' : formatRfc3339(b.lastPull),
        type: b.type,
        version: b.version,
        created_at: formatRfc3339(b.createdAt),
      }));
      if (o.output === 'json') writeJson(ctx.io.stdout, rows);
      else if (o.output === 'raw') {
        ctx.io.stdout.write(csv(['name', 'ip', 'revoked', 'last_pull', 'type', 'version']));
        for (const r of rows) ctx.io.stdout.write(csv([r.name, r.ip_address, 'validated', r.last_pull, r.type, r.version]));
      } else {
        ctx.io.stdout.write(formatTable(
          ['Name', 'IP Address', 'Valid', 'Last API pull', 'Type', 'Version'].map((header) => ({ header })),
          rows.map((r) => [r.name, r.ip_address, '✔️', r.last_pull, r.type, r.version]),
        ));
      }
    });

  group
    .command('delete <names...>')
    .description('delete bouncers: their keys stop working at once')
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .action(async (names: string[], o: StoreFlags) => {
      const missing = await withStore(o, (store) => deleteNamed(names, 'bouncer', (name) => store.bouncers.delete(name), ctx.io));
      ctx.exitCode = missing > 0 ? EXIT_FAILURE : EXIT_OK;
    });
}
