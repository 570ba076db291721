//! What each top-level parser node did: the numbers behind CrowdSec's `cs_node_hits_total`,
//! `cs_node_hits_ok_total` and `cs_node_hits_ko_total`. Counting is one increment per node an
//! event visits, into a vector laid out like `Pipeline::nodes`: no name lookup per line.
use serde::Serialize;

use super::node::{NodeError, Visit};
use super::Pipeline;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NodeCounters {
    /// Events that reached the node and passed its filter.
    pub hits: u64,
    /// Hits the node succeeded on.
    pub parsed: u64,
    /// Hits the node failed on (or that failed with an error inside it).
    pub unparsed: u64,
}

/// The counters of every top-level node, by stage index then node index.
#[derive(Default)]
pub struct ParserCounters {
    stages: Vec<Vec<NodeCounters>>,
}

impl ParserCounters {
    /// Zeroed counters shaped like `pipeline`.
    pub fn new(pipeline: &Pipeline) -> ParserCounters {
        ParserCounters {
            stages: pipeline
                .nodes
                .iter()
                .map(|nodes| vec![NodeCounters::default(); nodes.len()])
                .collect(),
        }
    }

    /// Count what node `node` of stage `stage` did with an event. An error only happens inside
    /// a node that was entered.
    #[inline]
    pub fn count(&mut self, stage: usize, node: usize, visit: &Result<Visit, NodeError>) {
        let c = &mut self.stages[stage][node];
        match visit {
            Ok(Visit::Filtered) => {}
            Ok(Visit::Succeeded) => (c.hits, c.parsed) = (c.hits + 1, c.parsed + 1),
            Ok(Visit::Failed) | Err(_) => (c.hits, c.unparsed) = (c.hits + 1, c.unparsed + 1),
        }
    }

    pub fn get(&self, stage: usize, node: usize) -> NodeCounters {
        self.stages[stage][node]
    }

    /// Counters for `new`, a reloaded pipeline: a node with the stage and metric name of a node
    /// of `old` continues its counts, as a Prometheus counter with the same labels would.
    pub fn carried_over(&self, old: &Pipeline, new: &Pipeline) -> ParserCounters {
        let mut out = ParserCounters::new(new);
        let mut taken: Vec<Vec<bool>> = old
            .nodes
            .iter()
            .map(|nodes| vec![false; nodes.len()])
            .collect();
        for (si, stage) in new.stages.iter().enumerate() {
            let Some(old_si) = old.stages.iter().position(|s| s == stage) else {
                continue;
            };
            for (ni, node) in new.nodes[si].iter().enumerate() {
                let same = old.nodes[old_si].iter().enumerate().position(|(oi, o)| {
                    !taken[old_si][oi] && o.metric_name() == node.metric_name()
                });
                if let Some(oi) = same {
                    taken[old_si][oi] = true;
                    out.stages[si][ni] = self.stages[old_si][oi];
                }
            }
        }
        out
    }
}
