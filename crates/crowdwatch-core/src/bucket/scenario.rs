//! A scenario as loaded: CrowdSec's BucketFactory (spec §3.1), compiled once.
use std::collections::BTreeMap;
use std::sync::Arc;

use crowdwatch_expr::Program;

use crate::config::fingerprint::Fingerprint;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Token bucket: starts full with `capacity` tokens, one token back per `leakspeed`.
    Leaky,
    /// Overflows on its first event.
    Trigger,
    /// Never overflows by tokens; emits everything it collected once idle for `duration`.
    Counter,
    /// Overflows when its `condition` over the queued events holds, checked at each pour; dies
    /// once idle for `leakspeed`.
    Conditional,
    /// Overflows when the posterior of its `bayesian_conditions` passes its threshold, computed
    /// at each pour; dies once idle for `leakspeed`.
    Bayesian,
}

/// A bayesian scenario's evidence: each condition moves the probability that the source is
/// evil, from the prior, by Bayes' rule (CrowdSec's float32 arithmetic).
pub struct Bayesian {
    pub prior: f32,
    pub threshold: f32,
    pub conditions: Vec<BayesianCondition>,
}

pub struct BayesianCondition {
    pub condition: Program,
    pub prob_given_evil: f32,
    pub prob_given_benign: f32,
    /// Once true, it counts as true for good, without being evaluated again (for the whole
    /// scenario, as CrowdSec's state lives in the scenario, not in a bucket).
    pub guillotine: bool,
}

pub enum ScopeKind {
    Ip,
    Range,
    /// Any other scope name (`user_account`...): the value comes from the scope expression.
    Custom(String),
}

pub struct Scope {
    pub kind: ScopeKind,
    pub expression: Option<Program>,
}

impl Scope {
    pub fn name(&self) -> &str {
        match &self.kind {
            ScopeKind::Ip => "Ip",
            ScopeKind::Range => "Range",
            ScopeKind::Custom(s) => s,
        }
    }
}

pub struct Scenario {
    pub name: String,
    pub file: Arc<str>,
    pub kind: Kind,
    pub capacity: i64,
    /// Nanoseconds; 0 for triggers and counters.
    pub leakspeed: i64,
    /// Go's rendering of the leakspeed ("10s"), as alerts carry it.
    pub leakspeed_text: String,
    /// Idle time after which a bucket dies: (capacity+1)·leakspeed, or `duration` for counters.
    pub lifetime: i64,
    pub filter: Program,
    /// The filter as written: CrowdSec keys a bucket by filter text, groupby key and name.
    pub filter_text: String,
    pub groupby: Option<Program>,
    pub distinct: Option<Program>,
    pub blackhole: i64,
    /// How many events an alert keeps (the queue holds this many plus the overflowing one).
    pub queue_len: usize,
    pub reprocess: bool,
    pub overflow_filter: Option<Program>,
    pub cancel_on: Option<Program>,
    /// `condition` of a conditional scenario (compiled against `bucket::condition`'s schema).
    pub condition: Option<Program>,
    pub bayesian: Option<Bayesian>,
    pub scope: Scope,
    pub labels: BTreeMap<String, String>,
    pub remediation: bool,
    pub hash: String,
    pub version: String,
    pub simulated: bool,
    /// Its definition (the YAML document and the data files it names): a reload keeps the live
    /// buckets of a scenario whose name and fingerprint are unchanged.
    pub fingerprint: Fingerprint,
}
