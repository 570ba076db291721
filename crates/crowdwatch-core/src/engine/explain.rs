//! `explain`: one line traced through the parsers, and the scenarios its event would reach.
use crowdwatch_time::Timestamp;
use serde::Serialize;

use super::Engine;
use crate::event::Event;
use crate::parser::trace::{NodeTrace, Recorder};
use crate::parser::Outcome;
use crate::schema::EventContext;

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
        let outcome = self.pipeline.parse(
            &mut evt,
            &mut self.scratch,
            None,
            &mut rec,
            &mut errors,
            |idx, rec: &mut Recorder, o| {
                stages.push(StageTrace {
                    stage: names[idx].clone(),
                    nodes: std::mem::take(&mut rec.finished),
                    outcome: if o == Outcome::Parsed {
                        "next"
                    } else {
                        "dropped"
                    },
                });
            },
        );
        let parsed = outcome == Outcome::Parsed;
        let mut scenarios = Vec::new();
        if parsed && !evt.whitelisted {
            let ctx = EventContext(&evt);
            for sc in &self.buckets.scenarios {
                let accepted = if sc.filter.writes() {
                    // What it writes (`evt.SetMeta`) only matters to a pour, and nothing is poured.
                    sc.filter.eval_bool_writing(&ctx, &mut Vec::new())
                } else {
                    sc.filter.eval_bool(&ctx)
                };
                if accepted.unwrap_or(false) {
                    let groupby = sc.groupby.as_ref().and_then(|g| g.eval_string(&ctx).ok());
                    scenarios.push(ScenarioTrace {
                        name: sc.name.clone(),
                        poured: true,
                        groupby,
                    });
                }
            }
        }
        let map = |m: &crate::event::FieldMap| {
            m.iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        };
        Some(Trace {
            line: line.to_owned(),
            stages,
            parsed,
            whitelisted: evt.whitelisted,
            event: EventView {
                meta: map(&evt.meta),
                parsed: map(&evt.parsed),
                enriched: map(&evt.enriched),
            },
            scenarios,
        })
    }
}
