//! expr-lang v1.17 syntax and builtins that today's hub uses: `let`, `?.`, `get()`,
//! `indexOf()`/`lastIndexOf()`, `string()`.
mod common;

use common::{Event, EventSchema};
use crowdwatch_expr::{compile, DataFiles, Program, Value};

fn program(src: &str) -> Program {
    match compile(src, &EventSchema, &DataFiles::default()) {
        Ok(c) => c.program,
        Err(e) => panic!("{src}: {e}"),
    }
}

fn eval(src: &str, e: &Event) -> Value {
    program(src)
        .eval(e)
        .unwrap_or_else(|err| panic!("{src}: {err}"))
}

fn s(v: &str) -> Value {
    Value::Str(v.into())
}

fn json_event() -> Event {
    let mut e = Event::log()
        .parsed("xff", "1.2.3.4, 10.0.0.1")
        .meta("log_type", "http");
    e.unmarshaled = serde_json::json!({
        "envoy": {"addr": "[::1]:8080", "headers": {"User-Agent": ["curl/8"]}},
        "k8s": {"objectRef": null, "user": {"name": "bob"}}
    });
    e
}

#[test]
fn let_binds_a_value_once_for_the_body() {
    let e = json_event();
    assert_eq!(
        eval("let xff = evt.Parsed.xff ?? ''; let first = xff != '' ? Split(xff, ',')[0] : ''; first", &e),
        s("1.2.3.4")
    );
    let address =
        "let a = evt.Unmarshaled.envoy.addr; let i = lastIndexOf(a, ':'); i >= 0 ? a[:i] : a";
    assert_eq!(eval(address, &e), s("[::1]"));
    // Inner bindings shadow outer ones; closures see the variables around them.
    assert_eq!(eval("let x = 1; let x = x + 1; x", &e), Value::Int(2));
    assert_eq!(
        eval("let n = 2; filter([1, 2, 3], {# >= n})", &e),
        Value::List(vec![Value::Int(2), Value::Int(3)])
    );
    // A constant binding is folded away.
    assert!(program("let k = 'a' + 'b'; k == 'ab'").is_constant());
    // Guards of the body still index the filter.
    assert_eq!(
        program("let x = Lower(evt.Parsed.xff); evt.Meta.log_type == 'http' && x != ''")
            .equality_guards()
            .len(),
        1
    );
}

#[test]
fn optional_chaining_ends_the_whole_chain_on_nil() {
    let e = json_event();
    assert_eq!(
        eval("evt.Unmarshaled.k8s.objectRef?.namespace", &e),
        Value::Nil
    );
    assert_eq!(
        eval(
            "evt.Unmarshaled.k8s.objectRef?.namespace.deeper ?? 'none'",
            &e
        ),
        s("none")
    );
    assert_eq!(eval("evt.Unmarshaled.k8s.user?.name", &e), s("bob"));
    assert_eq!(eval("evt.Unmarshaled.missing?.a.b", &e), Value::Nil);
    // Without `?.` a member of nil is an error, as in expr-lang.
    assert!(program("evt.Unmarshaled.k8s.objectRef.namespace")
        .eval(&e)
        .is_err());
}

#[test]
fn get_answers_nil_instead_of_failing() {
    let e = json_event();
    assert_eq!(
        eval("get(evt.Unmarshaled.envoy.headers, 'User-Agent')[0]", &e),
        s("curl/8")
    );
    assert_eq!(
        eval("get(evt.Unmarshaled.envoy.headers, 'Referer')", &e),
        Value::Nil
    );
    assert_eq!(eval("get([1, 2, 3], -1)", &e), Value::Int(3));
    assert_eq!(eval("get([1, 2, 3], 5)", &e), Value::Nil);
    assert_eq!(eval("get(nil, 'x')", &e), Value::Nil);
}

#[test]
fn index_of_and_string_follow_go() {
    let e = Event::log();
    assert_eq!(eval("indexOf('héllo', 'l')", &e), Value::Int(3));
    assert_eq!(eval("lastIndexOf('a:b:c', ':')", &e), Value::Int(3));
    assert_eq!(eval("indexOf('abc', 'z')", &e), Value::Int(-1));
    assert_eq!(
        eval(
            "string(3) + string(2.5) + string(nil) + string([1, 'a'])",
            &e
        ),
        s("32.5<nil>[1 a]")
    );
}
