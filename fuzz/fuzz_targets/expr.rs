//! The expression language: arbitrary text compiled against the engine's `evt` schema (as a
//! filter and as a plain expression), evaluated on an event made from the rest of the input when
//! it compiles; and the promises hosts rely on checked on that event:
//! * required literals: when `Requirement::may_match` is false the filter is `Ok(false)`;
//! * equality guards: when a guard rejects the event the filter is `Ok(false)`.
//!
//! Input: `expression \0 value`. The value is the event's raw line and several parsed/meta
//! entries (http path, user agent, user, message...); when it is JSON the event is also an
//! overflow carrying it.
#![no_main]
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crowdwatch_core::event::{Event, EventKind, ExpectMode, FieldMap, OverflowInfo, Source};
use crowdwatch_core::schema::{EventContext, EventSchema};
use crowdwatch_core::Timestamp;
use crowdwatch_expr::{compile, compile_filter, Context, DataFiles, Program, Value};
use crowdwatch_grok::LazyRegex;
use libfuzzer_sys::fuzz_target;

/// Data files the expressions may name: `File('words.txt')`, `RegexpInFile(x, 'regexps.txt')`.
fn data_files() -> &'static DataFiles {
    static DATA: OnceLock<DataFiles> = OnceLock::new();
    DATA.get_or_init(|| {
        let mut strings = HashMap::new();
        let words = [
            "admin",
            "/etc/passwd",
            "wp-login.php",
            "",
            "..",
            "UNION SELECT",
            "\u{e9}t\u{e9}",
        ];
        strings.insert(
            "words.txt".to_string(),
            Arc::new(words.iter().map(|s| s.to_string()).collect()),
        );
        let mut regexps = HashMap::new();
        let patterns = [
            r"(?i)union\s+select",
            r"^/admin",
            r"\.\./",
            r"curl/\d+",
            r"[a-z]+\d{2,}",
        ];
        let compiled = patterns
            .iter()
            .map(|p| LazyRegex::new(p).expect("a valid regex").0)
            .collect();
        regexps.insert("regexps.txt".to_string(), Arc::new(compiled));
        DataFiles {
            strings,
            regexps,
            ..Default::default()
        }
    })
}

fn event(value: &str) -> Event {
    let mut labels = FieldMap::default();
    labels.set("type", "nginx");
    let source = Arc::new(Source {
        labels,
        src: "/var/log/nginx/access.log".into(),
        module: "file".into(),
    });
    let now = Timestamp::from_unix(crowdwatch_fuzz::NOW_SECS, 0).expect("valid time");
    let mut e = Event::new(source, ExpectMode::TimeMachine, now);
    e.reset(value, now);
    for key in [
        "request",
        "http_path",
        "http_user_agent",
        "message",
        "user",
        "program",
    ] {
        e.parsed.set(key, value);
    }
    e.parsed.set("verb", "GET");
    e.parsed.set("status", "404");
    e.meta.set("log_type", "http_access-log");
    e.meta.set("source_ip", "192.0.2.7");
    for key in ["http_path", "http_user_agent", "user", "target_user"] {
        e.meta.set(key, value);
    }
    e.str_time = value.to_string();
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(value) {
        e.kind = EventKind::Overflow;
        e.overflow = Some(Box::new(OverflowInfo {
            json,
            ..OverflowInfo::default()
        }));
    }
    e
}

fn exercise(program: &Program, ctx: &dyn Context) {
    let value = program.eval(ctx);
    let _ = program.eval_string(ctx);
    let _ = program.eval_borrowed(ctx);
    if let Ok(Value::Float(f)) = value {
        let _ = f.to_string();
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (source, value) = text.split_once('\0').unwrap_or((text, ""));
    let schema = EventSchema;
    let evt = event(value);
    let ctx = EventContext(&evt);
    if let Ok(compiled) = compile(source, &schema, data_files()) {
        exercise(&compiled.program, &ctx);
    }
    let Ok(compiled) = compile_filter(source, &schema, data_files()) else {
        return;
    };
    let program = &compiled.program;
    exercise(program, &ctx);
    let result = program.eval_bool(&ctx);
    if let Some(requirement) = program.required_literals() {
        assert!(
            !requirement.needles.is_empty(),
            "a requirement is never empty"
        );
        if !requirement.may_match(&ctx) {
            assert_eq!(
                result,
                Ok(false),
                "{source:?}: no required literal found in {value:?}, yet the filter is not false ({requirement:?})"
            );
        }
    }
    for (field, key, accepted) in program.equality_guards() {
        let got = ctx.map_get(field, &key).unwrap_or("");
        if !accepted.iter().any(|a| a == got) {
            assert_eq!(result, Ok(false), "{source:?}: guard {key} in {accepted:?} rejects {got:?}, yet the filter is not false");
        }
    }
});
