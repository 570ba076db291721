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
//  3. Start the Local API alone (startCrowdsecLapi in lapi.ts): `crowdsec -c cfg -no-cs -no-capi`;
//     wait until our process logs "CrowdSec Local API listening on 127.0.0.1:<port>" and GET
//     /health answers 200.
//  4. `cscli machines add <name> --password <pw> -f <tmp>/etc/local_api_credentials.yaml --force`
//     registers a validated watcher directly in the DB.
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
import { configYaml, crowdsecEnv, startCrowdsecLapi, writeDefaultFiles, type CrowdsecLapi, type CrowdsecLogLevel } from './lapi';
import { runToCompletion, tail } from './processes';
import { requireReference, type Reference } from './reference';

export { buildHubConfig, TARGET_COLLECTIONS, type BuildOptions, type HubConfig } from './hub';
export { startCrowdsecLapi, type CrowdsecLapi, type ImportedDecision } from './lapi';
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
  logLevel?: CrowdsecLogLevel;
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
  const env = crowdsecEnv(work);
  const run = (bin: string, args: string[], timeoutMs = 60_000, maxBytes?: number) =>
    runToCompletion(bin, args, { cwd: work, env, timeoutMs, maxBytes });
  let lapi: CrowdsecLapi | undefined;
  try {
    mirrorConfig(ref, loadHubIndex(ref.hubDir), path.resolve(configDir), work);
    // The agent's log level is the caller's choice (the LAPI's is always info).
    const agentCfg = path.join(work, 'config-agent.yaml');
    if (opts.externalLapi) {
      const { url, login, password } = opts.externalLapi;
      fs.writeFileSync(agentCfg, configYaml(ref, work, 0, opts.logLevel ?? 'info'));
      fs.writeFileSync(path.join(work, 'etc', 'local_api_credentials.yaml'), `url: ${url}\nlogin: ${login}\npassword: ${password}\n`);
    } else {
      lapi = await startCrowdsecLapi({ reference: ref, workDir: work });
      await lapi.addMachine(MACHINE, crypto.randomBytes(24).toString('hex'));
      fs.writeFileSync(agentCfg, configYaml(ref, work, lapi.port, opts.logLevel ?? 'info'));
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
    const list = await lapi.cscli(['alerts', 'list', '-o', 'json', '-l', '0']);
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
    if (fs.existsSync(own)) fs.copyFileSync(own, path.join(etc, file));
  }
  writeDefaultFiles(ref, work);
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
