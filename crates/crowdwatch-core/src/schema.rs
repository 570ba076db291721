//! How expressions see an event: the `evt` root of CrowdSec's expression environment.
//!
//! Paths are resolved to field ids once, when an expression is compiled; `EventContext` answers
//! them at run time without any lookup by name.
use std::borrow::Cow;

use crowdwatch_expr::{
    Context, EvalError, FieldId, FieldType, HostValue, Program, Schema, Value, Write,
};

use crate::event::{Event, EventKind, ExpectMode};

const LINE_RAW: FieldId = 0;
const LINE_SRC: FieldId = 1;
const LINE_MODULE: FieldId = 2;
const LINE_LABELS: FieldId = 3;
const PARSED: FieldId = 4;
const META: FieldId = 5;
const ENRICHED: FieldId = 6;
const STR_TIME: FieldId = 7;
const STR_TIME_FORMAT: FieldId = 8;
const MARSHALED_TIME: FieldId = 9;
const STAGE: FieldId = 10;
const WHITELISTED: FieldId = 11;
const WHITELIST_REASON: FieldId = 12;
const TYPE: FieldId = 13;
const EXPECT_MODE: FieldId = 14;
const OVERFLOW: FieldId = 15;
const PROCESS: FieldId = 16;
const UNMARSHALED: FieldId = 17;
/// `evt.Appsec`: always empty here (AppSec events are not produced), so AppSec content loads.
const APPSEC: FieldId = 18;

const METHOD_GET_TYPE: FieldId = 100;
const METHOD_GET_META: FieldId = 101;
const FUNCTION_GET_FROM_STASH: FieldId = 102;
/// Go's `time.Time` methods on `evt.Time` (its own zone): Hour, Minute, Second, Day, Month
/// (number), Year, Weekday (its name, as `.String()` gives), YearDay is left out.
const METHOD_TIME_HOUR: FieldId = 110;
const METHOD_TIME_MINUTE: FieldId = 111;
const METHOD_TIME_SECOND: FieldId = 112;
const METHOD_TIME_DAY: FieldId = 113;
const METHOD_TIME_MONTH: FieldId = 114;
const METHOD_TIME_YEAR: FieldId = 115;
const METHOD_TIME_WEEKDAY: FieldId = 116;
const METHOD_TIME_UNIX: FieldId = 117;

/// Field ids of the string maps, exposed so the engine can read `equality_guards()`.
pub const META_FIELD: FieldId = META;
pub const PARSED_FIELD: FieldId = PARSED;

/// The `evt` schema of parsers and scenarios.
pub struct EventSchema;

impl Schema for EventSchema {
    fn resolve(&self, path: &[&str]) -> Option<(FieldId, FieldType)> {
        use FieldType::*;
        let found = match path {
            ["evt", "Line", "Raw"] => (LINE_RAW, Str),
            ["evt", "Line", "Src"] => (LINE_SRC, Str),
            ["evt", "Line", "Module"] => (LINE_MODULE, Str),
            ["evt", "Line", "Labels"] => (LINE_LABELS, StrMap),
            ["evt", "Line", "Process"] => (PROCESS, Bool),
            ["evt", "Parsed"] => (PARSED, StrMap),
            ["evt", "Meta"] => (META, StrMap),
            ["evt", "Enriched"] => (ENRICHED, StrMap),
            ["evt", "StrTime"] => (STR_TIME, Str),
            ["evt", "StrTimeFormat"] => (STR_TIME_FORMAT, Str),
            ["evt", "MarshaledTime"] => (MARSHALED_TIME, Str),
            ["evt", "Stage"] => (STAGE, Str),
            ["evt", "Whitelisted"] => (WHITELISTED, Bool),
            ["evt", "WhitelistReason"] => (WHITELIST_REASON, Str),
            ["evt", "Type"] => (TYPE, Int),
            ["evt", "ExpectMode"] => (EXPECT_MODE, Int),
            ["evt", "Process"] => (PROCESS, Bool),
            ["evt", "Overflow"] => (OVERFLOW, Json),
            ["evt", "Unmarshaled"] => (UNMARSHALED, Json),
            ["evt", "Appsec"] => (APPSEC, Json),
            _ => return None,
        };
        Some(found)
    }

    fn resolve_method(&self, receiver: &[&str], method: &str) -> Option<(FieldId, FieldType)> {
        match (receiver, method) {
            (["evt"], "GetType") => Some((METHOD_GET_TYPE, FieldType::Str)),
            (["evt"], "GetMeta") => Some((METHOD_GET_META, FieldType::Str)),
            ([], "GetFromStash") => Some((FUNCTION_GET_FROM_STASH, FieldType::Str)),
            (["evt", "Time"], m) => {
                let id = match m {
                    "Hour" => METHOD_TIME_HOUR,
                    "Minute" => METHOD_TIME_MINUTE,
                    "Second" => METHOD_TIME_SECOND,
                    "Day" => METHOD_TIME_DAY,
                    "Month" => METHOD_TIME_MONTH,
                    "Year" => METHOD_TIME_YEAR,
                    "Unix" => METHOD_TIME_UNIX,
                    "Weekday" => return Some((METHOD_TIME_WEEKDAY, FieldType::Str)),
                    _ => return None,
                };
                Some((id, FieldType::Int))
            }
            _ => None,
        }
    }

    fn has_value_method(&self, method: &str) -> bool {
        crate::go_getters::is_getter(method)
    }

    fn resolve_setter(&self, receiver: &[&str], method: &str) -> Option<FieldId> {
        match (receiver, method) {
            (["evt"], "SetMeta") => Some(META),
            (["evt"], "SetParsed") => Some(PARSED),
            _ => None,
        }
    }
}

