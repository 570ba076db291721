//! Statics: the assignments a node makes once it succeeded (CrowdSec `ProcessStatics`).
use std::fmt::Write as _;

use crowdwatch_expr::{Evaluated, Program, Value};
use crowdwatch_time::Timestamp;

use super::node::NodeError;
use crate::event::Event;
use crate::schema::EventContext;

/// Per-thread state of statics, reused across lines.
#[derive(Default)]
pub struct StaticsScratch {
    /// The value being assigned: an expression's result borrows the event, which the
    /// assignment then writes.
    value: String,
    /// ParseDate's last question and answer: lines of a log come many to a second, and
    /// consecutive lines mostly carry the same timestamp text.
    last_date: Option<DateAnswer>,
}

struct DateAnswer {
    text: String,
    layout: String,
    line_time: Timestamp,
    time: Timestamp,
    marshaled: String,
}

pub enum Target {
    Meta(String),
    Parsed(String),
    Enriched(String),
    StrTime,
    StrTimeFormat,
    MarshaledTime,
    WhitelistReason,
    /// `evt.Line.Src`, `evt.Line.Module`, `evt.Line.Labels.<key>`: this event's own copy of its
    /// source is written (the hubtest `override_statics` of Windows logs set the module).
    LineSrc,
    LineModule,
    LineLabel(String),
    /// `evt.Overflow.Alert.Source.<Field>` in postoverflows (ipv6_to_range turns an address
    /// into its /64): the alert's source, and its entry in `Sources`.
    OverflowSource(String),
    Method(Method),
    /// A `target:` path we cannot write (reported as a warning at load; skipped at run time).
    Unsupported,
}

pub enum Method {
    ParseDate,
    /// CrowdSec's GeoIP enrichers (`geoip/`).
    GeoIpCity,
    GeoIpAsn,
    IpToRange,
    /// CrowdSec's `reverse_dns` (`rdns/`).
    ReverseDns,
    /// Enricher methods this build does not know (a warning at load); skipped.
    Unavailable,
}

pub enum Source {
    Value(String),
    Expression(Program),
}

pub struct Static {
    pub target: Target,
    pub source: Source,
}

impl Static {
    pub fn uses_geoip(&self) -> bool {
        matches!(
            self.target,
            Target::Method(Method::GeoIpCity | Method::GeoIpAsn | Method::IpToRange)
        )
    }
}

/// Parse a `target:` path (`evt.` prefix optional) into something we can write.
pub fn target_by_name(path: &str) -> Target {
    let path = path.strip_prefix("evt.").unwrap_or(path);
    match path {
        "StrTime" => Target::StrTime,
        "StrTimeFormat" => Target::StrTimeFormat,
        "MarshaledTime" => Target::MarshaledTime,
        "WhitelistReason" => Target::WhitelistReason,
        "Line.Src" => Target::LineSrc,
        "Line.Module" => Target::LineModule,
        _ => {
            if let Some(k) = path.strip_prefix("Parsed.") {
                Target::Parsed(k.to_owned())
            } else if let Some(k) = path.strip_prefix("Meta.") {
                Target::Meta(k.to_owned())
            } else if let Some(k) = path.strip_prefix("Enriched.") {
                Target::Enriched(k.to_owned())
            } else if let Some(k) = path.strip_prefix("Line.Labels.") {
                Target::LineLabel(k.to_owned())
            } else if let Some(f) = path.strip_prefix("Overflow.Alert.Source.").filter(|f| {
                matches!(
                    *f,
                    "Value" | "Scope" | "IP" | "Range" | "AsName" | "AsNumber" | "Cn"
                )
            }) {
                Target::OverflowSource(f.to_owned())
            } else {
                Target::Unsupported
            }
        }
    }
}

