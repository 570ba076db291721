import type { Command } from 'commander';
import { loadApiConfig } from '../../../config/api-config';
import { readSimulation, setSimulated, writeSimulation } from '../../../profiles/simulation';
import type { CommandContext } from '../../io';
import { dataDirOption, configFileOption, type ListFormat, listOutputOption } from '../../options';
import { writeJson } from '../../output/json';
import type { StoreFlags } from './with-store';

export function registerSimulation(program: Command, ctx: CommandContext): void {
  const group = program.command('simulation').description('simulation mode: decisions are stored but never reach a bouncer');
  const file = (o: StoreFlags): string => loadApiConfig({ dataDir: o.dataDir, configFile: o.configFile }).simulationFile;

  group
    .command('status')
    .description('show the global flag and the exceptions')
    .addOption(listOutputOption())
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .action((o: StoreFlags & { output: ListFormat }) => {
      const sim = readSimulation(file(o));
      if (o.output !== 'human') {
        writeJson(ctx.io.stdout, { simulation: sim.global, exclusions: sim.exclusions });
        return;
      }
      ctx.io.stdout.write(`global simulation: ${sim.global ? 'enabled' : 'disabled'}\n`);
      if (sim.exclusions.length > 0) {
        ctx.io.stdout.write(sim.global ? 'scenarios not in simulation mode:\n' : 'scenarios in simulation mode:\n');
        for (const s of sim.exclusions) ctx.io.stdout.write(`  - ${s}\n`);
      }
    });

  for (const on of [true, false]) {
    group
      .command(`${on ? 'enable' : 'disable'} [scenarios...]`)
      .description(`${on ? 'put' : 'take'} scenarios (or, with --global, everything) ${on ? 'in' : 'out of'} simulation mode`)
      .option('-g, --global', 'the global flag')
      .addOption(dataDirOption())
      .addOption(configFileOption())
      .action((scenarios: string[], o: StoreFlags & { global?: boolean }) => {
        const path = file(o);
        let sim = readSimulation(path);
        if (o.global || scenarios.length === 0) sim = setSimulated(sim, on);
        for (const s of scenarios) sim = setSimulated(sim, on, s);
        writeSimulation(path, sim);
        const what = o.global || scenarios.length === 0 ? 'global simulation' : scenarios.join(', ');
        ctx.io.stdout.write(`${what}: simulation ${on ? 'enabled' : 'disabled'}\n`);
      });
  }
}
