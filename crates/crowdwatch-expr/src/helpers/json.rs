//! JSON helpers. CrowdSec uses buger/jsonparser, which scans the text; we parse with serde_json and
//! then walk the same key path. Differences: a duplicated key yields the last value instead of the
//! first, and raw (non-unescaped) output is re-serialized, so escapes and number spellings are
//! normalized (`\/` prints as `/`, `1e3` as `1000.0`).
use std::borrow::Cow;

use serde_json::Value as Json;

use crate::value::Val;

/// The first JSON value of the text; jsonparser ignores whatever follows it.
fn parse(blob: &str) -> Option<Json> {
    serde_json::Deserializer::from_str(blob)
        .into_iter::<Json>()
        .next()?
        .ok()
}

/// JsonExtract's path syntax: `a.b[0].c` (a leading `[` means the document is an array).
fn split_path(path: &str) -> Vec<String> {
    let path = if path.starts_with('[') {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(path.replace('[', ".["))
    };
    path.split('.').map(str::to_string).collect()
}

fn walk<'j, S: AsRef<str>>(mut v: &'j Json, keys: &[S]) -> Option<&'j Json> {
    for key in keys {
        let key = key.as_ref();
        v = match key.strip_prefix('[').and_then(|k| k.strip_suffix(']')) {
            Some(index) => v.as_array()?.get(index.parse::<usize>().ok()?)?,
            None => v.as_object()?.get(key)?,
        };
    }
    Some(v)
}

/// jsonparser.Get's text: strings without their quotes, anything else as JSON text.
fn raw_text(v: &Json) -> String {
    match v {
        Json::String(s) => {
            let quoted = serde_json::to_string(s).unwrap_or_default();
            quoted[1..quoted.len() - 1].to_string()
        }
        other => other.to_string(),
    }
}

pub(crate) fn extract(blob: &str, path: &str) -> String {
    extract_keys(blob, &split_path(path), false)
}

/// JsonExtractLib (raw text) and JsonExtractUnescape (string values only, unescaped).
pub(crate) fn extract_keys<S: AsRef<str>>(blob: &str, keys: &[S], unescape: bool) -> String {
    let Some(doc) = parse(blob) else {
        return String::new();
    };
    match walk(&doc, keys) {
        Some(Json::String(s)) if unescape => s.clone(),
        Some(_) if unescape => String::new(),
        Some(v) => raw_text(v),
        None => String::new(),
    }
}

/// JsonExtractSlice / JsonExtractObject; an empty list or map when absent or of another type.
pub(crate) fn extract_typed(blob: &str, path: &str, array: bool) -> Val<'static> {
    let found = parse(blob).and_then(|doc| walk(&doc, &split_path(path)).cloned());
    let v = match found {
        Some(v @ Json::Array(_)) if array => v,
        Some(v @ Json::Object(_)) if !array => v,
        _ if array => Json::Array(Vec::new()),
        _ => Json::Object(serde_json::Map::new()),
    };
    Val::Json(Cow::Owned(v))
}

/// ToJsonString: encoding/json output, which escapes HTML-significant characters.
pub(crate) fn to_json_string(v: &Val<'_>) -> String {
    let text = serde_json::to_string(&v.to_json()).unwrap_or_default();
    if !text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return text;
    }
    // These characters can only occur inside JSON strings, so a textual replacement is exact.
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str =
        r#"{"a": {"b": [1, {"c": "x\"y"}]}, "s": "t", "n": 12, "o": {"k": true}} trailing"#;

    #[test]
    fn extract_paths() {
        assert_eq!(extract(DOC, "s"), "t");
        assert_eq!(extract(DOC, "n"), "12");
        assert_eq!(extract(DOC, "a.b[0]"), "1");
        assert_eq!(extract(DOC, "a.b[1].c"), r#"x\"y"#);
        assert_eq!(extract(DOC, "o"), r#"{"k":true}"#);
        assert_eq!(extract(DOC, "missing"), "");
        assert_eq!(extract("not json", "a"), "");
        assert_eq!(extract(r#"[{"a":1}]"#, "[0].a"), "1");
    }

    #[test]
    fn unescape_and_typed() {
        assert_eq!(extract_keys(DOC, &["a", "b", "[1]", "c"], true), "x\"y");
        assert_eq!(extract_keys(DOC, &["n"], true), "");
        assert_eq!(
            extract_typed(DOC, "a.b", true).to_public(),
            crate::Value::List(vec![
                crate::Value::Int(1),
                crate::Value::Map(vec![("c".into(), crate::Value::Str("x\"y".into()))])
            ])
        );
        assert_eq!(
            extract_typed(DOC, "s", true).to_public(),
            crate::Value::List(vec![])
        );
        assert_eq!(
            to_json_string(&Val::str("<a&b>")),
            r#""\u003ca\u0026b\u003e""#
        );
    }
}
