//! Parser stages: CrowdSec's `s00-raw`, `s01-parse`, `s02-enrich` pipeline (spec §1.3).
pub mod build;
pub mod metrics;
pub mod node;
pub mod stash;
pub mod statics;
pub mod trace;
pub mod whitelist;

use metrics::ParserCounters;
use node::{Node, NodeError, Scratch};
use trace::Tracer;

use crate::event::Event;

/// The loaded parser tree: sorted stage names and, per stage, its top-level nodes in file-path
/// then document order.
#[derive(Default)]
pub struct Pipeline {
    pub stages: Vec<String>,
    pub nodes: Vec<Vec<Node>>,
    /// The caches nodes `stash:` into and `GetFromStash` reads (parser/stash.rs).
    pub stash: std::sync::Arc<stash::StashStore>,
    /// The GeoIP databases of the `GeoIpCity`, `GeoIpASN` and `IpToRange` methods.
    pub geoip: std::sync::Arc<crate::geoip::GeoIp>,
    /// The `reverse_dns` method's resolver, when a node uses it.
    pub rdns: std::sync::Arc<Option<crate::rdns::ReverseDns>>,
}

/// What happened to one line in the parsers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Went through every stage; ready for the buckets (unless whitelisted).
    Parsed,
    /// Some stage had no successful node: CrowdSec drops the line ("unparsed").
    Dropped { stage: usize },
    /// A static returned a type CrowdSec refuses: the line is dropped with an error.
    Failed { stage: usize },
}

impl Pipeline {
    /// Whether a node uses a GeoIP method (then the databases are opened at load).
    pub fn uses_geoip(&self) -> bool {
        self.any_static(&statics::Static::uses_geoip)
    }

    /// Whether a node uses the `reverse_dns` method.
    pub fn uses_reverse_dns(&self) -> bool {
        self.any_static(&|s: &statics::Static| {
            matches!(
                s.target,
                statics::Target::Method(statics::Method::ReverseDns)
            )
        })
    }

    fn any_static(&self, pred: &dyn Fn(&statics::Static) -> bool) -> bool {
        fn uses(n: &node::Node, pred: &dyn Fn(&statics::Static) -> bool) -> bool {
            n.statics.iter().any(pred)
                || n.grok.as_ref().is_some_and(|g| g.statics.iter().any(pred))
                || n.children.iter().any(|c| uses(c, pred))
        }
        self.nodes.iter().flatten().any(|n| uses(n, pred))
    }

    /// Run every stage on `evt`, following CrowdSec 1.4.6 `parser.Parse`. `counters`, when
    /// given, counts what each top-level node did (not given when explaining a line).
    pub fn parse<T: Tracer>(
        &self,
        evt: &mut Event,
        scratch: &mut Scratch,
        mut counters: Option<&mut ParserCounters>,
        tracer: &mut T,
        errors: &mut u64,
        mut on_stage: impl FnMut(usize, &mut T, Outcome),
    ) -> Outcome {
        if self.stages.is_empty() {
            return Outcome::Dropped { stage: 0 };
        }
        if !evt
            .stash
            .as_ref()
            .is_some_and(|s| std::sync::Arc::ptr_eq(s, &self.stash))
        {
            evt.stash = Some(self.stash.clone());
            evt.geoip = Some(self.geoip.clone());
            evt.rdns = Some(self.rdns.clone());
        }
        if evt.stage.is_empty() {
            evt.stage.push_str(&self.stages[0]);
        }
        for (idx, stage) in self.stages.iter().enumerate() {
            let current = self.stages.iter().position(|s| *s == evt.stage);
            if current.is_some_and(|c| c > idx) {
                continue;
            }
            if evt.stage != *stage {
                on_stage(idx, tracer, Outcome::Dropped { stage: idx });
                return Outcome::Dropped { stage: idx };
            }
            let mut stage_ok = false;
            for (ni, node) in self.nodes[idx].iter().enumerate() {
                if evt.stage != *stage {
                    break;
                }
                let visit = node.process(evt, &self.stages, scratch, tracer, errors);
                if let Some(c) = counters.as_mut() {
                    c.count(idx, ni, &visit);
                }
                match visit {
                    Ok(v) => {
                        let ok = v.succeeded();
                        stage_ok |= ok;
                        if ok && node.next_stage {
                            break;
                        }
                    }
                    Err(NodeError(_)) => {
                        on_stage(idx, tracer, Outcome::Failed { stage: idx });
                        return Outcome::Failed { stage: idx };
                    }
                }
            }
            if !stage_ok {
                on_stage(idx, tracer, Outcome::Dropped { stage: idx });
                return Outcome::Dropped { stage: idx };
            }
            on_stage(idx, tracer, Outcome::Parsed);
        }
        Outcome::Parsed
    }
}
