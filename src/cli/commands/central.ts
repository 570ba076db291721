// `crowdwatch central`: runs the community's central server; `central members` lists members and
// the weight their reports earned them (from the central's own database, server running or not).
import type { Command } from 'commander';
import { loadCentralConfig } from '../../central/config';
import { weightOf } from '../../central/consensus';
import { startCentral } from '../../central/server';
import { randomBytes } from 'node:crypto';
import { hashPassword, newPassword } from '../../api/credentials';
import { enrollmentTokenHash } from '../../central/routes/members';
import { CentralStore } from '../../central/store';

import { parseGoDuration } from '../../time/go-duration';
import { usageError } from './manage/with-store';
import { formatRfc3339 } from '../../time/go-time';
import { EXIT_OK } from '../errors';
import type { CommandContext } from '../io';
import { dataDirOption, type ListFormat, listOutputOption } from '../options';
import { writeJson } from '../output/json';
import { formatTable } from '../output/table';
import { stderrLogger, stopSignal } from '../signals';

type Flags = { dataDir?: string; configFile?: string };

async function withCentralStore<T>(o: Flags, use: (store: CentralStore) => Promise<T>): Promise<T> {
  const config = loadCentralConfig({ dataDir: o.dataDir, configFile: o.configFile });
  const store = await CentralStore.open(config.store);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

function centralConfigOption(command: Command): Command {
  return command
    .addOption(dataDirOption())
    .option('--config-file <file>', 'central config (default: <data-dir>/central.yaml when present)');
}

export function registerCentral(program: Command, ctx: CommandContext): void {
  const central = centralConfigOption(
    program
      .command('central')
      .description('run the community central server (CrowdSec CAPI v2 compatible) until SIGINT/SIGTERM')
      .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:8090)'),
  ).action(async (o: Flags & { listen?: string }) => {
    const config = loadCentralConfig({ dataDir: o.dataDir, configFile: o.configFile, listen: o.listen });
    const log = stderrLogger(ctx.io.stderr);
    const running = await startCentral(config, { log: (m) => log(m) });
    const where = config.store.type === 'sqlite' ? config.store.path : 'postgres';
    log(`central listening on ${running.url} (data: ${where}; consensus: ${config.consensus.minMembers} members within ${config.consensus.windowMs / 1000}s)`);
    if (running.metrics) log(`metrics on ${running.metrics.url}`);
    const signal = await stopSignal();
    log(`${signal}: stopping`);
    await running.close();
    ctx.exitCode = EXIT_OK;
  });

  const members = central.command('members').description("the central's members: list, add, remove");
  centralConfigOption(members.command('list', { isDefault: true }).description('the members and their standing'))
    .addOption(listOutputOption())
    .action(async (o: Flags & { output: ListFormat }) => {
      const config = loadCentralConfig({ dataDir: o.dataDir, configFile: o.configFile });
      const store = await CentralStore.open(config.store);
      const members = await store.members().finally(() => store.close());
      const time = (ms: number | null): string => (ms === null ? '' : formatRfc3339(ms));
      const rows = members.map((m) => ({
        machine_id: m.machineId,
        weight: Number(weightOf(m).toFixed(3)),
        corroborated: m.corroborated,
        uncorroborated: m.uncorroborated,
        signals: m.signals,
        registered_at: time(m.createdAt),
        last_push: time(m.lastPush),
        last_pull: time(m.lastPull),
      }));
      if (o.output === 'json') writeJson(ctx.io.stdout, rows);
      else if (o.output === 'raw') {
        ctx.io.stdout.write('machine_id,weight,corroborated,uncorroborated,signals,last_push\n');
        for (const r of rows) ctx.io.stdout.write(`${r.machine_id},${r.weight},${r.corroborated},${r.uncorroborated},${r.signals},${r.last_push}\n`);
      } else {
        const columns = ['Member', 'Weight', 'Corroborated', 'Uncorroborated', 'Signals', 'Last push'].map((header, i) => ({ header, align: i === 0 ? 'left' as const : 'right' as const }));
        ctx.io.stdout.write(formatTable(columns, rows.map((r) => [r.machine_id, r.weight.toFixed(2), String(r.corroborated), String(r.uncorroborated), String(r.signals), r.last_push])));
      }
      ctx.exitCode = EXIT_OK;
    });

  centralConfigOption(members.command('add <machine_id>').description('admit a member: prints the credentials to install on its local API (online_api_credentials.yaml)'))
    .option('--password <password>', 'its password (default: a new random one)')
    .option('--url <url>', "this central's address, written into the credentials")
    .addOption(listOutputOption())
    .action(async (machineId: string, o: Flags & { password?: string; url?: string; output: ListFormat }) => {
      if (!/^[A-Za-z0-9._@:-]{1,256}$/.test(machineId)) throw usageError(`'${machineId}' is not a valid machine id`);
      const password = o.password ?? newPassword();
      const added = await withCentralStore(o, async (store) => store.addMember(machineId, await hashPassword(password)));
      if (!added) throw usageError(`member '${machineId}' exists already`);
      const creds = { url: o.url ?? '', login: machineId, password };
      if (o.output === 'json') writeJson(ctx.io.stdout, creds);
      else ctx.io.stdout.write(`${o.url ? `url: ${o.url}\n` : ''}login: ${machineId}\npassword: ${password}\n`);
      ctx.exitCode = EXIT_OK;
    });

  centralConfigOption(members.command('remove <machine_id>').description('remove a member: it can no longer log in (its stored signals stay as history)'))
    .action(async (machineId: string, o: Flags) => {
      if (!(await withCentralStore(o, (store) => store.removeMember(machineId)))) throw usageError(`no member '${machineId}'`);
      ctx.io.stdout.write(`member '${machineId}' removed\n`);
      ctx.exitCode = EXIT_OK;
    });

  const tokens = central.command('tokens').description('one-time enrollment tokens (registration: token, the default)');
  centralConfigOption(tokens.command('add').description('make an enrollment token: a member registers with it (crowdwatch crowd enroll --token)'))
    .option('--uses <n>', 'registrations it allows', '1')
    .option('--ttl <duration>', 'how long it is valid', '24h')
    .addOption(listOutputOption())
    .action(async (o: Flags & { uses: string; ttl: string; output: ListFormat }) => {
      const uses = Number(o.uses);
      if (!Number.isSafeInteger(uses) || uses < 1 || uses > 10_000) throw usageError('--uses must be an integer from 1 to 10000');
      const ttlNs = parseGoDuration(o.ttl, true);
      if (ttlNs === null || ttlNs <= 0) throw usageError(`--ttl: '${o.ttl}' is not a positive duration`);
      const token = randomBytes(24).toString('base64url');
      const expiresAt = Date.now() + ttlNs / 1e6;
      await withCentralStore(o, (store) => store.addEnrollmentToken(enrollmentTokenHash(token), uses, expiresAt));
      if (o.output === 'json') writeJson(ctx.io.stdout, { token, uses, expires_at: formatRfc3339(expiresAt) });
      else ctx.io.stdout.write(`${token}\n`);
      ctx.exitCode = EXIT_OK;
    });
}
