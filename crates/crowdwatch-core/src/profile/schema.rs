//! How profile expressions see an alert: CrowdSec's `Alert` (models.Alert) and its methods, plus
//! the decision-history functions that need the store (`GetDecisionsCount`,
//! `GetDecisionsSinceCount`), answered from the history the API looked up for this alert.
use std::borrow::Cow;

use crowdwatch_expr::{Context, FieldId, FieldType, HostValue, Schema};
use crowdwatch_time::parse_go_duration;
use serde_json::Value;

/// What the store knows about the alert's target when the profiles run.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionHistory {
    /// The value the history is about (the alert's source value).
    pub value: String,
    /// Creation time (epoch milliseconds) of every decision this value has had.
    pub created_at_ms: Vec<i64>,
    /// "Now" for `GetDecisionsSinceCount`, epoch milliseconds.
    pub now_ms: i64,
}

/// Plain fields of `Alert`: (expr name, JSON field of the API alert, type).
const FIELDS: &[(&str, &str, FieldType)] = &[
    ("Capacity", "capacity", FieldType::Int),
    ("EventsCount", "events_count", FieldType::Int),
    ("Leakspeed", "leakspeed", FieldType::Str),
    ("MachineID", "machine_id", FieldType::Str),
    ("Message", "message", FieldType::Str),
    ("Remediation", "remediation", FieldType::Bool),
    ("Scenario", "scenario", FieldType::Str),
    ("ScenarioHash", "scenario_hash", FieldType::Str),
    ("ScenarioVersion", "scenario_version", FieldType::Str),
    ("Simulated", "simulated", FieldType::Bool),
    ("StartAt", "start_at", FieldType::Str),
    ("StopAt", "stop_at", FieldType::Str),
    ("Source", "source", FieldType::Json),
    ("Events", "events", FieldType::Json),
    ("Decisions", "decisions", FieldType::Json),
    ("Meta", "meta", FieldType::Json),
    ("Labels", "labels", FieldType::Json),
];

const METHOD_BASE: FieldId = 1000;
const GET_SCOPE: FieldId = METHOD_BASE;
const GET_VALUE: FieldId = METHOD_BASE + 1;
const GET_SCENARIO: FieldId = METHOD_BASE + 2;
const GET_EVENTS_COUNT: FieldId = METHOD_BASE + 3;
const GET_META: FieldId = METHOD_BASE + 4;
const HAS_REMEDIATION: FieldId = METHOD_BASE + 5;
const DECISIONS_COUNT: FieldId = METHOD_BASE + 6;
const DECISIONS_SINCE_COUNT: FieldId = METHOD_BASE + 7;

pub struct AlertSchema;

impl Schema for AlertSchema {
    fn resolve(&self, path: &[&str]) -> Option<(FieldId, FieldType)> {
        match path {
            ["Alert", name] => FIELDS
                .iter()
                .position(|(n, _, _)| n == name)
                .map(|i| (i as FieldId, FIELDS[i].2)),
            _ => None,
        }
    }

    fn resolve_method(&self, receiver: &[&str], method: &str) -> Option<(FieldId, FieldType)> {
        match (receiver, method) {
            (["Alert"], "GetScope") => Some((GET_SCOPE, FieldType::Str)),
            (["Alert"], "GetValue") => Some((GET_VALUE, FieldType::Str)),
            (["Alert"], "GetScenario") => Some((GET_SCENARIO, FieldType::Str)),
            (["Alert"], "GetEventsCount") => Some((GET_EVENTS_COUNT, FieldType::Int)),
            (["Alert"], "GetMeta") => Some((GET_META, FieldType::Str)),
            (["Alert"], "HasRemediation") => Some((HAS_REMEDIATION, FieldType::Bool)),
            ([], "GetDecisionsCount") => Some((DECISIONS_COUNT, FieldType::Int)),
            ([], "GetDecisionsSinceCount") => Some((DECISIONS_SINCE_COUNT, FieldType::Int)),
            _ => None,
        }
    }

