//! Scenarios and their leaky buckets (spec §3).
pub mod build;
mod bytes;
pub mod condition;
pub mod index;
mod intern;
pub mod limiter;
pub mod live;
pub mod metrics;
pub mod overflow;
pub mod queued;
pub mod reload;
pub mod scenario;
pub mod snapshot;
pub mod source;
pub mod store;
pub mod table;
#[cfg(test)]
mod tests;

use crowdwatch_time::Timestamp;

use crate::alert::Alert;
use crate::event::{Event, EventKind, ExpectMode, OverflowInfo};
use index::ScenarioIndex;
use queued::QueueCodec;
use scenario::{Kind, Scenario};
use store::{Overflow, PourResult, ScenarioState};

/// How deep overflows may be re-poured (`reprocess`) before we stop: a guard against a
/// scenario whose own overflow matches its filter.
const MAX_REPROCESS_DEPTH: usize = 4;

/// Every scenario with its live buckets.
#[derive(Default)]
pub struct Buckets {
    pub scenarios: Vec<Scenario>,
    pub states: Vec<ScenarioState>,
    /// Which scenarios' filters an event can pass (by their leading guards).
    index: ScenarioIndex,
    /// What queued events are encoded with (interned meta keys and common values).
    codec: QueueCodec,
    /// The last MarshaledTime parsed and its value: lines of one second share it.
    last_time: (String, Option<Timestamp>),
    /// Events poured since the last garbage collection (time-machine mode collects every 5000
    /// events, as CrowdSec does).
    since_gc: usize,
    /// For each scenario, the one whose buckets it pours into: itself, or the first scenario
    /// with the same name and filter text. CrowdSec keys a bucket by (filter, groupby key, name),
    /// so two such scenarios share buckets, made and run by the first (its settings, its
    /// distinct), each event poured once per scenario.
    owners: Vec<usize>,
}

/// `Buckets::owners` for `scenarios`.
fn bucket_owners(scenarios: &[Scenario]) -> Vec<usize> {
    (0..scenarios.len())
        .map(|i| {
            let sc = &scenarios[i];
            scenarios[..i]
                .iter()
                .position(|o| o.name == sc.name && o.filter_text == sc.filter_text)
                .unwrap_or(i)
        })
        .collect()
}

/// Per-pour statistics.
#[derive(Default, Debug, Clone, Copy)]
pub struct PourStats {
    pub poured: bool,
    pub overflows: u64,
    pub errors: u64,
}

impl Buckets {
    pub fn new(scenarios: Vec<Scenario>) -> Buckets {
        let states = scenarios.iter().map(|_| ScenarioState::default()).collect();
        let index = ScenarioIndex::new(&scenarios);
        Buckets {
            owners: bucket_owners(&scenarios),
            scenarios,
            states,
            index,
            codec: QueueCodec::default(),
            last_time: (String::new(), None),
            since_gc: 0,
        }
    }

    pub fn live_buckets(&self) -> usize {
        self.states.iter().map(|s| s.buckets.len()).sum()
    }

    /// Pour a parsed event into every scenario; alerts of overflows go to `alerts`, and
    /// `trace` (when given) gets each scenario's outcome.
    pub fn pour_event(
        &mut self,
        evt: &Event,
        wall_now: Timestamp,
        alerts: &mut Vec<Alert>,
        trace: Option<&mut Vec<(usize, PourResult)>>,
    ) -> PourStats {
        let mut stats = PourStats::default();
        let (now, triggers_only) = match evt.expect_mode {
            ExpectMode::Live => (wall_now, false),
            // CrowdSec's time machine drops events without a parsable MarshaledTime, except
            // from triggers, which overflow at the wall-clock time instead.
            ExpectMode::TimeMachine => match self.cached_event_time(evt) {
                Some(t) => (t, false),
                None => (wall_now, true),
            },
        };
        let skip = |sc: &Scenario| triggers_only && sc.kind != Kind::Trigger;
        let mut overflows = Vec::new();
        let mut enc = self.codec.encoder(evt);
        match trace {
            // A trace reports every scenario, including those the index would skip.
            Some(t) => {
                for (si, sc) in self.scenarios.iter().enumerate() {
                    if skip(sc) {
                        continue;
                    }
                    let owner = self.owners[si];
                    let r = store::pour(
                        &self.scenarios[owner],
                        owner,
                        &mut self.states[owner],
                        &mut enc,
                        now,
                        &mut stats.errors,
                        &mut overflows,
                    );
                    stats.poured |= poured(r);
                    t.push((si, r));
                }
            }
            None => {
                for &si in self.index.candidates(evt) {
                    if skip(&self.scenarios[si]) {
                        continue;
                    }
                    let owner = self.owners[si];
                    let r = store::pour(
                        &self.scenarios[owner],
                        owner,
                        &mut self.states[owner],
                        &mut enc,
                        now,
                        &mut stats.errors,
                        &mut overflows,
                    );
                    stats.poured |= poured(r);
                }
            }
        }
        self.since_gc += 1;
        if evt.expect_mode == ExpectMode::TimeMachine && self.since_gc >= 5000 {
            self.collect_garbage(now, &mut overflows);
        }
        stats.overflows += overflows.len() as u64;
        self.emit(overflows, evt.expect_mode, wall_now, alerts, &mut stats, 0);
        stats
    }

