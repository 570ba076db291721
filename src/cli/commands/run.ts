import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Command, Option } from 'commander';
import { type AcquisEntry, readAcquisition } from '../../acquisition';
import type { WatcherCredentials } from '../../api/client';
import { readCredentialsFile } from '../../agent/credentials';
import { lockDataDir, removePidFile, writePidFile, writeReloadStatus } from '../../agent/control';
import { type RunningDaemon, startDaemon } from '../../agent/daemon';
import { describeReload } from '../../agent/reload';
import { type ApiConfig, loadApiConfig, parseListen } from '../../config/api-config';
import { DEFAULT_MAX_LINE_BYTES } from '../../engine/options';
import { describeError, EXIT_OK } from '../errors';
import type { CommandContext } from '../io';
import { configFileOption, configOption, dataDirOption, maxLineBytesOption } from '../options';
import { createLogger } from '../../log/logger';
import { onReloadSignal, stopSignal } from '../signals';

interface RunFlags {
  dataDir?: string;
  configFile?: string;
  config?: string;
  listen?: string;
  acquis?: string;
  dsn?: string;
  type?: string;
  api: boolean;
  apiUrl?: string;
  machine?: string;
  password?: string;
  credentials?: string;
  maxLineBytes?: number;
  parallel?: boolean;
  metrics: boolean;
  metricsListen?: string;
  logFormat?: 'text' | 'json';
  crowdUrl?: string;
}

function usage(message: string): Error {
  return Object.assign(new Error(message), { code: 'CW_USAGE' });
}

/** `file:///var/log/auth.log` (CrowdSec's DSN form) as a one-shot, time-machine file source. */
export function dsnEntry(dsn: string, type: string | undefined): AcquisEntry {
  if (!type) throw usage('--dsn needs --type (the labels.type of the log)');
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw usage(`--dsn '${dsn}' is not a URL (expected file:///path/to/log)`);
  }
  if (url.protocol !== 'file:') throw usage(`--dsn '${dsn}': only file:// is supported`);
  const file = decodeURIComponent(url.pathname);
  return { source: 'file', name: dsn, origin: '--dsn', labels: { type }, filenames: [file], excludeRegexps: [], mode: 'cat' };
}

/** `--no-api`: where the agent sends its alerts, from flags or a CrowdSec credentials file. */
function remoteApi(o: RunFlags, config: ApiConfig): WatcherCredentials | undefined {
  if (o.api) {
    if (o.apiUrl || o.credentials) throw usage('--api-url and --credentials go with --no-api');
    return undefined;
  }
  if (o.credentials) return readCredentialsFile(path.resolve(o.credentials));
  if (!o.apiUrl && config.agent.credentialsFile) return readCredentialsFile(config.agent.credentialsFile);
  const password = o.password ?? process.env.CROWDWATCH_MACHINE_PASSWORD;
  if (!o.apiUrl || !o.machine || !password) throw usage('--no-api needs --credentials FILE, or --api-url, --machine and --password');
  return { url: o.apiUrl, machineId: o.machine, password };
}

function acquisitionOf(o: RunFlags, config: ApiConfig): AcquisEntry[] {
  if (o.dsn) return [dsnEntry(o.dsn, o.type)];
  const files = o.acquis ? [path.resolve(o.acquis)] : config.agent.acquisitionFiles;
  if (o.acquis && !fs.existsSync(files[0])) throw usage(`acquisition file not found: ${files[0]}`);
  const entries = readAcquisition(files, o.acquis ? [] : config.agent.acquisitionDirs);
  if (entries.length === 0) throw usage(`nothing to read: give --acquis FILE (CrowdSec's acquis.yaml format), --dsn, or put acquis.yaml in ${config.dataDir}`);
  return entries;
}

