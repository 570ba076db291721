//! The exported functions: decode arguments, call the core engine, encode results as JSON.
use std::path::PathBuf;
use std::sync::Mutex;

use crowdwatch_core::config::{load, LoadOptions, LoadReport};
use crowdwatch_core::event::{ExpectMode, FieldMap, Source};
use crowdwatch_core::{Engine, EngineOptions, Timestamp};
use serde::Deserialize;

use crate::boundary::{entry, Env, HandleType, JsError};
use crate::sys::{napi_callback_info, napi_env, napi_value};

/// What JS holds: the engine behind a lock (calls come from one JS thread; the lock makes a
/// re-entrant or cross-thread misuse an error instead of undefined behaviour).
struct Handle(Mutex<Engine>);

impl HandleType for Handle {
    const TAG: u64 = 0x6377_6174_6368_0001;
    const WHAT: &'static str = "an engine handle";
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Options {
    config_dirs: Vec<PathBuf>,
    #[serde(default)]
    base_patterns: Option<PathBuf>,
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

fn options(env: &Env, v: napi_value) -> Result<Decoded, JsError> {
    let text = env.string(v)?;
    let o: Options = serde_json::from_str(&text)
        .map_err(|e| JsError::new("CW_ARG", format!("engine options: {e}")))?;
    let mode = match o.mode.as_deref() {
        None | Some("replay") => ExpectMode::TimeMachine,
        Some("live") => ExpectMode::Live,
        Some(other) => {
            return Err(JsError::new(
                "CW_ARG",
                format!("engine options: unknown mode '{other}'"),
            ))
        }
    };
    Ok(Decoded {
        engine: EngineOptions {
            load: LoadOptions {
                config_dirs: o.config_dirs,
                base_patterns: o.base_patterns,
            },
            mode,
            max_line_bytes: o
                .max_line_bytes
                .unwrap_or(crowdwatch_core::engine::DEFAULT_MAX_LINE_BYTES),
        },
        parallel: o.parallel,
    })
}

pub(crate) fn json<T: serde::Serialize>(env: &Env, value: &T) -> Result<napi_value, JsError> {
    let text =
        serde_json::to_string(value).map_err(|e| JsError::new("CW_INTERNAL", e.to_string()))?;
    env.create_string(&text)
}

fn with_engine<R>(
    env: &Env,
    v: napi_value,
    f: impl FnOnce(&mut Engine) -> R,
) -> Result<R, JsError> {
    let handle: &Handle = env.external(v)?;
    let mut engine = handle
        .0
        .try_lock()
        .map_err(|_| JsError::new("CW_BUSY", "the engine is already in use"))?;
    Ok(f(&mut engine))
}

fn source_id(env: &Env, v: napi_value) -> Result<usize, JsError> {
    let n = env.number(v)?;
    if n < 0.0 || n.fract() != 0.0 || n > u32::MAX as f64 {
        return Err(JsError::new("CW_ARG", "invalid source id"));
    }
    Ok(n as usize)
}

/// A load refused for errors: `CW_CONFIG`, the errors as text, every diagnostic as JSON.
fn config_error(report: &LoadReport) -> JsError {
    let errors: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == crowdwatch_core::diag::Severity::Error)
        .map(|d| d.to_string())
        .collect();
    let mut e = JsError::new(
        "CW_CONFIG",
        format!("content failed to load:\n{}", errors.join("\n")),
    );
    e.json_property = Some((
        "diagnosticsJson",
        serde_json::to_string(&report.diagnostics).unwrap_or_default(),
    ));
    e
}

pub unsafe extern "C" fn load_engine(env: napi_env, info: napi_callback_info) -> napi_value {
    entry::<1>(env, info, |env, [opts]| {
        let opts = options(env, *opts)?;
        match Engine::load(&opts.engine) {
            Ok((mut engine, _report)) => {
                engine.set_parallel(opts.parallel);
                env.create_external(Handle(Mutex::new(engine)))
            }
            Err(report) => Err(config_error(&report)),
        }
    })
}

/// `reload(handle, optionsJson)`: switch the engine to new content, keeping the buckets of
/// unchanged scenarios; returns the ReloadReport. Content with errors throws as `loadEngine`
/// does and leaves the engine as it was.
pub unsafe extern "C" fn reload(env: napi_env, info: napi_callback_info) -> napi_value {
    entry::<2>(env, info, |env, [handle, opts]| {
        let opts = options(env, *opts)?;
        let reloaded = with_engine(env, *handle, |e| {
            e.set_parallel(opts.parallel);
            e.reload(&opts.engine)
        })?;
        match reloaded {
            Ok(report) => json(env, &report),
            Err(report) => Err(config_error(&report)),
        }
    })
}

pub unsafe extern "C" fn lint(env: napi_env, info: napi_callback_info) -> napi_value {
    entry::<1>(env, info, |env, [opts]| {
        let opts = options(env, *opts)?;
        json(env, &load(&opts.engine.load).report)
    })
}

pub unsafe extern "C" fn register_source(env: napi_env, info: napi_callback_info) -> napi_value {
    entry::<2>(env, info, |env, [handle, spec]| {
        let text = env.string(*spec)?;
        let s: SourceSpec = serde_json::from_str(&text)
            .map_err(|e| JsError::new("CW_ARG", format!("source: {e}")))?;
        let mut labels = FieldMap::default();
        for (k, v) in &s.labels {
            labels.set(k, v);
        }
        let id = with_engine(env, *handle, |e| {
            e.register_source(Source {
                labels,
                src: s.src,
                module: s.module,
            })
        })?;
        env.create_number(id as f64)
    })
}

pub unsafe extern "C" fn process_batch(env: napi_env, info: napi_callback_info) -> napi_value {
    entry::<3>(env, info, |env, [handle, source, buf]| {
        let id = source_id(env, *source)?;
        let bytes = env.buffer(*buf)?;
        let out = with_engine(env, *handle, |e| {
            if id >= e.source_count() {
                return Err(JsError::new("CW_ARG", "unknown source id"));
            }
            Ok(e.process_batch(id, bytes, Timestamp::now()))
        })??;
        json(env, &out)
    })
}

pub unsafe extern "C" fn explain(env: napi_env, info: napi_callback_info) -> napi_value {
    entry::<3>(env, info, |env, [handle, source, line]| {
        let id = source_id(env, *source)?;
        let line = env.string(*line)?;
        let trace = with_engine(env, *handle, |e| e.explain(id, &line, Timestamp::now()))?;
        match trace {
            Some(t) => json(env, &t),
            None => Err(JsError::new("CW_ARG", "unknown source id")),
        }
    })
}

pub unsafe extern "C" fn stats(env: napi_env, info: napi_callback_info) -> napi_value {
    entry::<1>(env, info, |env, [handle]| {
        let s = with_engine(env, *handle, |e| e.stats())?;
        json(env, &s)
    })
}

/// `tick(handle, atUnixMs)`: collect underflowed buckets (and emit counters' timed overflows)
/// as of `atUnixMs`: the wall clock in live mode, any instant in a replay.
pub unsafe extern "C" fn tick(env: napi_env, info: napi_callback_info) -> napi_value {
    entry::<2>(env, info, |env, [handle, at_ms]| {
        let ms = env.number(*at_ms)?;
        let at = Some(ms)
            .filter(|ms| ms.is_finite())
            .and_then(|ms| {
                Timestamp::from_unix(
                    ms.div_euclid(1000.0) as i64,
                    (ms.rem_euclid(1000.0) * 1e6) as u32,
                )
            })
            .ok_or_else(|| {
                JsError::new(
                    "CW_ARG",
                    format!("tick: {ms} is not a time in milliseconds"),
                )
            })?;
        let alerts = with_engine(env, *handle, |e| e.tick(at))?;
        json(env, &alerts)
    })
}

/// `memory()`: the bytes Rust code holds on the heap in this process (all engines together),
/// and how many times freed heap was given back to the system (`trim`).
pub unsafe extern "C" fn memory(env: napi_env, info: napi_callback_info) -> napi_value {
    entry::<0>(env, info, |env, []| {
        json(
            env,
            &serde_json::json!({ "heapBytes": crate::heap::live_bytes(), "trims": crate::trim::trims() }),
        )
    })
}

/// `trimMemory()`: give free heap pages back to the system now (calls do it on their own after
/// freeing a lot); whether any were given back.
pub unsafe extern "C" fn trim_memory(env: napi_env, info: napi_callback_info) -> napi_value {
    entry::<0>(env, info, |env, []| {
        json(env, &serde_json::json!({ "released": crate::trim::trim() }))
    })
}
