import * as fs from 'node:fs';
import { type Command, Option } from 'commander';
import { DecisionFileError, formatOfPath, type ImportFormat, readDecisionFile, sniffFormat } from '../../../import/decision-file';
import { checkField, IMPORT_DEFAULTS, IMPORT_ORIGIN, type ImportDefaults, importDecisions } from '../../../import/decision-import';
import { EXIT_OK } from '../../errors';
import { type CommandContext, readAll } from '../../io';
import { configFileOption, dataDirOption, type ListFormat, listOutputOption } from '../../options';
import { writeJson } from '../../output/json';
import { csv, type StoreFlags, usageError, withStore } from './with-store';

interface ImportFlags extends StoreFlags, ImportDefaults {
  input: string;
  format?: ImportFormat;
  output: ListFormat;
}

const HELP_AFTER = `
Formats (as cscli 1.4.6 reads them):
  CSV   a header line naming any of value, duration, type, reason, scope (origin is read
        and ignored); only value is required. Example:
          value,duration,reason
          192.0.2.1,24h,web scan
          198.51.100.0/24,,            (scope from --scope, e.g. --scope range)
  JSON  an array of objects with those keys, e.g.
          [{"value": "192.0.2.1", "duration": "24h", "type": "ban"}]
A row's own duration, type, reason or scope wins over the flag, which is the default.
Every row is checked first: one bad row (named by its line) refuses the whole file.
Decisions get origin cscli-import and one alert carries all of them, as with cscli.`;

/** `decisions import`: cscli's bulk load of a CSV or JSON file, in one transaction. */
export function registerDecisionsImport(group: Command, ctx: CommandContext): void {
  group
    .command('import')
    .description('import decisions from a CSV or JSON file (origin cscli-import)')
    .requiredOption('-i, --input <file>', "the file to read ('-': standard input)")
    .addOption(new Option('--format <format>', 'csv or json (default: from the extension; stdin: JSON when it starts with [)').choices(['csv', 'json']))
    .option('-d, --duration <duration>', "for rows without a duration (Go duration, or days: 7d)", IMPORT_DEFAULTS.duration)
    .option('-t, --type <type>', 'for rows without a type', IMPORT_DEFAULTS.type)
    .option('-R, --reason <reason>', 'for rows without a reason (shown as the scenario)', IMPORT_DEFAULTS.reason)
    .option('--scope <scope>', 'for rows without a scope (ip, range, or a custom one)', IMPORT_DEFAULTS.scope)
    .addOption(listOutputOption())
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .addHelpText('after', HELP_AFTER)
    .action(async (o: ImportFlags) => {
      const defaults: ImportDefaults = { duration: o.duration, type: o.type, reason: o.reason, scope: o.scope };
      for (const field of ['duration', 'type', 'reason', 'scope'] as const) {
        const problem = field === 'scope' && defaults.scope.trim() === '' ? 'scope is empty' : checkField(field, defaults[field]);
        if (problem !== null) throw usageError(`--${field}: ${problem}`);
      }
      const fromStdin = o.input === '-';
      const source = fromStdin ? 'stdin' : o.input;
      let text: string;
      if (fromStdin) {
        if (!ctx.io.stdin) throw usageError('no standard input to read');
        text = await readAll(ctx.io.stdin);
      } else {
        text = fs.readFileSync(o.input, 'utf8');
      }
      const format = o.format ?? (fromStdin ? sniffFormat(text) : formatOfPath(o.input));
      if (format === null) throw usageError(`cannot tell the format of '${o.input}' from its extension: give --format csv or --format json`);
      let file;
      try {
        file = readDecisionFile(text, format);
      } catch (error) {
        if (!(error instanceof DecisionFileError)) throw error;
        throw Object.assign(new Error(`${source}${error.line === null ? '' : `:${error.line}`}: ${error.message}; nothing was imported`), { code: 'CW_IMPORT' });
      }
      for (const warning of file.warnings) ctx.io.stderr.write(`crowdwatch: warning: ${source}: ${warning}\n`);
      const t0 = performance.now();
      const result = await withStore(o, (store, config) => importDecisions(store, file.rows, { defaults, allowlist: config.allowlist, source }));
      const seconds = (performance.now() - t0) / 1000;
      const summary = { source, format, rows: file.rows.length, imported: result.imported, allowlisted: result.allowlisted, alert_id: result.alertId, origin: IMPORT_ORIGIN };
      if (o.output === 'json') writeJson(ctx.io.stdout, summary);
      else if (o.output === 'raw') {
        ctx.io.stdout.write(csv(['rows', 'imported', 'allowlisted', 'alert_id']) + csv([summary.rows, summary.imported, summary.allowlisted, summary.alert_id ?? '']));
      } else {
        const n = result.imported.toLocaleString('en-US');
        ctx.io.stdout.write(result.alertId === null
          ? `no decision imported from ${source} (${file.rows.length} row(s))\n`
          : `${n} decision(s) imported from ${source} in ${seconds.toFixed(1)} s (alert ${result.alertId}, origin ${IMPORT_ORIGIN})\n`);
        if (result.allowlisted > 0) ctx.io.stdout.write(`${result.allowlisted.toLocaleString('en-US')} allowlisted value(s) skipped\n`);
      }
      ctx.exitCode = EXIT_OK;
    });
}
