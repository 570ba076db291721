import type { Command } from 'commander';
import { readReloadStatus, runningPid } from '../../agent/control';
import { loadApiConfig } from '../../config/api-config';
import { sleep } from '../../reference/processes';
import { EXIT_FAILURE, EXIT_OK } from '../errors';
import type { CommandContext } from '../io';
import { dataDirOption, outputOption, type OutputFormat } from '../options';
import { writeJson } from '../output/json';

export function registerReload(program: Command, ctx: CommandContext): void {
  program
    .command('reload')
    .description('make the running daemon re-read parsers, scenarios, profiles and acquisition (SIGHUP); live buckets of unchanged scenarios are kept')
    .addOption(dataDirOption())
    .option('--timeout <seconds>', 'how long to wait for the outcome', Number, 30)
    .addOption(outputOption())
    .action(async (o: { dataDir?: string; timeout: number; output: OutputFormat }) => {
      const { dataDir } = loadApiConfig({ dataDir: o.dataDir });
      const pid = runningPid(dataDir);
      if (pid === null) throw Object.assign(new Error(`no crowdwatch daemon is running on ${dataDir} (no live pid in crowdwatch.pid)`), { code: 'CW_NOT_RUNNING' });
      const sent = Date.now();
      process.kill(pid, 'SIGHUP');
      const deadline = sent + o.timeout * 1000;
      let status = readReloadStatus(dataDir);
      while (!(status && status.pid === pid && status.at >= sent) && Date.now() < deadline) {
        await sleep(50);
        status = readReloadStatus(dataDir);
      }
      if (!status || status.pid !== pid || status.at < sent) {
        throw Object.assign(new Error(`daemon ${pid} did not report a reload within ${o.timeout} s`), { code: 'CW_TIMEOUT' });
      }
      if (o.output === 'json') writeJson(ctx.io.stdout, { pid, ok: status.ok, message: status.message });
      else ctx.io[status.ok ? 'stdout' : 'stderr'].write(`${status.ok ? 'reloaded' : 'reload refused, still running the previous configuration'}: ${status.message}\n`);
      ctx.exitCode = status.ok ? EXIT_OK : EXIT_FAILURE;
    });
}
