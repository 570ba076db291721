//! Hooks for the explain trace. The hot path runs with `NoTrace`, which compiles to nothing;
//! `crowdwatch explain` runs the same code with a `Recorder`.
use serde::Serialize;

use super::node::{Node, NodeError, Visit};
use crate::event::Event;

pub trait Tracer {
    fn enter(&mut self, node: &Node, evt: &Event);
    fn leave(&mut self, node: &Node, evt: &Event, result: &Result<Visit, NodeError>);
}

pub struct NoTrace;

impl Tracer for NoTrace {
    #[inline(always)]
    fn enter(&mut self, _: &Node, _: &Event) {}
    #[inline(always)]
    fn leave(&mut self, _: &Node, _: &Event, _: &Result<Visit, NodeError>) {}
}

#[derive(Debug, Serialize, Clone)]
pub struct FieldChange {
    pub field: String,
    pub value: String,
}

#[derive(Debug, Serialize, Clone)]
pub struct NodeTrace {
    pub name: String,
    pub file: String,
    pub matched: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub changes: Vec<FieldChange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<NodeTrace>,
}

/// Builds the tree of nodes tried, with the fields each one set or changed.
#[derive(Default)]
pub struct Recorder {
    stack: Vec<(NodeTrace, Vec<(String, String)>)>,
    pub finished: Vec<NodeTrace>,
}

/// Every visible field of an event, flattened (`Parsed.program`, `Meta.source_ip`, `StrTime`).
fn snapshot(evt: &Event) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in evt.parsed.iter() {
        out.push((format!("Parsed.{k}"), v.to_owned()));
    }
    for (k, v) in evt.meta.iter() {
        out.push((format!("Meta.{k}"), v.to_owned()));
    }
    for (k, v) in evt.enriched.iter() {
        out.push((format!("Enriched.{k}"), v.to_owned()));
    }
    for (k, v) in [
        ("StrTime", &evt.str_time),
        ("StrTimeFormat", &evt.str_time_format),
        ("MarshaledTime", &evt.marshaled_time),
        ("WhitelistReason", &evt.whitelist_reason),
        ("Stage", &evt.stage),
    ] {
        if !v.is_empty() {
            out.push((k.to_owned(), v.clone()));
        }
    }
    out
}

impl Tracer for Recorder {
    fn enter(&mut self, node: &Node, evt: &Event) {
        let t = NodeTrace {
            name: node.name.clone(),
            file: node.file.to_string(),
            matched: false,
            error: None,
            changes: Vec::new(),
            children: Vec::new(),
        };
        self.stack.push((t, snapshot(evt)));
    }

    fn leave(&mut self, _: &Node, evt: &Event, result: &Result<Visit, NodeError>) {
        let Some((mut t, before)) = self.stack.pop() else {
            return;
        };
        match result {
            Ok(v) => t.matched = v.succeeded(),
            Err(e) => t.error = Some(e.0.clone()),
        }
        for (k, v) in snapshot(evt) {
            if !before.iter().any(|(bk, bv)| *bk == k && *bv == v) {
                t.changes.push(FieldChange { field: k, value: v });
            }
        }
        match self.stack.last_mut() {
            Some((parent, _)) => parent.children.push(t),
            None => self.finished.push(t),
        }
    }
}
