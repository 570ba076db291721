//! CrowdSec's dumps: `parser-dump.yaml` (per stage, per top-level node, the event after the node
//! and whether it succeeded) and `bucket-dump.yaml` (the overflow events), as JSON with Go's
//! field names, which is what hubtest assertions read.
use std::collections::BTreeMap;

use crowdwatch_time::format_rfc3339_nano;
use serde_json::{json, Map, Value as Json};

use crate::alert::Alert;
use crate::event::{Event, EventKind, ExpectMode, FieldMap};
use crate::parser::node::{Node, NodeError, Visit};
use crate::parser::trace::Tracer;

/// What one replay produced.
#[derive(Default)]
pub struct Dump {
    /// stage → node name → one result per line that reached the node, in line order.
    pub parsers: BTreeMap<String, BTreeMap<String, Vec<Json>>>,
    /// One overflow event per alert, in the order they were raised.
    pub overflows: Vec<Json>,
}

impl Dump {
    /// `parser-dump.yaml`'s content, with the `success` stage CrowdSec always adds.
    pub fn parser_results(&self) -> Json {
        let mut out = Map::new();
        for (stage, nodes) in &self.parsers {
            let nodes: Map<String, Json> = nodes
                .iter()
                .map(|(name, results)| (name.clone(), Json::Array(results.clone())))
                .collect();
            out.insert(stage.clone(), Json::Object(nodes));
        }
        out.insert("success".into(), json!({ "": [] }));
        Json::Object(out)
    }
}

/// Records, for each top-level node a line visits, the event as the node left it.
pub struct Dumper<'d> {
    dump: &'d mut Dump,
    depth: usize,
    stage: String,
}

impl<'d> Dumper<'d> {
    pub fn new(dump: &'d mut Dump) -> Self {
        Dumper {
            dump,
            depth: 0,
            stage: String::new(),
        }
    }
}

impl Tracer for Dumper<'_> {
    fn enter(&mut self, _: &Node, evt: &Event) {
        if self.depth == 0 {
            self.stage.clone_from(&evt.stage);
        }
        self.depth += 1;
    }

    fn leave(&mut self, node: &Node, evt: &Event, result: &Result<Visit, NodeError>) {
        self.depth -= 1;
        // CrowdSec records nothing for a node that failed with an error: the line is dropped.
        let (0, Ok(visit)) = (self.depth, result) else {
            return;
        };
        let entry = json!({ "Evt": event_json(evt), "Success": visit.succeeded() });
        self.dump
            .parsers
            .entry(self.stage.clone())
            .or_default()
            .entry(node.name.clone())
            .or_default()
            .push(entry);
    }
}

fn map_json(m: &FieldMap) -> Json {
    Json::Object(
        m.iter()
            .map(|(k, v)| (k.to_owned(), Json::String(v.to_owned())))
            .collect(),
    )
}

/// CrowdSec's `pipeline.Event`, with its Go field names.
pub fn event_json(evt: &Event) -> Json {
    json!({
        "Type": match evt.kind { EventKind::Log => 0, EventKind::Overflow => 1 },
        "ExpectMode": match evt.expect_mode { ExpectMode::Live => 0, ExpectMode::TimeMachine => 1 },
        "Whitelisted": evt.whitelisted,
        "WhitelistReason": evt.whitelist_reason,
        "Stage": evt.stage,
        "Line": {
            "Raw": evt.line_raw,
            "Src": evt.source.src,
            "Module": evt.source.module,
            "Labels": map_json(&evt.source.labels),
            "Time": format_rfc3339_nano(evt.line_time),
        },
        "Parsed": map_json(&evt.parsed),
        "Enriched": map_json(&evt.enriched),
        "Meta": map_json(&evt.meta),
        "Unmarshaled": evt.unmarshaled,
        "StrTime": evt.str_time,
        "StrTimeFormat": evt.str_time_format,
        "MarshaledTime": evt.marshaled_time,
        "Time": format_rfc3339_nano(evt.time),
    })
}

/// An overflow event of `bucket-dump.yaml`: `Overflow` is CrowdSec's `RuntimeAlert` (its
/// `Alert` with the events it carries, and `Sources` by value).
pub fn overflow_json(alert: &Alert) -> Json {
    let mut overflow = alert.overflow_json("");
    if let Some(o) = overflow.as_object_mut() {
        o.insert("Reprocess".into(), Json::Bool(false));
    }
    json!({ "Type": 1, "Overflow": overflow })
}
