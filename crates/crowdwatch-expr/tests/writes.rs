//! Expressions that write into their host: CrowdSec's `UnmarshalJSON`, `ParseKV`, `ParseKVLax`
//! into `evt.Unmarshaled`, and `evt.SetMeta`.
mod common;

use common::{Event, EventSchema};
use crowdwatch_expr::{compile, DataFiles, Program, Value, Write};

fn program(src: &str) -> Program {
    match compile(src, &EventSchema, &DataFiles::default()) {
        Ok(c) => c.program,
        Err(e) => panic!("{src}: {e}"),
    }
}

/// Evaluate a filter that writes, then apply its writes to the event.
fn run(src: &str, evt: &mut Event) -> Result<bool, String> {
    let p = program(src);
    assert!(p.writes(), "{src} should be known to write");
    let mut writes = Vec::new();
    let r = p.eval_bool_writing(evt, &mut writes);
    evt.apply(writes);
    r.map_err(|e| e.message)
}

#[test]
fn unmarshal_json_fills_the_map_and_is_read_back_in_the_same_expression() {
    let mut e = Event::log().parsed(
        "message",
        r#"{"level":4,"user":{"name":"bob"},"ips":["1.2.3.4"]}"#,
    );
    let src = r#"UnmarshalJSON(evt.Parsed.message, evt.Unmarshaled, "app") in ["", nil] && evt.Unmarshaled.app.user.name == "bob""#;
    assert_eq!(run(src, &mut e), Ok(true));
    // Applied: a later expression reads it from the host.
    let read = program("evt.Unmarshaled.app.ips[0] + ':' + string(evt.Unmarshaled.app.level)");
    assert!(!read.writes());
    assert_eq!(read.eval(&e).unwrap(), Value::Str("1.2.3.4:4".into()));
    assert_eq!(
        program("evt.Unmarshaled.app.level == 4").eval(&e).unwrap(),
        Value::Bool(true)
    );
    // Numbers are Go's float64, as encoding/json decodes them.
    assert_eq!(
        program("evt.Unmarshaled.app.level").eval(&e).unwrap(),
        Value::Float(4.0)
    );
    assert_eq!(
        program("int(evt.Unmarshaled.app.level)").eval(&e).unwrap(),
        Value::Int(4)
    );
    assert_eq!(
        program("evt.Unmarshaled.other == nil").eval(&e).unwrap(),
        Value::Bool(true)
    );
}

#[test]
fn invalid_json_is_an_error_and_writes_nothing() {
    let mut e = Event::log().parsed("message", "{not json");
    let err = run(
        r#"UnmarshalJSON(evt.Parsed.message, evt.Unmarshaled, "app") == nil"#,
        &mut e,
    )
    .unwrap_err();
    assert!(err.starts_with("UnmarshalJSON:"), "{err}");
    assert_eq!(e.unmarshaled, serde_json::Value::Null);
}

#[test]
fn parse_kv_merges_into_the_map_at_its_key() {
    let mut e = Event::log()
        .parsed("a", r#"src=1.2.3.4 user="bob smith""#)
        .parsed("b", "proto=TCP src=5.6.7.8");
    assert_eq!(
        run(
            r#"ParseKV(evt.Parsed.a, evt.Unmarshaled, "kv") == nil"#,
            &mut e
        ),
        Ok(true)
    );
    assert_eq!(
        run(
            r#"ParseKV(evt.Parsed.b, evt.Unmarshaled, "kv") == nil"#,
            &mut e
        ),
        Ok(true)
    );
    assert_eq!(
        e.unmarshaled,
        serde_json::json!({"kv": {"src": "5.6.7.8", "user": "bob smith", "proto": "TCP"}})
    );
    // No pair at all: CrowdSec's "invalid input format" error.
    let mut none = Event::log().parsed("a", "nothing here");
    assert!(run(
        r#"ParseKV(evt.Parsed.a, evt.Unmarshaled, "kv") == nil"#,
        &mut none
    )
    .is_err());
    let mut lax = Event::log().parsed("a", "msg=Login failed for bob src=1.2.3.4");
    assert_eq!(
        run(
            r#"ParseKVLax(evt.Parsed.a, evt.Unmarshaled, "l") == nil && evt.Unmarshaled.l.msg == "Login failed for bob""#,
            &mut lax
        ),
        Ok(true)
    );
}

#[test]
fn set_meta_answers_true_and_is_visible_at_once() {
    let mut e = Event::log().meta("http_path", "/cgi-bin/x");
    let src = r#"evt.Meta.http_path startsWith "/cgi" ? evt.SetMeta("cve", "CVE-1") && evt.Meta.cve == "CVE-1" : false"#;
    assert_eq!(run(src, &mut e), Ok(true));
    assert_eq!(e.meta.get("cve").map(String::as_str), Some("CVE-1"));
}

#[test]
fn writing_outside_the_writing_entry_points_is_an_error_not_a_silent_drop() {
    let e = Event::log().parsed("message", "{}");
    let p = program(r#"UnmarshalJSON(evt.Parsed.message, evt.Unmarshaled, "x") == nil"#);
    let err = p.eval_bool(&e).unwrap_err();
    assert!(err.message.contains("does not allow"), "{}", err.message);
}

#[test]
fn the_target_must_be_a_json_field_of_the_host() {
    for src in [
        r#"UnmarshalJSON("{}", evt.Meta, "x")"#,
        r#"UnmarshalJSON("{}", {}, "x")"#,
        r#"ParseKV("a=b", evt.Unmarshaled)"#,
    ] {
        assert!(
            compile(src, &EventSchema, &DataFiles::default()).is_err(),
            "{src}"
        );
    }
}

#[test]
fn writes_are_reported_in_order() {
    let e = Event::log();
    let p = program(r#"evt.SetMeta("a", "1") && evt.SetMeta("a", "2") && evt.Meta.a == "2""#);
    let mut writes = Vec::new();
    assert_eq!(p.eval_bool_writing(&e, &mut writes), Ok(true));
    assert_eq!(writes.len(), 2);
    assert!(matches!(&writes[1], Write::Entry { value, .. } if value == "2"));
}
