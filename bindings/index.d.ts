// Typed surface of the crowdwatch native engine (bindings/crowdwatch.node).
// The addon speaks JSON strings and Buffers; index.js decodes them into these shapes.

/** Options of `Engine.load` and `lint`, sent to the addon as one JSON object. */
export interface EngineOptions {
  /** Config dirs in the CrowdSec layout: parsers/sNN-*\/, scenarios/, patterns/, data/. */
  configDirs: string[];
  /** Our base grok library file (`scenarios/patterns/base`), loaded before any `patterns/` dir. */
  basePatterns?: string;
  /** 'replay' = time-machine (event time drives buckets); 'live' = wall clock. */
  mode: 'replay' | 'live';
  /** Lines longer than this are truncated by the engine and counted as `truncated`. */
  maxLineBytes?: number;
  /** Parse and pour batches of 64 KiB and more on two threads, in line order (same alerts). */
  parallel?: boolean;
  /**
   * GeoIP databases for `GeoIpCity`/`GeoIpASN`/`IpToRange` (the hub's geoip-enrich), used when no
   * config dir has CrowdSec's `data/GeoLite2-City.mmdb` / `data/GeoLite2-ASN.mmdb`: city MaxMind
   * DB files (GeoLite2 or ip-location-db layout), AS MaxMind DB files or ip-location-db `.csv`.
   */
  geoip?: { city?: string[]; asn?: string[] };
  /**
   * The `reverse_dns` method's name servers ("127.0.0.1:53"; default: /etc/resolv.conf's) and its
   * timeout per lookup in ms (default 3000, CrowdSec's). Answers are cached an hour, failures
   * five minutes.
   */
  reverseDns?: { servers?: string[]; timeoutMs?: number };
}

export type LintOptions = Omit<EngineOptions, 'mode'> & { mode?: EngineOptions['mode'] };

/** Per-batch (delta) or cumulative counters of the line pipeline. */
export interface Counters {
  lines: number;
  empty: number;
  invalid_utf8: number;
  truncated: number;
  parsed: number;
  unparsed: number;
  whitelisted: number;
  poured: number;
  overflows: number;
  alerts: number;
  expr_errors: number;
}

/** `source` of a CrowdSec alert (models.Source). */
export interface AlertSource {
  scope: string;
  value: string;
  ip?: string;
  range?: string;
  as_number?: string;
  as_name?: string;
  cn?: string;
  latitude?: number;
  longitude?: number;
}

export interface MetaItem {
  key: string;
  value: string;
}

export interface AlertEvent {
  timestamp: string;
  /** Sorted by key. */
  meta: MetaItem[];
}

/** A CrowdSec alert (models.Alert), as POSTed to /v1/alerts. See spec §3.3. */
export interface Alert {
  scenario: string;
  scenario_hash: string;
  scenario_version: string;
  message: string;
  events_count: number;
  /** RFC 3339 time of the first pour. */
  start_at: string;
  /** RFC 3339 time of the overflow. */
  stop_at: string;
  capacity: number;
  leakspeed: string;
  simulated: boolean;
  remediation: boolean;
  source: AlertSource;
  events: AlertEvent[];
  decisions: unknown[];
  /** Alert-level meta: empty in CrowdSec 1.4.6 alerts. */
  meta: MetaItem[];
  labels?: Record<string, string>;
}

export interface BatchResult {
  alerts: Alert[];
  /** Delta for this batch only. */
  counters: Counters;
  /** Time the engine spent on this batch (ms), on whichever thread ran it. */
  engineMs: number;
}

/** One scenario's buckets (CrowdSec's `cs_bucket_*` metrics), since it was loaded or last changed by a reload. */
export interface ScenarioStats {
  name: string;
  /** Events counted by a bucket: past the filter, `distinct` and `cancel_on`. */
  poured: number;
  /** Buckets created, an idle bucket started again by a new event included. */
  instantiated: number;
  /** Overflows, those a blackhole discards and counters' timed overflows included. */
  overflowed: number;
  /** Buckets that expired idle (garbage-collected, or started again by a late event). */
  underflowed: number;
  /** Live buckets now. */
  current: number;
}

