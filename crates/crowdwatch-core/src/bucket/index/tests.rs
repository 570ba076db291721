use std::sync::Arc;

use super::*;
use crate::bucket::scenario::{Kind, Scope, ScopeKind};
use crate::event::{ExpectMode, Source};
use crate::schema::EventSchema;

fn scenario(filter: &str) -> Scenario {
    let compiled = crowdwatch_expr::compile_filter(filter, &EventSchema, &Default::default());
    Scenario {
        name: filter.into(),
        file: "test".into(),
        kind: Kind::Trigger,
        capacity: 0,
        leakspeed: 0,
        leakspeed_text: String::new(),
        lifetime: 0,
        filter: compiled.unwrap_or_else(|e| panic!("{filter}: {e}")).program,
        filter_text: filter.to_owned(),
        groupby: None,
        distinct: None,
        blackhole: 0,
        queue_len: 0,
        reprocess: false,
        overflow_filter: None,
        cancel_on: None,
        condition: None,
        bayesian: None,
        scope: Scope {
            kind: ScopeKind::Ip,
            expression: None,
        },
        labels: Default::default(),
        remediation: false,
        hash: String::new(),
        version: String::new(),
        simulated: false,
        fingerprint: Default::default(),
    }
}

fn event(meta: &[(&str, &str)]) -> Event {
    let mut evt = Event::new(
        Arc::new(Source::default()),
        ExpectMode::TimeMachine,
        Default::default(),
    );
    for (k, v) in meta {
        evt.meta.set(k, v);
    }
    evt
}

const FILTERS: [&str; 6] = [
    "evt.Meta.log_type == 'ssh_failed-auth'",
    "evt.Meta.log_type in ['http_access-log', 'http_error-log'] && evt.Meta.http_path contains '..'",
    "evt.Meta.service == 'http' && evt.Meta.sub_type == 'auth_fail'",
    "evt.Meta.http_path contains 'x' && evt.Meta.log_type == 'http_access-log'",
    "evt.Meta.log_type == ''",
    "evt.Meta.log_type in ['http_access-log', 'http_access-log']",
];

#[test]
fn candidates_are_the_scenarios_whose_guard_accepts_the_event() {
    let scenarios: Vec<Scenario> = FILTERS.iter().map(|f| scenario(f)).collect();
    let mut index = ScenarioIndex::new(&scenarios);
    let http = event(&[("log_type", "http_access-log"), ("service", "http")]);
    assert_eq!(index.candidates(&http), &[1, 2, 3, 5]);
    // The same values again: the cached list.
    assert_eq!(index.candidates(&http), &[1, 2, 3, 5]);
    assert_eq!(
        index.candidates(&event(&[("log_type", "ssh_failed-auth")])),
        &[0, 3]
    );
    // An absent key reads as "", as in the filter.
    assert_eq!(index.candidates(&event(&[])), &[3, 4]);
    assert_eq!(
        index.candidates(&event(&[
            ("log_type", "http_error-log"),
            ("service", "ssh")
        ])),
        &[1, 3]
    );
}

#[test]
fn every_skipped_filter_is_false() {
    let scenarios: Vec<Scenario> = FILTERS.iter().map(|f| scenario(f)).collect();
    let mut index = ScenarioIndex::new(&scenarios);
    let events = [
        event(&[
            ("log_type", "http_access-log"),
            ("service", "http"),
            ("http_path", "/../x"),
        ]),
        event(&[
            ("log_type", "http_error-log"),
            ("service", "http"),
            ("sub_type", "auth_fail"),
        ]),
        event(&[("log_type", "ssh_failed-auth"), ("http_path", "x")]),
        event(&[("service", "http"), ("sub_type", "auth_fail")]),
        event(&[]),
    ];
    for evt in &events {
        let candidates = index.candidates(evt).to_vec();
        for (si, sc) in scenarios.iter().enumerate() {
            let passes = sc.filter.eval_bool(&EventContext(evt)).unwrap();
            assert!(
                !passes || candidates.contains(&si),
                "{} skipped for {:?}",
                sc.name,
                evt.meta
            );
        }
    }
}

