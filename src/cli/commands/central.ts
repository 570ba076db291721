// `crowdwatch central`: runs the community's central server; `central members` lists members and
// the weight their reports earned them (from the central's own database, server running or not).
import type { Command } from 'commander';
import { loadCentralConfig } from '../../central/config';
import { weightOf } from '../../central/consensus';
import { startCentral } from '../../central/server';
import { CentralStore } from '../../central/store';
import { formatRfc3339 } from '../../time/go-time';
import { EXIT_OK } from '../errors';
import type { CommandContext } from '../io';
import { dataDirOption, type ListFormat, listOutputOption } from '../options';
import { writeJson } from '../output/json';
import { formatTable } from '../output/table';
import { stderrLogger, stopSignal } from '../signals';

type Flags = { dataDir?: string; configFile?: string };

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

  centralConfigOption(central.command('members').description('list the central\'s members and their standing'))
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
}
