//! The source an event stands for (CrowdSec `SourceFromEvent`, spec §3.3), and what a queued
//! event keeps of it: an Ip or Range source of a plain log event depends only on the event's
//! meta, which the queue stores anyway, so it is derived again at overflow instead of stored.
use ipnet::IpNet;

use super::scenario::{Scenario, ScopeKind};
use crate::alert::{AlertSource, MetaItem};
use crate::event::{Event, EventKind};
use crate::parser::whitelist::parse_ip;
use crate::schema::EventContext;

/// The enrichment fields an Ip or Range source copies from the event.
const SOURCE_ENRICHMENT: [&str; 6] = [
    "ASNumber",
    "ASNNumber",
    "IsoCode",
    "ASNOrg",
    "Latitude",
    "Longitude",
];

/// What a queued event keeps of its source.
#[derive(Clone, Debug, PartialEq)]
pub enum QueuedSource {
    /// `SourceFromEvent` failed (an error counted when the event was poured).
    None,
    /// Derived again from the event's meta by `derive_source`.
    Derived,
    Explicit(Box<AlertSource>),
}

/// The source of `evt` under `sc`'s scope, in the form a queued event keeps it.
pub fn queued_source(sc: &Scenario, evt: &Event) -> Result<QueuedSource, String> {
    let derivable = evt.kind == EventKind::Log
        && matches!(
            (&sc.scope.kind, &sc.scope.expression),
            (ScopeKind::Ip, _) | (ScopeKind::Range, None)
        )
        && SOURCE_ENRICHMENT
            .iter()
            .all(|k| evt.enriched.get(k).is_none());
    if derivable {
        // The checks that can fail, without building the source.
        checked_ip(evt.meta.get("source_ip"), evt.meta.get("SourceRange"))?;
        return Ok(QueuedSource::Derived);
    }
    event_source(sc, evt).map(|s| QueuedSource::Explicit(Box::new(s)))
}

/// The source `event_source` gave a `Derived` event, from the event's meta.
pub fn derive_source(sc: &Scenario, meta: &[MetaItem]) -> Result<AlertSource, String> {
    let get = |key: &str| meta.iter().find(|m| m.key == key).map(|m| m.value.as_str());
    let mut s = ip_source(sc, get("source_ip"), get("SourceRange"))?;
    s.value = match sc.scope.kind {
        ScopeKind::Ip => s.ip.clone(),
        _ => s.range.clone(),
    };
    Ok(s)
}

/// The source an event stands for under the scenario's scope (CrowdSec `SourceFromEvent`).
pub fn event_source(sc: &Scenario, evt: &Event) -> Result<AlertSource, String> {
    if evt.kind == EventKind::Overflow {
        let o = evt
            .overflow
            .as_ref()
            .ok_or("overflow event without overflow data")?;
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
            let mut s = ip_source(sc, evt.meta.get("source_ip"), evt.meta.get("SourceRange"))?;
            let en = &evt.enriched;
            s.as_number = en
                .get("ASNumber")
                .or_else(|| en.get("ASNNumber"))
                .unwrap_or("")
                .to_owned();
            s.cn = en.get("IsoCode").unwrap_or("").to_owned();
            s.as_name = en.get("ASNOrg").unwrap_or("").to_owned();
            s.latitude = en
                .get("Latitude")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0.0);
            s.longitude = en
                .get("Longitude")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0.0);
            s.value = match (&sc.scope.kind, &sc.scope.expression) {
                (ScopeKind::Ip, _) => s.ip.clone(),
                (_, Some(e)) => e.eval_string(&EventContext(evt)).map_err(|e| e.message)?,
                _ => s.range.clone(),
            };
            Ok(s)
        }
        ScopeKind::Custom(name) => {
            let e = sc
                .scope
                .expression
                .as_ref()
                .ok_or("empty scope information")?;
            let value = e.eval_string(&EventContext(evt)).map_err(|e| e.message)?;
            Ok(AlertSource {
                scope: name.clone(),
                value,
                ..Default::default()
            })
        }
    }
}

/// An Ip or Range source's address and declared range, without enrichment or value.
fn ip_source(
    sc: &Scenario,
    ip: Option<&str>,
    declared_range: Option<&str>,
) -> Result<AlertSource, String> {
    let (ip, range) = checked_ip(ip, declared_range)?;
    let range = range.map(|net| net.to_string()).unwrap_or_default();
    Ok(AlertSource {
        ip: ip.to_owned(),
        scope: sc.scope.name().to_owned(),
        range,
        ..Default::default()
    })
}

/// `Meta.source_ip` must be an IP and `Meta.SourceRange`, when set, a network (truncated).
fn checked_ip<'a>(
    ip: Option<&'a str>,
    declared_range: Option<&str>,
) -> Result<(&'a str, Option<IpNet>), String> {
    let ip = ip.ok_or("scope needs Meta.source_ip")?;
    if parse_ip(ip).is_none() {
        return Err(format!("'{ip}' is not a valid IP"));
    }
    let range = match declared_range.filter(|r| !r.is_empty()) {
        Some(r) => Some(
            r.parse::<IpNet>()
                .map_err(|_| format!("declared range {r} can't be parsed"))?
                .trunc(),
        ),
        None => None,
    };
    Ok((ip, range))
}
