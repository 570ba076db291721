use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

mod soundness;

use super::{Needle, ValueSource};
use crate::{compile_filter, Context, DataFiles, FieldId, FieldType, HostValue, Program, Schema};

const META: FieldId = 1;
const PARSED: FieldId = 2;
const RAW: FieldId = 3;
const WHITELISTED: FieldId = 4;

struct Evt;
impl Schema for Evt {
    fn resolve(&self, path: &[&str]) -> Option<(FieldId, FieldType)> {
        match path {
            ["evt", "Meta"] => Some((META, FieldType::StrMap)),
            ["evt", "Parsed"] => Some((PARSED, FieldType::StrMap)),
            ["evt", "Line", "Raw"] => Some((RAW, FieldType::Str)),
            ["evt", "Whitelisted"] => Some((WHITELISTED, FieldType::Bool)),
            _ => None,
        }
    }
    fn resolve_method(&self, _: &[&str], _: &str) -> Option<(FieldId, FieldType)> {
        None
    }
}

/// An event: Meta entries, Parsed entries, and `evt.Line.Raw` (None: the host gives nil).
#[derive(Default)]
pub(super) struct Ctx {
    meta: HashMap<String, String>,
    parsed: HashMap<String, String>,
    raw: Option<String>,
}

impl Context for Ctx {
    fn field(&self, id: FieldId) -> HostValue<'_> {
        match (id, &self.raw) {
            (META | PARSED, _) => HostValue::StrMap,
            (RAW, Some(raw)) => HostValue::Str(Cow::Borrowed(raw)),
            (WHITELISTED, _) => HostValue::Bool(false),
            _ => HostValue::Nil,
        }
    }
    fn map_get(&self, id: FieldId, key: &str) -> Option<&str> {
        let map = if id == META { &self.meta } else { &self.parsed };
        map.get(key).map(String::as_str)
    }
    fn call_method(&self, _: FieldId, _: &[&str]) -> HostValue<'_> {
        HostValue::Nil
    }
}

pub(super) fn program(filter: &str) -> Program {
    let mut data = DataFiles::default();
    let files = [
        ("files", vec![".env", ".git/config", "wp-config.php"]),
        ("short", vec![".env", "ab"]),
        ("paths", vec!["/etc/passwd", "../..", "WIN.INI"]),
        ("agents", vec!["sqlmap", "nikto"]),
    ];
    for (name, items) in files {
        data.strings.insert(
            name.into(),
            Arc::new(items.into_iter().map(String::from).collect()),
        );
    }
    let regexes = [
        ("agents.regex", vec![r"\bsqlmap/\d", r"(?:nikto|nessus)\b"]),
        ("anchored.regex", vec![r"\bsqlmap/\d", r"^[a-z]+$"]),
    ];
    for (name, items) in regexes {
        let compiled = items
            .into_iter()
            .map(|p| crowdwatch_grok::LazyRegex::new(p).unwrap().0)
            .collect();
        data.regexps.insert(name.into(), Arc::new(compiled));
    }
    compile_filter(filter, &Evt, &data)
        .unwrap_or_else(|e| panic!("{filter}: {e}"))
        .program
}

/// (source, literal, case-insensitive) of each needle, for short assertions.
fn needles(filter: &str) -> Option<Vec<(ValueSource, String, bool)>> {
    let req = program(filter).required_literals()?;
    Some(
        req.needles
            .iter()
            .map(|n| {
                (
                    n.source.clone(),
                    String::from_utf8_lossy(&n.literal).into_owned(),
                    n.ascii_case_insensitive,
                )
            })
            .collect(),
    )
}

fn meta(key: &str) -> ValueSource {
    ValueSource::MapEntry(META, key.into())
}

fn parsed(key: &str) -> ValueSource {
    ValueSource::MapEntry(PARSED, key.into())
}

fn one(source: ValueSource, literal: &str, ci: bool) -> Option<Vec<(ValueSource, String, bool)>> {
    Some(vec![(source, literal.into(), ci)])
}

