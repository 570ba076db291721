//! The engine exports: decode arguments, call the core engine, encode results as one JSON string
//! per call. The engine lives in an `EngineHandle`, a `#[napi]` class JS holds as an opaque
//! handle (bindings/index.js wraps it in its `Engine`). These calls run on the JS thread; the
//! async ones (`engine_async.rs`) on the handle's engine thread (`engine_thread.rs`).
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};

use crowdwatch_core::config::{load, GeoIpFiles, LoadOptions, LoadReport, ReverseDnsOptions};
use crowdwatch_core::event::{ExpectMode, FieldMap, Source};
use crowdwatch_core::{Engine, EngineOptions, Timestamp};
use napi::bindgen_prelude::{ClassInstance, Object, ObjectFinalize, Unknown};
use napi::Env;
use napi_derive::napi;
use serde::{Deserialize, Serialize};

use crate::args;
use crate::engine_thread::{EngineThread, Work};
use crate::error::{config_error, drop_quietly, error, guard, guard_untrimmed, Code, Result};
use crate::lanes::Lane;

/// What JS holds: the engine behind a lock, shared with the handle's engine thread (which keeps
/// it alive until the calls queued before the handle was garbage-collected have run). A sync
/// call runs on the JS thread and only while no async call is queued or running (else
/// `CW_BUSY`), so it never waits for the lock there and never overtakes a batch queued before it.
#[napi(custom_finalize)]
pub struct EngineHandle {
    engine: Arc<Mutex<Engine>>,
    thread: EngineThread,
}

impl ObjectFinalize for EngineHandle {
    fn finalize(self, _env: Env) -> napi::Result<()> {
        drop_quietly(self);
        Ok(())
    }
}

#[napi]
impl EngineHandle {
    /// Handles come from `loadEngine` only; `new EngineHandle()` from JS is a misuse (napi-rs's
    /// default constructor would throw without a code).
    #[napi(constructor)]
    pub fn new() -> Result<Self> {
        Err(error(Code::Arg, "an engine handle comes from loadEngine"))
    }
}

impl EngineHandle {
    /// The engine, for the rest of the call.
    ///
    /// A panic in an earlier call (caught by `guard`, thrown as `CW_PANIC`) poisoned the lock;
    /// the engine is taken back and the poison cleared, so the handle keeps working. What the
    /// panic may have left: the lines of that batch before the failing one are poured and its
    /// output (alerts, counters) is lost, and at worst one scenario's bucket is left
    /// half-updated. That state is memory-safe (only safe Rust unwound through it), and the
    /// alternative, refusing every later call, turns one bad line into a detection outage that
    /// only a restart ends, losing every bucket; see ARCHITECTURE.md.
    pub(crate) fn lock(&self) -> Result<MutexGuard<'_, Engine>> {
        if self.thread.busy() {
            return Err(error(
                Code::Busy,
                "async calls are still running on this engine: await them before a synchronous call",
            ));
        }
        match self.engine.try_lock() {
            Ok(engine) => Ok(engine),
            Err(TryLockError::Poisoned(poisoned)) => Ok(recovered(&self.engine, poisoned)),
            Err(TryLockError::WouldBlock) => Err(error(Code::Busy, "the engine is already in use")),
        }
    }

    /// Queues `work` on the engine thread behind every async call made before it in `lane`; a
    /// promise of its JSON (see `engine_thread`).
    pub(crate) fn submit<'e>(&self, env: &'e Env, lane: Lane, work: Work) -> Result<Object<'e>> {
        self.thread.submit(env, &self.engine, lane, work)
    }
}

/// The engine for the engine thread. The lock is free whenever a job runs (a sync call takes it
/// only while no job is pending, and JS submits no job during a sync call), so this never waits
/// in practice; it blocks rather than fails to stay correct if that ever changes. A panic is
/// recovered from as in `lock`.
pub(crate) fn lock_waiting(engine: &Mutex<Engine>) -> MutexGuard<'_, Engine> {
    engine
        .lock()
        .unwrap_or_else(|poisoned| recovered(engine, poisoned))
}

