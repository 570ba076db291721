// CrowdSec 1.4.6's Local API alone (`crowdsec -no-cs -no-capi`: no agent, no Central API) on a
// free 127.0.0.1 port, with its own config.yaml, sqlite database and data dir in a work dir.
// The replay runner (crowdsec.ts) starts it over a mirrored hub config; the API benchmark starts
// it on an empty one and fills it through cscli. cscli runs with the same config.yaml, so it
// writes the same database (bouncers, machines) and reaches the same API (decisions import).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freeLoopbackPort, httpStatus, runToCompletion, Server, sleep, tail, type RunResult } from './processes';
import { requireReference, type Reference } from './reference';

export type CrowdsecLogLevel = 'trace' | 'debug' | 'info' | 'warning' | 'error' | 'fatal';

export interface LapiOptions {
  reference?: Reference;
  /**
   * A work dir already holding `etc/` (the replay runner's mirrored config); missing LAPI files
   * are added. Without it a temp dir is made, and stop() deletes it.
   */
  workDir?: string;
}

/** One decision for `cscli decisions import` (its CSV columns). */
export interface ImportedDecision {
  duration: string;
  scope: string;
  value: string;
  type: string;
  reason: string;
}

/** The CSV `cscli decisions import` reads (crowdwatch's `decisions import` reads the same). Values hold no commas. */
export function importCsv(decisions: readonly ImportedDecision[]): string {
  const rows = decisions.map((d) => [d.duration, d.scope, d.value, d.type, d.reason].join(','));
  return `duration,scope,value,type,reason\n${rows.join('\n')}\n`;
}

export interface CrowdsecLapi {
  url: string;
  port: number;
  /** The config.yaml both the LAPI and cscli use. */
  configPath: string;
  /** The LAPI's log so far (last 4 MiB). */
  readonly output: string;
  /** `cscli -c <config> ...args`; throws with its output when it exits non-zero. */
  cscli(args: string[], timeoutMs?: number): Promise<RunResult>;
  addBouncer(name: string, key: string): Promise<void>;
  /**
   * A validated machine. Its credentials go to `credentialsFile`, by default the file cscli uses
   * to reach the LAPI (`etc/local_api_credentials.yaml`).
   */
  addMachine(name: string, password: string, credentialsFile?: string): Promise<void>;
  /** Through the LAPI, as the machine in cscli's credentials file (addMachine first). */
  importDecisions(decisions: ImportedDecision[], timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startCrowdsecLapi(opts: LapiOptions = {}): Promise<CrowdsecLapi> {
  const ref = opts.reference ?? requireReference();
  const work = opts.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'crowdwatch-lapi-'));
  const ownsWork = !opts.workDir;
  const env = crowdsecEnv(work);
  const configPath = path.join(work, 'config.yaml');
  const credentialsPath = path.join(work, 'etc', 'local_api_credentials.yaml');
  try {
    writeDefaultFiles(ref, work);
    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort();
      // The LAPI always logs at info: lapiReady() waits for its "listening" line.
      fs.writeFileSync(configPath, configYaml(ref, work, port, 'info'));
      const server = new Server(ref.crowdsecBin, ['-c', configPath, '-no-cs', '-no-capi'], { cwd: work, env });
      if (await lapiReady(server, port)) return lapiHandle(ref, server, { work, ownsWork, env, port, configPath, credentialsPath });
      await server.stop();
      // Another process may have taken the port between discovery and bind: try another.
      if (attempt < 3 && /address already in use/.test(server.output)) continue;
      throw new Error(`crowdsec LAPI did not start on 127.0.0.1:${port}:\n${tail(server.output)}`);
    }
  } catch (error) {
    if (ownsWork) fs.rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

interface HandleState {
  work: string;
  ownsWork: boolean;
  env: NodeJS.ProcessEnv;
  port: number;
  configPath: string;
  credentialsPath: string;
}

function lapiHandle(ref: Reference, server: Server, s: HandleState): CrowdsecLapi {
  const cscli = async (args: string[], timeoutMs = 60_000): Promise<RunResult> => {
    const r = await runToCompletion(ref.cscliBin, ['-c', s.configPath, ...args], { cwd: s.work, env: s.env, timeoutMs });
    if (r.code !== 0) throw new Error(`cscli ${args.slice(0, 2).join(' ')} failed (exit ${r.code ?? r.signal}):\n${tail(r.output)}`);
    return r;
  };
  return {
    url: `http://127.0.0.1:${s.port}`,
    port: s.port,
    configPath: s.configPath,
    get output() {
      return server.output;
    },
    cscli,
    async addBouncer(name, key) {
      await cscli(['bouncers', 'add', name, '--key', key]);
    },
    async addMachine(name, password, credentialsFile = s.credentialsPath) {
      await cscli(['machines', 'add', name, '--password', password, '-f', credentialsFile, '--force']);
    },
    async importDecisions(decisions, timeoutMs = 600_000) {
      const csv = path.join(s.work, `import-${process.hrtime.bigint()}.csv`);
      fs.writeFileSync(csv, importCsv(decisions));
      try {
        await cscli(['decisions', 'import', '-i', csv], timeoutMs);
      } finally {
        fs.rmSync(csv, { force: true });
      }
    },
    async stop() {
      await server.stop();
      if (s.ownsWork) fs.rmSync(s.work, { recursive: true, force: true });
    },
  };
}

/** HOME in the work dir (cscli writes there), and no proxy for loopback. */
export function crowdsecEnv(work: string): NodeJS.ProcessEnv {
  return { ...process.env, HOME: work, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
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

/** What config.yaml points at and is not there yet; profiles and simulation default to Debian's. */
export function writeDefaultFiles(ref: Reference, work: string): void {
  const etc = path.join(work, 'etc');
  for (const dir of [path.join(etc, 'notifications'), path.join(work, 'db'), path.join(work, 'data')]) fs.mkdirSync(dir, { recursive: true });
  for (const file of ['profiles.yaml', 'simulation.yaml']) {
    if (!fs.existsSync(path.join(etc, file))) fs.copyFileSync(path.join(ref.configTemplateDir, file), path.join(etc, file));
  }
  const acquis = path.join(etc, 'acquis.yaml');
  if (!fs.existsSync(acquis)) fs.writeFileSync(acquis, '# replay only: the agent reads -dsn\n');
}

export function configYaml(ref: Reference, work: string, port: number, logLevel: CrowdsecLogLevel): string {
  const q = (p: string) => JSON.stringify(p); // a JSON string is a valid YAML double-quoted scalar
  const etc = path.join(work, 'etc');
  return `# generated by crowdwatch's reference runner (src/reference/lapi.ts): offline, loopback only
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
