import type { Command } from 'commander';
import * as fs from 'node:fs';
import { defaultCrowdConfig, loadApiConfig } from '../../../config/api-config';
import { crowdCredentials, CrowdSync, memberId } from '../../../crowd/sync';
import { EXIT_OK } from '../../errors';
import type { CommandContext } from '../../io';
import { configFileOption, dataDirOption, type ListFormat, listOutputOption } from '../../options';
import { writeJson } from '../../output/json';
import { formatPairs } from '../../output/table';
import { csv, type StoreFlags, usageError, withStore } from './with-store';

type Flags = StoreFlags & { output: ListFormat };

/**
 * Runs one sync step against this data dir's central, in this process, on the shared store. The
 * central is the one of `crowd:` in config.yaml, or else the one this data dir enrolled at (`crowd
 * enroll --url`, or `run|api --crowd-url`, which leave its credentials in the data dir).
 */
async function withCrowd<T>(o: StoreFlags, work: (sync: CrowdSync) => Promise<T>): Promise<T> {
  return withStore(o, async (store, config) => {
    const enrolled = defaultCrowdConfig(config.dataDir);
    const crowd = config.crowd ?? (fs.existsSync(enrolled.credentialsFile) ? enrolled : undefined);
    if (!crowd) {
      throw usageError(`not in a crowd: no crowd: section in config.yaml and no ${enrolled.credentialsFile} (crowdwatch crowd enroll --url URL, or run with --crowd-url URL)`);
    }
    const creds = await crowdCredentials(crowd, memberId());
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
  common(group.command('enroll').description('register at a central server once; its credentials go to <data-dir>/online_api_credentials.yaml').requiredOption('--url <url>', 'the central server').option('--token <token>', "the central's one-time enrollment token (crowdwatch central tokens add)"))
    .action(async (o: Flags & { url: string; token?: string }) => {
      const config = loadApiConfig({ dataDir: o.dataDir, configFile: o.configFile, crowdUrl: o.url });
      const crowd = { ...config.crowd!, ...(o.token ? { registrationToken: o.token } : {}) };
      const creds = await crowdCredentials(crowd, memberId());
      print(ctx, o.output, { member: creds.machineId, url: creds.url, credentials: crowd.credentialsFile });
      if (o.output === 'human') ctx.io.stdout.write(`next: add "crowd:\n  url: ${creds.url}" to config.yaml (or run with --crowd-url)\n`);
      ctx.exitCode = EXIT_OK;
    });
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
