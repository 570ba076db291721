import type { Command } from 'commander';
import { lockDataDir } from '../../agent/control';
import { startApi } from '../../api/server';
import { loadApiConfig } from '../../config/api-config';
import { EXIT_OK } from '../errors';
import type { CommandContext } from '../io';
import { configFileOption, dataDirOption } from '../options';
import { stderrLogger, stopSignal } from '../signals';

export function registerApi(program: Command, ctx: CommandContext): void {
  program
    .command('api')
    .description('run the local API (CrowdSec LAPI v1 compatible) until SIGINT/SIGTERM')
    .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:8080)')
    .option('--crowd-url <url>', 'join this central server (crowd.url in config.yaml)')
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .action(async (o: { listen?: string; dataDir?: string; configFile?: string; crowdUrl?: string }) => {
      const config = loadApiConfig({ dataDir: o.dataDir, configFile: o.configFile, listen: o.listen, crowdUrl: o.crowdUrl });
      const log = stderrLogger(ctx.io.stderr);
      for (const warning of config.warnings) log(`warning: ${warning}`);
      const unlock = lockDataDir(config.dataDir, ['api']);
      let api;
      try {
        api = await startApi(config, log);
      } catch (error) {
        unlock();
        throw error;
      }
      log(`local API listening on ${api.url} (data: ${config.store.type === 'sqlite' ? config.store.path : 'postgres'})`);
      const signal = await stopSignal();
      log(`${signal}: stopping`);
      await api.close();
      unlock();
      ctx.exitCode = EXIT_OK;
    });
}
