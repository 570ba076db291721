import type { Command } from 'commander';
import { hashPassword, newPassword } from '../../../api/credentials';
import { formatRfc3339 } from '../../../time/go-time';
import { EXIT_FAILURE, EXIT_OK } from '../../errors';
import type { CommandContext } from '../../io';
import { configFileOption, dataDirOption, type ListFormat, listOutputOption } from '../../options';
import { writeJson } from '../../output/json';
import { formatTable } from '../../output/table';
import { csv, deleteNamed, type StoreFlags, usageError, withStore } from './with-store';

const NAME = /^[A-Za-z0-9._@:-]{1,256}$/;

export function registerMachines(program: Command, ctx: CommandContext): void {
  const group = program.command('machines').description('manage agents (watchers) allowed to push alerts');

  group
    .command('add <name>')
    .description('register a machine, validated; with --auto a random password is printed once')
    .option('-p, --password <password>', 'its password')
    .option('-a, --auto', 'generate a random password')
    .option('-f, --force', 'replace the password of an existing machine')
    .addOption(listOutputOption())
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .action(async (name: string, o: StoreFlags & { password?: string; auto?: boolean; force?: boolean; output: ListFormat }) => {
      if (!NAME.test(name)) throw usageError(`invalid machine name '${name}'`);
      if (!o.password && !o.auto) throw usageError('give --password or --auto');
      const password = o.password ?? newPassword();
      const hash = await hashPassword(password);
      const added = await withStore(o, (store) => store.machines.add(name, hash, true, o.force === true));
      if (!added) {
        ctx.io.stderr.write(`crowdwatch: machine '${name}' already exists (use --force to replace its password)\n`);
        ctx.exitCode = EXIT_FAILURE;
        return;
      }
      if (o.output === 'json') writeJson(ctx.io.stdout, { machine_id: name, password: o.auto ? password : undefined });
      else if (o.output === 'raw') ctx.io.stdout.write(o.auto ? `${password}\n` : '');
      else ctx.io.stdout.write(`machine '${name}' registered${o.auto ? `; password (shown once): ${password}` : ''}\n`);
      ctx.exitCode = EXIT_OK;
    });

  group
    .command('list')
    .description('list machines')
    .addOption(listOutputOption())
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .action(async (o: StoreFlags & { output: ListFormat }) => {
      const machines = await withStore(o, (store) => store.machines.list());
      const rows = machines.map((m) => ({
        machineId: m.machineId,
        ipAddress: m.ipAddress,
        updatedAt: formatRfc3339(m.updatedAt),
        isValidated: m.isValidated,
        version: m.version,
        last_heartbeat: m.lastHeartbeat === null ? '' : formatRfc3339(m.lastHeartbeat),
        last_push: m.lastPush === null ? '' : formatRfc3339(m.lastPush),
      }));
      if (o.output === 'json') writeJson(ctx.io.stdout, rows);
      else if (o.output === 'raw') {
        ctx.io.stdout.write(csv(['machine_id', 'ip_address', 'updated_at', 'validated', 'version', 'last_heartbeat']));
        for (const r of rows) ctx.io.stdout.write(csv([r.machineId, r.ipAddress, r.updatedAt, r.isValidated ? 'true' : 'false', r.version, r.last_heartbeat]));
      } else {
        ctx.io.stdout.write(formatTable(
          ['Name', 'IP Address', 'Last Update', 'Status', 'Version', 'Last Heartbeat'].map((header) => ({ header })),
          rows.map((r) => [r.machineId, r.ipAddress, r.updatedAt, r.isValidated ? '✔️' : '🚫', r.version, r.last_heartbeat]),
        ));
      }
    });

  group
    .command('delete <names...>')
    .description('delete machines: their tokens stop working at once')
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .action(async (names: string[], o: StoreFlags) => {
      const missing = await withStore(o, (store) => deleteNamed(names, 'machine', (name) => store.machines.delete(name), ctx.io));
      ctx.exitCode = missing > 0 ? EXIT_FAILURE : EXIT_OK;
    });

  group
    .command('validate <name>')
    .description('validate a machine that registered itself through the API')
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .action(async (name: string, o: StoreFlags) => {
      const ok = await withStore(o, (store) => store.machines.validate(name));
      if (ok) ctx.io.stdout.write(`machine '${name}' validated\n`);
      else ctx.io.stderr.write(`crowdwatch: no machine named '${name}'\n`);
      ctx.exitCode = ok ? EXIT_OK : EXIT_FAILURE;
    });
}
