//! A parser node at run time, and CrowdSec's node evaluation rules (spec §1.3).
use std::sync::Arc;

use crowdwatch_expr::{Program, Value};
use crowdwatch_grok::{Grok, GrokMatch};

use super::statics::{apply_statics, Static, StaticsScratch};
use super::trace::Tracer;
use super::whitelist::Whitelist;
use crate::event::Event;
use crate::schema::EventContext;

pub enum GrokInput {
    LineRaw,
    Parsed(String),
    Expression(Program),
}

pub struct GrokStep {
    /// Index of this grok's match state in `Scratch::matches`.
    pub id: usize,
    pub grok: Grok,
    pub input: GrokInput,
    pub statics: Vec<Static>,
}

pub struct Node {
    pub name: String,
    pub file: Arc<str>,
    pub stage: usize,
    pub filter: Option<Program>,
    pub next_stage: bool,
    pub grok: Option<GrokStep>,
    pub children: Vec<Node>,
    pub statics: Vec<Static>,
    pub whitelist: Option<Whitelist>,
    pub stashes: Vec<super::stash::Stash>,
}

/// An event that cannot continue (a static's expression returned a type CrowdSec refuses).
#[derive(Debug)]
pub struct NodeError(pub String);

/// How a node dealt with an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visit {
    /// Its filter refused the event (or failed to run): the node was not entered.
    Filtered,
    /// Entered (a hit), but its grok, its children or its whitelist failed.
    Failed,
    Succeeded,
}

impl Visit {
    pub fn succeeded(self) -> bool {
        self == Visit::Succeeded
    }
}

/// Per-thread scratch space reused across lines, so matching does not allocate.
#[derive(Default)]
pub struct Scratch {
    /// One warm match state per grok of the pipeline, so matching does not allocate.
    pub matches: Vec<Option<GrokMatch>>,
    pub text: String,
    pub statics: StaticsScratch,
}

impl Node {
    /// Run this node on `evt`. Mirrors CrowdSec 1.4.6 `node.process`.
    pub fn process<T: Tracer>(
        &self,
        evt: &mut Event,
        stages: &[String],
        scratch: &mut Scratch,
        tracer: &mut T,
        errors: &mut u64,
    ) -> Result<Visit, NodeError> {
        tracer.enter(self, evt);
        let result = self.process_inner(evt, stages, scratch, tracer, errors);
        tracer.leave(self, evt, &result);
        result
    }

    fn process_inner<T: Tracer>(
        &self,
        evt: &mut Event,
        stages: &[String],
        scratch: &mut Scratch,
        tracer: &mut T,
        errors: &mut u64,
    ) -> Result<Visit, NodeError> {
        if let Some(filter) = &self.filter {
            match crate::schema::eval_bool_on(filter, evt) {
                Ok(true) => {}
                Ok(false) => return Ok(Visit::Filtered),
                Err(_) => {
                    *errors += 1;
                    return Ok(Visit::Filtered);
                }
            }
        }
        let mut state = true;

        let (has_whitelist, whitelisted) = match &self.whitelist {
            Some(wl) => match wl.check(evt) {
                Some(r) => r,
                // An expression that fails to run makes the node fail, as in CrowdSec.
                None => {
                    *errors += 1;
                    return Ok(Visit::Failed);
                }
            },
            None => (false, false),
        };

        let mut grok_ok = false;
        if let Some(step) = &self.grok {
            if run_grok(step, evt, scratch, errors) {
                grok_ok = true;
                apply_statics(&step.statics, evt, &mut scratch.statics, errors)?;
            } else {
                state = false;
            }
        }

        // CrowdSec stashes once the grok matched, or when there is none, before the children.
        if grok_ok || self.grok.is_none() {
            for st in &self.stashes {
                stash_into(st, evt, errors);
            }
        }

        for child in &self.children {
            if child
                .process(evt, stages, scratch, tracer, errors)?
                .succeeded()
            {
                state = true;
                if self.next_stage {
                    break;
                }
            } else if !grok_ok {
                state = false;
            }
        }

        if !state {
            return Ok(Visit::Failed);
        }
        if whitelisted || !has_whitelist {
            apply_statics(&self.statics, evt, &mut scratch.statics, errors)?;
        }
        if self.next_stage {
            let idx = stages.iter().position(|s| *s == evt.stage).unwrap_or(0);
            if idx + 1 < stages.len() {
                evt.stage.clear();
                evt.stage.push_str(&stages[idx + 1]);
            }
        }
        Ok(Visit::Succeeded)
    }

    /// The node's name in metrics: its `name`, or its file when it has none.
    pub fn metric_name(&self) -> &str {
        if self.name.is_empty() {
            &self.file
        } else {
            &self.name
        }
    }
}

/// Store the value of one `stash:` entry; an expression that fails or is not a string stores
/// nothing, as in CrowdSec.
fn stash_into(st: &super::stash::Stash, evt: &Event, errors: &mut u64) {
    let ctx = EventContext(evt);
    let (Ok(Value::Str(value)), Ok(Value::Str(key))) = (st.value.eval(&ctx), st.key.eval(&ctx))
    else {
        *errors += 1;
        return;
    };
    if let Some(store) = &evt.stash {
        store.set(st, key, value, evt.line_time);
    }
}

/// Match the node's grok and merge the captures into `evt.Parsed`. A match with no capture at
/// all counts as a failure (CrowdSec treats an empty result map as no match).
fn run_grok(step: &GrokStep, evt: &mut Event, scratch: &mut Scratch, errors: &mut u64) -> bool {
    scratch.text.clear();
    match &step.input {
        GrokInput::LineRaw => scratch.text.push_str(&evt.line_raw),
        GrokInput::Parsed(key) => match evt.parsed.get(key) {
            Some(v) => scratch.text.push_str(v),
            None => return false,
        },
        GrokInput::Expression(p) if p.writes() => match crate::schema::eval_writing_on(p, evt) {
            Ok(Value::Str(s)) => scratch.text.push_str(&s),
            Ok(_) | Err(_) => {
                *errors += 1;
                return false;
            }
        },
        GrokInput::Expression(p) => match p.eval_string(&EventContext(evt)) {
            Ok(s) => scratch.text.push_str(&s),
            Err(_) => {
                *errors += 1;
                return false;
            }
        },
    }
    if scratch.matches.len() <= step.id {
        scratch.matches.resize_with(step.id + 1, || None);
    }
    let m = scratch.matches[step.id].get_or_insert_with(|| step.grok.new_match());
    let input = scratch.text.as_bytes();
    if !step.grok.match_into(input, m) {
        return false;
    }
    for (i, field) in step.grok.fields().iter().enumerate() {
        // The input is a &str, so a span on character boundaries is valid UTF-8 as it is
        // (`str::get` checks the two ends only); a pattern may cut inside a character (`.` on
        // bytes): then be lossy.
        let span = m.spans()[i].unwrap_or((0, 0));
        match scratch.text.get(span.0..span.1) {
            Some(value) => evt.parsed.set(field, value),
            None => evt
                .parsed
                .set(field, &String::from_utf8_lossy(m.value(i, input))),
        }
    }
    true
}
