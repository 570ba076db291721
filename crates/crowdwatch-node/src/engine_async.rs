//! The async engine exports: the same work as `processBatch` and `tick`, queued on the handle's
//! engine thread (`engine_thread.rs`), in call order per source, each answering with a promise of the JSON
//! the sync call returns. Misuse found without the engine (a foreign handle, an argument of the
//! wrong type) throws `CW_ARG` at the call, as the sync exports do; what needs the engine (an
//! unknown source id) and a panic reject the promise with the same codes.
use crowdwatch_core::Timestamp;
use napi::bindgen_prelude::{ClassInstance, Object, Unknown};
use napi::Env;
use napi_derive::napi;

use crate::args;
use crate::batch_steps::BatchInSteps;
use crate::engine::{engine_handle, json, panic_allowed, stats_json, tick_time, EngineHandle};
use crate::engine_thread::in_one_turn;
use crate::error::{guard_untrimmed, Result};
use crate::lanes::Lane;

/// `processBatchAsync(handle, sourceId, lines)`: a promise of `processBatch`'s JSON. The lines
/// are copied into the call (~45 µs for 256 KiB here), so the caller may reuse or change its
/// Buffer as soon as the call returns, as a file follower does with its read buffer. On the
/// engine thread the batch runs a slice at a time, the other sources' calls between two slices
/// (`batch_steps.rs`); the answer is the one the whole batch gives.
#[napi(js_name = "processBatchAsync", catch_unwind)]
pub fn process_batch_async<'e>(
    env: &'e Env,
    handle: Unknown<'_>,
    source_id: Unknown<'_>,
    lines: Unknown<'_>,
) -> Result<Object<'e>> {
    guard_untrimmed(|| {
        let (handle, id, lines) = batch_args(handle, source_id, lines)?;
        let mut batch = BatchInSteps::new(id, lines);
        handle.submit(
            env,
            Lane::Source(id),
            Box::new(move |engine| batch.step(engine)),
        )
    })
}

/// A batch call's arguments: the handle, the source id and the lines (copied).
fn batch_args<'h>(
    handle: Unknown<'h>,
    source_id: Unknown<'_>,
    lines: Unknown<'_>,
) -> Result<(ClassInstance<'h, EngineHandle>, usize, Vec<u8>)> {
    let handle = engine_handle(handle)?;
    let id = args::source_id(source_id)?;
    let lines = args::bytes(lines)?.to_vec();
    Ok((handle, id, lines))
}

/// `tickAsync(handle, atUnixMs)`: a promise of `tick`'s JSON, run after the ticks queued before
/// it (in its own lane: buckets expire by the time given, not by which batches ran first).
#[napi(js_name = "tickAsync", catch_unwind)]
pub fn tick_async<'e>(env: &'e Env, handle: Unknown<'_>, at_ms: Unknown<'_>) -> Result<Object<'e>> {
    guard_untrimmed(|| {
        let handle = engine_handle(handle)?;
        let at = tick_time(at_ms)?;
        handle.submit(
            env,
            Lane::Tick,
            in_one_turn(move |engine| json(&engine.tick(at))),
        )
    })
}

/// `statsAsync(handle)`: a promise of `stats`'s JSON, read on the engine thread in a lane of its
/// own: between two slices of whatever runs, without waiting for what is queued (a metrics
/// scrape that waited for every queued batch held a quiet source's line up behind them).
#[napi(js_name = "statsAsync", catch_unwind)]
pub fn stats_async<'e>(env: &'e Env, handle: Unknown<'_>) -> Result<Object<'e>> {
    guard_untrimmed(|| {
        let handle = engine_handle(handle)?;
        handle.submit(env, Lane::Read, in_one_turn(|engine| stats_json(engine)))
    })
}

/// `__panicForTestAsync(handle, sourceId, lines)`: `__panicForTest` on the engine thread (runs
/// the batch, then panics with the engine locked), for test/engine/binding-async.test.ts: the
/// promise must reject with `CW_PANIC`, the process live on and the next call work. Refused with
/// `CW_ARG` unless `CROWDWATCH_TEST_PANIC` is `1`.
#[napi(js_name = "__panicForTestAsync", catch_unwind)]
pub fn panic_for_test_async<'e>(
    env: &'e Env,
    handle: Unknown<'_>,
    source_id: Unknown<'_>,
    lines: Unknown<'_>,
) -> Result<Object<'e>> {
    guard_untrimmed(|| {
        panic_allowed("__panicForTestAsync")?;
        let (handle, id, lines) = batch_args(handle, source_id, lines)?;
        handle.submit(
            env,
            Lane::Source(id),
            in_one_turn(move |engine| {
                engine.process_batch(id, &lines, Timestamp::now());
                panic!("__panicForTestAsync: a forced panic on the engine thread, engine locked");
            }),
        )
    })
}
