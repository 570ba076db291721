//! Statics: the assignments a node makes once it succeeded (CrowdSec `ProcessStatics`).
use crowdwatch_expr::{Program, Value};

use super::node::NodeError;
use crate::event::Event;
use crate::schema::EventContext;

pub enum Target {
    Meta(String),
    Parsed(String),
    Enriched(String),
    StrTime,
    StrTimeFormat,
    MarshaledTime,
    WhitelistReason,
    Method(Method),
    /// A `target:` path we cannot write (reported as a warning at load; skipped at run time).
    Unsupported,
}

pub enum Method {
    ParseDate,
    /// GeoIP, rDNS...: enrichers that need data this build does not have; skipped.
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

/// Parse a `target:` path (`evt.` prefix optional) into something we can write.
pub fn target_by_name(path: &str) -> Target {
    let path = path.strip_prefix("evt.").unwrap_or(path);
    match path {
        "StrTime" => Target::StrTime,
        "StrTimeFormat" => Target::StrTimeFormat,
        "MarshaledTime" => Target::MarshaledTime,
        "WhitelistReason" => Target::WhitelistReason,
        _ => {
            if let Some(k) = path.strip_prefix("Parsed.") {
                Target::Parsed(k.to_owned())
            } else if let Some(k) = path.strip_prefix("Meta.") {
                Target::Meta(k.to_owned())
            } else if let Some(k) = path.strip_prefix("Enriched.") {
                Target::Enriched(k.to_owned())
            } else {
                Target::Unsupported
            }
        }
    }
}

pub fn apply_statics(statics: &[Static], evt: &mut Event, errors: &mut u64) -> Result<(), NodeError> {
    for st in statics {
        let value: std::borrow::Cow<str> = match &st.source {
            Source::Value(v) => v.as_str().into(),
            Source::Expression(p) => match p.eval(&EventContext(evt)) {
                Ok(Value::Str(s)) => s.into(),
                Ok(Value::Int(i)) => i.to_string().into(),
                // CrowdSec warns and skips lists and maps...
                Ok(Value::List(_)) | Ok(Value::Map(_)) => continue,
                // ...and aborts the event on any other type.
                Ok(other) => {
                    *errors += 1;
                    return Err(NodeError(format!("static expression returned {other:?}, not a string")));
                }
                Err(_) => {
                    *errors += 1;
                    continue;
                }
            },
        };
        let is_parse_date = matches!(st.target, Target::Method(Method::ParseDate));
        if value.is_empty() && !is_parse_date {
            continue;
        }
        match &st.target {
            Target::Meta(k) => evt.meta.set(k, &value),
            Target::Parsed(k) => evt.parsed.set(k, &value),
            Target::Enriched(k) => evt.enriched.set(k, &value),
            Target::StrTime => set(&mut evt.str_time, &value),
            Target::StrTimeFormat => set(&mut evt.str_time_format, &value),
            Target::MarshaledTime => set(&mut evt.marshaled_time, &value),
            Target::WhitelistReason => set(&mut evt.whitelist_reason, &value),
            Target::Method(Method::ParseDate) => parse_date(evt, &value),
            Target::Method(Method::Unavailable) | Target::Unsupported => {}
        }
    }
    Ok(())
}

fn set(field: &mut String, value: &str) {
    field.clear();
    field.push_str(value);
}

/// CrowdSec's ParseDate enricher: the event's own layout first, then the fixed list; when
/// nothing parses, the time of acquisition. The result goes to `Enriched.MarshaledTime`.
fn parse_date(evt: &mut Event, text: &str) {
    let ts = crowdwatch_time::parse_date(text, &evt.str_time_format, evt.line_time).unwrap_or(evt.line_time);
    evt.time = ts;
    let marshaled = crowdwatch_time::format_rfc3339_nano(ts);
    evt.enriched.set("MarshaledTime", &marshaled);
}