    /// `event_time`, remembering the last text parsed (the parse is pure, so this is exact).
    fn cached_event_time(&mut self, evt: &Event) -> Option<Timestamp> {
        let (text, time) = &mut self.last_time;
        if *text != evt.marshaled_time {
            text.clear();
            text.push_str(&evt.marshaled_time);
            *time = event_time(evt);
        }
        *time
    }

    /// Remove underflowed buckets (and emit counters' timed overflows). Live mode calls this
    /// from the engine's tick; time-machine mode every 5000 events.
    pub fn collect_garbage(&mut self, now: Timestamp, out: &mut Vec<Overflow>) -> usize {
        self.since_gc = 0;
        let mut removed = 0;
        for (si, sc) in self.scenarios.iter().enumerate() {
            removed += store::collect_garbage(sc, si, &mut self.states[si], &self.codec, now, out);
        }
        removed
    }

    /// Turn overflows into alerts; re-pour those of `reprocess` scenarios as overflow events.
    pub fn emit(
        &mut self,
        overflows: Vec<Overflow>,
        mode: ExpectMode,
        wall_now: Timestamp,
        alerts: &mut Vec<Alert>,
        stats: &mut PourStats,
        depth: usize,
    ) {
        for o in overflows {
            let reprocess = self.scenarios[o.scenario].reprocess && depth < MAX_REPROCESS_DEPTH;
            if reprocess {
                for a in &o.alerts {
                    let evt = overflow_event(a, &o.key, mode);
                    let mut nested = Vec::new();
                    let now = if mode == ExpectMode::Live {
                        wall_now
                    } else {
                        event_time(&evt).unwrap_or(wall_now)
                    };
                    let mut enc = self.codec.encoder(&evt);
                    for (si, sc) in self.scenarios.iter().enumerate() {
                        store::pour(
                            sc,
                            si,
                            &mut self.states[si],
                            &mut enc,
                            now,
                            &mut stats.errors,
                            &mut nested,
                        );
                    }
                    stats.overflows += nested.len() as u64;
                    self.emit(nested, mode, wall_now, alerts, stats, depth + 1);
                }
            }
            alerts.extend(o.alerts);
        }
    }
}

fn poured(r: PourResult) -> bool {
    matches!(
        r,
        PourResult::Poured | PourResult::Overflowed | PourResult::Discarded
    )
}

/// The time a time-machine bucket sees: the event's MarshaledTime (RFC3339).
fn event_time(evt: &Event) -> Option<Timestamp> {
    if evt.marshaled_time.is_empty() {
        return None;
    }
    crowdwatch_time::parse_rfc3339(&evt.marshaled_time)
}

pub(crate) fn overflow_event(a: &Alert, key: &str, mode: ExpectMode) -> Event {
    let mut evt = Event::new(Default::default(), mode, Timestamp::default());
    evt.kind = EventKind::Overflow;
    evt.marshaled_time = a.stop_at.clone();
    evt.overflow = Some(Box::new(OverflowInfo {
        json: a.overflow_json(key),
        sources: vec![a.source.value.clone()],
        alert_sources: vec![a.source.clone()],
        whitelisted: false,
    }));
    evt
}