pub fn apply_statics(
    statics: &[Static],
    evt: &mut Event,
    scratch: &mut StaticsScratch,
    errors: &mut u64,
) -> Result<(), NodeError> {
    for st in statics {
        let mut computed = std::mem::take(&mut scratch.value);
        computed.clear();
        let value: &str = match &st.source {
            Source::Value(v) => v.as_str(),
            Source::Expression(p) => {
                let written = p.writes().then(|| crate::schema::eval_writing_on(p, evt));
                let ctx = EventContext(evt);
                let result = match written {
                    Some(r) => r.map(Evaluated::Other),
                    None => p.eval_borrowed(&ctx),
                };
                match result {
                    Ok(Evaluated::Text(s)) => computed.push_str(&s),
                    Ok(Evaluated::Other(Value::Str(s))) => computed.push_str(&s),
                    Ok(Evaluated::Other(Value::Int(i))) => computed.push_str(&i.to_string()),
                    // CrowdSec 1.7 prints floats with `%f`.
                    Ok(Evaluated::Other(Value::Float(f))) => {
                        let _ = write!(computed, "{f:.6}");
                    }
                    // It warns and skips lists and maps, skips nil...
                    Ok(Evaluated::Other(Value::List(_) | Value::Map(_) | Value::Nil)) => continue,
                    // ...and aborts the event on any other type.
                    Ok(Evaluated::Other(other)) => {
                        *errors += 1;
                        return Err(NodeError(format!(
                            "static expression returned {other:?}, not a string"
                        )));
                    }
                    Err(_) => {
                        *errors += 1;
                        continue;
                    }
                }
                &computed
            }
        };
        assign(st, value, evt, &mut scratch.last_date);
        scratch.value = computed;
    }
    Ok(())
}

fn assign(st: &Static, value: &str, evt: &mut Event, last_date: &mut Option<DateAnswer>) {
    let is_parse_date = matches!(st.target, Target::Method(Method::ParseDate));
    if value.is_empty() && !is_parse_date {
        return;
    }
    match &st.target {
        Target::Meta(k) => evt.meta.set(k, value),
        Target::Parsed(k) => evt.parsed.set(k, value),
        Target::Enriched(k) => evt.enriched.set(k, value),
        Target::StrTime => set(&mut evt.str_time, value),
        Target::StrTimeFormat => set(&mut evt.str_time_format, value),
        Target::MarshaledTime => set(&mut evt.marshaled_time, value),
        Target::WhitelistReason => set(&mut evt.whitelist_reason, value),
        Target::LineSrc => set(&mut std::sync::Arc::make_mut(&mut evt.source).src, value),
        Target::LineModule => set(&mut std::sync::Arc::make_mut(&mut evt.source).module, value),
        Target::LineLabel(k) => std::sync::Arc::make_mut(&mut evt.source)
            .labels
            .set(k, value),
        Target::OverflowSource(field) => {
            if let Some(o) = evt.overflow.as_mut() {
                o.set_source_field(field, value);
            }
        }
        Target::Method(Method::ParseDate) => parse_date(evt, value, last_date),
        Target::Method(m @ (Method::GeoIpCity | Method::GeoIpAsn | Method::IpToRange)) => {
            geoip_enrich(m, evt, value)
        }
        Target::Method(Method::ReverseDns) => {
            let resolver = evt.rdns.clone();
            if let (Some(Some(r)), Ok(ip)) = (resolver.as_deref(), value.trim().parse()) {
                if let Some(name) = r.lookup(ip) {
                    evt.enriched.set("reverse_dns", &name);
                }
            }
        }
        Target::Method(Method::Unavailable) | Target::Unsupported => {}
    }
}

fn set(field: &mut String, value: &str) {
    field.clear();
    field.push_str(value);
}

/// CrowdSec's GeoIP enrichers: what they find goes to `evt.Enriched` under CrowdSec's names
/// (`IsoCode`, `IsInEU`, `Latitude`, `Longitude` with Go's `%f`; `ASNNumber`, `ASNumber`,
/// `ASNOrg`; `SourceRange`); nothing when the value is no address or the databases do not know it.
fn geoip_enrich(method: &Method, evt: &mut Event, value: &str) {
    let (Some(geoip), Ok(ip)) = (evt.geoip.clone(), value.trim().parse::<std::net::IpAddr>())
    else {
        return;
    };
    match method {
        // An address the database does not know gets Go's zero record, as geoip2-golang
        // answers: no country, 0,0, AS 0.
        Method::GeoIpCity if geoip.has_city() => {
            let c = geoip.city(ip).unwrap_or(crate::geoip::City {
                iso_code: String::new(),
                in_eu: false,
                latitude: 0.0,
                longitude: 0.0,
            });
            evt.enriched.set("IsoCode", &c.iso_code);
            evt.enriched
                .set("IsInEU", if c.in_eu { "true" } else { "false" });
            evt.enriched.set("Latitude", &format!("{:.6}", c.latitude));
            evt.enriched
                .set("Longitude", &format!("{:.6}", c.longitude));
        }
        Method::GeoIpAsn if geoip.has_asn() => {
            let (number, org) = geoip
                .asn(ip)
                .map_or((0, String::new()), |a| (a.number, a.organization));
            let number = number.to_string();
            evt.enriched.set("ASNNumber", &number);
            evt.enriched.set("ASNumber", &number);
            evt.enriched.set("ASNOrg", &org);
        }
        Method::IpToRange => {
            if let Some(net) = geoip.range(ip) {
                evt.enriched.set("SourceRange", &net.to_string());
            }
        }
        Method::GeoIpCity
        | Method::GeoIpAsn
        | Method::ParseDate
        | Method::ReverseDns
        | Method::Unavailable => {}
    }
}

