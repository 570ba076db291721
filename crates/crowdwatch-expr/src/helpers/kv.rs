//! CrowdSec 1.7's `ParseKV` and `ParseKVLax`: `key=value` pairs of a log line.
use std::sync::LazyLock;

use regex::Regex;

/// CrowdSec's `keyValuePattern`, with Go's ASCII `\s` (`[\t\n\f\r ]`) spelled out.
static KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?P<key>[^=\t\n\f\r ]+)=(?:"(?P<quoted_value>[^"\\]*(?:\\.[^"\\]*)*)"|(?P<value>[^=\t\n\f\r ]+)|[\t\n\f\r ]*)"#,
    )
    .expect("a valid pattern")
});

/// CrowdSec's `keyStart`, the stricter key of the lax parser.
static KEY_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([a-zA-Z_][a-zA-Z0-9_.-]*)=").expect("a valid pattern"));

/// `ParseKV`: every `key=value`, `key="quoted value"` (kept as written, escapes included) or
/// `key=`; None when there is none (CrowdSec's "invalid input format").
pub(crate) fn parse_kv(blob: &str) -> Option<Vec<(String, String)>> {
    let pairs: Vec<(String, String)> = KEY_VALUE
        .captures_iter(blob)
        .map(|c| {
            let text = |name| c.name(name).map_or("", |m| m.as_str());
            let value = match (text("quoted_value"), text("value")) {
                ("", v) => v,
                (q, _) => q,
            };
            (text("key").to_owned(), value.to_owned())
        })
        .collect();
    (!pairs.is_empty()).then_some(pairs)
}

/// `ParseKVLax`: a value runs until the next `key=` outside quotes, so unquoted values may
/// hold spaces; quoted values lose their quotes and `\"`, `\\` escapes.
pub(crate) fn parse_kv_lax(blob: &str) -> Option<Vec<(String, String)>> {
    let starts: Vec<(usize, usize, &str)> = KEY_START
        .captures_iter(blob)
        .filter_map(|c| {
            let (whole, key) = (c.get(0)?, c.get(1)?);
            (!inside_quotes(blob, whole.start())).then_some((
                whole.start(),
                whole.end(),
                key.as_str(),
            ))
        })
        .collect();
    if starts.is_empty() {
        return None;
    }
    let pairs = starts
        .iter()
        .enumerate()
        .map(|(i, &(_, value_start, key))| {
            let value_end = starts.get(i + 1).map_or(blob.len(), |next| next.0);
            let raw = blob[value_start..value_end].trim_matches(go_space);
            (key.to_owned(), lax_value(raw))
        })
        .collect();
    Some(pairs)
}

/// Go's `strings.TrimSpace` set (`unicode.IsSpace`: the White_Space property).
fn go_space(c: char) -> bool {
    c.is_whitespace()
}

fn lax_value(raw: &str) -> String {
    let Some(body) = raw.strip_prefix('"') else {
        return raw.to_owned();
    };
    match body.strip_suffix('"') {
        Some(inner) => inner.replace(r"\\", r"\").replace(r#"\""#, "\""),
        None => body.to_owned(),
    }
}

/// Whether `pos` is inside a quoted value: the unescaped quotes up to and including `pos` are odd.
fn inside_quotes(s: &str, pos: usize) -> bool {
    let bytes = s.as_bytes();
    let mut inside = false;
    for i in 0..=pos.min(bytes.len().saturating_sub(1)) {
        if bytes[i] != b'"' {
            continue;
        }
        let backslashes = bytes[..i].iter().rev().take_while(|&&b| b == b'\\').count();
        if backslashes % 2 == 0 {
            inside = !inside;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
        Some(
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn kv_takes_plain_quoted_and_empty_values() {
        assert_eq!(
            parse_kv(r#"a=1 b="two words" c= d="x\"y" e"#),
            pairs(&[("a", "1"), ("b", "two words"), ("c", ""), ("d", r#"x\"y"#)])
        );
        assert_eq!(parse_kv("no pairs here"), None);
        // Unicode spaces are not Go's \s: they belong to the value.
        assert_eq!(parse_kv("k=a\u{a0}b"), pairs(&[("k", "a\u{a0}b")]));
    }

    #[test]
    fn lax_values_run_to_the_next_key() {
        assert_eq!(
            parse_kv_lax(r#"msg=Login failed for user bob src=1.2.3.4 note="a=b \"q\"""#),
            pairs(&[
                ("msg", "Login failed for user bob"),
                ("src", "1.2.3.4"),
                ("note", r#"a=b "q""#),
            ])
        );
        assert_eq!(
            parse_kv_lax(r#"k="unterminated"#),
            pairs(&[("k", "unterminated")])
        );
        // A quoted value followed by a word that is no key keeps both, and its opening quote goes.
        assert_eq!(parse_kv_lax(r#"k="v" w"#), pairs(&[("k", r#"v" w"#)]));
        assert_eq!(parse_kv_lax("1=2"), None);
    }
}