/// The engine from a lock a panic poisoned, with the poison cleared (see `lock`).
fn recovered<'a>(
    engine: &'a Mutex<Engine>,
    poisoned: PoisonError<MutexGuard<'a, Engine>>,
) -> MutexGuard<'a, Engine> {
    let guard = poisoned.into_inner();
    engine.clear_poison();
    guard
}

pub(crate) fn engine_handle(v: Unknown<'_>) -> Result<ClassInstance<'_, EngineHandle>> {
    args::handle(v, "an engine handle")
}

/// `reverseDns` of the options JSON.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReverseDnsJson {
    #[serde(default)]
    servers: Vec<std::net::SocketAddr>,
    #[serde(default)]
    timeout_ms: u64,
}

/// `geoip` of the options JSON: database files, tried in order.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct GeoIpOptions {
    #[serde(default)]
    city: Vec<PathBuf>,
    #[serde(default)]
    asn: Vec<PathBuf>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Options {
    config_dirs: Vec<PathBuf>,
    #[serde(default)]
    base_patterns: Option<PathBuf>,
    /// GeoIP databases used when the config dirs' `data/` has no GeoLite2-City/ASN.mmdb.
    #[serde(default)]
    geoip: GeoIpOptions,
    /// `reverse_dns`: name servers ("127.0.0.1:5353") and a timeout per lookup.
    #[serde(default)]
    reverse_dns: ReverseDnsJson,
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    max_line_bytes: Option<usize>,
    /// Parse and pour large batches on two threads (`Engine::set_parallel`).
    #[serde(default)]
    parallel: bool,
}

/// The decoded options: what loading takes, and the engine's run-time switches.
struct Decoded {
    engine: EngineOptions,
    parallel: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceSpec {
    labels: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    src: String,
    #[serde(default)]
    module: String,
}

fn options(v: Unknown<'_>) -> Result<Decoded> {
    let text = args::string(v)?;
    let o: Options = serde_json::from_str(&text)
        .map_err(|e| error(Code::Arg, format!("engine options: {e}")))?;
    let mode = match o.mode.as_deref() {
        None | Some("replay") => ExpectMode::TimeMachine,
        Some("live") => ExpectMode::Live,
        Some(other) => {
            return Err(error(
                Code::Arg,
                format!("engine options: unknown mode '{other}'"),
            ))
        }
    };
    Ok(Decoded {
        engine: EngineOptions {
            load: LoadOptions {
                config_dirs: o.config_dirs,
                base_patterns: o.base_patterns,
                geoip: GeoIpFiles {
                    city: o.geoip.city,
                    asn: o.geoip.asn,
                    map_file: Some(crate::mapped::map_file),
                },
                reverse_dns: ReverseDnsOptions {
                    servers: o.reverse_dns.servers,
                    timeout_ms: o.reverse_dns.timeout_ms,
                },
            },
            mode,
            max_line_bytes: o
                .max_line_bytes
                .unwrap_or(crowdwatch_core::engine::DEFAULT_MAX_LINE_BYTES),
        },
        parallel: o.parallel,
    })
}

pub(crate) fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| error(Code::Internal, e.to_string()))
}

/// A load refused for errors: `CW_CONFIG`, the errors as text, every diagnostic as JSON.
fn load_refused(env: &Env, report: &LoadReport) -> crate::error::Error {
    let errors: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == crowdwatch_core::diag::Severity::Error)
        .map(|d| d.to_string())
        .collect();
    let diagnostics = serde_json::to_string(&report.diagnostics).unwrap_or_default();
    config_error(
        env,
        format!("content failed to load:\n{}", errors.join("\n")),
        diagnostics,
    )
}

/// `loadEngine(optionsJson)`: an engine handle, or `CW_CONFIG` listing every problem.
#[napi(js_name = "loadEngine", catch_unwind)]
pub fn load_engine(env: Env, options_json: Unknown<'_>) -> Result<EngineHandle> {
    guard(|| {
        let opts = options(options_json)?;
        match Engine::load(&opts.engine) {
            Ok((mut engine, _report)) => {
                engine.set_parallel(opts.parallel);
                Ok(EngineHandle {
                    engine: Arc::new(Mutex::new(engine)),
                    thread: EngineThread::default(),
                })
            }
            Err(report) => Err(load_refused(&env, &report)),
        }
    })
}

