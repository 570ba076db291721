import type { Command } from 'commander';
import { IpRangeSet, isIpAddress, isIpRange } from '../../../store/ip-range';
import type { AlertFilter, DecisionFilter, NewAlert } from '../../../store/types';
import { formatGoDuration, parseGoDuration } from '../../../time/go-duration';
import { formatRfc3339 } from '../../../time/go-time';
import { apiAlert } from '../../../api/render';
import { EXIT_FAILURE, EXIT_OK } from '../../errors';
import type { CommandContext } from '../../io';
import { configFileOption, dataDirOption, type ListFormat, listOutputOption } from '../../options';
import { writeJson } from '../../output/json';
import { formatTable } from '../../output/table';
import { CLI_MACHINE } from '../../../import/decision-import';
import { registerDecisionsImport } from './decisions-import';
import { alertFilter, asNumberName, csv, ipFlag, type StoreFlags, usageError, withStore } from './with-store';

interface TargetFlags {
  ip?: string;
  range?: string;
  scope?: string;
  value?: string;
}

/** --ip / --range / --scope+--value → (scope, value), validated. */
function target(o: TargetFlags): { scope: string; value: string } | null {
  const given = [o.ip, o.range, o.value].filter((v) => v !== undefined).length;
  if (given > 1) throw usageError('give only one of --ip, --range, --value');
  if (o.ip !== undefined) {
    if (!isIpAddress(o.ip)) throw usageError(`'${o.ip}' is not an IP address`);
    return { scope: 'Ip', value: o.ip };
  }
  if (o.range !== undefined) {
    if (!isIpRange(o.range)) throw usageError(`'${o.range}' is not a range (CIDR)`);
    return { scope: 'Range', value: o.range };
  }
  if (o.value !== undefined) return { scope: o.scope ?? 'Ip', value: o.value };
  return null;
}

function filterOptions(cmd: Command): Command {
  return cmd
    .option('-i, --ip <ip>', 'decisions about this IP (or a range containing it)')
    .option('-r, --range <cidr>', 'decisions about this range (or one containing it)')
    .option('--scope <scope>', 'scope (Ip, Range, or a custom one)')
    .option('-v, --value <value>', 'exact value')
    .option('-t, --type <type>', 'decision type (ban, captcha…)')
    .option('-s, --scenario <scenario>', 'scenario (or reason) that made it')
    .option('--origin <origin>', 'origin (crowdsec, cscli, CAPI…)')
    .option('--contained', 'with --ip/--range: decisions inside it rather than containing it')
    .addOption(dataDirOption())
    .addOption(configFileOption());
}

interface FilterFlags extends TargetFlags, StoreFlags {
  type?: string;
  scenario?: string;
  origin?: string;
  contained?: boolean;
}

