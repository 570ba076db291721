//! The YAML shapes of CrowdSec content, decoded strictly (an unknown key fails the document, as
//! CrowdSec's strict decoder does). Scalars that Go's yaml decodes into strings (`value: 1`,
//! `remediation: true`) are accepted as strings here too.
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::fingerprint::Fingerprint;

/// Any YAML scalar, read as the string Go's yaml.v2 would produce.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar (string, number or boolean)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_owned()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar(String::new()))
            }
            // Newer hub items carry list-valued labels (CrowdSec 1.4.6 rejects them); we keep
            // them loadable and join the items.
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
                let mut items = Vec::new();
                while let Some(Scalar(s)) = seq.next_element()? {
                    items.push(s);
                }
                Ok(Scalar(items.join(",")))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSourceYaml {
    #[serde(default)]
    pub source_url: Option<String>,
    #[serde(default)]
    pub dest_file: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub strategy: Option<String>,
    /// CrowdSec sizes a `RegexpInFile` answer cache with these; ours is the fixed-size memo of
    /// `RegexUnion`, so they are read and not used.
    #[serde(default)]
    pub size: Option<i64>,
    #[serde(default)]
    pub ttl: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticYaml {
    pub meta: Option<String>,
    pub parsed: Option<String>,
    pub enriched: Option<String>,
    pub target: Option<String>,
    pub method: Option<String>,
    pub value: Option<Scalar>,
    pub expression: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrokYaml {
    pub pattern: Option<String>,
    pub name: Option<String>,
    pub apply_on: Option<String>,
    pub expression: Option<String>,
    #[serde(default)]
    pub statics: Vec<StaticYaml>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhitelistYaml {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub ip: Vec<String>,
    #[serde(default)]
    pub cidr: Vec<String>,
    #[serde(default)]
    pub expression: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeYaml {
    pub format: Option<Scalar>,
    #[serde(default)]
    pub debug: bool,
    #[serde(default)]
    pub profiling: bool,
    pub name: Option<String>,
    pub author: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    pub stage: Option<String>,
    pub filter: Option<String>,
    pub onsuccess: Option<String>,
    /// Ordered: the first definition of a name wins.
    #[serde(default)]
    pub pattern_syntax: serde_yaml::Mapping,
    pub grok: Option<GrokYaml>,
    #[serde(default)]
    pub nodes: Vec<NodeYaml>,
    #[serde(default)]
    pub statics: Vec<StaticYaml>,
    pub whitelist: Option<WhitelistYaml>,
    #[serde(default)]
    pub data: Vec<DataSourceYaml>,
    #[serde(default)]
    pub stash: Vec<StashYaml>,
}

/// One `bayesian_conditions` entry of a bayesian scenario.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BayesianConditionYaml {
    #[serde(default)]
    pub condition: String,
    #[serde(default)]
    pub prob_given_evil: f32,
    #[serde(default)]
    pub prob_given_benign: f32,
    #[serde(default)]
    pub guillotine: bool,
}

/// A parser node's `stash:` entry: `value` stored under `key` in the cache `name`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StashYaml {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub ttl: String,
    pub size: Option<usize>,
    pub strategy: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeYaml {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub expression: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioYaml {
    pub format: Option<Scalar>,
    pub author: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub name: Option<String>,
    pub capacity: Option<i64>,
    pub leakspeed: Option<Scalar>,
    pub duration: Option<Scalar>,
    pub filter: Option<String>,
    pub groupby: Option<String>,
    pub distinct: Option<String>,
    #[serde(default)]
    pub debug: bool,
    #[serde(default)]
    pub labels: BTreeMap<String, Scalar>,
    pub blackhole: Option<Scalar>,
    #[serde(default)]
    pub reprocess: bool,
    pub cache_size: Option<i64>,
    #[serde(default)]
    pub profiling: bool,
    pub overflow_filter: Option<String>,
    pub cancel_on: Option<String>,
    /// A conditional scenario's overflow condition (`queue`, `evt`).
    pub condition: Option<String>,
    pub bayesian_prior: Option<f32>,
    pub bayesian_threshold: Option<f32>,
    #[serde(default)]
    pub bayesian_conditions: Vec<BayesianConditionYaml>,
    pub scope: Option<ScopeYaml>,
    #[serde(default)]
    pub data: Vec<DataSourceYaml>,
    pub version: Option<Scalar>,
}

/// Decode every document of a multi-document YAML file, with the 1-based line each document
/// starts on. A document that fails to decode is reported with its line; the others still load.
/// One decoded document: the line it starts on, and the value or (line, message) of its error.
pub type Document<T> = (usize, Result<T, (usize, String)>);

pub fn documents<T: serde::de::DeserializeOwned>(text: &str) -> Vec<Document<T>> {
    decode_documents(text, |_| ())
        .into_iter()
        .map(|(doc, ())| doc)
        .collect()
}

/// `documents`, each with the fingerprint of its decoded YAML (see `fingerprint.rs`). A document
/// that is not valid YAML gets the default fingerprint: it fails the load anyway.
pub fn fingerprinted_documents<T: serde::de::DeserializeOwned>(
    text: &str,
) -> Vec<(Document<T>, Fingerprint)> {
    decode_documents(text, Fingerprint::of_document)
}

/// Decode every document, and give `inspect` each one's YAML value before it is decoded.
fn decode_documents<T: serde::de::DeserializeOwned, X: Default>(
    text: &str,
    mut inspect: impl FnMut(&serde_yaml::Value) -> X,
) -> Vec<(Document<T>, X)> {
    let starts = document_start_lines(text);
    let mut out = Vec::new();
    for (i, doc) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let start = starts.get(i).copied().unwrap_or(1);
        match serde_yaml::Value::deserialize(doc) {
            Ok(serde_yaml::Value::Null) => continue,
            Ok(value) => {
                let seen = inspect(&value);
                let decoded = serde_yaml::from_value::<T>(value).map_err(|e| {
                    let msg = e.to_string();
                    (field_line(text, &msg, start), msg)
                });
                out.push(((start, decoded), seen));
            }
            Err(e) => {
                let msg = e.to_string();
                let line = e
                    .location()
                    .map(|l| l.line())
                    .or_else(|| line_in_message(&msg))
                    .unwrap_or(start);
                out.push(((start, Err((line, msg))), X::default()));
                // The stream cannot continue past a syntax error.
                break;
            }
        }
    }
    out
}

/// First line of each document: line 1, and the line after each `---` that follows content.
fn document_start_lines(text: &str) -> Vec<usize> {
    let mut starts = vec![1];
    let mut has_content = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("---") {
            if has_content {
                starts.push(i + 2);
            } else {
                *starts.last_mut().unwrap() = i + 2;
            }
            has_content = false;
        } else if !line.trim().is_empty() && !line.trim_start().starts_with('#') {
            has_content = true;
        }
    }
    starts
}

/// Decoding errors from a `Value` carry no position; point at the key they name when we can
/// (serde names unknown fields as `unknown field `foo``).
fn field_line(text: &str, message: &str, start: usize) -> usize {
    let key = message.split('`').nth(1).unwrap_or("");
    if key.is_empty() {
        return start;
    }
    crate::diag::line_of(text, &format!("{key}:"), start)
}

/// serde_yaml's syntax errors say "at line N column M" but do not always expose the location.
fn line_in_message(msg: &str) -> Option<usize> {
    let rest = &msg[msg.find("at line ")? + "at line ".len()..];
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_point_at_their_line() {
        let text = "name: a\ndescription: b\nfilter: x\n\nstatics: [\n  - meta: a\n";
        let docs = documents::<NodeYaml>(text);
        let (_, res) = docs.last().expect("one document");
        let (line, _) = res.as_ref().expect_err("broken YAML");
        assert!(*line >= 5, "line {line}");
    }

    #[test]
    fn unknown_keys_point_at_their_line() {
        let text = "name: a\ndescription: b\nfilterr: x\n";
        let docs = documents::<NodeYaml>(text);
        let (line, msg) = docs[0].1.as_ref().expect_err("unknown key");
        assert_eq!(*line, 3, "{msg}");
    }
}