/// An http event: Meta log_type and http_path, Parsed verb, file_name and user agent.
fn http_event(log_type: &str, path: &str, verb: &str, file_name: &str, agent: &str) -> Event {
    let mut evt = event(&[
        ("log_type", log_type),
        ("http_path", path),
        ("http_status", "404"),
    ]);
    for (k, v) in [
        ("verb", verb),
        ("file_name", file_name),
        ("http_user_agent", agent),
        ("request", path),
    ] {
        evt.parsed.set(k, v);
    }
    evt.line_raw = format!("{verb} {path} {agent}");
    evt
}

const HTTP_FILTERS: [&str; 4] = [
    "evt.Meta.log_type in ['http_access-log', 'http_error-log'] and Upper(evt.Meta.http_path) contains Upper('/remote/fgt_lang')",
    "evt.Meta.log_type == 'http_access-log' && evt.Parsed.file_name contains 'w00tw00t'",
    "evt.Meta.log_type in ['http_access-log', 'http_error-log'] && evt.Parsed.verb in ['GET', 'HEAD']",
    "Upper(evt.Meta.http_path) contains Upper('/ghost/api') && Upper(evt.Parsed.verb) == 'POST'",
];

#[test]
fn literals_narrow_the_guarded_candidates() {
    let scenarios: Vec<Scenario> = HTTP_FILTERS.iter().map(|f| scenario(f)).collect();
    let mut index = ScenarioIndex::new(&scenarios);
    let access = "http_access-log";
    assert_eq!(
        index.candidates(&http_event(access, "/index.html", "GET", "index.html", "-")),
        &[2]
    );
    // Same guard values, other literals: the guard's list is reused, the literals are not.
    assert_eq!(
        index.candidates(&http_event(access, "/REMOTE/fgt_Lang?x", "GET", "x", "-")),
        &[0, 2]
    );
    assert_eq!(
        index.candidates(&http_event(access, "/w00tw00t", "GET", "w00tw00t.at", "-")),
        &[1, 2]
    );
    assert_eq!(
        index.candidates(&http_event(
            "http_error-log",
            "/ghost/API/x",
            "post",
            "x",
            "-"
        )),
        &[2, 3]
    );
    // A non-ASCII value may turn into the literal once upper-cased: both case-mapped filters run.
    assert_eq!(
        index.candidates(&http_event(access, "/ſ", "GET", "x", "-")),
        &[0, 2, 3]
    );
    assert_eq!(
        index.candidates(&event(&[("log_type", "ssh_failed-auth")])),
        &[] as &[usize]
    );
}

/// Hub-like filters: literal requirements of every shape, filters without one, and filters
/// that fail at run time (which must stay candidates, so their errors are still counted).
const MIXED_FILTERS: &[&str] = &[
    "evt.Meta.log_type in ['http_access-log', 'http_error-log'] and Upper(evt.Meta.http_path) contains Upper('/remote/fgt_lang?lang=/../../..')",
    "Upper(evt.Meta.http_path) contains Upper('/ghost/api/admin/session') && Upper(evt.Parsed.verb) == 'POST' && evt.Meta.http_status == '404'",
    "( Upper(evt.Meta.http_path) contains Upper('/aaa') || Upper(evt.Meta.http_path) contains Upper('/bbb') ) and evt.Meta.http_status startsWith ('40')",
    "evt.Meta.log_type == 'http_access-log' && evt.Parsed.file_name contains 'w00tw00t.at.ISC.SANS.DFind'",
    "evt.Meta.log_type in ['http_access-log', 'http_error-log'] and (Upper(evt.Meta.http_path) contains '/.%2E/.%2E/' or Upper(evt.Meta.http_path) contains '/%2E%2E/%2E%2E')",
    "Upper(evt.Meta.http_path) contains 'SIX' or Lower(evt.Meta.http_path) contains 'kel'",
    "Lower(evt.Meta.http_path) contains '/index.php' && Upper(evt.Parsed.verb) == 'POST'",
    "evt.Meta.log_type in ['http_access-log', 'http_error-log'] and Upper(evt.Meta.http_path) startsWith Upper('/api/v2/cmdb/') and Lower(evt.Parsed.http_user_agent) == 'report runner'",
    "evt.Meta.http_path matches '/ui/vcav-bootstrap/rest/vcav-providers/provider-logo\\\\?url=(file|http)'",
    "Upper(evt.Meta.http_path) matches '/PUBLIC/PLUGINS/[^/]+/../[./]+/' or Upper(evt.Meta.http_path) matches '(SELECT|UNION) +'",
    "Upper(PathUnescape(evt.Meta.http_path)) contains Upper('/etc/passwd')",
    "evt.Line.Raw contains 'w00t' && evt.Meta.log_type == 'http_access-log'",
    "evt.Meta.http_path matches Upper(evt.Meta.http_path) && evt.Meta.http_path contains 'index'",
    "!(evt.Meta.http_path contains '/index')",
    "evt.Meta.log_type in ['http_access-log', 'http_error-log'] && evt.Parsed.verb in ['GET', 'HEAD']",
];

