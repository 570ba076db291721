import { type Command, InvalidArgumentError, Option } from 'commander';
import { DecisionStream } from '../../../bouncers/common/decision-stream';
import { NginxBouncer } from '../../../bouncers/nginx/nginx-bouncer';
import { nginxSnippet } from '../../../bouncers/nginx/nginx-snippet';
import { DEFAULT_BAN_PAGE, DEFAULT_CAPTCHA_PAGE, readPage } from '../../../bouncers/nginx/pages';
import { parseListen } from '../../../config/api-config';
import { IpRangeSet, isIpAddress, isIpRange } from '../../../store/ip-range';
import { parseGoDuration } from '../../../time/go-duration';
import type { CommandContext } from '../../io';
import { stderrLogger, stopSignal } from '../../signals';
import { usageError } from '../manage/with-store';
import { addStreamOptions, type StreamFlags, streamOptions, typeSet } from './stream-options';

interface NginxFlags extends StreamFlags {
  listen: string;
  cacheTime: number;
  clientHeader: string;
  trustedProxies: string[];
  banPage?: string;
  captchaPage?: string;
  printConfig?: boolean;
  cachePath: string;
}

/** Whole seconds, 0 to 1 day (0: nginx caches nothing, every request is checked). */
function secondsArg(value: string): number {
  const ns = parseGoDuration(value, true);
  if (ns === null || ns < 0 || ns > 86_400e9 || ns % 1e9 !== 0) throw new InvalidArgumentError(`expected whole seconds such as 10s or 1m, got '${value}'`);
  return ns / 1e9;
}

function headerArg(value: string): string {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(value)) throw new InvalidArgumentError(`'${value}' is not a header name`);
  return value.toLowerCase();
}

/** `10.0.0.0/8,2001:db8::1`: addresses and ranges, comma-separated. */
function rangesArg(value: string): string[] {
  const ranges = value.split(',').map((r) => r.trim()).filter((r) => r !== '');
  for (const r of ranges) if (!isIpAddress(r) && !isIpRange(r)) throw new InvalidArgumentError(`'${r}' is not an IP address or range`);
  return ranges;
}

function page(file: string | undefined, fallback: string, flag: string): string {
  if (file === undefined) return fallback;
  try {
    return readPage(file);
  } catch (error) {
    throw usageError(`${flag}: ${(error as Error).message}`);
  }
}

export function registerNginx(group: Command, ctx: CommandContext): void {
  const cmd = group
    .command('nginx')
    .description('answer nginx auth_request checks from the decisions (see --print-config for the nginx side)')
    .option('--listen <host:port>', 'address of the check endpoint nginx asks', '127.0.0.1:8089')
    .addOption(new Option('--cache-time <duration>', 'how long nginx may cache an answer per client').argParser(secondsArg).default(10, '10s'))
    .addOption(new Option('--client-header <name>', 'header with the client address (an X-Forwarded-For list is read from the right, past --trusted-proxies)').argParser(headerArg).default('x-real-ip', 'X-Real-IP'))
    .addOption(new Option('--trusted-proxies <ranges>', 'proxies (addresses, ranges, comma-separated) whose X-Forwarded-For entries are skipped').argParser(rangesArg).default([], 'none'))
    .option('--ban-page <file>', 'HTML shown to banned clients (default: a built-in page)')
    .option('--captcha-page <file>', 'HTML shown to clients under a captcha decision (no captcha validation is built in)')
    .option('--print-config', 'print the nginx configuration to include, then exit')
    .option('--cache-path <dir>', 'nginx cache directory in the printed configuration', '/var/cache/nginx/crowdwatch');
  addStreamOptions(cmd, 'ban,captcha').action(async (o: NginxFlags) => {
    const listen = parseListen(o.listen);
    if (o.printConfig) {
      const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
      ctx.io.stdout.write(nginxSnippet({ bouncer: `${host}:${listen.port}`, cacheSeconds: o.cacheTime, cachePath: o.cachePath }));
      return;
    }
    const log = stderrLogger(ctx.io.stderr);
    const stream = new DecisionStream(streamOptions(o, log, 'crowdwatch-nginx-bouncer/0.1.0'));
    const pages = { ban: page(o.banPage, DEFAULT_BAN_PAGE, '--ban-page'), captcha: page(o.captchaPage, DEFAULT_CAPTCHA_PAGE, '--captcha-page') };
    const types = typeSet(o);
    const bouncer = new NginxBouncer({ types, clientHeader: o.clientHeader, trustedProxies: new IpRangeSet(o.trustedProxies), cacheSeconds: o.cacheTime, pages, log, verbose: o.verbose });
    const bound = await bouncer.listen(listen.host, listen.port);
    log(`nginx checks on http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}/crowdwatch/check (${[...types].join(', ')}; answers cached ${o.cacheTime}s)`);
    const stop = new AbortController();
    const stopped = stopSignal().then((signal) => {
      log(`${signal}: stopping`);
      stop.abort();
    });
    await stream.run((update) => bouncer.apply(update), stop.signal);
    await stopped;
    await bouncer.close();
  });
}