/// `reload(handle, optionsJson)`: switch the engine to new content, keeping the buckets of
/// unchanged scenarios; returns the ReloadReport. Content with errors throws as `loadEngine`
/// does and leaves the engine as it was, its parallel mode included: the options' switches are
/// applied only once the new content is in.
#[napi(catch_unwind)]
pub fn reload(env: Env, handle: Unknown<'_>, options_json: Unknown<'_>) -> Result<String> {
    guard(|| {
        let handle = engine_handle(handle)?;
        let opts = options(options_json)?;
        let mut engine = handle.lock()?;
        match engine.reload(&opts.engine) {
            Ok(report) => {
                engine.set_parallel(opts.parallel);
                json(&report)
            }
            Err(report) => Err(load_refused(&env, &report)),
        }
    })
}

/// `lint(optionsJson)`: the whole load report (every diagnostic); never throws for content.
#[napi(catch_unwind)]
pub fn lint(options_json: Unknown<'_>) -> Result<String> {
    guard(|| {
        let opts = options(options_json)?;
        json(&load(&opts.engine.load).report)
    })
}

/// `registerSource(handle, specJson)`: the new source's id.
#[napi(js_name = "registerSource", catch_unwind)]
pub fn register_source(handle: Unknown<'_>, spec_json: Unknown<'_>) -> Result<u32> {
    guard(|| {
        let handle = engine_handle(handle)?;
        let text = args::string(spec_json)?;
        let s: SourceSpec =
            serde_json::from_str(&text).map_err(|e| error(Code::Arg, format!("source: {e}")))?;
        let mut labels = FieldMap::default();
        for (k, v) in &s.labels {
            labels.set(k, v);
        }
        let id = handle.lock()?.register_source(Source {
            labels,
            src: s.src,
            module: s.module,
        });
        u32::try_from(id).map_err(|_| error(Code::Arg, "too many sources"))
    })
}

/// `processBatch(handle, sourceId, lines)`: one Buffer of newline-separated lines in, the
/// batch's alerts and counters out as one JSON string.
#[napi(js_name = "processBatch", catch_unwind)]
pub fn process_batch(
    handle: Unknown<'_>,
    source_id: Unknown<'_>,
    lines: Unknown<'_>,
) -> Result<String> {
    guard(|| {
        let handle = engine_handle(handle)?;
        let id = args::source_id(source_id)?;
        let bytes = args::bytes(lines)?;
        let mut engine = handle.lock()?;
        batch(&mut engine, id, &bytes)
    })
}

/// What a batch call answers: the engine's output, and the time it took the engine (the caller
/// cannot tell it from when the promise settles: the engine thread serves sources in turn).
#[derive(Serialize)]
pub(crate) struct BatchAnswer {
    #[serde(flatten)]
    pub(crate) output: crowdwatch_core::engine::BatchOutput,
    #[serde(rename = "engineMs")]
    pub(crate) engine_ms: f64,
}

/// `CW_ARG` unless `id` is one of the engine's sources (the engine would ignore the lines).
pub(crate) fn known_source(engine: &Engine, id: usize) -> Result<()> {
    if id >= engine.source_count() {
        return Err(error(Code::Arg, "unknown source id"));
    }
    Ok(())
}

/// One batch through the engine, as of now; its alerts, counters and engine time as JSON.
pub(crate) fn batch(engine: &mut Engine, id: usize, lines: &[u8]) -> Result<String> {
    known_source(engine, id)?;
    let started = std::time::Instant::now();
    let output = engine.process_batch(id, lines, Timestamp::now());
    json(&BatchAnswer {
        output,
        engine_ms: started.elapsed().as_secs_f64() * 1e3,
    })
}

/// `explain(handle, sourceId, line)`: the trace of one line; nothing is poured.
#[napi(catch_unwind)]
pub fn explain(handle: Unknown<'_>, source_id: Unknown<'_>, line: Unknown<'_>) -> Result<String> {
    guard(|| {
        let handle = engine_handle(handle)?;
        let id = args::source_id(source_id)?;
        let line = args::string(line)?;
        let trace = handle.lock()?.explain(id, &line, Timestamp::now());
        match trace {
            Some(t) => json(&t),
            None => Err(error(Code::Arg, "unknown source id")),
        }
    })
}