#[test]
fn hub_shapes_yield_a_requirement() {
    let guard = "evt.Meta.log_type in ['http_access-log', 'http_error-log']";
    assert_eq!(
        needles(&format!("{guard} and Upper(evt.Meta.http_path) contains Upper('/remote/fgt_lang?lang=/../../..')")),
        one(meta("http_path"), "/REMOTE/FGT_LANG?LANG=/../../..", true)
    );
    assert_eq!(
        needles("Upper(evt.Meta.http_path) contains Upper('/ghost/api/admin/session') && Upper(evt.Parsed.verb) == 'POST' && evt.Meta.http_status == '404'"),
        one(meta("http_path"), "/GHOST/API/ADMIN/SESSION", true)
    );
    assert_eq!(
        needles("( Upper(evt.Meta.http_path) contains Upper('/aaa') || Upper(evt.Meta.http_path) contains Upper('/bbb') ) and evt.Meta.http_status startsWith ('40')"),
        Some(vec![(meta("http_path"), "/AAA".into(), true), (meta("http_path"), "/BBB".into(), true)])
    );
    assert_eq!(
        needles("evt.Meta.log_type == 'http_access-log' && evt.Parsed.file_name contains 'w00tw00t.at.ISC.SANS.DFind'"),
        one(parsed("file_name"), "w00tw00t.at.ISC.SANS.DFind", false)
    );
    assert_eq!(
        needles(&format!("{guard} and (Upper(evt.Meta.http_path) contains \"/.%2E/.%2E/\" or Upper(evt.Meta.http_path) contains \"/%2E%2E/%2E%2E\")")),
        Some(vec![(meta("http_path"), "/.%2E/.%2E/".into(), true), (meta("http_path"), "/%2E%2E/%2E%2E".into(), true)])
    );
    // startsWith and endsWith need the literal too; the longer literal wins.
    assert_eq!(
        needles(&format!("{guard} and Upper(evt.Meta.http_path) startsWith Upper('/api/v2/cmdb/system/admin/') and Lower(evt.Parsed.http_user_agent) == 'report runner'")),
        one(meta("http_path"), "/API/V2/CMDB/SYSTEM/ADMIN/", true)
    );
    assert_eq!(
        needles(&format!("{guard} and Lower(evt.Parsed.http_user_agent) == 'report runner' and evt.Meta.http_path endsWith '.php'")),
        one(parsed("http_user_agent"), "report runner", true)
    );
    // A constant regex: its longest required literal.
    assert_eq!(
        needles(&format!("{guard} && evt.Meta.http_path matches '/ui/vcav-bootstrap/rest/vcav-providers/provider-logo\\\\?url=(file|http)'")),
        one(meta("http_path"), "/ui/vcav-bootstrap/rest/vcav-providers/provider-logo?url=", false)
    );
    assert_eq!(
        needles("Upper(evt.Meta.http_path) matches '/PUBLIC/PLUGINS/[^/]+/../[./]+/' or Upper(evt.Meta.http_path) matches '(SELECT|UNION) +'"),
        Some(vec![
            (meta("http_path"), "/PUBLIC/PLUGINS/".into(), true),
            (meta("http_path"), "SELECT".into(), true),
            (meta("http_path"), "UNION".into(), true),
        ])
    );
    // A fused `any(File(..), {x endsWith #})`, and a plain field.
    assert_eq!(
        needles("evt.Meta.log_type == 'a' and any(File('files'), {evt.Parsed.request endsWith #})")
            .map(|n| n.len()),
        Some(3)
    );
    assert_eq!(
        needles("evt.Line.Raw contains 'w00t'"),
        one(ValueSource::Field(RAW), "w00t", false)
    );
}

#[test]
fn unescaping_adds_the_escape_characters_as_needles() {
    let path = |lit: &str, ci| (meta("http_path"), lit.to_string(), ci);
    assert_eq!(
        needles("Upper(PathUnescape(evt.Meta.http_path)) contains Upper('@java.lang.Runtime@getRuntime().exec(')"),
        Some(vec![path("@JAVA.LANG.RUNTIME@GETRUNTIME().EXEC(", true), path("%", false)])
    );
    assert_eq!(
        needles("evt.Meta.log_type in ['a', 'b'] && Upper(QueryUnescape(evt.Meta.http_path)) startsWith Upper('/catalog-portal')"),
        Some(vec![path("/CATALOG-PORTAL", true), path("%", false), path("+", false)])
    );
    // Each escape needle once, however many branches unescape.
    assert_eq!(
        needles("Upper(PathUnescape(evt.Meta.http_path)) contains 'AAA' or PathUnescape(evt.Meta.http_path) contains 'bbb'"),
        Some(vec![path("AAA", true), path("%", false), path("bbb", false)])
    );
    // Equality with an unescaped value is a literal test, not an index guard.
    assert_eq!(
        needles("PathUnescape(evt.Meta.http_path) == '/a b'"),
        Some(vec![path("/a b", false), path("%", false)])
    );
}

