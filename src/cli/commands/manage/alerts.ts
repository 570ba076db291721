import type { Command } from 'commander';
import { apiAlert } from '../../../api/render';
import type { StoredAlert } from '../../../store/types';
import { formatRfc3339 } from '../../../time/go-time';
import { EXIT_FAILURE, EXIT_OK } from '../../errors';
import type { CommandContext } from '../../io';
import { configFileOption, dataDirOption, type ListFormat, listOutputOption } from '../../options';
import { writeJson } from '../../output/json';
import { formatPairs, formatTable } from '../../output/table';
import { alertFilter, type AlertFlags, asNumberName, csv, type StoreFlags, usageError, withStore } from './with-store';
import { CROWD_VIEW_KEY } from '../../../crowd/signals';

function filterOptions(cmd: Command): Command {
  return cmd
    .option('-i, --ip <ip>', 'alerts about this IP')
    .option('-r, --range <cidr>', 'alerts about this range')
    .option('--scope <scope>', 'source scope')
    .option('-v, --value <value>', 'source value')
    .option('-s, --scenario <scenario>', 'scenario')
    .option('--type <type>', 'with a decision of this type')
    .option('--origin <origin>', 'with a decision of this origin')
    .option('--since <duration>', 'newer than (4h, 30d)')
    .option('--until <duration>', 'older than (4h, 30d)')
    .option('--contained', 'with --ip/--range: alerts inside it')
    .option('-a, --all', 'include crowd blocklist alerts')
    .addOption(dataDirOption())
    .addOption(configFileOption());
}

/** Decisions by type, as cscli lists them: `ban:2 captcha:1`. */
function decisionSummary(a: StoredAlert): string {
  const types = [...new Set(a.decisions.map((d) => d.type))];
  return types.map((t) => `${t}:${a.decisions.filter((d) => d.type === t).length}`).join(' ');
}

/** Targeted or opportunistic, when the API is a crowd member (empty otherwise). */
function viewOf(a: StoredAlert): string {
  return a.meta.find((m) => m.key === CROWD_VIEW_KEY)?.value ?? '';
}

function describe(a: StoredAlert): string {
  const pairs: Array<[string, string]> = [
    ['ID', String(a.id)],
    ['Date', formatRfc3339(a.createdAt)],
    ['Machine', a.machineId],
    ['Simulation', a.simulated ? 'true' : 'false'],
    ['Reason', a.scenario],
    ['Events Count', String(a.eventsCount)],
    ['Scope:Value', `${a.source.scope}:${a.source.value}`],
    ['Country', a.source.cn ?? ''],
    ['AS', asNumberName(a.source)],
    ['Crowd view', viewOf(a)],
    ['Begin', a.startAt],
    ['End', a.stopAt],
  ];
  let text = formatPairs(pairs);
  if (a.decisions.length > 0) {
    text += '\nDecisions:\n';
    text += formatTable(['ID', 'Scope:Value', 'Action', 'Expiration', 'Created At'].map((header) => ({ header })),
      a.decisions.map((d) => [String(d.id), `${d.scope}:${d.value}`, d.type, formatRfc3339(d.until), formatRfc3339(d.createdAt)]));
  }
  return text;
}

export function registerAlerts(program: Command, ctx: CommandContext): void {
  const group = program.command('alerts').description('list, inspect and delete alerts');

  filterOptions(group.command('list').description('list alerts, newest first'))
    .option('-l, --limit <n>', 'at most this many (0: all)', '50')
    .addOption(listOutputOption())
    .action(async (o: AlertFlags & { limit: string; output: ListFormat }) => {
      const limit = Number(o.limit);
      if (!Number.isSafeInteger(limit) || limit < 0) throw usageError('--limit must be a non-negative integer');
      const now = Date.now();
      const alerts = await withStore(o, (store) => store.alerts.query({ ...alertFilter(o, now), limit }, now));
      if (o.output === 'json') writeJson(ctx.io.stdout, alerts.map((a) => apiAlert(a, now)));
      else if (o.output === 'raw') {
        ctx.io.stdout.write(csv(['id', 'scope', 'value', 'reason', 'country', 'as', 'decisions', 'created_at', 'crowd_view']));
        for (const a of alerts) {
          ctx.io.stdout.write(csv([a.id, a.source.scope, a.source.value, a.scenario, a.source.cn ?? '', asNumberName(a.source), decisionSummary(a), formatRfc3339(a.createdAt), viewOf(a)]));
        }
      } else if (alerts.length === 0) ctx.io.stdout.write('No alerts\n');
      else {
        ctx.io.stdout.write(formatTable(['ID', 'value', 'reason', 'country', 'as', 'decisions', 'created_at', 'crowd'].map((header) => ({ header })),
          alerts.map((a) => [String(a.id), `${a.source.scope}:${a.source.value}`, a.scenario, a.source.cn ?? '', asNumberName(a.source),
            decisionSummary(a), formatRfc3339(a.createdAt), viewOf(a)])));
      }
    });

  group
    .command('inspect <id>')
    .description('show one alert with its decisions')
    .addOption(listOutputOption())
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .action(async (id: string, o: StoreFlags & { output: ListFormat }) => {
      if (!/^\d{1,15}$/.test(id)) throw usageError(`'${id}' is not an alert id`);
      const alert = await withStore(o, (store) => store.alerts.get(Number(id)));
      if (!alert) {
        ctx.io.stderr.write(`crowdwatch: no alert ${id}\n`);
        ctx.exitCode = EXIT_FAILURE;
        return;
      }
      if (o.output === 'human') ctx.io.stdout.write(describe(alert));
      else writeJson(ctx.io.stdout, apiAlert(alert, Date.now()));
      ctx.exitCode = EXIT_OK;
    });

  filterOptions(group.command('delete').description('delete alerts and their decisions'))
    .option('--id <id>', 'one alert by id')
    .option('--all-alerts', 'every alert')
    .action(async (o: AlertFlags & { id?: string; allAlerts?: boolean }) => {
      const now = Date.now();
      const filter = alertFilter(o, now);
      if (o.id !== undefined) {
        if (!/^\d{1,15}$/.test(o.id)) throw usageError('--id must be an alert id');
        filter.id = Number(o.id);
      }
      const narrowed = Object.entries(filter).some(([k, v]) => k !== 'includeCapi' && v !== undefined);
      if (!narrowed && !o.allAlerts) throw usageError('say which alerts: a filter, --id, or --all-alerts');
      const n = await withStore(o, (store) => store.alerts.delete(filter, now));
      ctx.io.stdout.write(`${n} alert(s) deleted\n`);
    });
}