export function registerDecisions(program: Command, ctx: CommandContext): void {
  const group = program.command('decisions').description('list, add, delete and import decisions (bans, captchas)');

  filterOptions(group.command('list').description('list active decisions'))
    .option('-l, --limit <n>', 'at most this many alerts (0: all)', '100')
    .option('-a, --all', 'include decisions from the crowd blocklist (CAPI, lists)')
    .addOption(listOutputOption())
    .action(async (o: FilterFlags & { limit: string; all?: boolean; output: ListFormat }) => {
      const limit = Number(o.limit);
      if (!Number.isSafeInteger(limit) || limit < 0) throw usageError('--limit must be a non-negative integer');
      const now = Date.now();
      const filter: AlertFilter = { ...alertFilter(o, now), hasActiveDecision: true, limit };
      const alerts = await withStore(o, (store) => store.alerts.query(filter, now));
      if (o.output === 'json') {
        writeJson(ctx.io.stdout, alerts.map((a) => apiAlert(a, now)));
        return;
      }
      const rows: string[][] = [];
      const raw: string[] = [csv(['id', 'source', 'ip', 'reason', 'action', 'country', 'as', 'events_count', 'expiration', 'simulated', 'alert_id'])];
      for (const a of alerts) {
        for (const d of a.decisions) {
          if (d.until <= now || (o.type && d.type !== o.type) || (o.origin && d.origin !== o.origin)) continue;
          const expiration = formatGoDuration((d.until - now) * 1e6);
          const as = asNumberName(a.source);
          rows.push([String(d.id), d.origin, `${d.scope}:${d.value}`, d.scenario, d.type, a.source.cn ?? '', as, String(a.eventsCount), expiration, String(a.id)]);
          raw.push(csv([d.id, d.origin, `${d.scope}:${d.value}`, d.scenario, d.type, a.source.cn ?? '', as, a.eventsCount, expiration, d.simulated, a.id]));
        }
      }
      if (o.output === 'raw') ctx.io.stdout.write(raw.join(''));
      else if (rows.length === 0) ctx.io.stdout.write('No active decisions\n');
      else {
        ctx.io.stdout.write(formatTable(
          ['ID', 'Source', 'Scope:Value', 'Reason', 'Action', 'Country', 'AS', 'Events', 'expiration', 'Alert ID'].map((header) => ({ header })),
          rows,
        ));
      }
    });

  group
    .command('add')
    .description('add a manual decision (origin cscli)')
    .option('-i, --ip <ip>', 'an IP address')
    .option('-r, --range <cidr>', 'a range')
    .option('--scope <scope>', 'scope for --value', 'Ip')
    .option('-v, --value <value>', 'a value in --scope')
    .option('-d, --duration <duration>', 'how long (Go duration, or days: 7d)', '4h')
    .option('-t, --type <type>', 'decision type', 'ban')
    .option('-R, --reason <reason>', 'why (shown as its scenario)')
    .addOption(listOutputOption())
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .action(async (o: TargetFlags & StoreFlags & { duration: string; type: string; reason?: string; output: ListFormat }) => {
      const t = target(o);
      if (t === null) throw usageError('give --ip, --range or --value');
      const ns = parseGoDuration(o.duration, true);
      if (ns === null || ns <= 0) throw usageError(`--duration '${o.duration}' is not a positive duration`);
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(o.type)) throw usageError(`invalid decision type '${o.type}'`);
      const machine = CLI_MACHINE;
      const reason = o.reason ?? `manual '${o.type}' from '${machine}'`;
      const now = Date.now();
      const result = await withStore(o, async (store, config) => {
        if (new IpRangeSet(config.allowlist).covers(t.value)) return null;
        const alert: NewAlert = {
          machineId: machine, scenario: reason, scenarioHash: '', scenarioVersion: '', message: reason, eventsCount: 1,
          startAt: formatRfc3339(now), stopAt: formatRfc3339(now), stopAtMs: now, capacity: 0, leakspeed: '0',
          simulated: false, remediation: true,
          source: { scope: t.scope, value: t.value, ip: t.scope === 'Ip' ? t.value : '', range: t.scope === 'Range' ? t.value : '' },
          events: [], meta: [], labels: [],
          decisions: [{ type: o.type, scope: t.scope, value: t.value, origin: 'cscli', scenario: reason, simulated: false, until: now + Math.round(ns / 1e6) }],
        };
        return store.alerts.insert([alert], now);
      });
      if (result === null) {
        ctx.io.stderr.write(`crowdwatch: ${t.value} is allowlisted: no decision added\n`);
        ctx.exitCode = EXIT_FAILURE;
        return;
      }
      if (o.output === 'json') writeJson(ctx.io.stdout, { alert_id: result[0], scope: t.scope, value: t.value, type: o.type, duration: o.duration });
      else ctx.io.stdout.write(`decision added: ${o.type} ${t.scope}:${t.value} for ${o.duration}\n`);
      ctx.exitCode = EXIT_OK;
    });

  registerDecisionsImport(group, ctx);

  filterOptions(group.command('delete').description('end decisions now (bouncers lift them at their next pull)'))
    .option('--id <id>', 'one decision by id')
    .option('--all', 'every active decision')
    .action(async (o: FilterFlags & { id?: string; all?: boolean }) => {
      const filter: DecisionFilter = {
        ip: ipFlag(o),
        scopes: o.scope ? [o.scope] : undefined,
        value: o.value,
        type: o.type,
        scenario: o.scenario,
        origins: o.origin ? [o.origin] : undefined,
        includeSimulated: true,
      };
      if (o.id !== undefined) {
        if (!/^\d{1,15}$/.test(o.id)) throw usageError('--id must be a decision id');
        filter.id = Number(o.id);
      }
      const narrowed = Object.entries(filter).some(([k, v]) => k !== 'includeSimulated' && v !== undefined);
      if (!narrowed && !o.all) throw usageError('say which decisions: --ip, --range, --value, --id, --type, --scenario, --origin, or --all');
      if (narrowed && o.all) throw usageError('--all cannot be combined with filters');
      const n = await withStore(o, (store) => store.decisions.expire(filter));
      ctx.io.stdout.write(`${n} decision(s) deleted\n`);
      ctx.exitCode = EXIT_OK;
    });
}