/// A `time.Time` method of `evt.Time`, read on the clock of the time's own offset.
fn time_method(id: FieldId, t: crowdwatch_time::Timestamp) -> HostValue<'static> {
    let clock = t.wall_clock();
    HostValue::Int(match id {
        METHOD_TIME_HOUR => i64::from(clock.hour),
        METHOD_TIME_MINUTE => i64::from(clock.minute),
        METHOD_TIME_SECOND => i64::from(clock.second),
        METHOD_TIME_DAY => i64::from(clock.day),
        METHOD_TIME_MONTH => i64::from(clock.month),
        METHOD_TIME_YEAR => clock.year,
        METHOD_TIME_UNIX => t.unix_secs(),
        _ => {
            let day = crowdwatch_time::calendar::LONG_DAY_NAMES[clock.weekday() as usize % 7];
            return HostValue::Str(Cow::Borrowed(day));
        }
    })
}

/// Apply what an expression wrote (`UnmarshalJSON` into `evt.Unmarshaled`, `evt.SetMeta`).
pub fn apply_writes(evt: &mut Event, writes: impl IntoIterator<Item = Write>) {
    for w in writes {
        match (&w, w.field()) {
            (Write::Entry { key, value, .. }, META) => evt.meta.set(key, value),
            (Write::Entry { key, value, .. }, PARSED) => evt.parsed.set(key, value),
            (Write::Json { .. } | Write::JsonStrings { .. }, UNMARSHALED) => {
                w.apply_to_json(&mut evt.unmarshaled)
            }
            // The schema declares no other writable field.
            _ => {}
        }
    }
}

/// Evaluate a filter on `evt`, applying its writes when it makes any.
#[inline]
pub fn eval_bool_on(p: &Program, evt: &mut Event) -> Result<bool, EvalError> {
    if !p.writes() {
        return p.eval_bool(&EventContext(evt));
    }
    let mut writes = Vec::new();
    let result = p.eval_bool_writing(&EventContext(evt), &mut writes);
    apply_writes(evt, writes);
    result
}

/// Evaluate an expression that writes on `evt` and apply its writes (see `Program::writes`).
pub fn eval_writing_on(p: &Program, evt: &mut Event) -> Result<Value, EvalError> {
    let mut writes = Vec::new();
    let result = p.eval_writing(&EventContext(evt), &mut writes);
    apply_writes(evt, writes);
    result
}

/// Run-time view of one event for expressions.
pub struct EventContext<'a>(pub &'a Event);

impl<'a> Context for EventContext<'a> {
    fn field(&self, id: FieldId) -> HostValue<'_> {
        let e = self.0;
        let s = |v: &'a str| HostValue::Str(Cow::Borrowed(v));
        match id {
            LINE_RAW => s(&e.line_raw),
            LINE_SRC => s(&e.source.src),
            LINE_MODULE => s(&e.source.module),
            LINE_LABELS | PARSED | META | ENRICHED => HostValue::StrMap,
            STR_TIME => s(&e.str_time),
            STR_TIME_FORMAT => s(&e.str_time_format),
            MARSHALED_TIME => s(&e.marshaled_time),
            STAGE => s(&e.stage),
            WHITELISTED => HostValue::Bool(e.whitelisted),
            WHITELIST_REASON => s(&e.whitelist_reason),
            TYPE => HostValue::Int(match e.kind {
                EventKind::Log => 0,
                EventKind::Overflow => 1,
            }),
            EXPECT_MODE => HostValue::Int(match e.expect_mode {
                ExpectMode::Live => 0,
                ExpectMode::TimeMachine => 1,
            }),
            PROCESS => HostValue::Bool(true),
            UNMARSHALED => HostValue::Json(Cow::Borrowed(&e.unmarshaled)),
            APPSEC => HostValue::Json(Cow::Owned(serde_json::Value::Object(Default::default()))),
            OVERFLOW => match &e.overflow {
                Some(o) => HostValue::Json(Cow::Borrowed(&o.json)),
                None => HostValue::Nil,
            },
            _ => HostValue::Nil,
        }
    }

    fn map_get(&self, id: FieldId, key: &str) -> Option<&str> {
        let e = self.0;
        match id {
            LINE_LABELS => e.source.labels.get(key),
            PARSED => e.parsed.get(key),
            META => e.meta.get(key),
            ENRICHED => e.enriched.get(key),
            _ => None,
        }
    }

    fn call_value_method(
        &self,
        method: &str,
        receiver: &serde_json::Value,
        args: &[&str],
    ) -> Option<serde_json::Value> {
        crate::go_getters::call(method, receiver, args)
    }

    fn call_method(&self, id: FieldId, args: &[&str]) -> HostValue<'_> {
        let e = self.0;
        match id {
            METHOD_GET_TYPE => HostValue::Str(Cow::Borrowed(match e.kind {
                EventKind::Log => "log",
                EventKind::Overflow => "overflow",
            })),
            METHOD_GET_META => {
                let v = args.first().and_then(|k| e.meta.get(k)).unwrap_or("");
                HostValue::Str(Cow::Borrowed(v))
            }
            METHOD_TIME_HOUR..=METHOD_TIME_UNIX => time_method(id, e.time),
            FUNCTION_GET_FROM_STASH => match (&e.stash, args) {
                (Some(stash), [name, key]) => {
                    HostValue::Str(Cow::Owned(stash.get(name, key, e.line_time)))
                }
                _ => HostValue::Str(Cow::Borrowed("")),
            },
            _ => HostValue::Nil,
        }
    }
}
