import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { install, SETUP_DEFAULTS } from '../../setup/install';
import { EXIT_FAILURE, EXIT_OK } from '../errors';
import type { CommandContext } from '../io';
import { outputOption, type OutputFormat } from '../options';
import { writeJson } from '../output/json';

interface SetupFlags {
  root: string;
  configDir: string;
  dataDir: string;
  unitDir: string;
  systemctl: boolean;
  output: OutputFormat;
}

export function registerSetup(program: Command, ctx: CommandContext): void {
  program
    .command('setup')
    .description('install the systemd unit, a starting config.yaml and acquis.yaml, and the data dir')
    .option('--root <dir>', 'install under this root instead of / (staging, packaging)', '/')
    .option('--config-dir <dir>', 'where config.yaml and acquis.yaml go', SETUP_DEFAULTS.configDir)
    .option('--data-dir <dir>', 'the database and state', SETUP_DEFAULTS.dataDir)
    .option('--unit-dir <dir>', 'systemd unit directory', SETUP_DEFAULTS.unitDir)
    .option('--no-systemctl', 'do not run systemctl daemon-reload afterwards')
    .addOption(outputOption())
    .action((o: SetupFlags) => {
      const root = path.resolve(o.root);
      const steps = install({ root, configDir: o.configDir, dataDir: o.dataDir, unitDir: o.unitDir, node: process.execPath });
      // Only a live systemd on the real root can load the unit.
      let reload: string = 'skipped';
      if (o.systemctl && root === '/' && fs.existsSync('/run/systemd/system')) {
        const r = spawnSync('systemctl', ['daemon-reload'], { encoding: 'utf8' });
        reload = r.status === 0 ? 'done' : `failed: ${(r.stderr || r.error?.message || '').trim()}`;
      }
      if (o.output === 'json') writeJson(ctx.io.stdout, { steps, daemon_reload: reload });
      else {
        for (const s of steps) ctx.io.stdout.write(`${s.action.padEnd(8)} ${s.path}${s.action === 'kept' ? '  (exists: left as it is; put changes in .local)' : ''}\n`);
        ctx.io.stdout.write(`systemctl daemon-reload: ${reload}\nnext: review ${path.join(root, o.configDir, 'acquis.yaml')}, then \`systemctl enable --now crowdwatch\`\n`);
      }
      ctx.exitCode = reload.startsWith('failed') ? EXIT_FAILURE : EXIT_OK;
    });
}