    fn is_root(&self, name: &str) -> bool {
        name == "Alert"
    }
}

/// One alert (as the API received it) and the history of its target.
pub struct AlertContext<'a> {
    pub alert: &'a Value,
    pub history: &'a DecisionHistory,
}

/// The string at `path` in an alert (`["source", "value"]`), "" when absent or not a string.
pub(super) fn json_str<'a>(alert: &'a Value, path: &[&str]) -> &'a str {
    let mut v = alert;
    for key in path {
        match v.get(key) {
            Some(next) => v = next,
            None => return "",
        }
    }
    v.as_str().unwrap_or("")
}

impl AlertContext<'_> {
    fn count_since(&self, value: &str, since: Option<&str>) -> i64 {
        if value != self.history.value {
            // The API looked up the alert's own target only; other values have no history here.
            return 0;
        }
        let Some(since) = since else {
            return self.history.created_at_ms.len() as i64;
        };
        // GetDecisionsSinceCount takes a Go duration; an invalid one counts nothing.
        let Some(nanos) = parse_go_duration(since) else {
            return 0;
        };
        let cutoff = self.history.now_ms - nanos / 1_000_000;
        self.history
            .created_at_ms
            .iter()
            .filter(|&&t| t > cutoff)
            .count() as i64
    }
}

fn host_of(v: &Value) -> HostValue<'_> {
    match v {
        Value::Null => HostValue::Nil,
        Value::Bool(b) => HostValue::Bool(*b),
        Value::Number(n) => n
            .as_i64()
            .map(HostValue::Int)
            .unwrap_or_else(|| HostValue::Float(n.as_f64().unwrap_or(0.0))),
        Value::String(s) => HostValue::Str(Cow::Borrowed(s)),
        other => HostValue::Json(Cow::Borrowed(other)),
    }
}

impl Context for AlertContext<'_> {
    fn field(&self, id: FieldId) -> HostValue<'_> {
        let Some((_, json, ty)) = FIELDS.get(id as usize) else {
            return HostValue::Nil;
        };
        match (self.alert.get(json), ty) {
            (Some(v), _) => host_of(v),
            // Go's zero values for absent fields.
            (None, FieldType::Int) => HostValue::Int(0),
            (None, FieldType::Bool) => HostValue::Bool(false),
            (None, FieldType::Str) => HostValue::Str(Cow::Borrowed("")),
            (None, _) => HostValue::Nil,
        }
    }

    fn map_get(&self, _id: FieldId, _key: &str) -> Option<&str> {
        None
    }

    fn call_method(&self, id: FieldId, args: &[&str]) -> HostValue<'_> {
        let s = |v: &str| HostValue::Str(Cow::Owned(v.to_owned()));
        match id {
            GET_SCOPE => s(json_str(self.alert, &["source", "scope"])),
            GET_VALUE => s(json_str(self.alert, &["source", "value"])),
            GET_SCENARIO => s(json_str(self.alert, &["scenario"])),
            GET_EVENTS_COUNT => HostValue::Int(
                self.alert
                    .get("events_count")
                    .and_then(Value::as_i64)
                    .unwrap_or(0),
            ),
            GET_META => {
                let key = args.first().copied().unwrap_or("");
                let found = self
                    .alert
                    .get("meta")
                    .and_then(Value::as_array)
                    .and_then(|items| {
                        items
                            .iter()
                            .find(|m| m.get("key").and_then(Value::as_str) == Some(key))
                    })
                    .and_then(|m| m.get("value"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                s(found)
            }
            HAS_REMEDIATION => HostValue::Bool(
                self.alert
                    .get("remediation")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            ),
            DECISIONS_COUNT => {
                HostValue::Int(self.count_since(args.first().copied().unwrap_or(""), None))
            }
            DECISIONS_SINCE_COUNT => HostValue::Int(self.count_since(
                args.first().copied().unwrap_or(""),
                Some(args.get(1).copied().unwrap_or("")),
            )),
            _ => HostValue::Nil,
        }
    }
}
