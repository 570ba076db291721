//! The engine thread: where `processBatchAsync` and `tickAsync` run, so the JS thread (the API,
//! the bouncers' long polls, metrics) is never held up by a batch.
//!
//! Each `EngineHandle` gets one thread, started by its first async call (replay, tests and the
//! CLI only make sync calls and never start one). Calls reach it through a channel and run one at
//! a time: those of one source (and ticks among themselves) in the order JS made them, the
//! sources in turn (`lanes.rs`), a batch a slice of its lines per turn (`batch_steps.rs`), so a
//! caller can have several batches in flight and still see each source's processed, and
//! answered, in line order, while a line of a quiet source does not wait behind a busy one's
//! backlog. Each call settles its own promise through Node-API's
//! thread-safe hand-back (napi-rs's `JsDeferred`). The thread ends when the handle is
//! garbage-collected and the calls queued before have run.
//!
//! Why a thread of our own rather than napi-rs's `AsyncTask` on libuv's pool: the pool runs
//! tasks in any order on any of its threads, so keeping line order would need a JS-side queue
//! (and a round trip through the event loop between batches); and the pool's four threads also
//! serve file reads and SQLite, which a batch would hold up. See ARCHITECTURE.md.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, OnceLock};

use crowdwatch_core::Engine;
use napi::bindgen_prelude::Object;
use napi::{Env, JsDeferred, JsError};

use crate::engine::lock_waiting;
use crate::error::{error, guard, Code, Result};
use crate::lanes::{Lane, Lanes};
use crate::priority::{lower_this_thread, ENGINE_THREAD_NICE};

/// What one turn of a call did: finished, with the call's JSON (or error), or more to do.
pub enum Step {
    Done(Result<String>),
    More,
}

/// What a call does with the engine, on the engine thread, one turn at a time: a batch runs a
/// slice of its lines per turn (`batch_steps.rs`), other calls finish in their first.
pub type Work = Box<dyn FnMut(&mut Engine) -> Step + Send>;

/// A call that finishes in one turn.
pub fn in_one_turn(work: impl FnOnce(&mut Engine) -> Result<String> + Send + 'static) -> Work {
    let mut work = Some(work);
    Box::new(move |engine| {
        Step::Done(match work.take() {
            Some(work) => work(engine),
            None => Err(error(Code::Internal, "a finished call ran again")),
        })
    })
}

/// Turns a call's outcome into its promise's settlement, on the JS thread.
type Settle = Box<dyn FnOnce(Env) -> napi::Result<String> + Send>;

struct Job {
    lane: Lane,
    work: Work,
    done: JsDeferred<String, Settle>,
}

/// The handle's side of its engine thread, started on first use.
#[derive(Default)]
pub struct EngineThread {
    jobs: OnceLock<Sender<Job>>,
    /// Calls sent and not yet finished; sync calls refuse to run while any are (`busy`).
    pending: Arc<AtomicUsize>,
}

impl EngineThread {
    /// Whether async calls are queued or running: a sync call now would overtake them or wait
    /// for them on the JS thread, so it is refused with `CW_BUSY` instead.
    pub fn busy(&self) -> bool {
        self.pending.load(Ordering::SeqCst) > 0
    }

    /// Queues `work` behind every call made before it in its lane; the promise settles with its
    /// JSON, or rejects with its `CW_*` error (`CW_PANIC` for a panic, after which the engine is
    /// usable).
    pub fn submit<'e>(
        &self,
        env: &'e Env,
        engine: &Arc<Mutex<Engine>>,
        lane: Lane,
        work: Work,
    ) -> Result<Object<'e>> {
        let jobs = self.jobs(engine)?;
        let (done, promise) = env
            .create_deferred::<String, Settle>()
            .map_err(|e| error(Code::Internal, e.reason.clone()))?;
        self.pending.fetch_add(1, Ordering::SeqCst);
        if let Err(mpsc::SendError(job)) = jobs.send(Job { lane, work, done }) {
            // The thread only ends once the handle is gone, so this is not expected; the
            // promise still settles.
            self.pending.fetch_sub(1, Ordering::SeqCst);
            job.done.resolve(settle(Err(error(
                Code::Internal,
                "the engine thread has stopped",
            ))));
        }
        Ok(promise)
    }

    fn jobs(&self, engine: &Arc<Mutex<Engine>>) -> Result<&Sender<Job>> {
        if let Some(jobs) = self.jobs.get() {
            return Ok(jobs);
        }
        let (tx, rx) = mpsc::channel::<Job>();
        let engine = Arc::clone(engine);
        let pending = Arc::clone(&self.pending);
        std::thread::Builder::new()
            .name("cw-engine".into())
            .spawn(move || {
                // Below the event loop's priority (`priority.rs`); where it cannot be lowered
                // it runs as before.
                let _ = lower_this_thread(ENGINE_THREAD_NICE);
                let mut lanes = Lanes::default();
                loop {
                    // Wait only when nothing is queued; then take in everything sent meanwhile,
                    // so a call that just arrived can have its turn before older ones.
                    if lanes.is_empty() {
                        let Ok(job) = rx.recv() else { break };
                        lanes.push(job.lane, job);
                    }
                    while let Ok(job) = rx.try_recv() {
                        lanes.push(job.lane, job);
                    }
                    let Some(mut job) = lanes.pop() else {
                        continue;
                    };
                    let outcome = match guard(|| Ok((job.work)(&mut lock_waiting(&engine)))) {
                        Ok(Step::More) => {
                            // Back at the head of its lane, which waits for its next turn
                            // (before any call of that lane received after this one).
                            lanes.requeue(job.lane, job);
                            continue;
                        }
                        Ok(Step::Done(outcome)) => outcome,
                        Err(panicked) => Err(panicked),
                    };
                    // Finished before the promise settles: code after an `await` may call a
                    // sync export at once.
                    pending.fetch_sub(1, Ordering::SeqCst);
                    job.done.resolve(settle(outcome));
                }
            })
            .map_err(|e| {
                error(
                    Code::Internal,
                    format!("cannot start the engine thread: {e}"),
                )
            })?;
        // Calls come from the one JS thread, so nobody raced us to it.
        Ok(self.jobs.get_or_init(|| tx))
    }
}

/// A settlement that resolves with the JSON or rejects with the error object a sync call would
/// have thrown (same `code` and message).
fn settle(outcome: Result<String>) -> Settle {
    Box::new(move |env: Env| match outcome {
        Ok(json) => Ok(json),
        Err(e) => Err(napi::Error::from(JsError::from(e).into_unknown(env))),
    })
}