/** One top-level parser node (CrowdSec's `cs_node_*` metrics). */
export interface ParserStats {
  stage: string;
  /** The node's `name`, or its file when it has none. */
  name: string;
  /** Events that reached the node and passed its filter. */
  hits: number;
  /** Hits the node succeeded on. */
  parsed: number;
  /** Hits the node failed on. */
  unparsed: number;
}

export interface Stats {
  live_buckets: number;
  /** Scenarios loaded. */
  scenario_count: number;
  /** Totals since the engine was loaded (across reloads). */
  counters: Counters;
  /** Every scenario, in load order. */
  scenarios: ScenarioStats[];
  /** Every top-level parser node, by stage then in load order. */
  parsers: ParserStats[];
  /** Grok matches where the backtracking matcher and the regex crate disagreed in this process (the regex crate answered). */
  grok_engine_disagreements: number;
  /** Whether the parallel mode is on (`parallel` of the last load or accepted reload). */
  parallel: boolean;
}

/** What `Engine.reload` did, by scenario name (in load order). */
export interface ReloadReport {
  /** Same name and definition: live buckets, blackholes and counters carried over. */
  kept: string[];
  /** Same name, changed definition: starts empty. */
  reset: string[];
  added: string[];
  /** Gone: their buckets are dropped. */
  removed: string[];
  /** The new content's warnings (errors refuse the reload). */
  warnings: Diagnostic[];
}

export interface FieldChange {
  field: string;
  value: string;
}

export interface TraceNode {
  name: string;
  file: string;
  matched: boolean;
  error?: string;
  changes: FieldChange[];
  children?: TraceNode[];
}

export interface TraceStage {
  stage: string;
  nodes: TraceNode[];
  outcome: 'next' | 'dropped';
}

export interface TraceScenario {
  name: string;
  poured: boolean;
  /** The bucket key (groupby value) the line was poured into. */
  groupby?: string;
  overflow?: boolean;
}

/** What happened to one line in each parser stage and which scenarios it reached. */
export interface Trace {
  line: string;
  stages: TraceStage[];
  parsed: boolean;
  whitelisted: boolean;
  event: {
    meta: Record<string, string>;
    parsed: Record<string, string>;
    enriched: Record<string, string>;
  };
  scenarios: TraceScenario[];
}

export interface Diagnostic {
  severity: 'error' | 'warning';
  /** What the problem concerns, so counts can be kept per kind. */
  item?: 'parser' | 'scenario' | 'pattern' | 'data' | 'config' | 'profile';
  file: string;
  /** 1-based; 0 when the problem concerns the whole file. */
  line: number;
  message: string;
}

export interface LoadCount {
  loaded: number;
  failed: number;
}

export interface LintReport {
  parsers: LoadCount;
  scenarios: LoadCount;
  patterns: LoadCount;
  diagnostics: Diagnostic[];
}

/** Labels of an acquisition source; `type` selects the parsers (CrowdSec `labels.type`). */
export interface SourceLabels {
  type: string;
  [label: string]: string;
}

export interface SourceHandle {
  readonly id: number;
  readonly labels: SourceLabels;
  readonly src?: string;
  readonly module?: string;
}

/**
 * Error codes: from the addon `CW_CONFIG` (with `diagnostics`), `CW_ARG` (misuse), `CW_BUSY` (a
 * sync call while async calls are pending),
 * `CW_PANIC`, `CW_INTERNAL`; from this loader `CW_NATIVE_MISSING`, `CW_NATIVE_LOAD`, `CW_PROTOCOL`.
 */
export interface EngineError extends Error {
  code: string;
  diagnostics?: Diagnostic[];
}

