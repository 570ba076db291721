// Flags every bouncer shares: where the local API is, the key, and which decisions to take.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { STREAM_DEFAULTS, type StreamOptions } from '../../../bouncers/common/decision-stream';
import { parseGoDuration } from '../../../time/go-duration';
import { usageError } from '../manage/with-store';

export interface StreamFlags {
  apiUrl?: string;
  apiKey?: string;
  poll: number;
  resync: number;
  origins?: string;
  scenariosContaining?: string;
  scenariosNotContaining?: string;
  types: string;
  verbose?: boolean;
}

export function durationArg(value: string): number {
  const ns = parseGoDuration(value, true);
  if (ns === null || ns <= 0) throw new InvalidArgumentError(`expected a duration such as 10s or 5m, got '${value}'`);
  return ns / 1e6;
}

/** `defaultTypes`: what `--types` is without the flag (nftables drops bans; others take more). */
export function addStreamOptions(cmd: Command, defaultTypes = 'ban'): Command {
  return cmd
    .addOption(new Option('--api-url <url>', 'local API (crowdwatch or CrowdSec)').env('CROWDWATCH_API_URL'))
    .addOption(new Option('--api-key <key>', 'bouncer API key (from `crowdwatch bouncers add`)').env('CROWDWATCH_API_KEY'))
    .addOption(new Option('--poll <duration>', 'pull period when the API does not push (CrowdSec)').argParser(durationArg).default(STREAM_DEFAULTS.pollMs, '10s'))
    .addOption(new Option('--resync <duration>', 'pull the full decision list and repair drift this often').argParser(durationArg).default(STREAM_DEFAULTS.resyncMs, '5m'))
    .option('--types <list>', 'decision types to enforce, comma-separated', defaultTypes)
    .option('--origins <list>', 'only decisions from these origins (crowdsec, cscli, CAPI, lists)')
    .option('--scenarios-containing <list>', 'only decisions whose scenario contains one of these words')
    .option('--scenarios-not-containing <list>', 'skip decisions whose scenario contains one of these words')
    .option('-v, --verbose', 'log every update');
}

function list(text: string | undefined): string[] | undefined {
  const items = text?.split(',').map((s) => s.trim()).filter(Boolean);
  return items?.length ? items : undefined;
}

export function streamOptions(o: StreamFlags, log: (m: string) => void, userAgent: string): StreamOptions {
  if (!o.apiUrl) throw usageError('--api-url is required (or CROWDWATCH_API_URL)');
  if (!o.apiKey) throw usageError('--api-key is required (or CROWDWATCH_API_KEY)');
  try {
    new URL(o.apiUrl);
  } catch {
    throw usageError(`--api-url '${o.apiUrl}' is not a URL`);
  }
  return {
    url: o.apiUrl,
    apiKey: o.apiKey,
    userAgent,
    pollMs: o.poll,
    waitMs: STREAM_DEFAULTS.waitMs,
    resyncMs: o.resync,
    scopes: STREAM_DEFAULTS.scopes,
    origins: list(o.origins),
    scenariosContaining: list(o.scenariosContaining),
    scenariosNotContaining: list(o.scenariosNotContaining),
    log,
  };
}

export function typeSet(o: StreamFlags): Set<string> {
  return new Set(list(o.types) ?? ['ban']);
}
