//! `stats`: the engine's totals, and per scenario and per parser node what CrowdSec exports as
//! its `cs_bucket_*` and `cs_node_*` metrics. Read on demand; the hot path only increments.
use serde::Serialize;

use super::Engine;
use crate::bucket::metrics::ScenarioCounters;
use crate::line::Counters;
use crate::parser::metrics::NodeCounters;

#[derive(Debug, Serialize)]
pub struct Stats {
    pub live_buckets: usize,
    /// Scenarios loaded.
    pub scenario_count: usize,
    /// Totals since the engine was loaded (across reloads).
    pub counters: Counters,
    /// Every scenario, in load order.
    pub scenarios: Vec<ScenarioStats>,
    /// Every top-level parser node, by stage then in load order.
    pub parsers: Vec<ParserStats>,
    /// Grok matches where the backtracking matcher said no and the regex crate found one, in
    /// this process (`crowdwatch_grok::engine_disagreements`): the regex crate's answer was used.
    pub grok_engine_disagreements: u64,
}

#[derive(Debug, Serialize)]
pub struct ScenarioStats {
    pub name: String,
    #[serde(flatten)]
    pub counters: ScenarioCounters,
    /// Live buckets now (cs_buckets).
    pub current: usize,
}

#[derive(Debug, Serialize)]
pub struct ParserStats {
    pub stage: String,
    /// The node's `name`, or its file when it has none (as CrowdSec labels it).
    pub name: String,
    #[serde(flatten)]
    pub counters: NodeCounters,
}

impl Engine {
    pub fn stats(&self) -> Stats {
        let buckets = &self.buckets;
        let scenarios = buckets
            .scenarios
            .iter()
            .zip(&buckets.states)
            .map(|(sc, state)| ScenarioStats {
                name: sc.name.clone(),
                counters: state.counters,
                current: state.buckets.len(),
            })
            .collect();
        let pipeline = &self.pipeline;
        let parsers = pipeline
            .nodes
            .iter()
            .enumerate()
            .flat_map(|(si, nodes)| {
                nodes.iter().enumerate().map(move |(ni, node)| ParserStats {
                    stage: pipeline.stages[si].clone(),
                    name: node.metric_name().to_owned(),
                    counters: self.parser_counters.get(si, ni),
                })
            })
            .collect();
        Stats {
            live_buckets: buckets.live_buckets(),
            scenario_count: buckets.scenarios.len(),
            counters: self.totals,
            scenarios,
            parsers,
            grok_engine_disagreements: crowdwatch_grok::engine_disagreements(),
        }
    }
}
