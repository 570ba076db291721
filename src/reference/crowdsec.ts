// Runs the real CrowdSec 1.4.6 (Debian's binaries, see scripts/fetch-reference.sh) in replay mode
// over a log file and returns the alerts it produced, so tests can compare crowdwatch with it.
//
// Procedure (all state in a fresh temp dir, all traffic on 127.0.0.1):
//  1. Mirror the config dir built by buildHubConfig() into `<tmp>/etc` the way an installed Debian
//     crowdsec looks: each file recognised as a hub item (type, stage, file name; see findHubItem)
//     is written to `<tmp>/hubview/<hub path>` and linked from `<tmp>/etc/<type>/[<stage>/]<file>`.
//     CrowdSec derives an item's name from the symlink target's `<author>/<file>`, and its
//     scenario_hash/scenario_version from the content's sha256 against `.index.json`; plain copies
//     would be "local" items with an empty hash and version. Non-hub files are copied as local
//     items. Patterns and data files are copied; profiles.yaml and simulation.yaml come from the
//     config dir when present, else from Debian's /etc/crowdsec.
//  2. Write `<tmp>/config.yaml` (and `config-agent.yaml`, differing only in log level): sqlite DB
//     in `<tmp>/db`, LAPI on a free 127.0.0.1 port, no `online_client` (no Central API),
//     prometheus disabled, logs on stdout, hub index read from Debian's offline hub (never
//     updated).
//  3. `cscli machines add <name> --password <pw> -f <tmp>/etc/local_api_credentials.yaml --force`
//     registers a validated watcher directly in the DB.
//  4. Start the Local API alone: `crowdsec -c cfg -no-cs -no-capi`; wait until our process logs
//     "CrowdSec Local API listening on 127.0.0.1:<port>" and GET /health answers 200.
//  5. Run the agent alone in time-machine mode: `crowdsec -c agent-cfg -no-api -no-capi -dsn
//     file://<abs log> -type <type> [-dump-data DIR]`. In 1.4.6 its output routine logs in to the
//     LAPI even here, posts overflows as alerts (profiles add decisions), and flushes its alert
//     cache before exiting once acquisition of the file is finished (~2 s for small files).
//  6. `cscli alerts list -o json -l 0` (through the LAPI) returns every stored alert: `raw`.
//  7. Stop the LAPI (SIGTERM, then SIGKILL) and delete the temp dir.
// Verified with strace (connect/sendto) that the three processes only connect to 127.0.0.1:<port>.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findHubItem, ITEM_TYPES, loadHubIndex, type HubIndex } from './hub';
import { freeLoopbackPort, httpStatus, runToCompletion, Server, sleep, tail } from './processes';
import { requireReference, type Reference } from './reference';

export { buildHubConfig, TARGET_COLLECTIONS, type BuildOptions, type HubConfig } from './hub';
export { findReference, isSkip, refDir, requireReference, type Reference, type ReferenceSkip } from './reference';

export interface ReferenceAlert {
  scenario: string;
  source_ip: string;
  events_count: number;
}

export interface ReplayResult {
  /** One entry per alert, sorted by scenario, source_ip, events_count. */
  alerts: ReferenceAlert[];
  /** Alerts exactly as `cscli alerts list -o json` prints them (LAPI models, with decisions). */
  raw: any[];
  /** The end (last 4 MiB) of the agent's log: parsers/scenarios loaded, overflows, errors. */
  agentLog: string;
  lapiLog: string;
  /** Set when keepWorkDir is true. */
  workDir?: string;
  /** Wall time of the agent's run (step 5): its load, the replay and its final flush. */
  agentMs: number;
}

export interface ReplayOptions {
  /** Agent run limit; default 10 minutes. */
  timeoutMs?: number;
  /** Keep the temp dir for inspection (its path is returned). */
  keepWorkDir?: boolean;
  /** Pass `-dump-data DIR` (parser-dump.yaml, bucketpour-dump.yaml, bucket-dump.yaml). */
  dumpDir?: string;
  /**
   * CrowdSec's log level (default info). As packaged, every HTTP event makes
   * http-path-traversal-probing log an error dumping the whole data-file library (~20 KB: its
   * `http_path_traversal.txt` is missing), so large nginx replays may prefer 'fatal'.
   */
  logLevel?: 'trace' | 'debug' | 'info' | 'warning' | 'error' | 'fatal';
  reference?: Reference;
  /**
   * Send the agent's alerts to this API (crowdwatch's) instead of starting CrowdSec's LAPI: the
   * machine must already be registered there. `raw` is then empty; read the alerts from that API.
   */
  externalLapi?: { url: string; login: string; password: string };
}

const MACHINE = 'crowdwatch-reference';

