import type { Command } from 'commander';
import * as os from 'node:os';
import { randomBytes } from 'node:crypto';
import { crowdCredentials, CrowdSync } from '../../../crowd/sync';
import { EXIT_OK } from '../../errors';
import type { CommandContext } from '../../io';
import { configFileOption, dataDirOption, type ListFormat, listOutputOption } from '../../options';
import { writeJson } from '../../output/json';
import { formatPairs } from '../../output/table';
import { csv, type StoreFlags, usageError, withStore } from './with-store';

type Flags = StoreFlags & { output: ListFormat };

/** Runs one sync step against the configured central, in this process, on the shared store. */
async function withCrowd<T>(o: StoreFlags, work: (sync: CrowdSync) => Promise<T>): Promise<T> {
  return withStore(o, async (store, config) => {
    if (!config.crowd) throw usageError('no crowd: section in config.yaml (crowd.url: the central server)');
    const creds = await crowdCredentials(config.crowd, `${os.hostname()}-${randomBytes(4).toString('hex')}`);
    return work(new CrowdSync(store, creds, { allowlist: config.allowlist, log: () => undefined }));
  });
}

function print(ctx: CommandContext, output: ListFormat, record: Record<string, string | number | null>): void {
  if (output === 'json') writeJson(ctx.io.stdout, record);
  else if (output === 'raw') ctx.io.stdout.write(csv(Object.values(record).map((v) => v ?? '')));
  else ctx.io.stdout.write(formatPairs(Object.entries(record).map(([k, v]) => [k.replace(/_/g, ' '), String(v ?? '-')])));
}

export function registerCrowd(program: Command, ctx: CommandContext): void {
  const group = program.command('crowd').description('the community: signals shared with a central server, and its blocklist');
  const common = (c: Command): Command => c.addOption(listOutputOption()).addOption(dataDirOption()).addOption(configFileOption());
  common(group.command('status').description('the central, the push cursor, alerts waiting to be shared, the last pull'))
    .action(async (o: Flags) => {
      const s = await withCrowd(o, (sync) => sync.status());
      print(ctx, o.output, { url: s.url, pushed_alert_id: s.pushedAlertId, waiting: s.waiting, last_pull: s.lastPull });
      ctx.exitCode = EXIT_OK;
    });
  common(group.command('push-now').description('share the signals of alerts stored since the last push, now'))
    .action(async (o: Flags) => {
      print(ctx, o.output, { signals_pushed: await withCrowd(o, (sync) => sync.pushNow()) });
      ctx.exitCode = EXIT_OK;
    });
  common(group.command('pull-now').description('apply the community blocklist now (the whole list: a first pull)'))
    .action(async (o: Flags) => {
      const r = await withCrowd(o, (sync) => sync.pullNow());
      print(ctx, o.output, { added: r.added, removed: r.removed });
      ctx.exitCode = EXIT_OK;
    });
}