#[test]
fn every_filter_the_literals_skip_is_false() {
    let scenarios: Vec<Scenario> = MIXED_FILTERS.iter().map(|f| scenario(f)).collect();
    let mut index = ScenarioIndex::new(&scenarios);
    let requirements: Vec<_> = scenarios
        .iter()
        .map(|sc| sc.filter.required_literals())
        .collect();
    let paths = [
        "/remote/FGT_lang?lang=/../../..//",
        "/Ghost/API/admin/session",
        "/aaa",
        "/x/.%2e/.%2E/etc",
        "/ſıx/%2e%2e/%2E%2E",
        "/ſix",
        "/\u{212A}el",
        "/ıNDEX.php",
        "/INDEX.PHP",
        "/index%2Ephp",
        "/ui/vcav-bootstrap/rest/vcav-providers/provider-logo?url=file",
        "/public/plugins/x/../../",
        "/%2Fetc%2Fpasswd",
        "/etc/passwd",
        "/API/v2/cmdb/x",
        "",
        "/é",
        "SELECT  1",
        "/index.html(",
        "/x(y",
    ];
    let verbs = ["post", "POST", "pOſt", "GET"];
    let files = [
        "w00tw00t.at.ISC.SANS.DFind",
        "W00TW00T.AT.ISC.SANS.DFIND",
        "x",
    ];
    let agents = ["Report Runner", "report runner", "report ſunner", "-"];
    let (mut skipped, mut errors, mut passed) = (0, 0, 0);
    for (i, path) in paths.iter().enumerate() {
        for log_type in ["http_access-log", "http_error-log", "ssh_failed-auth"] {
            let evt = http_event(log_type, path, verbs[i % 4], files[i % 3], agents[i % 4]);
            let candidates = index.candidates(&evt).to_vec();
            // The automata find what the expression crate's reference check finds.
            index.guarded(&evt);
            let expected: Vec<usize> = index
                .candidates
                .iter()
                .copied()
                .filter(|&si| {
                    requirements[si]
                        .as_ref()
                        .is_none_or(|r| r.may_match(&EventContext(&evt)))
                })
                .collect();
            assert_eq!(candidates, expected, "{:?}", evt.meta);
            for (si, sc) in scenarios.iter().enumerate() {
                let result = sc.filter.eval_bool(&EventContext(&evt));
                if candidates.contains(&si) {
                    errors += usize::from(result.is_err());
                    passed += usize::from(result == Ok(true));
                } else {
                    assert_eq!(
                        result,
                        Ok(false),
                        "{} skipped for {:?} {:?}",
                        sc.name,
                        evt.meta,
                        evt.parsed
                    );
                    skipped += 1;
                }
            }
        }
    }
    // The check means something: filters were skipped, passed and failed.
    assert!(
        skipped > 200 && passed > 20 && errors > 0,
        "{skipped} skipped, {passed} passed, {errors} errors"
    );
}
