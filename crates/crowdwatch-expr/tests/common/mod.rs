//! A small stand-in for CrowdSec's event, as the hosts of this crate expose it.
#![allow(dead_code)]
use std::borrow::Cow;
use std::collections::HashMap;

use crowdwatch_expr::{Context, FieldId, FieldType, HostValue, Schema};

pub const RAW: FieldId = 1;
pub const SRC: FieldId = 2;
pub const MODULE: FieldId = 3;
pub const LABELS: FieldId = 4;
pub const PARSED: FieldId = 5;
pub const META: FieldId = 6;
pub const ENRICHED: FieldId = 7;
pub const STR_TIME: FieldId = 8;
pub const STR_TIME_FORMAT: FieldId = 9;
pub const MARSHALED_TIME: FieldId = 10;
pub const STAGE: FieldId = 11;
pub const WHITELIST_REASON: FieldId = 12;
pub const WHITELISTED: FieldId = 13;
pub const TYPE: FieldId = 14;
pub const EXPECT_MODE: FieldId = 15;
pub const OVERFLOW: FieldId = 16;
pub const UNMARSHALED: FieldId = 17;
pub const GET_TYPE: FieldId = 100;
pub const GET_META: FieldId = 101;

pub struct EventSchema;

impl Schema for EventSchema {
    fn resolve(&self, path: &[&str]) -> Option<(FieldId, FieldType)> {
        use FieldType::*;
        Some(match path {
            ["evt", "Line", "Raw"] => (RAW, Str),
            ["evt", "Line", "Src"] => (SRC, Str),
            ["evt", "Line", "Module"] => (MODULE, Str),
            ["evt", "Line", "Labels"] => (LABELS, StrMap),
            ["evt", "Parsed"] => (PARSED, StrMap),
            ["evt", "Meta"] => (META, StrMap),
            ["evt", "Enriched"] => (ENRICHED, StrMap),
            ["evt", "StrTime"] => (STR_TIME, Str),
            ["evt", "StrTimeFormat"] => (STR_TIME_FORMAT, Str),
            ["evt", "MarshaledTime"] => (MARSHALED_TIME, Str),
            ["evt", "Stage"] => (STAGE, Str),
            ["evt", "WhitelistReason"] => (WHITELIST_REASON, Str),
            ["evt", "Whitelisted"] => (WHITELISTED, Bool),
            ["evt", "Type"] => (TYPE, Int),
            ["evt", "ExpectMode"] => (EXPECT_MODE, Int),
            ["evt", "Overflow"] => (OVERFLOW, Json),
            ["evt", "Unmarshaled"] => (UNMARSHALED, Json),
            _ => return None,
        })
    }

    fn resolve_method(&self, receiver: &[&str], method: &str) -> Option<(FieldId, FieldType)> {
        match (receiver, method) {
            (["evt"], "GetType") => Some((GET_TYPE, FieldType::Str)),
            (["evt"], "GetMeta") => Some((GET_META, FieldType::Str)),
            _ => None,
        }
    }

    fn is_root(&self, name: &str) -> bool {
        name == "evt"
    }

    fn resolve_setter(&self, receiver: &[&str], method: &str) -> Option<FieldId> {
        match (receiver, method) {
            (["evt"], "SetMeta") => Some(META),
            (["evt"], "SetParsed") => Some(PARSED),
            _ => None,
        }
    }
}

#[derive(Default)]
pub struct Event {
    pub raw: String,
    pub src: String,
    pub labels: HashMap<String, String>,
    pub parsed: HashMap<String, String>,
    pub meta: HashMap<String, String>,
    pub enriched: HashMap<String, String>,
    pub strings: HashMap<FieldId, String>,
    pub whitelisted: bool,
    pub kind: i64,
    pub overflow: Option<serde_json::Value>,
    pub unmarshaled: serde_json::Value,
}

impl Event {
    pub fn log() -> Self {
        Event::default()
    }
    pub fn meta(mut self, k: &str, v: &str) -> Self {
        self.meta.insert(k.into(), v.into());
        self
    }
    pub fn parsed(mut self, k: &str, v: &str) -> Self {
        self.parsed.insert(k.into(), v.into());
        self
    }
    pub fn raw(mut self, raw: &str) -> Self {
        self.raw = raw.into();
        self
    }
    /// Apply what a program wrote, as a host does once the expression is done.
    pub fn apply(&mut self, writes: Vec<crowdwatch_expr::Write>) {
        for w in writes {
            match &w {
                crowdwatch_expr::Write::Entry { field, key, value } => {
                    let map = if *field == META {
                        &mut self.meta
                    } else {
                        &mut self.parsed
                    };
                    map.insert(key.clone(), value.clone());
                }
                _ => w.apply_to_json(&mut self.unmarshaled),
            }
        }
    }
    pub fn overflow(mut self, v: serde_json::Value) -> Self {
        self.kind = 1;
        self.overflow = Some(v);
        self
    }
}

impl Context for Event {
    fn field(&self, id: FieldId) -> HostValue<'_> {
        match id {
            RAW => HostValue::Str(Cow::Borrowed(&self.raw)),
            SRC => HostValue::Str(Cow::Borrowed(&self.src)),
            LABELS | PARSED | META | ENRICHED => HostValue::StrMap,
            WHITELISTED => HostValue::Bool(self.whitelisted),
            TYPE => HostValue::Int(self.kind),
            EXPECT_MODE => HostValue::Int(0),
            UNMARSHALED => HostValue::Json(Cow::Borrowed(&self.unmarshaled)),
            OVERFLOW => self
                .overflow
                .as_ref()
                .map_or(HostValue::Nil, |j| HostValue::Json(Cow::Borrowed(j))),
            other => HostValue::Str(Cow::Borrowed(
                self.strings.get(&other).map_or("", String::as_str),
            )),
        }
    }

    fn map_get(&self, id: FieldId, key: &str) -> Option<&str> {
        let map = match id {
            LABELS => &self.labels,
            PARSED => &self.parsed,
            META => &self.meta,
            ENRICHED => &self.enriched,
            _ => return None,
        };
        map.get(key).map(String::as_str)
    }

    fn call_method(&self, id: FieldId, args: &[&str]) -> HostValue<'_> {
        match id {
            GET_TYPE => HostValue::Str(Cow::Borrowed(if self.kind == 1 {
                "overflow"
            } else {
                "log"
            })),
            GET_META => HostValue::Str(Cow::Borrowed(
                self.meta.get(args[0]).map_or("", String::as_str),
            )),
            _ => HostValue::Nil,
        }
    }
}
