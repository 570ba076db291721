//! From an overflowing bucket to alerts (CrowdSec overflows.go, spec §3.3).
use crowdwatch_time::Timestamp;

use super::scenario::{Scenario, ScopeKind};
use super::store::Bucket;
use crate::alert::{Alert, AlertEvent, AlertSource};
use crate::event::{Event, EventKind};
use crate::parser::whitelist::parse_ip;
use crate::schema::EventContext;

/// The source an event stands for under the scenario's scope (CrowdSec `SourceFromEvent`).
pub fn event_source(sc: &Scenario, evt: &Event) -> Result<AlertSource, String> {
    if evt.kind == EventKind::Overflow {
        let o = evt.overflow.as_ref().ok_or("overflow event without overflow data")?;
        let src = o.alert_sources.first().ok_or("overflow without sources")?;
        return match &sc.scope.kind {
            ScopeKind::Range => {
                let mut s = src.clone();
                s.value = match &sc.scope.expression {
                    Some(e) => e.eval_string(&EventContext(evt)).map_err(|e| e.message)?,
                    None => src.range.clone(),
                };
                s.scope = "Range".into();
                Ok(s)
            }
            _ => Ok(src.clone()),
        };
    }
    match &sc.scope.kind {
        ScopeKind::Ip | ScopeKind::Range => {
            let ip = evt.meta.get("source_ip").ok_or("scope needs Meta.source_ip")?;
            if parse_ip(ip).is_none() {
                return Err(format!("'{ip}' is not a valid IP"));
            }
            let mut s = AlertSource { ip: ip.to_owned(), scope: sc.scope.name().to_owned(), ..Default::default() };
            let en = &evt.enriched;
            s.as_number = en.get("ASNumber").or_else(|| en.get("ASNNumber")).unwrap_or("").to_owned();
            s.cn = en.get("IsoCode").unwrap_or("").to_owned();
            s.as_name = en.get("ASNOrg").unwrap_or("").to_owned();
            s.latitude = en.get("Latitude").and_then(|v| v.parse().ok()).unwrap_or(0.0);
            s.longitude = en.get("Longitude").and_then(|v| v.parse().ok()).unwrap_or(0.0);
            if let Some(r) = evt.meta.get("SourceRange").filter(|r| !r.is_empty()) {
                let net: ipnet::IpNet = r.parse().map_err(|_| format!("declared range {r} can't be parsed"))?;
                s.range = net.trunc().to_string();
            }
            s.value = match (&sc.scope.kind, &sc.scope.expression) {
                (ScopeKind::Ip, _) => s.ip.clone(),
                (_, Some(e)) => e.eval_string(&EventContext(evt)).map_err(|e| e.message)?,
                _ => s.range.clone(),
            };
            Ok(s)
        }
        ScopeKind::Custom(name) => {
            let e = sc.scope.expression.as_ref().ok_or("empty scope information")?;
            let value = e.eval_string(&EventContext(evt)).map_err(|e| e.message)?;
            Ok(AlertSource { scope: name.clone(), value, ..Default::default() })
        }
    }
}

/// One alert per distinct source of the bucket's events, in the order they were first seen.
pub fn build_alerts(sc: &Scenario, bucket: &Bucket, overflow_at: Timestamp) -> Vec<Alert> {
    let mut sources: Vec<&AlertSource> = Vec::new();
    for q in &bucket.queue {
        if let Some(s) = &q.source {
            if !sources.iter().any(|x| x.value == s.value) {
                sources.push(s);
            }
        }
    }
    let events: Vec<AlertEvent> =
        bucket.queue.iter().map(|q| AlertEvent { timestamp: q.timestamp.to_string(), meta: q.meta.clone() }).collect();
    let span = overflow_at.unix_nanos - bucket.first_ts.unix_nanos;
    sources
        .into_iter()
        .map(|src| Alert {
            scenario: sc.name.clone(),
            scenario_hash: sc.hash.clone(),
            scenario_version: sc.version.clone(),
            message: format!(
                "{} {} performed '{}' ({} events over {}) at {}",
                src.scope,
                src.value,
                sc.name,
                bucket.total,
                crowdwatch_time::format_go_duration(span),
                crowdwatch_time::format_go_time(overflow_at),
            ),
            events_count: bucket.total,
            start_at: crowdwatch_time::format_rfc3339_nano(bucket.first_ts),
            stop_at: crowdwatch_time::format_rfc3339_nano(overflow_at),
            capacity: sc.capacity,
            leakspeed: sc.leakspeed_text.clone(),
            simulated: sc.simulated,
            remediation: sc.remediation,
            source: src.clone(),
            events: events.clone(),
            meta: Vec::new(),
            decisions: Vec::new(),
            labels: sc.labels.clone(),
        })
        .collect()
}