export function registerRun(program: Command, ctx: CommandContext): void {
  program
    .command('run')
    .description('the daemon: follow the logs of acquis.yaml, detect, and serve decisions through the local API')
    .addOption(dataDirOption())
    .addOption(configFileOption())
    .addOption(configOption())
    .option('--listen <host:port>', 'local API address (default 127.0.0.1:8080)')
    .option('--acquis <file>', "acquisition file in CrowdSec's acquis.yaml format (default: <data-dir>/acquis.yaml and acquis.d/)")
    .option('--dsn <url>', 'read one file (file:///path) in time-machine mode instead, then exit')
    .option('-t, --type <label>', 'labels.type for --dsn')
    .option('--no-api', 'no local API: push alerts to --api-url (or --credentials) as a machine')
    .option('--api-url <url>', 'the API to push to with --no-api')
    .option('--machine <id>', 'machine id with --no-api')
    .option('--password <password>', 'its password (default: $CROWDWATCH_MACHINE_PASSWORD)')
    .option('--credentials <file>', "CrowdSec's local_api_credentials.yaml (url, login, password) with --no-api")
    .addOption(maxLineBytesOption())
    .option('--parallel', 'parse on a second thread while the first pours (large batches; same alerts): for hosts whose logs outrun one core')
    .option('--crowd-url <url>', 'join this central server: share signals, apply its blocklist (crowd.url in config.yaml)')
    .option('--metrics-listen <host:port>', 'Prometheus endpoint (default: prometheus.listen_addr/listen_port, 127.0.0.1:6060)')
    .option('--no-metrics', 'no Prometheus endpoint')
    .addOption(new Option('--log-format <format>', 'log lines as text or JSON (default: common.log_format, text)').choices(['text', 'json']))
    .addOption(new Option('--tick-ms <ms>').hideHelp().argParser(Number))
    .addOption(new Option('--snapshot-ms <ms>').hideHelp().argParser(Number))
    .action(async (o: RunFlags & { tickMs?: number; snapshotMs?: number }) => {
      const readConfig = (): ApiConfig => {
        const c = loadApiConfig({ dataDir: o.dataDir, configFile: o.configFile, listen: o.listen, crowdUrl: o.crowdUrl });
        if (o.config) c.agent.contentDir = path.resolve(o.config);
        if (o.logFormat) c.log.format = o.logFormat;
        return c;
      };
      const config = readConfig();
      const metrics = !o.metrics || (!config.prometheus.enabled && !o.metricsListen) ? null : o.metricsListen ? parseListen(o.metricsListen) : config.prometheus;
      const acquisition = acquisitionOf(o, config);
      const logger = createLogger(config.log, ctx.io.stderr);
      const { log } = logger;
      for (const key of config.ignored) log(`${key}: a CrowdSec setting crowdwatch does not use (ignored)`, 'debug');
      for (const warning of config.warnings) log(warning, 'warning');
      // SIGHUP's default action kills the process: handle it from the start, act once running.
      let daemon: RunningDaemon | null = null;
      const stopReloads = onReloadSignal(async () => {
        // logrotate's postrotate sends SIGHUP too: the log file is opened again by its name.
        logger.reopen();
        if (!daemon) return log('SIGHUP while starting: ignored', 'warning');
        log('SIGHUP: reloading');
        try {
          const outcome = await daemon.reload();
          for (const warning of outcome.warnings) log(warning, 'warning');
          const summary = describeReload(outcome);
          log(`reloaded: ${summary}`);
          writeReloadStatus(config.dataDir, true, summary);
        } catch (error) {
          const message = describeError(error).message;
          log(`reload refused, still running the previous configuration: ${message}`, 'error');
          writeReloadStatus(config.dataDir, false, message);
        }
      });
      let unlock = (): void => undefined;
      try {
        const remote = remoteApi(o, config);
        unlock = lockDataDir(config.dataDir, remote ? ['agent'] : ['agent', 'api']);
        daemon = await startDaemon({
          config,
          acquisition,
          remote,
          mode: o.dsn ? 'time-machine' : 'live',
          maxLineBytes: o.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
          parallel: o.parallel === true,
          log,
          metrics,
          reread: () => {
            const c = readConfig();
            return { config: c, acquisition: acquisitionOf(o, c) };
          },
          ...(o.tickMs ? { tickMs: o.tickMs, pollMs: o.tickMs } : {}),
          ...(o.snapshotMs ? { snapshotMs: o.snapshotMs } : {}),
        });
        if (daemon.api) log(`local API listening on ${daemon.api.url}`);
        if (daemon.metrics) log(`metrics on ${daemon.metrics.url}`);
        log(`reading ${acquisition.map((a) => a.name).join(', ')}`);
        writePidFile(config.dataDir);
        const why = await Promise.race([stopSignal(), daemon.sourcesEnded().then(() => 'end of input')]);
        log(`${why}: stopping`);
        await daemon.stop();
        removePidFile(config.dataDir);
        log(`stopped: ${daemon.agent.alertsRaised} alert(s) raised, ${daemon.agent.pushed} pushed`);
      } finally {
        stopReloads();
        unlock();
        await logger.close();
      }
      ctx.exitCode = EXIT_OK;
    });
}