/// CrowdSec's ParseDate enricher: the event's own layout first, then the fixed list; when
/// nothing parses, the time of acquisition. The result goes to `Enriched.MarshaledTime`.
/// The answer depends on the text, the layout and the acquisition time (the year of a
/// syslog date, the fallback) only, so the last one is reused when those are unchanged.
fn parse_date(evt: &mut Event, text: &str, last: &mut Option<DateAnswer>) {
    let same = |a: &DateAnswer| {
        a.text == text && a.layout == evt.str_time_format && a.line_time == evt.line_time
    };
    if !last.as_ref().is_some_and(same) {
        let ts = crowdwatch_time::parse_date(text, &evt.str_time_format, evt.line_time)
            .unwrap_or(evt.line_time);
        let answer = last.get_or_insert_with(|| DateAnswer {
            text: String::new(),
            layout: String::new(),
            line_time: ts,
            time: ts,
            marshaled: String::new(),
        });
        set(&mut answer.text, text);
        set(&mut answer.layout, &evt.str_time_format);
        answer.line_time = evt.line_time;
        answer.time = ts;
        answer.marshaled = crowdwatch_time::format_rfc3339_nano(ts);
    }
    if let Some(answer) = last {
        evt.time = answer.time;
        evt.enriched.set("MarshaledTime", &answer.marshaled);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::event::{ExpectMode, Source as LineSource};

    fn parse_date_static() -> Static {
        Static {
            target: Target::Method(Method::ParseDate),
            source: Source::Value(String::new()),
        }
    }

    /// ParseDate on `text` through `scratch`, as a node's statics run it.
    fn marshaled(evt: &mut Event, scratch: &mut StaticsScratch, text: &str) -> String {
        let st = Static {
            source: Source::Value(text.into()),
            ..parse_date_static()
        };
        apply_statics(std::slice::from_ref(&st), evt, scratch, &mut 0).unwrap();
        evt.enriched
            .get("MarshaledTime")
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn the_remembered_date_is_reused_only_for_the_same_question() {
        let year_2025 = Timestamp::from_unix(1_750_000_000, 0).unwrap();
        let year_2026 = Timestamp::from_unix(1_780_000_000, 0).unwrap();
        let mut evt = Event::new(
            Arc::new(LineSource::default()),
            ExpectMode::TimeMachine,
            year_2025,
        );
        let mut scratch = StaticsScratch::default();
        let a = marshaled(&mut evt, &mut scratch, "24/Nov/2026:10:00:00 +0000");
        assert_eq!(a, "2026-11-24T10:00:00Z");
        assert_eq!(
            marshaled(&mut evt, &mut scratch, "24/Nov/2026:10:00:00 +0000"),
            a
        );
        assert_eq!(
            marshaled(&mut evt, &mut scratch, "24/Nov/2026:10:00:01 +0000"),
            "2026-11-24T10:00:01Z"
        );
        // A syslog date has no year: it comes from the acquisition time, part of the question.
        assert_eq!(
            marshaled(&mut evt, &mut scratch, "Nov 24 10:00:00"),
            "2025-11-24T10:00:00Z"
        );
        evt.line_time = year_2026;
        assert_eq!(
            marshaled(&mut evt, &mut scratch, "Nov 24 10:00:00"),
            "2026-11-24T10:00:00Z"
        );
        assert_eq!(
            evt.time,
            crowdwatch_time::parse_date("Nov 24 10:00:00", "", year_2026).unwrap()
        );
        // The event's own layout is part of it too; an unparsable text falls back to the
        // acquisition time.
        evt.str_time_format = "01/02/2006 15:04:05".into();
        assert_eq!(
            marshaled(&mut evt, &mut scratch, "03/04/2026 10:00:00"),
            "2026-03-04T10:00:00Z"
        );
        evt.str_time_format = "02/01/2006 15:04:05".into();
        assert_eq!(
            marshaled(&mut evt, &mut scratch, "03/04/2026 10:00:00"),
            "2026-04-03T10:00:00Z"
        );
        let fallback = crowdwatch_time::format_rfc3339_nano(year_2026);
        assert_eq!(marshaled(&mut evt, &mut scratch, "not a date"), fallback);
        assert_eq!(evt.time, year_2026);
    }
}
