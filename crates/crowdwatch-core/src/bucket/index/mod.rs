//! Which scenarios an event can pour into, without evaluating every filter.
//!
//! Nearly every filter starts with a guard such as `evt.Meta.log_type == 'ssh_failed-auth'` or
//! `evt.Meta.log_type in ['http_access-log', 'http_error-log']` (`Program::equality_guards`).
//! Each scenario is indexed by its first guard: (map, key) -> accepted value -> scenarios. An
//! event is then offered only to the scenarios whose guard accepts it, plus those without a
//! guard. A skipped filter would have returned false at that guard without evaluating anything
//! else, so skipping it changes nothing; candidates keep the scenarios' order, in which their
//! overflows are emitted.
//!
//! Candidates whose filter needs a literal in some value are then kept only when one of their
//! literals occurs in it (`literals`): most http scenarios share the log_type guard, and most
//! of them look for a path or argument no ordinary request has.
mod literals;
#[cfg(test)]
mod tests;

use ahash::AHashMap;
use crowdwatch_expr::{Context, FieldId};

use super::scenario::Scenario;
use crate::event::Event;
use crate::schema::EventContext;
use literals::LiteralPrefilter;

#[derive(Default)]
pub struct ScenarioIndex {
    /// The (map field, key) pairs guards read, e.g. (Meta, "log_type").
    keys: Vec<(FieldId, String)>,
    /// Per entry of `keys`: accepted value -> scenarios indexed by that key.
    by_value: Vec<AHashMap<String, Vec<usize>>>,
    /// Scenarios without a guard: candidates for every event.
    unguarded: Vec<usize>,
    /// The values of `keys` the candidates below were computed for: consecutive events of one
    /// kind of log share them, so the candidate list is usually reused as is.
    last_values: Vec<String>,
    last_valid: bool,
    candidates: Vec<usize>,
    literals: LiteralPrefilter,
    /// The values the candidates' literals are looked for in (indexes into `literals`'
    /// sources), computed with `candidates`.
    scanned: Vec<usize>,
    /// The candidates the literals of the last event allowed.
    selected: Vec<usize>,
}

impl ScenarioIndex {
    pub fn new(scenarios: &[Scenario]) -> ScenarioIndex {
        let mut index = ScenarioIndex::default();
        for (si, sc) in scenarios.iter().enumerate() {
            let Some((field, key, accepted)) = sc.filter.equality_guards().into_iter().next()
            else {
                index.unguarded.push(si);
                continue;
            };
            let k = match index
                .keys
                .iter()
                .position(|(f, k)| *f == field && *k == key)
            {
                Some(k) => k,
                None => {
                    index.keys.push((field, key));
                    index.by_value.push(AHashMap::new());
                    index.keys.len() - 1
                }
            };
            for value in accepted {
                let list = index.by_value[k].entry(value).or_default();
                // `in ['a', 'a']` lists a value twice; the scenario is a candidate once.
                if list.last() != Some(&si) {
                    list.push(si);
                }
            }
        }
        index.last_values = vec![String::new(); index.keys.len()];
        index.literals = LiteralPrefilter::new(scenarios);
        index
    }

    /// The scenarios `evt` may pass the filter of, in ascending order.
    pub fn candidates(&mut self, evt: &Event) -> &[usize] {
        self.guarded(evt);
        if self.scanned.is_empty() {
            return &self.candidates;
        }
        self.literals.scan(&EventContext(evt), &self.scanned);
        let literals = &self.literals;
        self.selected.clear();
        self.selected.extend(
            self.candidates
                .iter()
                .copied()
                .filter(|&si| literals.passes(si)),
        );
        &self.selected
    }

    /// Fills `candidates` (the scenarios whose guard accepts `evt`) and `scanned`.
    fn guarded(&mut self, evt: &Event) {
        let ctx = EventContext(evt);
        let value = |(field, key): &(FieldId, String)| ctx.map_get(*field, key).unwrap_or("");
        let unchanged = self.last_valid
            && self
                .keys
                .iter()
                .zip(&self.last_values)
                .all(|(k, last)| value(k) == last);
        if !unchanged {
            self.candidates.clear();
            self.candidates.extend_from_slice(&self.unguarded);
            for (k, key) in self.keys.iter().enumerate() {
                let v = value(key);
                if let Some(list) = self.by_value[k].get(v) {
                    self.candidates.extend_from_slice(list);
                }
                self.last_values[k].clear();
                self.last_values[k].push_str(v);
            }
            self.candidates.sort_unstable();
            self.last_valid = true;
            self.scanned.clear();
            if !self.literals.is_empty() {
                for &si in &self.candidates {
                    self.scanned.extend_from_slice(self.literals.sources_of(si));
                }
                self.scanned.sort_unstable();
                self.scanned.dedup();
            }
        }
    }
}