#[test]
fn lists_of_strings_and_regexes_yield_their_literals() {
    let ua = |lit: &str, ci| (parsed("http_user_agent"), lit.to_string(), ci);
    assert_eq!(
        needles("any(File('paths'), {evt.Meta.http_path contains #})").map(|n| n.len()),
        Some(3)
    );
    assert_eq!(
        needles("any(File('paths'), {Upper(evt.Meta.http_path) contains Upper(#)})"),
        Some(vec![
            (meta("http_path"), "/ETC/PASSWD".into(), true),
            (meta("http_path"), "../..".into(), true),
            (meta("http_path"), "WIN.INI".into(), true),
        ])
    );
    assert_eq!(
        needles("any(File('agents'), {Lower(evt.Parsed.http_user_agent) matches #})"),
        Some(vec![ua("nikto", true), ua("sqlmap", true)])
    );
    assert_eq!(
        needles("RegexpInFile(evt.Parsed.http_user_agent, 'agents.regex')"),
        Some(vec![
            ua("nessus", false),
            ua("nikto", false),
            ua("sqlmap/", false)
        ])
    );
    // One regex without a required literal, or one string too short, spoils the list.
    assert_eq!(
        needles("RegexpInFile(evt.Parsed.http_user_agent, 'anchored.regex')"),
        None
    );
    assert_eq!(needles("any(File('short'), {evt.Meta.p contains #})"), None);
}

#[test]
fn shapes_without_a_requirement() {
    for filter in [
        "not (evt.Meta.p contains 'abc')",
        "!(Upper(evt.Meta.p) contains 'ABC') && evt.Meta.q == 'x'",
        // The literal may come out of other transformations.
        "evt.Meta.p[1:] contains 'abc'",
        "evt.Meta.p + 'x' contains 'abcx'",
        // Too short to pay for a scan.
        "evt.Meta.p contains 'ab'",
        // Every branch of an `or` needs a literal.
        "evt.Meta.p contains 'abc' or evt.Meta.q == 'x'",
        "evt.Meta.p contains 'abc' || evt.Meta.q matches '(?i)abc'",
        // Equality guards are the index's business.
        "evt.Meta.log_type == 'ssh_failed-auth'",
        "evt.Meta.log_type in ['http_access-log', 'http_error-log']",
        "evt.Meta.p == 'abcdef' && evt.Meta.q != 'x'",
        // An item too short in the list spoils the whole set.
        "any(File('short'), {evt.Meta.p endsWith #})",
        // The left side may fail: skipping on the right side's literal would hide its error.
        "evt.Meta.p matches evt.Meta.re && evt.Meta.q contains 'abc'",
        "evt.Line.Raw contains 'x' && evt.Meta.q contains 'abc'",
        // A literal on the wrong side.
        "'abcdef' contains evt.Meta.p",
        "evt.Meta.p contains evt.Meta.q",
        "evt.Whitelisted == true",
    ] {
        assert_eq!(needles(filter), None, "{filter}");
    }
}

#[test]
fn the_right_side_of_and_counts_when_the_left_cannot_fail() {
    let left_sides = [
        "evt.Meta.log_type == 'x'",
        "!(evt.Meta.a in ['1', '2'])",
        "Upper(PathUnescape(evt.Meta.p)) contains 'ZZ'",
        "'k' in evt.Meta",
        "evt.Line.Raw == 'x'",
    ];
    for left in left_sides {
        let filter = format!("{left} && evt.Meta.q contains 'abc'");
        assert_eq!(needles(&filter), one(meta("q"), "abc", false), "{filter}");
    }
}

#[test]
fn case_mapped_values_that_are_not_ascii_may_match() {
    let needle = Needle {
        source: meta("p"),
        literal: b"SIX".to_vec(),
        ascii_case_insensitive: true,
    };
    assert!(needle.found_in(Some("/six")));
    assert!(!needle.found_in(Some("/sx/ix")));
    // Go's ToUpper maps 'ſ' (U+017F) to 'S' and 'ı' (U+0131) to 'I'.
    assert!(needle.found_in(Some("/ſıx")));
    assert!(needle.found_in(None));
    let exact = Needle {
        ascii_case_insensitive: false,
        ..needle
    };
    assert!(!exact.found_in(Some("/six")));
    assert!(exact.found_in(Some("/SIX")));
}
