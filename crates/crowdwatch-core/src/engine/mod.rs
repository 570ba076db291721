//! The engine: content loaded once, then batches of lines in, alerts out.
use std::sync::Arc;

use crowdwatch_time::Timestamp;
use serde::Serialize;

use crate::alert::Alert;
use crate::bucket::Buckets;
use crate::config::{load, LoadOptions, LoadReport};
use crate::event::{Event, ExpectMode, Source};
use crate::line::{for_each_line, Counters};
use crate::parser::metrics::ParserCounters;
use crate::parser::node::Scratch;
use crate::parser::trace::{NoTrace, Tracer};
use crate::parser::{Outcome, Pipeline};

mod dump;
mod explain;
mod pipelined;
mod reload;
mod snapshot;
mod stats;

pub use explain::{EventView, ScenarioTrace, StageTrace, Trace};
pub use reload::ReloadReport;
pub use stats::{ParserStats, ScenarioStats, Stats};

pub const DEFAULT_MAX_LINE_BYTES: usize = 64 * 1024;

#[derive(Clone, Debug)]
pub struct EngineOptions {
    pub load: LoadOptions,
    pub mode: ExpectMode,
    pub max_line_bytes: usize,
}

pub struct Engine {
    pipeline: Pipeline,
    /// CrowdSec's postoverflows: stages each overflow goes through before it is an alert.
    postoverflows: Pipeline,
    parser_counters: ParserCounters,
    buckets: Buckets,
    mode: ExpectMode,
    max_line_bytes: usize,
    sources: Vec<Arc<Source>>,
    totals: Counters,
    scratch: Scratch,
    /// Parse and pour large batches on two threads (`engine/pipelined.rs`).
    parallel: bool,
    /// That mode's parsed-event chunks, kept for the next batch.
    chunks: Vec<pipelined::Chunk>,
}

/// What one batch produced.
#[derive(Debug, Default, Serialize)]
pub struct BatchOutput {
    pub alerts: Vec<Alert>,
    pub counters: Counters,
}

impl Engine {
    /// Load content. Any error-level diagnostic refuses the engine: a half-loaded detection
    /// setup would silently miss attacks.
    pub fn load(opts: &EngineOptions) -> Result<(Engine, LoadReport), LoadReport> {
        let loaded = load(&opts.load);
        if loaded.report.has_errors() {
            return Err(loaded.report);
        }
        let engine = Engine {
            parser_counters: ParserCounters::new(&loaded.pipeline),
            pipeline: loaded.pipeline,
            postoverflows: loaded.postoverflows,
            buckets: Buckets::new(loaded.scenarios),
            mode: opts.mode,
            max_line_bytes: opts.max_line_bytes.max(1),
            sources: Vec::new(),
            totals: Counters::default(),
            scratch: Scratch::default(),
            parallel: false,
            chunks: Vec::new(),
        };
        Ok((engine, loaded.report))
    }

    pub fn source_count(&self) -> usize {
        self.sources.len()
    }

    /// The parallel mode: batches of 64 KiB and more are parsed on a second thread while this
    /// one pours them, in line order (same alerts and counters; see `engine/pipelined.rs`).
    pub fn set_parallel(&mut self, parallel: bool) {
        self.parallel = parallel;
    }

    pub fn parallel(&self) -> bool {
        self.parallel
    }

    pub fn register_source(&mut self, source: Source) -> usize {
        self.sources.push(Arc::new(source));
        self.sources.len() - 1
    }

