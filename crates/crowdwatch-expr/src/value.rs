//! The evaluator's value: borrows host strings and program constants so hot filters never allocate.
use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value as Json;

use crate::{EvalError, HostValue, Value};

#[derive(Debug, Clone)]
pub(crate) enum Val<'a> {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    List(List<'a>),
    Map(Vec<(String, Val<'a>)>),
    /// A JSON array or object (scalars are converted to the variants above when read).
    Json(Cow<'a, Json>),
}

#[derive(Debug, Clone)]
pub(crate) enum List<'a> {
    /// A data file's lines, borrowed from the program.
    Strs(&'a [String]),
    /// A data file's lines, shared with `DataFiles` (a folded `File()` call).
    Shared(Arc<Vec<String>>),
    Vals(&'a [Val<'a>]),
    Owned(Vec<Val<'a>>),
}

impl<'a> List<'a> {
    pub fn len(&self) -> usize {
        match self {
            List::Strs(s) => s.len(),
            List::Shared(s) => s.len(),
            List::Vals(v) => v.len(),
            List::Owned(v) => v.len(),
        }
    }
    pub fn get(&self, i: usize) -> Option<Val<'_>> {
        match self {
            List::Strs(s) => s.get(i).map(|s| Val::Str(Cow::Borrowed(s.as_str()))),
            List::Shared(s) => s.get(i).map(|s| Val::Str(Cow::Borrowed(s.as_str()))),
            List::Vals(v) => v.get(i).map(Val::reborrow),
            List::Owned(v) => v.get(i).map(Val::reborrow),
        }
    }
    /// Items with the list's own lifetime where possible, so closures over constants never copy.
    pub fn items(&self) -> Vec<Val<'_>> {
        (0..self.len()).filter_map(|i| self.get(i)).collect()
    }
}

impl<'a> Val<'a> {
    pub fn str(s: &'a str) -> Self {
        Val::Str(Cow::Borrowed(s))
    }

    /// A view of `self` that borrows instead of owning: cheap for strings, lists and JSON.
    pub fn reborrow(&self) -> Val<'_> {
        match self {
            Val::Nil => Val::Nil,
            Val::Bool(b) => Val::Bool(*b),
            Val::Int(i) => Val::Int(*i),
            Val::Float(f) => Val::Float(*f),
            Val::Str(s) => Val::Str(Cow::Borrowed(s)),
            Val::List(List::Strs(s)) => Val::List(List::Strs(s)),
            Val::List(List::Shared(s)) => Val::List(List::Strs(s)),
            Val::List(List::Vals(v)) => Val::List(List::Vals(v)),
            Val::List(List::Owned(v)) => Val::List(List::Vals(v)),
            Val::Map(m) => Val::Map(m.iter().map(|(k, v)| (k.clone(), v.reborrow())).collect()),
            Val::Json(j) => Val::Json(Cow::Borrowed(j)),
        }
    }

    /// Detach from every borrow (used to store folded constants in the program).
    pub fn into_static(self) -> Val<'static> {
        match self {
            Val::Nil => Val::Nil,
            Val::Bool(b) => Val::Bool(b),
            Val::Int(i) => Val::Int(i),
            Val::Float(f) => Val::Float(f),
            Val::Str(s) => Val::Str(Cow::Owned(s.into_owned())),
            Val::List(List::Shared(s)) => Val::List(List::Shared(s)),
            Val::List(l) => Val::List(List::Owned(
                l.items().into_iter().map(|v| v.into_static()).collect(),
            )),
            Val::Map(m) => Val::Map(m.into_iter().map(|(k, v)| (k, v.into_static())).collect()),
            Val::Json(j) => Val::Json(Cow::Owned(j.into_owned())),
        }
    }

    pub fn from_host(h: HostValue<'a>) -> Self {
        match h {
            HostValue::Nil | HostValue::StrMap => Val::Nil,
            HostValue::Bool(b) => Val::Bool(b),
            HostValue::Int(i) => Val::Int(i),
            HostValue::Float(f) => Val::Float(f),
            HostValue::Str(s) => Val::Str(s),
            HostValue::Json(Cow::Borrowed(j)) => Val::from_json(j),
            HostValue::Json(Cow::Owned(j)) => Val::from_json_owned(j),
        }
    }

    pub fn from_json(j: &'a Json) -> Self {
        match j {
            Json::Null => Val::Nil,
            Json::Bool(b) => Val::Bool(*b),
            Json::Number(n) => number(n),
            Json::String(s) => Val::str(s),
            _ => Val::Json(Cow::Borrowed(j)),
        }
    }

    pub fn from_json_owned(j: Json) -> Self {
        match j {
            Json::Null => Val::Nil,
            Json::Bool(b) => Val::Bool(b),
            Json::Number(n) => number(&n),
            Json::String(s) => Val::Str(Cow::Owned(s)),
            other => Val::Json(Cow::Owned(other)),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Nil => "nil",
            Val::Bool(_) => "bool",
            Val::Int(_) => "int",
            Val::Float(_) => "float64",
            Val::Str(_) => "string",
            Val::List(_) => "array",
            Val::Map(_) => "map",
            Val::Json(j) if j.is_array() => "array",
            Val::Json(_) => "map",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn to_public(&self) -> Value {
        match self {
            Val::Nil => Value::Nil,
            Val::Bool(b) => Value::Bool(*b),
            Val::Int(i) => Value::Int(*i),
            Val::Float(f) => Value::Float(*f),
            Val::Str(s) => Value::Str(s.to_string()),
            Val::List(l) => Value::List(l.items().iter().map(Val::to_public).collect()),
            Val::Map(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), v.to_public())).collect()),
            Val::Json(j) => json_to_public(j),
        }
    }

    pub fn to_json(&self) -> Json {
        match self {
            Val::Nil => Json::Null,
            Val::Bool(b) => Json::Bool(*b),
            Val::Int(i) => Json::from(*i),
            Val::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Val::Str(s) => Json::String(s.to_string()),
            Val::List(l) => Json::Array(l.items().iter().map(Val::to_json).collect()),
            Val::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
            Val::Json(j) => (**j).clone(),
        }
    }

    /// The value as JSON, floats included even when integral (`to_json` would do, but keeps a
    /// float's integral value a float so `%v` can print it as Go does).
    pub fn to_json_like(&self) -> Json {
        match self {
            Val::Float(f) if f.fract() != 0.0 || !f.is_finite() || f.abs() >= 1e21 => {
                serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number)
            }
            Val::Float(f) => Json::from(*f as i64),
            other => other.to_json(),
        }
    }

    /// Go's `%v` text for scalars (what CrowdSec statics and groupby produce).
    pub fn to_text(&self) -> Result<Cow<'_, str>, EvalError> {
        Ok(match self {
            Val::Nil => Cow::Borrowed(""),
            Val::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Val::Int(i) => Cow::Owned(i.to_string()),
            Val::Float(f) => Cow::Owned(go_float(*f)),
            Val::Str(s) => Cow::Borrowed(s),
            other => {
                return Err(EvalError {
                    message: format!("expected a string, got {}", other.type_name()),
                })
            }
        })
    }

    pub fn as_number(&self) -> Option<f64> {
        match self {
            Val::Int(i) => Some(*i as f64),
            Val::Float(f) => Some(*f),
            _ => None,
        }
    }
}