export async function runCrowdsecReplay(
  configDir: string,
  logFile: string,
  type: string,
  opts: ReplayOptions = {},
): Promise<ReplayResult> {
  const ref = opts.reference ?? requireReference();
  const logPath = path.resolve(logFile);
  if (!fs.existsSync(logPath)) throw new Error(`no such log file: ${logPath}`);
  if (logPath.includes('?')) throw new Error(`crowdsec DSNs cannot carry '?' in the path: ${logPath}`);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crowdwatch-ref-'));
  const env = { ...process.env, HOME: work, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
  const run = (bin: string, args: string[], timeoutMs = 60_000, maxBytes?: number) =>
    runToCompletion(bin, args, { cwd: work, env, timeoutMs, maxBytes });
  let lapi: Server | undefined;
  try {
    mirrorConfig(ref, loadHubIndex(ref.hubDir), path.resolve(configDir), work);
    // The LAPI always logs at info (lapiReady() waits for its "listening" line); the agent's
    // level is the caller's choice.
    const cfg = path.join(work, 'config.yaml');
    const agentCfg = path.join(work, 'config-agent.yaml');
    const credentials = path.join(work, 'etc', 'local_api_credentials.yaml');
    const password = crypto.randomBytes(24).toString('hex');

    if (opts.externalLapi) {
      const { url, login, password: pw } = opts.externalLapi;
      fs.writeFileSync(agentCfg, configYaml(ref, work, 0, opts.logLevel ?? 'info'));
      fs.writeFileSync(credentials, `url: ${url}\nlogin: ${login}\npassword: ${pw}\n`);
    }
    for (let attempt = 1; !lapi && !opts.externalLapi; attempt++) {
      const port = await freeLoopbackPort();
      fs.writeFileSync(cfg, configYaml(ref, work, port, 'info'));
      fs.writeFileSync(agentCfg, configYaml(ref, work, port, opts.logLevel ?? 'info'));
      const add = await run(ref.cscliBin, ['-c', cfg, 'machines', 'add', MACHINE, '--password', password, '-f', credentials, '--force']);
      if (add.code !== 0) throw new Error(`cscli machines add failed:\n${tail(add.output)}`);
      const server = new Server(ref.crowdsecBin, ['-c', cfg, '-no-cs', '-no-capi'], { cwd: work, env });
      if (await lapiReady(server, port)) {
        lapi = server;
      } else {
        await server.stop();
        // Another process may have taken the port between discovery and bind: try another.
        if (attempt < 3 && /address already in use/.test(server.output)) continue;
        throw new Error(`crowdsec LAPI did not start on 127.0.0.1:${port}:\n${tail(server.output)}`);
      }
    }

    const agentArgs = ['-c', agentCfg, '-no-api', '-no-capi', '-dsn', `file://${logPath}`, '-type', type];
    if (opts.dumpDir) {
      fs.mkdirSync(opts.dumpDir, { recursive: true });
      agentArgs.push('-dump-data', path.resolve(opts.dumpDir));
    }
    const agentStart = performance.now();
    const agent = await run(ref.crowdsecBin, agentArgs, opts.timeoutMs ?? 600_000, 4 << 20);
    const agentMs = performance.now() - agentStart;
    // A failed POST of the alert batch is only logged ("while pushing to api"); fail loudly rather
    // than compare against a partial alert set. (Invisible when logLevel is 'fatal'.)
    if (agent.code !== 0 || /level=fatal|while pushing to api/.test(agent.output)) {
      throw new Error(`crowdsec agent failed (exit ${agent.code ?? agent.signal}):\n${tail(agent.output)}`);
    }

    if (!lapi) return { alerts: [], raw: [], agentLog: agent.output, lapiLog: '', workDir: opts.keepWorkDir ? work : undefined, agentMs };
    const list = await run(ref.cscliBin, ['-c', cfg, 'alerts', 'list', '-o', 'json', '-l', '0']);
    if (list.code !== 0) throw new Error(`cscli alerts list failed:\n${tail(list.output)}`);
    const text = list.stdout.trim();
    const raw: any[] = text === '' || text === 'null' ? [] : JSON.parse(text);
    return {
      alerts: summarizeAlerts(raw),
      raw,
      agentLog: agent.output,
      lapiLog: lapi.output,
      workDir: opts.keepWorkDir ? work : undefined,
      agentMs,
    };
  } finally {
    await lapi?.stop();
    if (!opts.keepWorkDir) fs.rmSync(work, { recursive: true, force: true });
  }
}

export function summarizeAlerts(raw: any[]): ReferenceAlert[] {
  return raw
    .map((a) => ({
      scenario: String(a.scenario),
      source_ip: String(a.source?.ip || a.source?.value || ''),
      events_count: Number(a.events_count),
    }))
    .sort(
      (x, y) =>
        x.scenario.localeCompare(y.scenario) || x.source_ip.localeCompare(y.source_ip) || x.events_count - y.events_count,
    );
}

async function lapiReady(server: Server, port: number, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const listening = `Local API listening on 127.0.0.1:${port}`;
  while (Date.now() < deadline) {
    if (!server.alive) return false;
    // The log line proves the port is ours, not another LAPI's that happens to answer /health.
    if (server.output.includes(listening) && (await httpStatus(`http://127.0.0.1:${port}/health`)) === 200) {
      return server.alive;
    }
    await sleep(100);
  }
  return false;
}

/** Step 1 of the procedure: `<work>/etc` (symlinks into `<work>/hubview`), `<work>/data`. */
function mirrorConfig(ref: Reference, index: HubIndex, configDir: string, work: string): void {
  const etc = path.join(work, 'etc');
  for (const type of ITEM_TYPES) {
    const typeDir = path.join(configDir, type);
    if (!fs.existsSync(typeDir)) continue;
    const staged = type === 'parsers' || type === 'postoverflows';
    const groups = staged ? subdirs(typeDir).map((stage) => ({ stage, dir: path.join(typeDir, stage) })) : [{ stage: undefined, dir: typeDir }];
    for (const { stage, dir } of groups) {
      for (const file of yamlFiles(dir)) {
        const content = fs.readFileSync(path.join(dir, file));
        const dest = path.join(etc, type, stage ?? '', file);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        const hub = findHubItem(index, type, stage, file, content.toString('utf8'));
        if (hub) {
          const mirror = path.join(work, 'hubview', hub.item.path);
          fs.mkdirSync(path.dirname(mirror), { recursive: true });
          fs.writeFileSync(mirror, content);
          fs.symlinkSync(mirror, dest);
        } else {
          fs.writeFileSync(dest, content);
        }
      }
    }
  }
  copyDir(fs.existsSync(path.join(configDir, 'patterns')) ? path.join(configDir, 'patterns') : ref.patternsDir, path.join(etc, 'patterns'));
  copyDir(path.join(configDir, 'data'), path.join(work, 'data'));
  for (const file of ['profiles.yaml', 'simulation.yaml']) {
    const own = path.join(configDir, file);
    fs.copyFileSync(fs.existsSync(own) ? own : path.join(ref.configTemplateDir, file), path.join(etc, file));
  }
  fs.writeFileSync(path.join(etc, 'acquis.yaml'), '# replay only: the agent reads -dsn\n');
  fs.mkdirSync(path.join(etc, 'notifications'), { recursive: true });
  fs.mkdirSync(path.join(work, 'db'), { recursive: true });
}

function configYaml(ref: Reference, work: string, port: number, logLevel: string): string {
  const q = (p: string) => JSON.stringify(p); // a JSON string is a valid YAML double-quoted scalar
  const etc = path.join(work, 'etc');
  return `# generated by crowdwatch's reference runner (src/reference/crowdsec.ts): offline replay, loopback only
common:
  daemonize: false
  log_media: stdout
  log_level: ${logLevel}
  working_dir: ${q(work)}
config_paths:
  config_dir: ${q(etc + '/')}
  data_dir: ${q(path.join(work, 'data') + '/')}
  simulation_path: ${q(path.join(etc, 'simulation.yaml'))}
  hub_dir: ${q(ref.hubDir + '/')}
  index_path: ${q(path.join(ref.hubDir, '.index.json'))}
  notification_dir: ${q(path.join(etc, 'notifications') + '/')}
  plugin_dir: ${q(path.join(work, 'plugins') + '/')}
crowdsec_service:
  acquisition_path: ${q(path.join(etc, 'acquis.yaml'))}
  parser_routines: 1
cscli:
  output: json
db_config:
  log_level: ${logLevel}
  type: sqlite
  db_path: ${q(path.join(work, 'db', 'crowdsec.db'))}
  use_wal: true
api:
  client:
    insecure_skip_verify: false
    credentials_path: ${q(path.join(etc, 'local_api_credentials.yaml'))}
  server:
    log_level: ${logLevel}
    listen_uri: 127.0.0.1:${port}
    profiles_path: ${q(path.join(etc, 'profiles.yaml'))}
    trusted_ips:
      - 127.0.0.1
      - ::1
prometheus:
  enabled: false
`;
}

function subdirs(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

function copyDir(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  if (!fs.existsSync(from)) return;
  for (const file of fs.readdirSync(from)) {
    if (fs.statSync(path.join(from, file)).isFile()) fs.copyFileSync(path.join(from, file), path.join(to, file));
  }
}
