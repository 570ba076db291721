//! Alerts in CrowdSec's shape (models.Alert, spec §3.3): what an overflow becomes, one per
//! distinct source, ready to POST to a Local API.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MetaItem {
    pub key: String,
    pub value: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertEvent {
    pub timestamp: String,
    pub meta: Vec<MetaItem>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertSource {
    pub scope: String,
    pub value: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub ip: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub range: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub as_number: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub as_name: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub cn: String,
    #[serde(default)]
    pub latitude: f32,
    #[serde(default)]
    pub longitude: f32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub scenario: String,
    pub scenario_hash: String,
    pub scenario_version: String,
    pub message: String,
    pub events_count: i64,
    pub start_at: String,
    pub stop_at: String,
    pub capacity: i64,
    pub leakspeed: String,
    pub simulated: bool,
    pub remediation: bool,
    pub source: AlertSource,
    pub events: Vec<AlertEvent>,
    pub meta: Vec<MetaItem>,
    pub decisions: Vec<serde_json::Value>,
    /// The scenario's labels (not part of CrowdSec's POST body; profiles and the CLI use them).
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
}

impl Alert {
    /// `evt.Overflow` as expressions see it in postoverflows and when the alert is re-poured
    /// (`reprocess: true`), with Go's field names, events included.
    pub fn overflow_json(&self, mapkey: &str) -> serde_json::Value {
        let src = &self.source;
        let source = serde_json::json!({
            "Scope": src.scope, "Value": src.value, "IP": src.ip, "Range": src.range,
            "AsNumber": src.as_number, "AsName": src.as_name, "Cn": src.cn,
            "Latitude": src.latitude, "Longitude": src.longitude,
        });
        serde_json::json!({
            "Mapkey": mapkey,
            "Whitelisted": false,
            "Reprocess": true,
            "Sources": { src.value.clone(): source.clone() },
            "Alert": {
                "Scenario": self.scenario, "ScenarioHash": self.scenario_hash,
                "ScenarioVersion": self.scenario_version, "Message": self.message,
                "EventsCount": self.events_count, "StartAt": self.start_at, "StopAt": self.stop_at,
                "Capacity": self.capacity, "Leakspeed": self.leakspeed, "Simulated": self.simulated,
                "Remediation": self.remediation, "Source": source,
                "Events": self.events.iter().map(|e| serde_json::json!({
                    "Timestamp": e.timestamp, "Meta": meta_json(&e.meta),
                })).collect::<Vec<_>>(),
                "Meta": meta_json(&self.meta),
            },
        })
    }
}

/// models.Meta: `[{Key, Value}]`.
fn meta_json(meta: &[MetaItem]) -> Vec<serde_json::Value> {
    meta.iter()
        .map(|m| serde_json::json!({ "Key": m.key, "Value": m.value }))
        .collect()
}