fn number(n: &serde_json::Number) -> Val<'static> {
    // encoding/json decodes every number as float64; keep integers exact when they are.
    match n.as_i64() {
        Some(i) => Val::Int(i),
        None => Val::Float(n.as_f64().unwrap_or(0.0)),
    }
}

fn json_to_public(j: &Json) -> Value {
    match j {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => number(n).to_public(),
        Json::String(s) => Value::Str(s.clone()),
        Json::Array(a) => Value::List(a.iter().map(json_to_public).collect()),
        Json::Object(o) => Value::Map(
            o.iter()
                .map(|(k, v)| (k.clone(), json_to_public(v)))
                .collect(),
        ),
    }
}

/// expr's `==`: numbers across int/float, otherwise same type and deep equality.
pub(crate) fn equal(a: &Val<'_>, b: &Val<'_>) -> bool {
    match (a, b) {
        (Val::Nil, Val::Nil) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Int(x), Val::Int(y)) => x == y,
        (Val::Str(x), Val::Str(y)) => x == y,
        (Val::Int(_) | Val::Float(_), Val::Int(_) | Val::Float(_)) => {
            a.as_number() == b.as_number()
        }
        (Val::Nil, _)
        | (_, Val::Nil)
        | (Val::Bool(_), _)
        | (_, Val::Bool(_))
        | (Val::Str(_), _)
        | (_, Val::Str(_)) => false,
        _ => a.to_json() == b.to_json(),
    }
}

/// Go's strconv 'g' shortest form with %v's exponent threshold of 21.
pub(crate) fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e21).contains(&abs) {
        let s = format!("{f:e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let (sign, digits) = exp.strip_prefix('-').map_or(("+", exp), |d| ("-", d));
        return format!("{mant}e{sign}{digits:0>2}");
    }
    format!("{f}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_follows_expr() {
        assert!(equal(&Val::Int(1), &Val::Float(1.0)));
        assert!(!equal(&Val::str("1"), &Val::Int(1)));
        assert!(equal(&Val::Nil, &Val::Nil));
        assert!(!equal(&Val::Nil, &Val::str("")));
    }

    #[test]
    fn floats_print_like_go() {
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(3.0), "3");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(0.00001), "1e-05");
    }
}
