//! A reload's new scenarios replace the old ones; each unchanged scenario takes its old state
//! with it (`Engine::reload`).
use ahash::{AHashMap, AHashSet};

use super::index::ScenarioIndex;
use super::scenario::Scenario;
use super::store::ScenarioState;
use super::Buckets;

/// What became of the scenarios in a reload, by name, in load order.
#[derive(Debug, Default)]
pub struct ScenarioChanges {
    /// Same name and fingerprint: buckets, blackhole and counters carried over.
    pub kept: Vec<String>,
    /// Same name, another definition: starts empty.
    pub reset: Vec<String>,
    pub added: Vec<String>,
    /// Old names no new scenario has: their state is dropped.
    pub removed: Vec<String>,
}

impl Buckets {
    /// Replace the scenarios. A new scenario with the name and fingerprint of an old one takes
    /// over that one's whole state when `keep_state` is set; every other starts empty, and the
    /// state nobody takes is dropped.
    ///
    /// States are indexed by scenario position, and positions change between configs, so a
    /// state is moved by matching, never by position; the index of filter guards is rebuilt.
    /// What a bucket record refers to outside its scenario (the codec's interned meta keys,
    /// key sets and values) is engine-wide and stays: its ids are never reused or freed, so a
    /// moved bucket decodes to the same alert as before.
    pub fn replace_scenarios(
        &mut self,
        scenarios: Vec<Scenario>,
        keep_state: bool,
    ) -> ScenarioChanges {
        let old = std::mem::take(&mut self.scenarios);
        let mut old_states: Vec<Option<ScenarioState>> = std::mem::take(&mut self.states)
            .into_iter()
            .map(Some)
            .collect();
        let mut by_name: AHashMap<&str, Vec<usize>> = AHashMap::new();
        for (i, sc) in old.iter().enumerate() {
            by_name.entry(sc.name.as_str()).or_default().push(i);
        }
        let mut changes = ScenarioChanges::default();
        let mut states = Vec::with_capacity(scenarios.len());
        for sc in &scenarios {
            let Some(same_name) = by_name.get(sc.name.as_str()) else {
                changes.added.push(sc.name.clone());
                states.push(ScenarioState::default());
                continue;
            };
            let unchanged = same_name.iter().copied().find(|&i| {
                keep_state && old[i].fingerprint == sc.fingerprint && old_states[i].is_some()
            });
            match unchanged.and_then(|i| old_states[i].take()) {
                Some(state) => {
                    changes.kept.push(sc.name.clone());
                    states.push(state);
                }
                None => {
                    changes.reset.push(sc.name.clone());
                    states.push(ScenarioState::default());
                }
            }
        }
        let new_names: AHashSet<&str> = scenarios.iter().map(|sc| sc.name.as_str()).collect();
        let mut listed = AHashSet::new();
        changes.removed = old
            .iter()
            .filter(|sc| !new_names.contains(sc.name.as_str()) && listed.insert(sc.name.as_str()))
            .map(|sc| sc.name.clone())
            .collect();
        self.index = ScenarioIndex::new(&scenarios);
        self.owners = super::bucket_owners(&scenarios);
        self.scenarios = scenarios;
        self.states = states;
        changes
    }
}