/// The engine's stats, and its run-time switch (so a refused reload can be seen to keep it).
#[derive(Serialize)]
struct StatsView<'a> {
    #[serde(flatten)]
    stats: &'a crowdwatch_core::engine::Stats,
    parallel: bool,
}

/// `stats(handle)`: totals, per scenario and per parser node, and whether the parallel mode is on.
#[napi(catch_unwind)]
pub fn stats(handle: Unknown<'_>) -> Result<String> {
    guard(|| {
        let handle = engine_handle(handle)?;
        let engine = handle.lock()?;
        stats_json(&engine)
    })
}

/// The `stats` answer for `engine`.
pub(crate) fn stats_json(engine: &Engine) -> Result<String> {
    json(&StatsView {
        stats: &engine.stats(),
        parallel: engine.parallel(),
    })
}

/// `tick(handle, atUnixMs)`: collect underflowed buckets (and emit counters' timed overflows)
/// as of `atUnixMs`: the wall clock in live mode, any instant in a replay.
#[napi(catch_unwind)]
pub fn tick(handle: Unknown<'_>, at_ms: Unknown<'_>) -> Result<String> {
    guard(|| {
        let handle = engine_handle(handle)?;
        let at = tick_time(at_ms)?;
        let alerts = handle.lock()?.tick(at);
        json(&alerts)
    })
}

/// The instant of a `tick` call, from epoch milliseconds.
pub(crate) fn tick_time(at_ms: Unknown<'_>) -> Result<Timestamp> {
    let ms = args::number(at_ms)?;
    Some(ms)
        .filter(|ms| ms.is_finite())
        .and_then(|ms| {
            Timestamp::from_unix(
                ms.div_euclid(1000.0) as i64,
                (ms.rem_euclid(1000.0) * 1e6) as u32,
            )
        })
        .ok_or_else(|| {
            error(
                Code::Arg,
                format!("tick: {ms} is not a time in milliseconds"),
            )
        })
}

/// `memory()`: the bytes Rust code holds on the heap in this process (all engines together),
/// and how many times freed heap was given back to the system (`trim`). A read on each metrics
/// scrape: it never trims itself (`guard_untrimmed`).
#[napi(catch_unwind)]
pub fn memory() -> Result<String> {
    guard_untrimmed(|| {
        json(
            &serde_json::json!({ "heapBytes": crate::heap::live_bytes(), "trims": crate::trim::trims() }),
        )
    })
}

/// `trimMemory()`: give free heap pages back to the system now (calls do it on their own after
/// freeing a lot); whether any were given back.
#[napi(js_name = "trimMemory", catch_unwind)]
pub fn trim_memory() -> Result<String> {
    guard(|| json(&serde_json::json!({ "released": crate::trim::trim() })))
}

/// `__panicForTest(handle, sourceId, lines)`: for test/engine/binding-contract.test.ts only.
/// Runs the batch and then panics while holding the engine, as a bug late in `processBatch`
/// would, so the test can check that the panic becomes `CW_PANIC` and the engine keeps working.
/// Refused with `CW_ARG`, touching nothing, unless the environment variable
/// `CROWDWATCH_TEST_PANIC` is `1` at the time of the call.
#[napi(js_name = "__panicForTest", catch_unwind)]
pub fn panic_for_test(
    handle: Unknown<'_>,
    source_id: Unknown<'_>,
    lines: Unknown<'_>,
) -> Result<()> {
    guard(|| {
        panic_allowed("__panicForTest")?;
        let handle = engine_handle(handle)?;
        let id = args::source_id(source_id)?;
        let bytes = args::bytes(lines)?;
        let mut engine = handle.lock()?;
        engine.process_batch(id, &bytes, Timestamp::now());
        panic!("__panicForTest: a forced panic with the engine locked");
    })
}

/// `CW_ARG` unless `CROWDWATCH_TEST_PANIC` is `1` now (the test-only panicking exports).
pub(crate) fn panic_allowed(export: &str) -> Result<()> {
    if std::env::var_os("CROWDWATCH_TEST_PANIC").is_none_or(|v| v != "1") {
        return Err(error(
            Code::Arg,
            format!("{export} is for tests: set CROWDWATCH_TEST_PANIC=1"),
        ));
    }
    Ok(())
}
