import type { Command } from 'commander';
import { loadApiConfig } from '../../config/api-config';
import { parseExposition } from '../../metrics/exposition';
import { metricsReport, type Row } from '../../metrics/report';
import { EXIT_OK } from '../errors';
import type { CommandContext } from '../io';
import { configFileOption, dataDirOption, type ListFormat, listOutputOption } from '../options';
import { writeJson } from '../output/json';
import { formatPairs, formatTable } from '../output/table';

const SECTIONS: Array<[keyof Omit<ReturnType<typeof metricsReport>, 'engine'>, string]> = [
  ['acquisition', 'Acquisition'],
  ['parsers', 'Parsers'],
  ['buckets', 'Scenarios (buckets)'],
  ['lapi_routes', 'Local API requests'],
  ['lapi_machines', 'Local API requests by machine'],
  ['lapi_bouncers', 'Local API requests by bouncer'],
  ['decisions', 'Active decisions'],
  ['alerts', 'Stored alerts'],
];

function cell(value: string | number): string {
  return typeof value === 'number' ? (value === 0 ? '-' : value.toLocaleString('en-US')) : value;
}

function renderRows(rows: readonly Row[]): string {
  const headers = Object.keys(rows[0]);
  return formatTable(
    headers.map((h) => ({ header: h.replace(/_/g, ' ').toUpperCase(), align: typeof rows[0][h] === 'number' ? 'right' as const : 'left' as const })),
    rows.map((r) => headers.map((h) => cell(r[h]))),
  );
}

export function registerMetrics(program: Command, ctx: CommandContext): void {
  program
    .command('metrics')
    .description("the running daemon's figures: lines read and parsed, parsers, buckets, API requests, decisions")
    .option('-u, --url <url>', 'Prometheus endpoint (default: from the config, http://127.0.0.1:6060/metrics)')
    .addOption(listOutputOption())
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .action(async (o: { url?: string; output: ListFormat; dataDir?: string; configFile?: string }) => {
      let url = o.url;
      if (!url) {
        const { host, port } = loadApiConfig({ dataDir: o.dataDir, configFile: o.configFile }).prometheus;
        url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`;
      }
      if (!/\/metrics\/?$/.test(url)) url = `${url.replace(/\/+$/, '')}/metrics`;
      let text: string;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        if (!res.ok) throw new Error(`answered ${res.status}`);
        text = await res.text();
      } catch (error) {
        throw Object.assign(new Error(`cannot read metrics from ${url}: ${(error as Error).message} (is crowdwatch run up, with its metrics endpoint?)`), { code: 'CW_UNREACHABLE' });
      }
      if (o.output === 'raw') {
        ctx.io.stdout.write(text);
        ctx.exitCode = EXIT_OK;
        return;
      }
      const report = metricsReport(parseExposition(text));
      if (o.output === 'json') writeJson(ctx.io.stdout, report);
      else {
        for (const [key, title] of SECTIONS) {
          if (report[key].length === 0) continue;
          ctx.io.stdout.write(`${title}:\n${renderRows(report[key])}\n`);
        }
        ctx.io.stdout.write(`Engine:\n${formatPairs(Object.entries(report.engine).map(([k, v]) => [k.replace(/_/g, ' '), cell(v)]))}`);
      }
      ctx.exitCode = EXIT_OK;
    });
}
