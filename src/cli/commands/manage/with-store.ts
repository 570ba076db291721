import { type ApiConfig, loadApiConfig } from '../../../config/api-config';
import { parseIpRange } from '../../../store/ip-range';
import { Store } from '../../../store/store';
import type { AlertFilter } from '../../../store/types';
import { parseGoDuration } from '../../../time/go-duration';
import type { CliIO } from '../../io';

export interface StoreFlags {
  dataDir?: string;
  configFile?: string;
}

/** Opens the configured store for one management command and always closes it. */
export async function withStore<T>(flags: StoreFlags, work: (store: Store, config: ApiConfig) => Promise<T>): Promise<T> {
  const config = loadApiConfig({ dataDir: flags.dataDir, configFile: flags.configFile });
  const store = await Store.open(config.store);
  try {
    return await work(store, config);
  } finally {
    await store.close();
  }
}

/** cscli's AS column (Go's `Source.GetAsNumberName`): the number unless "0", then " " and the name. */
export function asNumberName(source: { as_number?: string; as_name?: string }): string {
  let out = '';
  if (source.as_number !== undefined && source.as_number !== '0') out += source.as_number;
  if (source.as_name) out += ` ${source.as_name}`;
  return out;
}

/** CSV cell quoting for `-o raw`. */
export function csv(cells: readonly (string | number | boolean)[]): string {
  return `${cells.map((c) => {
    const s = String(c);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(',')}\n`;
}

/** An error the CLI reports as a usage mistake (exit status 2). */
export function usageError(message: string): Error {
  return Object.assign(new Error(message), { code: 'CW_USAGE' });
}

/** `--ip`/`--range` (+ `--contained`) as a store filter, refused when it is no address. */
export function ipFlag(o: { ip?: string; range?: string; contained?: boolean }): { text: string; contains: boolean } | undefined {
  const text = o.ip ?? o.range;
  if (text === undefined) return undefined;
  if (parseIpRange(text) === null) throw usageError(`'${text}' is not an IP or range`);
  return { text, contains: !o.contained };
}

/** Deletes each named item, reporting each one; resolves to how many did not exist. */
export async function deleteNamed(names: string[], what: string, remove: (name: string) => Promise<boolean>, io: CliIO): Promise<number> {
  let missing = 0;
  for (const name of names) {
    if (await remove(name)) io.stdout.write(`${what} '${name}' deleted\n`);
    else {
      io.stderr.write(`crowdwatch: no ${what} named '${name}'\n`);
      missing += 1;
    }
  }
  return missing;
}

/** The alert filter flags shared by `alerts list/delete` and `decisions list`. */
export interface AlertFlags extends StoreFlags {
  ip?: string;
  range?: string;
  scope?: string;
  value?: string;
  scenario?: string;
  type?: string;
  origin?: string;
  since?: string;
  until?: string;
  contained?: boolean;
  all?: boolean;
}

function ago(flag: string, text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const ns = parseGoDuration(text, true);
  if (ns === null || ns < 0) throw usageError(`${flag} '${text}' is not a duration (e.g. 4h, 30d)`);
  return now - ns / 1e6;
}

/** Those flags as a store filter; without --all, crowd-blocklist (CAPI) alerts are left out. */
export function alertFilter(o: AlertFlags, now: number): AlertFilter {
  return {
    ip: ipFlag(o),
    scope: o.scope,
    value: o.value,
    scenario: o.scenario,
    decisionType: o.type,
    origin: o.origin,
    since: ago('--since', o.since, now),
    until: ago('--until', o.until, now),
    includeCapi: o.all ? undefined : false,
  };
}
