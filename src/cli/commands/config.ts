import type { Command } from 'commander';
import { Option } from 'commander';
import { stringify } from 'yaml';
import { loadApiConfig } from '../../config/api-config';
import { effectiveConfig } from '../../config/show';
import { EXIT_OK } from '../errors';
import type { CommandContext } from '../io';
import { configFileOption, dataDirOption } from '../options';
import { writeJson } from '../output/json';

export function registerConfig(program: Command, ctx: CommandContext): void {
  const group = program.command('config').description('the configuration');
  group
    .command('show')
    .description('print the effective configuration: defaults, config.yaml, config.yaml.local and flags merged')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .action((o: { output: 'yaml' | 'json'; dataDir?: string; configFile?: string }) => {
      const { document, files, ignored, warnings } = effectiveConfig(loadApiConfig({ dataDir: o.dataDir, configFile: o.configFile }));
      if (o.output === 'json') writeJson(ctx.io.stdout, { config: document, files, ignored, warnings });
      else {
        const from = files.length > 0 ? files.map((f) => `#   ${f}`).join('\n') : '#   (no config file: defaults)';
        const skipped = ignored.length > 0 ? `\n# CrowdSec settings read and not used:\n${ignored.map((i) => `#   ${i}`).join('\n')}` : '';
        const warned = warnings.length > 0 ? `\n# Warnings (security settings not applied as written):\n${warnings.map((w) => `#   ${w}`).join('\n')}` : '';
        ctx.io.stdout.write(`# effective configuration, from:\n${from}${warned}${skipped}\n${stringify(document)}`);
      }
      ctx.exitCode = EXIT_OK;
    });
}