export declare class Engine {
  private constructor();
  /** Loads parsers, scenarios and patterns; throws an EngineError `CW_CONFIG` on any load failure. */
  static load(options: EngineOptions): Engine;
  /**
   * Loads new content and switches to it (SIGHUP). A scenario whose name and definition (its
   * YAML document and the data files it names) are unchanged keeps its live buckets, blackholes
   * and counters; others start empty; a change of `mode` keeps no bucket. Sources stay valid and
   * totals carry over. Throws an EngineError `CW_CONFIG` (with `diagnostics`) when the new
   * content has errors, leaving the engine as it was.
   */
  reload(options: EngineOptions): ReloadReport;
  /** Registers an acquisition source; lines of one source share its labels. */
  source(labels: SourceLabels, src?: string, module?: string): SourceHandle;
  /**
   * Runs newline-separated lines (ending at a line boundary) through parsers and buckets. Throws
   * `CW_BUSY` while async calls are pending on this engine, as every sync method does.
   */
  processBatch(source: SourceHandle, lines: Uint8Array): BatchResult;
  /**
   * `processBatch` on the engine's own thread, so the event loop stays free while it runs. Async
   * calls (`processBatchAsync`, `tickAsync`) run one at a time: one source's batches in the order
   * they were made, and so are their promises settled; the sources (and ticks) take turns, a
   * source with nothing queued going first, so a quiet source's line never waits behind a busy
   * one's backlog. The lines are copied at the call:
   * the caller may reuse its buffer at once. While any async call is pending, the sync methods
   * (`processBatch`, `tick`, `stats`, `source`, `explain`, `reload`) throw `CW_BUSY` instead of
   * overtaking it or waiting for it on the event loop: await the pending calls first.
   * Rejects with an EngineError: `CW_ARG` (misuse, an unknown source), `CW_PANIC` (a bug: that
   * batch's output is lost, the engine stays usable).
   */
  processBatchAsync(source: SourceHandle, lines: Uint8Array): Promise<BatchResult>;
  /** Traces one line through the parsers and lists the scenarios whose filter accepts it; nothing is poured. */
  explain(source: SourceHandle, line: string): Trace;
  /**
   * Replays lines like `processBatch` (buckets keep their state) and answers what CrowdSec's
   * `-dump-data` records, for `crowdwatch hubtest`: every top-level parser node's result per
   * line, by stage and node name, and the overflow events (Go field names).
   */
  dumpBatch(source: SourceHandle, lines: Uint8Array): Dump;
  stats(): Stats;
  /**
   * Every scenario's live state (buckets with their queued events, blackholes), as bytes for
   * `restoreBuckets`, e.g. in another process after a restart.
   */
  snapshotBuckets(): Buffer;
  /**
   * Takes over the state of the snapshot's scenarios this engine has unchanged (same name and
   * fingerprint); `skipped` names the others, which start empty. Bytes that do not read, or a
   * snapshot of the other mode, throw `CW_ARG` and change nothing.
   */
  restoreBuckets(bytes: Uint8Array): { scenarios: number; buckets: number; skipped: string[] };
  /**
   * `snapshotBuckets` into `file` (atomically, fsync'd), on the engine thread: the event loop
   * does not wait. Call it with no batch in flight (the snapshot must describe whole batches).
   * A write that fails rejects with `CW_IO` and leaves the old file.
   */
  snapshotBucketsToFileAsync(file: string): Promise<{ bytes: number; ms: number }>;
  /** `restoreBuckets` of `file`, read on the engine thread (`CW_IO` if it cannot be read). */
  restoreBucketsFromFileAsync(file: string): Promise<{ scenarios: number; buckets: number; skipped: string[] }>;
  /**
   * `stats` on the engine's own thread, in a lane of its own: it is read between two slices of
   * the batch running, without waiting for the calls queued (see `processBatchAsync`).
   */
  statsAsync(): Promise<Stats>;
  /**
   * Expires buckets idle at `at` (default: the wall clock, as live mode needs; a replay may pass
   * any instant) and returns the alerts that produces (counters' timed overflows).
   */
  tick(at?: Date | number): Alert[];
  /** `tick` on the engine's own thread, after the ticks before it, taking its turn with the sources (see `processBatchAsync`). */
  tickAsync(at?: Date | number): Promise<Alert[]>;
}

