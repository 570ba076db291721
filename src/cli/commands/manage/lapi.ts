import type { Command } from 'commander';
import { apiUrl, loadApiConfig } from '../../../config/api-config';
import { Store } from '../../../store/store';
import { EXIT_FAILURE, EXIT_OK } from '../../errors';
import type { CommandContext } from '../../io';
import { configFileOption, dataDirOption, type ListFormat, listOutputOption } from '../../options';
import { writeJson } from '../../output/json';

export function registerLapi(program: Command, ctx: CommandContext): void {
  const group = program.command('lapi').description('the local API');
  group
    .command('status')
    .description('check that the API answers and the database opens')
    .option('--url <url>', 'API address (default: from the config)')
    .addOption(listOutputOption())
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .action(async (o: { url?: string; dataDir?: string; configFile?: string; output: ListFormat }) => {
      const config = loadApiConfig({ dataDir: o.dataDir, configFile: o.configFile });
      const url = o.url ?? apiUrl(config);
      let api = 'down';
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
        const body = (await res.json()) as { status?: string };
        api = res.ok && body.status === 'up' ? 'up' : `answered ${res.status}`;
      } catch (error) {
        api = `unreachable (${(error as Error).message})`;
      }
      let database = 'ok';
      try {
        const store = await Store.open(config.store);
        await store.close();
      } catch (error) {
        database = `error (${(error as Error).message})`;
      }
      const ok = api === 'up' && database === 'ok';
      if (o.output === 'human') ctx.io.stdout.write(`local API ${url}: ${api}\ndatabase (${config.store.type}): ${database}\n`);
      else writeJson(ctx.io.stdout, { url, api, database, ok });
      ctx.exitCode = ok ? EXIT_OK : EXIT_FAILURE;
    });
}
