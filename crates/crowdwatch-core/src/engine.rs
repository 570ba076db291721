//! The engine: content loaded once, then batches of lines in, alerts out.
use std::sync::Arc;

use crowdwatch_time::Timestamp;
use serde::Serialize;

use crate::alert::Alert;
use crate::bucket::Buckets;
use crate::config::{load, LoadOptions, LoadReport};
use crate::event::{Event, ExpectMode, Source};
use crate::line::{for_each_line, Counters};
use crate::parser::node::Scratch;
use crate::parser::trace::{NoTrace, NodeTrace, Recorder};
use crate::parser::{Outcome, Pipeline};
use crate::schema::EventContext;

pub const DEFAULT_MAX_LINE_BYTES: usize = 64 * 1024;

#[derive(Clone, Debug)]
pub struct EngineOptions {
    pub load: LoadOptions,
    pub mode: ExpectMode,
    pub max_line_bytes: usize,
}

pub struct Engine {
    pipeline: Pipeline,
    buckets: Buckets,
    mode: ExpectMode,
    max_line_bytes: usize,
    sources: Vec<Arc<Source>>,
    totals: Counters,
    scratch: Scratch,
}

/// What one batch produced.
#[derive(Debug, Default, Serialize)]
pub struct BatchOutput {
    pub alerts: Vec<Alert>,
    pub counters: Counters,
}

#[derive(Debug, Serialize)]
pub struct Stats {
    pub live_buckets: usize,
    pub scenarios: usize,
    pub counters: Counters,
}

#[derive(Debug, Serialize)]
pub struct StageTrace {
    pub stage: String,
    pub nodes: Vec<NodeTrace>,
    /// `next` when the line went on, `dropped` when no node of the stage succeeded.
    pub outcome: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ScenarioTrace {
    pub name: String,
    pub poured: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groupby: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EventView {
    pub meta: std::collections::BTreeMap<String, String>,
    pub parsed: std::collections::BTreeMap<String, String>,
    pub enriched: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct Trace {
    pub line: String,
    pub stages: Vec<StageTrace>,
    pub parsed: bool,
    pub whitelisted: bool,
    pub event: EventView,
    pub scenarios: Vec<ScenarioTrace>,
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
            pipeline: loaded.pipeline,
            buckets: Buckets::new(loaded.scenarios),
            mode: opts.mode,
            max_line_bytes: opts.max_line_bytes.max(1),
            sources: Vec::new(),
            totals: Counters::default(),
            scratch: Scratch::default(),
        };
        Ok((engine, loaded.report))
    }

    pub fn source_count(&self) -> usize {
        self.sources.len()
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
        let mut evt = Event::new(source, self.mode, now);
        let Engine { pipeline, buckets, max_line_bytes, scratch, .. } = self;
        let mut split = Counters::default();
        let counters = &mut out.counters;
        let alerts = &mut out.alerts;
        for_each_line(batch, *max_line_bytes, &mut split, |line| {
            evt.reset(line, now);
            let mut errors = 0;
            let outcome = pipeline.parse(&mut evt, scratch, &mut NoTrace, &mut errors, |_, _, _| {});
            if outcome != Outcome::Parsed {
                counters.unparsed += 1;
                counters.expr_errors += errors;
                return;
            }
            counters.parsed += 1;
            if evt.whitelisted {
                counters.whitelisted += 1;
                counters.expr_errors += errors;
                return;
            }
            let before = alerts.len();
            let stats = buckets.pour_event(&evt, now, alerts, None);
            counters.poured += stats.poured as u64;
            counters.overflows += stats.overflows;
            counters.alerts += (alerts.len() - before) as u64;
            counters.expr_errors += errors + stats.errors;
        });
        out.counters.add(&split);
        self.totals.add(&out.counters);
        out
    }

    /// Live mode housekeeping: remove underflowed buckets and emit counters' timed overflows.
    pub fn tick(&mut self, now: Timestamp) -> Vec<Alert> {
        let mut overflows = Vec::new();
        self.buckets.collect_garbage(now, &mut overflows);
        let mut alerts = Vec::new();
        let mut stats = Default::default();
        self.buckets.emit(overflows, self.mode, now, &mut alerts, &mut stats, 0);
        self.totals.alerts += alerts.len() as u64;
        alerts
    }

    pub fn stats(&self) -> Stats {
        Stats { live_buckets: self.buckets.live_buckets(), scenarios: self.buckets.scenarios.len(), counters: self.totals }
    }

    /// Trace one line through the parsers, and say which scenarios' filters accept it. Nothing
    /// is poured: explaining a line never changes live buckets.
    pub fn explain(&mut self, source_id: usize, line: &str, now: Timestamp) -> Option<Trace> {
        let source = self.sources.get(source_id)?.clone();
        let mut evt = Event::new(source, self.mode, now);
        evt.reset(line, now);
        let mut rec = Recorder::default();
        let mut stages = Vec::new();
        let mut errors = 0;
        let names = self.pipeline.stages.clone();
        let outcome = self.pipeline.parse(&mut evt, &mut self.scratch, &mut rec, &mut errors, |idx, rec: &mut Recorder, o| {
            stages.push(StageTrace {
                stage: names[idx].clone(),
                nodes: std::mem::take(&mut rec.finished),
                outcome: if o == Outcome::Parsed { "next" } else { "dropped" },
            });
        });
        let parsed = outcome == Outcome::Parsed;
        let mut scenarios = Vec::new();
        if parsed && !evt.whitelisted {
            let ctx = EventContext(&evt);
            for sc in &self.buckets.scenarios {
                if sc.filter.eval_bool(&ctx).unwrap_or(false) {
                    let groupby = sc.groupby.as_ref().and_then(|g| g.eval_string(&ctx).ok());
                    scenarios.push(ScenarioTrace { name: sc.name.clone(), poured: true, groupby });
                }
            }
        }
        let map = |m: &crate::event::FieldMap| m.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        Some(Trace {
            line: line.to_owned(),
            stages,
            parsed,
            whitelisted: evt.whitelisted,
            event: EventView { meta: map(&evt.meta), parsed: map(&evt.parsed), enriched: map(&evt.enriched) },
            scenarios,
        })
    }
}
