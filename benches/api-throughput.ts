// Local API figures in one run: live `GET /v1/decisions?ip=` requests per second and latency
// with N active decisions, stream startup time with N decisions, and alert ingestion per second.
// Each API runs alone as its own process on loopback (crowdwatch's, then with `--vs crowdsec`
// Debian's CrowdSec 1.4.6 LAPI) and gets the same load from this process (api-load.ts).
//
//   node dist/benches/api-throughput.js [--decisions 100000] [--requests 20000] [--concurrency 32]
//     [--alerts 5000] [--budget 60] [--vs crowdsec] [--json | -o json]
//
// --budget is seconds per phase and target: a phase starts no request after it and reports how
// many it completed (CrowdSec's live queries are slow enough to need it).
import { formatTable } from '../src/cli/output/table';
import { findReference, isSkip } from '../src/reference/reference';
import { measureApi, type ApiFigures, type LoadPlan } from './api-load';
import { startCrowdsec, startCrowdwatch, type RunningTarget } from './api-targets';
import { numberArg } from './args';

/** Loading CrowdSec's decisions (about 5 s for 100,000 on two cores) must end within this. */
const IMPORT_TIMEOUT_MS = 10 * 60_000;


function stringArg(names: string[]): string | undefined {
  const i = process.argv.findIndex((a) => names.includes(a));
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Measured {
  load: RunningTarget['load'];
  figures: ApiFigures;
}

/** How many times better crowdwatch is on each figure (> 1: crowdwatch better). */
interface Ratios {
  liveRequestsPerSec: number;
  liveP50: number;
  liveP99: number;
  streamStartup: number;
  ingestAlertsPerSec: number;
  load: number;
}

async function measure(start: () => Promise<RunningTarget>, plan: LoadPlan, say: (s: string) => void): Promise<Measured> {
  const target = await start();
  try {
    say(`  ${plan.decisions} decisions loaded in ${target.load.seconds.toFixed(1)} s (${target.load.how})`);
    return { load: target.load, figures: await measureApi(target, plan, say) };
  } finally {
    await target.stop();
  }
}

function ratios(ours: Measured, theirs: Measured): Ratios {
  const [o, t] = [ours.figures, theirs.figures];
  return {
    liveRequestsPerSec: o.live.requestsPerSec / t.live.requestsPerSec,
    liveP50: t.live.p50Ms / o.live.p50Ms,
    liveP99: t.live.p99Ms / o.live.p99Ms,
    streamStartup: t.stream.medianMs / o.stream.medianMs,
    ingestAlertsPerSec: o.ingest.alertsPerSec / t.ingest.alertsPerSec,
    load: theirs.load.seconds / ours.load.seconds,
  };
}

type Peer = Measured | { skipped: string } | undefined;

function report(plan: LoadPlan, ours: Measured, theirs: Peer, r: Ratios | undefined): string {
  const rows: Array<[string, (m: Measured) => string, keyof Ratios | undefined]> = [
    [`load ${plan.decisions} decisions  s`, (m) => m.load.seconds.toFixed(1), 'load'],
    ['GET /v1/decisions?ip=  req/s', ({ figures: f }) => f.live.requestsPerSec.toFixed(0), 'liveRequestsPerSec'],
    ['  p50 latency ms', ({ figures: f }) => f.live.p50Ms.toFixed(2), 'liveP50'],
    ['  p99 latency ms', ({ figures: f }) => f.live.p99Ms.toFixed(2), 'liveP99'],
    ['  queries completed', ({ figures: f }) => String(f.live.requests), undefined],
    ['  hits answered with the ban', ({ figures: f }) => `${f.live.hitsAnswered}/${f.live.hits}`, undefined],
    ['stream startup ms (median)', ({ figures: f }) => f.stream.medianMs.toFixed(0), 'streamStartup'],
    ['  startup size MiB', ({ figures: f }) => (f.stream.bytes / 1048576).toFixed(1), undefined],
    ['POST /v1/alerts  alerts/s', ({ figures: f }) => f.ingest.alertsPerSec.toFixed(0), 'ingestAlertsPerSec'],
    ['  alerts stored', ({ figures: f }) => String(f.ingest.alerts), undefined],
    ['  batches refused (sent again)', ({ figures: f }) => String(f.ingest.refusedBatches), undefined],
  ];
  const other = theirs && 'figures' in theirs ? theirs : undefined;
  const columns = [{ header: '' }, { header: 'crowdwatch', align: 'right' as const }];
  if (other) columns.push({ header: 'CrowdSec 1.4.6', align: 'right' }, { header: 'ratio', align: 'right' });
  const cells = rows.map(([name, value, key]) => {
    const row = [name, value(ours)];
    if (other) row.push(value(other), key && r ? `${r[key].toFixed(1)}x` : '');
    return row;
  });
  const head = `Local API, ${plan.decisions} active decisions, ${plan.concurrency} keep-alive connections (half hits), alerts in batches of ${plan.alertBatch} from ${plan.agents} agents\n`;
  const notes: string[] = [];
  notes.push(`load: ${ours.load.how}${other ? `; CrowdSec: ${other.load.how}` : ''}`);
  if (other) notes.push(`ratio: how many times better crowdwatch is (rates ours/theirs, times theirs/ours); planned ${plan.requests} queries and ${plan.alerts} alerts, ${plan.budgetMs / 1000} s budget per phase`);
  if (theirs && 'skipped' in theirs) notes.push(`CrowdSec skipped: ${theirs.skipped}`);
  return head + formatTable(columns, cells) + notes.map((n) => `${n}\n`).join('');
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json') || stringArg(['-o', '--output']) === 'json';
  const vs = stringArg(['--vs'])?.split(',') ?? [];
  const unknown = vs.filter((v) => v !== 'crowdsec');
  if (unknown.length > 0) throw new Error(`--vs: unknown peer ${unknown.join(', ')} (known: crowdsec)`);
  const plan: LoadPlan = {
    decisions: numberArg('--decisions', 100_000),
    requests: numberArg('--requests', 20_000),
    concurrency: numberArg('--concurrency', 32),
    alerts: numberArg('--alerts', 5000),
    alertBatch: 50,
    agents: 4,
    startups: 3,
    budgetMs: numberArg('--budget', 60) * 1000,
  };
  let midLine = false;
  const say = (s: string) => {
    if (!json) process.stderr.write(`${midLine ? '\n' : ''}${s}\n`);
    midLine = false;
  };
  const progress = (s: string) => {
    if (json || !process.stderr.isTTY) return;
    process.stderr.write(`\r${s}`);
    midLine = true;
  };

  say('crowdwatch:');
  const ours = await measure(() => startCrowdwatch(plan.decisions, progress), plan, say);
  let theirs: Peer;
  if (vs.includes('crowdsec')) {
    say('CrowdSec 1.4.6:');
    const reference = findReference();
    if (isSkip(reference)) {
      theirs = { skipped: reference.skip };
      say(`  skipped: ${reference.skip}`);
    } else {
      theirs = await measure(() => startCrowdsec(reference, plan.decisions, IMPORT_TIMEOUT_MS), plan, say);
    }
  }
  const r = theirs && 'figures' in theirs ? ratios(ours, theirs) : undefined;
  if (json) {
    process.stdout.write(`${JSON.stringify({ plan, crowdwatch: ours, crowdsec: theirs, vsCrowdsec: r }, null, 2)}\n`);
  } else {
    process.stdout.write(`\n${report(plan, ours, theirs, r)}`);
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
