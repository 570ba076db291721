//! Go net/url escaping, as PathEscape/QueryEscape/PathUnescape/QueryUnescape/ParseUri use it.
use std::borrow::Cow;

use serde_json::{Map, Value as Json};

use crate::value::Val;

/// url.PathUnescape / url.QueryUnescape; CrowdSec returns the input unchanged on a bad escape.
pub(crate) fn unescape(s: Cow<'_, str>, query: bool) -> Cow<'_, str> {
    if !(s.contains('%') || query && s.contains('+')) {
        return s;
    }
    match decode(&s, query) {
        Some(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
        None => s,
    }
}

fn decode(s: &str, query: bool) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hi = hex(*b.get(i + 1)?)?;
                let lo = hex(*b.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 3;
            }
            b'+' if query => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(out)
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// url.PathEscape / url.QueryEscape.
pub(crate) fn escape(s: Cow<'_, str>, query: bool) -> Cow<'_, str> {
    let keep = |c: u8| match c {
        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => true,
        // A path segment keeps the reserved characters that cannot end it.
        b'$' | b'&' | b'+' | b':' | b'=' | b'@' => !query,
        _ => false,
    };
    if s.bytes().all(keep) {
        return s;
    }
    let mut out = String::with_capacity(s.len() * 3);
    for c in s.bytes() {
        if keep(c) {
            out.push(c as char);
        } else if c == b' ' && query {
            out.push('+');
        } else {
            out.push('%');
            out.push(
                char::from_digit(u32::from(c >> 4), 16)
                    .unwrap_or('0')
                    .to_ascii_uppercase(),
            );
            out.push(
                char::from_digit(u32::from(c & 15), 16)
                    .unwrap_or('0')
                    .to_ascii_uppercase(),
            );
        }
    }
    Cow::Owned(out)
}

/// ParseUri: the query parameters of a URI as a map of lists; empty on any parse error, as
/// CrowdSec returns its empty map when url.Parse or url.ParseQuery fails.
pub(crate) fn parse_uri(uri: &str) -> Val<'static> {
    let without_fragment = uri.split_once('#').map_or(uri, |(a, _)| a);
    let query = without_fragment.split_once('?').map_or("", |(_, q)| q);
    let mut map: Map<String, Json> = Map::new();
    for pair in query.split('&') {
        if pair.is_empty() {
            continue;
        }
        if pair.contains(';') {
            return Val::Json(Cow::Owned(Json::Object(Map::new())));
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(k), Some(v)) = (decode(k, true), decode(v, true)) else {
            return Val::Json(Cow::Owned(Json::Object(Map::new())));
        };
        let key = String::from_utf8_lossy(&k).into_owned();
        let entry = map.entry(key).or_insert_with(|| Json::Array(Vec::new()));
        if let Json::Array(values) = entry {
            values.push(Json::String(String::from_utf8_lossy(&v).into_owned()));
        }
    }
    Val::Json(Cow::Owned(Json::Object(map)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str, q: bool) -> String {
        unescape(Cow::Borrowed(s), q).into_owned()
    }
    fn e(s: &str, q: bool) -> String {
        escape(Cow::Borrowed(s), q).into_owned()
    }

    #[test]
    fn unescape_like_go() {
        assert_eq!(u("/a%20b+c", false), "/a b+c");
        assert_eq!(u("/a%20b+c", true), "/a b c");
        assert_eq!(u("%zz", false), "%zz");
        assert_eq!(u("100%", true), "100%");
        assert_eq!(u("%2e%2E", false), "..");
    }

    #[test]
    fn escape_like_go() {
        assert_eq!(e("a b/c?d=e&f", true), "a+b%2Fc%3Fd%3De%26f");
        assert_eq!(e("a b/c?d=e&f", false), "a%20b%2Fc%3Fd=e&f");
        assert_eq!(e("é", true), "%C3%A9");
    }

    #[test]
    fn parse_uri_query() {
        let v = parse_uri("/x?a=1&b=2&a=3+4#frag").to_public();
        let expected = crate::Value::Map(vec![
            (
                "a".into(),
                crate::Value::List(vec![
                    crate::Value::Str("1".into()),
                    crate::Value::Str("3 4".into()),
                ]),
            ),
            (
                "b".into(),
                crate::Value::List(vec![crate::Value::Str("2".into())]),
            ),
        ]);
        assert_eq!(v, expected);
        assert_eq!(parse_uri("/x?a=%zz").to_public(), crate::Value::Map(vec![]));
    }
}
