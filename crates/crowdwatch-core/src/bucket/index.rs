//! Which scenarios an event can pour into, without evaluating every filter.
//!
//! Nearly every filter starts with a guard such as `evt.Meta.log_type == 'ssh_failed-auth'` or
//! `evt.Meta.log_type in ['http_access-log', 'http_error-log']` (`Program::equality_guards`).
//! Each scenario is indexed by its first guard: (map, key) -> accepted value -> scenarios. An
//! event is then offered only to the scenarios whose guard accepts it, plus those without a
//! guard. A skipped filter would have returned false at that guard without evaluating anything
//! else, so skipping it changes nothing; candidates keep the scenarios' order, in which their
//! overflows are emitted.
use ahash::AHashMap;
use crowdwatch_expr::{Context, FieldId};

use super::scenario::Scenario;
use crate::event::Event;
use crate::schema::EventContext;

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
}

impl ScenarioIndex {
    pub fn new(scenarios: &[Scenario]) -> ScenarioIndex {
        let mut index = ScenarioIndex::default();
        for (si, sc) in scenarios.iter().enumerate() {
            let Some((field, key, accepted)) = sc.filter.equality_guards().into_iter().next() else {
                index.unguarded.push(si);
                continue;
            };
            let k = match index.keys.iter().position(|(f, k)| *f == field && *k == key) {
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
        index
    }

    /// The scenarios `evt` may pass the filter of, in ascending order.
    pub fn candidates(&mut self, evt: &Event) -> &[usize] {
        let ctx = EventContext(evt);
        let value = |(field, key): &(FieldId, String)| ctx.map_get(*field, key).unwrap_or("");
        let unchanged = self.last_valid && self.keys.iter().zip(&self.last_values).all(|(k, last)| value(k) == last);
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
        }
        &self.candidates
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::bucket::scenario::{Kind, Scope, ScopeKind};
    use crate::event::{ExpectMode, Source};
    use crate::schema::EventSchema;

    fn scenario(filter: &str) -> Scenario {
        let compiled = crowdwatch_expr::compile_filter(filter, &EventSchema, &Default::default());
        Scenario {
            name: filter.into(),
            file: "test".into(),
            kind: Kind::Trigger,
            capacity: 0,
            leakspeed: 0,
            leakspeed_text: String::new(),
            lifetime: 0,
            filter: compiled.unwrap_or_else(|e| panic!("{filter}: {e}")).program,
            groupby: None,
            distinct: None,
            blackhole: 0,
            queue_len: 0,
            reprocess: false,
            overflow_filter: None,
            cancel_on: None,
            scope: Scope { kind: ScopeKind::Ip, expression: None },
            labels: Default::default(),
            remediation: false,
            hash: String::new(),
            version: String::new(),
            simulated: false,
            fingerprint: Default::default(),
        }
    }

    fn event(meta: &[(&str, &str)]) -> Event {
        let mut evt = Event::new(Arc::new(Source::default()), ExpectMode::TimeMachine, Default::default());
        for (k, v) in meta {
            evt.meta.set(k, v);
        }
        evt
    }

    const FILTERS: [&str; 6] = [
        "evt.Meta.log_type == 'ssh_failed-auth'",
        "evt.Meta.log_type in ['http_access-log', 'http_error-log'] && evt.Meta.http_path contains '..'",
        "evt.Meta.service == 'http' && evt.Meta.sub_type == 'auth_fail'",
        "evt.Meta.http_path contains 'x' && evt.Meta.log_type == 'http_access-log'",
        "evt.Meta.log_type == ''",
        "evt.Meta.log_type in ['http_access-log', 'http_access-log']",
    ];

    #[test]
    fn candidates_are_the_scenarios_whose_guard_accepts_the_event() {
        let scenarios: Vec<Scenario> = FILTERS.iter().map(|f| scenario(f)).collect();
        let mut index = ScenarioIndex::new(&scenarios);
        let http = event(&[("log_type", "http_access-log"), ("service", "http")]);
        assert_eq!(index.candidates(&http), &[1, 2, 3, 5]);
        // The same values again: the cached list.
        assert_eq!(index.candidates(&http), &[1, 2, 3, 5]);
        assert_eq!(index.candidates(&event(&[("log_type", "ssh_failed-auth")])), &[0, 3]);
        // An absent key reads as "", as in the filter.
        assert_eq!(index.candidates(&event(&[])), &[3, 4]);
        assert_eq!(index.candidates(&event(&[("log_type", "http_error-log"), ("service", "ssh")])), &[1, 3]);
    }

    #[test]
    fn every_skipped_filter_is_false() {
        let scenarios: Vec<Scenario> = FILTERS.iter().map(|f| scenario(f)).collect();
        let mut index = ScenarioIndex::new(&scenarios);
        let events = [
            event(&[("log_type", "http_access-log"), ("service", "http"), ("http_path", "/../x")]),
            event(&[("log_type", "http_error-log"), ("service", "http"), ("sub_type", "auth_fail")]),
            event(&[("log_type", "ssh_failed-auth"), ("http_path", "x")]),
            event(&[("service", "http"), ("sub_type", "auth_fail")]),
            event(&[]),
        ];
        for evt in &events {
            let candidates = index.candidates(evt).to_vec();
            for (si, sc) in scenarios.iter().enumerate() {
                let passes = sc.filter.eval_bool(&EventContext(evt)).unwrap();
                assert!(!passes || candidates.contains(&si), "{} skipped for {:?}", sc.name, evt.meta);
            }
        }
    }
}