    /// Parse and pour every line of `batch` (newline-separated; see `line::for_each_line`).
    /// `now` is the acquisition time of the batch: bucket time in live mode, and the fallback
    /// date of lines without a parsable one.
    pub fn process_batch(&mut self, source_id: usize, batch: &[u8], now: Timestamp) -> BatchOutput {
        let mut out = BatchOutput::default();
        let Some(source) = self.sources.get(source_id).cloned() else {
            return out;
        };
        if self.parallel && batch.len() >= pipelined::MIN_PARALLEL_BYTES {
            let mut out = self.process_batch_pipelined(source, batch, now);
            let before = out.alerts.len();
            self.run_postoverflows(&mut out.alerts, &mut NoTrace);
            out.counters.alerts -= (before - out.alerts.len()) as u64;
            return out;
        }
        let mut evt = Event::new(source, self.mode, now);
        let Engine {
            pipeline,
            parser_counters,
            buckets,
            max_line_bytes,
            scratch,
            ..
        } = self;
        let mut split = Counters::default();
        for_each_line(batch, *max_line_bytes, &mut split, |line| {
            evt.reset(line, now);
            let mut errors = 0;
            let outcome = pipeline.parse(
                &mut evt,
                scratch,
                Some(&mut *parser_counters),
                &mut NoTrace,
                &mut errors,
                |_, _, _| {},
            );
            if count_parse(outcome, &evt, errors, &mut out.counters) {
                pour_counted(buckets, &evt, now, &mut out);
            }
        });
        out.counters.add(&split);
        let before = out.alerts.len();
        self.run_postoverflows(&mut out.alerts, &mut NoTrace);
        out.counters.alerts -= (before - out.alerts.len()) as u64;
        self.totals.add(&out.counters);
        out
    }

    /// Each alert as an overflow event through the postoverflow stages: a whitelisted one is
    /// dropped, and statics may have rewritten its source. No cost without postoverflows.
    pub(crate) fn run_postoverflows<T: Tracer>(&mut self, alerts: &mut Vec<Alert>, tracer: &mut T) {
        if self.postoverflows.stages.is_empty() || alerts.is_empty() {
            return;
        }
        let mode = self.mode;
        let (post, scratch) = (&self.postoverflows, &mut self.scratch);
        alerts.retain_mut(|alert| {
            let mut evt = crate::bucket::overflow_event(alert, "", mode);
            let mut errors = 0;
            post.parse(&mut evt, scratch, None, tracer, &mut errors, |_, _, _| {});
            let Some(overflow) = evt.overflow else {
                return true;
            };
            if overflow.whitelisted {
                return false;
            }
            if let Some(source) = overflow.alert_sources.into_iter().next() {
                alert.source = source;
            }
            true
        });
    }

    /// Live mode housekeeping: remove underflowed buckets and emit counters' timed overflows.
    pub fn tick(&mut self, now: Timestamp) -> Vec<Alert> {
        let mut overflows = Vec::new();
        self.buckets.collect_garbage(now, &mut overflows);
        let mut alerts = Vec::new();
        let mut stats = Default::default();
        self.buckets
            .emit(overflows, self.mode, now, &mut alerts, &mut stats, 0);
        self.run_postoverflows(&mut alerts, &mut NoTrace);
        self.totals.alerts += alerts.len() as u64;
        alerts
    }
}

/// Counts one parsed line and its expression errors; whether it goes on to the buckets (parsed
/// and not whitelisted). Shared by the sequential and the parallel path.
fn count_parse(outcome: Outcome, evt: &Event, errors: u64, counters: &mut Counters) -> bool {
    counters.expr_errors += errors;
    if outcome != Outcome::Parsed {
        counters.unparsed += 1;
        return false;
    }
    counters.parsed += 1;
    if evt.whitelisted {
        counters.whitelisted += 1;
        return false;
    }
    true
}

/// Pours one event and counts what it did.
fn pour_counted(buckets: &mut Buckets, evt: &Event, now: Timestamp, out: &mut BatchOutput) {
    let before = out.alerts.len();
    let stats = buckets.pour_event(evt, now, &mut out.alerts, None);
    out.counters.poured += stats.poured as u64;
    out.counters.overflows += stats.overflows;
    out.counters.alerts += (out.alerts.len() - before) as u64;
    out.counters.expr_errors += stats.errors;
}