/** CrowdSec's parser dump and bucket dump (`Engine.dumpBatch`), shaped as hubtest reads them. */
export interface Dump {
  /** stage → node name → one `{Evt, Success}` per line that reached the node; plus `success: {"": []}`. */
  parsers: Record<string, Record<string, { Evt: Record<string, unknown>; Success: boolean }[]>>;
  /** One overflow event (`{Type: 1, Overflow: {Alert, Sources, …}}`) per alert, in order. */
  overflows: Record<string, unknown>[];
}

/** One line of a hubtest assert file, evaluated (`evaluateAsserts`). */
export interface AssertOutcome {
  /** 1-based line number in the file. */
  line: number;
  expression: string;
  passed: boolean;
  /** Why the line could not be evaluated (compile or run-time error, not a condition). */
  error?: string;
  /** For a failed `x == y`: the value of `x`. */
  found?: string;
}

/**
 * Evaluates each non-empty line of a hubtest assert file (`parser.assert`, `scenario.assert`)
 * over `results`, with CrowdSec's helpers, `basename` and the Go getters of the dumped types.
 */
export declare function evaluateAsserts(text: string, results: unknown): AssertOutcome[];

/** What the store knows of an alert's target when the profiles run (GetDecisionsCount…). */
export interface DecisionHistory {
  value: string;
  /** Creation times (epoch ms) of every decision the value has had. */
  createdAtMs: number[];
  nowMs: number;
}

export interface ProfileDecision {
  profile: string;
  type: string;
  scope: string;
  value: string;
  duration_ns: number;
  origin: string;
  scenario: string;
  simulated: boolean;
}

export interface ProfileOutcome {
  matched: string[];
  decisions: ProfileDecision[];
  warnings: string[];
}

/** `profiles.yaml` compiled once; `evaluate` runs it on one alert (the API's JSON shape). */
export declare class Profiles {
  private constructor();
  /** Throws an EngineError `CW_CONFIG` (with `diagnostics`) on any problem in the file. */
  static load(file: string): Profiles;
  evaluate(alert: unknown, history: DecisionHistory): ProfileOutcome;
}

/** Every diagnostic of a profiles file (errors and warnings); never throws for content problems. */
export declare function lintProfiles(file: string): Diagnostic[];

/** Loads the whole config and reports every problem; never throws for content problems. */
export declare function lint(options: LintOptions): LintReport;

/**
 * Bytes the engine's Rust code holds on the heap in this process, all engines together, and how
 * many times freed heap was given back to the system (glibc's malloc_trim; 0 elsewhere).
 */
/**
 * An exclusive advisory lock (flock) on `file`, created if absent, held until `release()` or the
 * process ends (kill -9 included); null while another process, or another `lockFile` of the
 * same file, holds it. A file that cannot be opened or locked throws `CW_IO`.
 */
export declare function lockFile(file: string): { release(): void } | null;

export declare function nativeMemory(): { heapBytes: number; trims: number };

/**
 * Give free heap pages back to the system now. The addon already does so after any call that
 * freed a lot (a tick or batch whose garbage collection emptied many buckets); `released` says
 * whether pages were returned (always false where the allocator is not glibc's).
 */
export declare function trimMemory(): { released: boolean };

/** Absolute path of the addon file this loader looks for. */
export declare const addonPath: string;

/** Whether the addon file exists (does not load it). */
export declare function isAddonBuilt(): boolean;
