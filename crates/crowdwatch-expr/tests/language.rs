//! The expression language against a CrowdSec-like event.
mod common;

use std::sync::Arc;

use common::{Event, EventSchema, META, PARSED};
use crowdwatch_expr::{compile, compile_filter, CompileError, DataFiles, Program, Value};

fn data() -> DataFiles {
    let mut d = DataFiles::default();
    d.strings.insert(
        "words.txt".into(),
        Arc::new(vec!["foo".into(), "Bar".into()]),
    );
    d.strings.insert(
        "paths.txt".into(),
        Arc::new(vec![
            "/etc/passwd".into(),
            "/.env".into(),
            "^/ADMIN$".into(),
        ]),
    );
    d.regexps.insert(
        "ua.regex".into(),
        Arc::new(vec![crowdwatch_grok::LazyRegex::new("^curl/").unwrap().0]),
    );
    d
}

fn program(src: &str) -> Program {
    match compile(src, &EventSchema, &data()) {
        Ok(c) => c.program,
        Err(e) => panic!("{src}: {e}"),
    }
}

fn eval(src: &str, evt: &Event) -> Value {
    program(src)
        .eval(evt)
        .unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn truth(src: &str, evt: &Event) -> bool {
    program(src)
        .eval_bool(evt)
        .unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn compile_error(src: &str) -> CompileError {
    match compile(src, &EventSchema, &data()) {
        Ok(_) => panic!("{src}: expected a compile error"),
        Err(e) => e,
    }
}

fn s(v: &str) -> Value {
    Value::Str(v.into())
}

fn ssh() -> Event {
    Event::log()
        .meta("log_type", "ssh_failed-auth")
        .meta("service", "ssh")
        .meta("source_ip", "1.2.3.4")
        .parsed("request", "/a?b=select%201")
        .raw("raw line")
}

#[test]
fn literals_and_arithmetic() {
    let e = Event::log();
    assert_eq!(eval("1 + 2 * 3", &e), Value::Int(7));
    assert_eq!(eval("7 / 2", &e), Value::Float(3.5));
    assert_eq!(eval("7 % 4 - -1", &e), Value::Int(4));
    assert_eq!(eval("1.5 + 1", &e), Value::Float(2.5));
    assert_eq!(eval("'a' + \"b\\n\"", &e), s("ab\n"));
    assert_eq!(
        eval("[1, 'x', nil, true]", &e),
        Value::List(vec![Value::Int(1), s("x"), Value::Nil, Value::Bool(true)])
    );
    assert_eq!(eval("{a: 1, 'b': 'c'}.b", &e), s("c"));
    assert_eq!(eval("true ? 'y' : 'n'", &e), s("y"));
    assert_eq!(
        eval("'abcdef'[1:3] + 'xy'[:1] + 'xy'[1:] + 'abc'[-2:]", &e),
        s("bcxybc")
    );
    assert_eq!(eval("[1, 2, 3][1:][0]", &e), Value::Int(2));
    assert_eq!(eval("'ab'[0:9]", &e), s("ab"));
    assert!(truth(
        "1 == 1.0 && 2 > 1.5 && 'abc' < 'abd' && nil == nil && 'a' != 'b'",
        &e
    ));
}

/// expr-lang v1.17's syntax that CrowdSec 1.7 content uses (`??`, `not` before every comparison
/// word, `^`, `**` above the unary minus).
#[test]
fn expr_lang_1_17_operators() {
    let e = ssh();
    let ov = Event::log().overflow(serde_json::json!({"Alert": {"Source": {"IP": "1.2.3.4"}}}));
    // `??`: the left value unless nil, and the right one is evaluated only then.
    assert_eq!(eval("evt.Overflow.Alert.Missing ?? 'none'", &ov), s("none"));
    assert_eq!(
        eval("evt.Overflow.Alert.Source.IP ?? 'none'", &ov),
        s("1.2.3.4")
    );
    assert_eq!(eval("nil ?? nil ?? 3", &e), Value::Int(3));
    // A right side that would fail is never evaluated when the left one is there.
    assert_eq!(eval("'x' ?? evt.Overflow.Alert.Source.IP.X", &ov), s("x"));
    // An empty string is not nil.
    assert_eq!(eval("evt.Meta.missing ?? 'none'", &e), s(""));
    // It binds tighter than every other binary operator.
    assert_eq!(eval("nil ?? 1 + 2", &e), Value::Int(3));
    assert!(truth("nil ?? 2 == 2", &e));
    // `not` before matches, contains, startsWith, endsWith (and in).
    assert!(truth("evt.Meta.service not matches '^http'", &e));
    assert!(!truth("evt.Meta.service not matches '^ss'", &e));
    assert!(truth(
        "evt.Meta.service not contains 'x' && evt.Meta.service contains 'sh'",
        &e
    ));
    assert!(truth(
        "evt.Meta.service not startsWith 'h' && evt.Meta.service not endsWith 'p'",
        &e
    ));
    assert!(!truth("evt.Meta.service not startsWith 's'", &e));
    assert!(truth("'x' not in ['a', 'b']", &e));
    // `^` is `**`, right-associative, and both bind tighter than the unary minus.
    assert_eq!(eval("2 ^ 3 ^ 2", &e), Value::Float(512.0));
    assert_eq!(eval("-2 ** 2", &e), Value::Float(-4.0));
    assert_eq!(eval("2 ** 3 * 2", &e), Value::Float(16.0));
    // Builtins and CrowdSec 1.7 helpers the hub uses.
    assert_eq!(eval("lower('AB') + upper('c')", &e), s("abC"));
    assert_eq!(eval("int('3') + 1", &e), Value::Int(4));
    assert_eq!(eval("float('1.5') * 2", &e), Value::Float(3.0));
    assert_eq!(eval("Split(TrimSpace(' a b '), ' ')[1]", &e), s("b"));
    assert!(truth("IsIP(evt.Meta.source_ip) && not IsIP('x')", &e));
    assert!(truth(
        "hasSuffix(trimSuffix('a.php.bak', '.bak'), '.php') && hasPrefix('ab', 'a')",
        &e
    ));
    // hasPrefix / hasSuffix are startsWith / endsWith under other names.
    assert!(truth(
        "hasPrefix('abc', 'ab') && !hasSuffix('abc', 'ab')",
        &e
    ));
    assert!(truth(
        "hasPrefix(evt.Meta.service, 's') == (evt.Meta.service startsWith 's')",
        &e
    ));
    assert!(compile_error("hasPrefix('a')")
        .message
        .contains("not enough arguments to call hasPrefix"));
    assert_eq!(
        eval("trimPrefix(evt.Parsed.request, '/a')", &e),
        s("?b=select%201")
    );
    assert!(program("int('x')").eval(&e).is_err());
    assert!(truth(
        "Match('*.php', '/a/index.php') && !Match('/admin*', '/a/admin')",
        &e
    ));
}

#[test]
fn fields_maps_and_methods() {
    let e = ssh();
    assert_eq!(eval("evt.Meta.source_ip", &e), s("1.2.3.4"));
    assert_eq!(eval("evt.Meta['source_ip']", &e), s("1.2.3.4"));
    assert_eq!(eval("evt.Meta.missing", &e), s(""));
    assert_eq!(eval("evt.Line.Raw", &e), s("raw line"));
    assert_eq!(eval("evt.Type", &e), Value::Int(0));
    assert_eq!(eval("evt.GetType()", &e), s("log"));
    assert_eq!(eval("evt.GetMeta('service')", &e), s("ssh"));
    assert_eq!(
        eval("evt.Meta[evt.Meta.service == 'ssh' ? 'service' : 'x']", &e),
        s("ssh")
    );
    assert!(truth(
        "'source_ip' in evt.Meta && not ('nope' in evt.Meta) && 'nope' not in evt.Meta",
        &e
    ));
    assert!(!truth("evt.Whitelisted", &e));
}

#[test]
fn overflow_json_and_short_circuit() {
    let log = ssh();
    let filter = program("evt.GetType() == 'overflow' && evt.Overflow.Alert.Remediation == true");
    assert_eq!(filter.eval_bool(&log), Ok(false));
    let ov = Event::log().overflow(serde_json::json!({"Alert": {"Remediation": true, "Source": {"IP": "1.2.3.4", "Range": "1.2.3.0/24"}}}));
    assert_eq!(filter.eval_bool(&ov), Ok(true));
    assert_eq!(eval("evt.Overflow.Alert.Source.IP", &ov), s("1.2.3.4"));
    assert_eq!(eval("evt.Overflow.Alert.Missing", &ov), Value::Nil);
    assert!(truth("'Source' in evt.Overflow.Alert", &ov));
    // Nil member access is a run-time error, not a panic.
    assert!(program("evt.Overflow.Alert.Remediation == true")
        .eval_bool(&log)
        .is_err());
    assert!(program("evt.Overflow.Alert.Source.IP.X").eval(&ov).is_err());
}

#[test]
fn string_operators_and_regexes() {
    let e = ssh();
    assert!(truth("evt.Meta.log_type startsWith 'ssh' and evt.Meta.log_type endsWith 'auth' and evt.Meta.log_type contains '_failed'", &e));
    assert!(truth("evt.Meta.source_ip matches '^1\\\\.2\\\\.'", &e));
    assert!(truth("Upper(evt.Meta.service) matches Upper('^s.h$')", &e));
    // Dynamic right side: compiled at run time.
    assert!(truth(
        "evt.Meta.service matches ('^' + evt.Meta.service + '$')",
        &e
    ));
    assert!(program("evt.Meta.service matches evt.Meta.source_ip + '('")
        .eval_bool(&e)
        .is_err());
    let bad = compile_error("evt.Meta.x matches 'a(b'");
    assert_eq!(bad.offset, 19);
}

#[test]
fn membership() {
    let e = ssh();
    assert!(truth("evt.Meta.log_type in ['ssh_failed-auth', 'x']", &e));
    assert!(truth(
        "evt.Meta.service in ['a','b','c','d','e','f','g','h','ssh']",
        &e
    ));
    assert!(!truth(
        "evt.Meta.service in ['a','b','c','d','e','f','g','h','i']",
        &e
    ));
    assert!(truth("2 in [1, 2.0]", &e));
    assert!(truth("'a' in {a: 1}", &e));
}

#[test]
fn closures() {
    let e = ssh();
    assert!(truth(
        "any(File('words.txt'), {Upper('xxBARxx') contains Upper(#)})",
        &e
    ));
    assert!(truth("any(['ssh', 'x'], {evt.Meta.service == #})", &e));
    assert!(truth(
        "all([1, 2], {# > 0}) && none([1, 2], {# > 5}) && one([1, 2], {# > 1})",
        &e
    ));
    assert_eq!(eval("count([1, 2, 3], {# >= 2})", &e), Value::Int(2));
    assert_eq!(
        eval("filter(['a', 'bb', 'cc'], {len(#) == 2})", &e),
        Value::List(vec![s("bb"), s("cc")])
    );
    assert_eq!(
        eval("map([1, 2], {# * 10})", &e),
        Value::List(vec![Value::Int(10), Value::Int(20)])
    );
    assert_eq!(
        eval("any([[1], [2]], {any(#, {# == 2})})", &e),
        Value::Bool(true)
    );
    let params = Event::log().parsed(
        "message",
        r#"{"params": [{"key": "x"}, {"key": "user", "value": {"login": "bob"}}]}"#,
    );
    let src = "filter(JsonExtractSlice(evt.Parsed.message, 'params'), {.key == 'user' && .value.login != ''})[0]['value']['login']";
    assert_eq!(eval(src, &params), s("bob"));
    assert!(truth(
        "any(JsonExtractSlice(evt.Parsed.message, 'params'), {.key == 'user'})",
        &params
    ));
}

#[test]
fn constant_list_shapes_are_precomputed() {
    let hit = Event::log()
        .meta("http_path", "/x/etc/PASSWD")
        .parsed("file_name", "/.env")
        .parsed("ua", "curl/7.1");
    let miss = Event::log().meta("http_path", "/index.html");
    for src in [
        "any(File('paths.txt'), {Upper(evt.Meta.http_path) contains Upper(#)})",
        "any(File('paths.txt'), {evt.Parsed.file_name == #})",
        "any(File('paths.txt'), {Upper(evt.Meta.http_path) matches Upper(#)}) || evt.Parsed.file_name == '/.env'",
    ] {
        assert!(truth(src, &hit), "{src}");
        assert!(!truth(src, &miss), "{src}");
    }
    assert!(truth(
        "any(File('paths.txt'), {Upper('/ADMIN') matches #})",
        &miss
    ));
    // Non-ASCII subjects take the exact path: Go uppercases 'ſ' to 'S'.
    let long_s = Event::log().meta("http_path", "/.ENV/ſ");
    assert!(truth(
        "any(File('words.txt'), {Upper(evt.Meta.http_path) contains Upper(#)})",
        &Event::log().meta("http_path", "xbAr")
    ));
    assert!(truth(
        "any(['/.ENV/S'], {Upper(evt.Meta.http_path) contains Upper(#)})",
        &long_s
    ));
    assert!(truth("RegexpInFile(evt.Parsed.ua, 'ua.regex')", &hit));
    assert!(!truth("RegexpInFile(evt.Parsed.ua, 'ua.regex')", &miss));
    // A whole constant expression folds.
    assert!(program("any(File('words.txt'), {Upper(#) == 'BAR'})").is_constant());
    assert!(program("Upper('abc') == 'ABC'").is_constant());
    assert!(!program("TimeNow() == ''").is_constant());
}

#[test]
fn fast_shapes_agree_with_the_expanded_expression() {
    // Each `any` over a constant list against the same test written out item by item.
    let cases = [
        (
            "any(['.env', '.git/config'], {Lower(PathUnescape(evt.Meta.http_path)) endsWith #})",
            "Lower(PathUnescape(evt.Meta.http_path)) endsWith '.env' || Lower(PathUnescape(evt.Meta.http_path)) endsWith '.git/config'",
        ),
        (
            "any(['/admin', '/wp-'], {evt.Meta.http_path startsWith Lower(#)})",
            "evt.Meta.http_path startsWith '/admin' || evt.Meta.http_path startsWith '/wp-'",
        ),
        (
            "any(['${jndi', 'ldap:'], {Upper(evt.Meta.http_path) contains Upper(#) || Upper(evt.Parsed.ua) contains Upper(#)})",
            "Upper(evt.Meta.http_path) contains '${JNDI' || Upper(evt.Parsed.ua) contains '${JNDI' || Upper(evt.Meta.http_path) contains 'LDAP:' || Upper(evt.Parsed.ua) contains 'LDAP:'",
        ),
    ];
    let events = [
        Event::log().meta("http_path", "/x/.ENV"),
        Event::log().meta("http_path", "/a/.git/config"),
        Event::log().meta("http_path", "/a/%2egit/config"),
        Event::log().meta("http_path", "/admin/x"),
        Event::log().meta("http_path", "/wp-login.php"),
        Event::log().meta("http_path", "/?q=${jndi:x}"),
        Event::log()
            .meta("http_path", "/")
            .parsed("ua", "x ldap://y"),
        Event::log()
            .meta("http_path", "/index.html")
            .parsed("ua", "Mozilla"),
        Event::log(),
    ];
    for (fast, expanded) in cases {
        for (i, evt) in events.iter().enumerate() {
            assert_eq!(
                truth(fast, evt),
                truth(expanded, evt),
                "{fast} on event {i}"
            );
        }
    }
    assert!(!truth(
        "any([], {evt.Meta.http_path endsWith #})",
        &Event::log()
    ));
}

#[test]
fn missing_data_file_is_a_warning() {
    let c = compile(
        "any(File('nope.txt'), {evt.Meta.x contains #})",
        &EventSchema,
        &data(),
    )
    .unwrap();
    assert_eq!(c.warnings.len(), 1);
    assert_eq!(c.program.eval_bool(&ssh()), Ok(false));
}

#[test]
fn compile_errors_carry_offsets() {
    assert_eq!(compile_error("evt.Nope == 'x'").offset, 4);
    assert_eq!(compile_error("foo.bar").offset, 0);
    assert_eq!(compile_error("evt.Meta.x == 'a' && Nope(1)").offset, 21);
    assert_eq!(compile_error("evt.Line.Raw.X").offset, 13);
    assert!(compile_error("Upper(1)").message.contains("Upper"));
    assert!(compile_error("Upper()").message.contains("not enough"));
    assert!(compile_error("Upper('a', 'b')")
        .message
        .contains("too many"));
    assert!(compile_error("len(1)").message.contains("len"));
    assert!(compile_error("evt.Meta.x == 1")
        .message
        .contains("mismatched"));
    assert!(compile_error("evt.Type + 'a'")
        .message
        .contains("mismatched"));
    assert!(compile_error("any([1], {# + 1})")
        .message
        .contains("boolean"));
    assert!(compile_error("LookupHost(evt.Line.Raw)")
        .message
        .contains("not supported"));
    assert!(compile_error("#").message.contains("closure"));
    assert!(compile_error("evt.Meta.x ==").offset > 0);
    assert!(compile_filter("evt.Meta.x", &EventSchema, &data()).is_err());
    assert!(compile_filter("evt.Meta.x == 'a'", &EventSchema, &data()).is_ok());
}

#[test]
fn eval_bool_and_eval_string() {
    let e = ssh();
    assert!(program("evt.Meta.service").eval_bool(&e).is_err());
    assert_eq!(program("evt.Meta.service").eval_string(&e).unwrap(), "ssh");
    assert_eq!(program("evt.Type + 3").eval_string(&e).unwrap(), "3");
    assert_eq!(program("1.5 * 2").eval_string(&e).unwrap(), "3");
    assert_eq!(program("evt.Whitelisted").eval_string(&e).unwrap(), "false");
    assert_eq!(program("evt.Overflow").eval_string(&e).unwrap(), "");
    assert!(program("['a']").eval_string(&e).is_err());
    assert!(
        program("evt.Meta.service + '/' + evt.Meta.source_ip")
            .eval_string(&e)
            .unwrap()
            == "ssh/1.2.3.4"
    );
}

#[test]
fn helpers_from_expressions() {
    let e = ssh();
    assert_eq!(
        eval(
            "Lower('AbC') + PathUnescape('%2e%2E/') + QueryUnescape('a+b')",
            &e
        ),
        s("abc../a b")
    );
    assert_eq!(
        eval("QueryUnescape(evt.Parsed.request)", &e),
        s("/a?b=select 1")
    );
    assert!(truth(
        "IpInRange(evt.Meta.source_ip, '1.2.0.0/16') && !IsIPV6(evt.Meta.source_ip)",
        &e
    ));
    assert_eq!(
        eval("IpToRange(evt.Meta.source_ip, '/24')", &e),
        s("1.2.3.0/24")
    );
    assert_eq!(
        eval("JsonExtract('{\"a\":{\"b\":[5]}}', 'a.b[0]')", &e),
        s("5")
    );
    assert_eq!(
        eval("JsonExtractUnescape('{\"a\":\"x\\\\ty\"}', 'a')", &e),
        s("x\ty")
    );
    assert_eq!(
        eval("Sprintf('%s:%d', evt.Meta.service, 4)", &e),
        s("ssh:4")
    );
    assert_eq!(eval("ParseUri('/x?a=1&a=2')['a'][1]", &e), s("2"));
    assert_eq!(
        eval("ToJsonString({a: [1, 'x']})", &e),
        s(r#"{"a":[1,"x"]}"#)
    );
    assert_eq!(eval("Atof('2.5') * 2", &e), Value::Float(5.0));
    assert_eq!(
        eval("len('abc') + len([1]) + len(File('words.txt'))", &e),
        Value::Int(6)
    );
}

#[test]
fn xml_helpers_from_expressions() {
    let e = Event::log().raw(concat!(
        r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>"#,
        r#"<EventID>4625</EventID><TimeCreated SystemTime="2022-04-29T12:36:01.9027913Z" /></System>"#,
        r#"<EventData><Data Name="IpAddress">190.1.2.3</Data></EventData></Event>"#
    ));
    assert_eq!(
        eval(
            "XMLGetNodeValue(evt.Line.Raw, '/Event/System[1]/EventID')",
            &e
        ),
        s("4625")
    );
    assert_eq!(
        eval(
            "XMLGetAttributeValue(evt.Line.Raw, '/Event/System[1]/TimeCreated', 'SystemTime')",
            &e
        ),
        s("2022-04-29T12:36:01.9027913Z")
    );
    assert!(truth(
        "XMLGetNodeValue(evt.Line.Raw, \"/Event/EventData[1]/Data[@Name='IpAddress']\") == '190.1.2.3'",
        &e
    ));
    assert_eq!(
        eval("XMLGetNodeValue(evt.Line.Raw, '/Event/Nope')", &ssh()),
        s("")
    );
}

#[test]
fn equality_guards() {
    let p = program("evt.Meta.log_type == 'ssh_failed-auth' && evt.Meta.service == 'ssh' && evt.Parsed.x contains 'y'");
    assert_eq!(
        p.equality_guards(),
        vec![
            (META, "log_type".into(), vec!["ssh_failed-auth".into()]),
            (META, "service".into(), vec!["ssh".into()])
        ]
    );
    let p = program("evt.Parsed.program in ['a', 'b'] and ('x' == evt.Meta.k)");
    assert_eq!(
        p.equality_guards(),
        vec![
            (PARSED, "program".into(), vec!["a".into(), "b".into()]),
            (META, "k".into(), vec!["x".into()])
        ]
    );
    assert!(program("evt.Meta.a == 'x' || evt.Meta.b == 'y'")
        .equality_guards()
        .is_empty());
    // Only leading conjuncts: a conjunct evaluated before them could fail on its own.
    assert_eq!(
        program("evt.Meta.a == 'x' && Atof(evt.Meta.n) > 1.0 && evt.Meta.b == 'y'")
            .equality_guards(),
        vec![(META, "a".into(), vec!["x".into()])]
    );
    assert!(program("evt.Parsed.x contains 'y' && evt.Meta.a == 'x'")
        .equality_guards()
        .is_empty());
}

#[test]
fn programs_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Program>();
    let p = Arc::new(program("evt.Meta.service matches ('^' + 'ssh')"));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let p = p.clone();
            std::thread::spawn(move || p.eval_bool(&ssh()).unwrap())
        })
        .collect();
    assert!(handles.into_iter().all(|h| h.join().unwrap()));
}
