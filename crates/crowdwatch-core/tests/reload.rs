//! `Engine::reload`: unchanged scenarios keep their live buckets, blackholes and counters;
//! changed, renamed and removed ones start empty or go; a broken config leaves the engine as
//! it was; sources and totals survive.
mod support;

use std::path::Path;

use crowdwatch_core::alert::Alert;
use crowdwatch_core::diag::Severity;
use crowdwatch_core::event::ExpectMode;
use crowdwatch_core::Engine;
use support::{
    at, content_dir, leaky, load, options, source, write_files, ENRICH_PARSER, RAW_PARSER,
};

const ATTACKER: &str = "198.51.100.7";

fn base(test: &str, capacity: i64) -> std::path::PathBuf {
    content_dir(
        test,
        &[
            ("parsers/s00-raw/raw.yaml", RAW_PARSER),
            ("parsers/s01-parse/enrich.yaml", ENRICH_PARSER),
            ("scenarios/fail.yaml", &leaky("test/fail", capacity)),
        ],
    )
}

/// `count` failures of the attacker (user root), one second apart from `from`.
fn attack(e: &mut Engine, src: usize, from: i64, count: i64) -> Vec<Alert> {
    let mut alerts = Vec::new();
    for s in from..from + count {
        alerts.extend(
            e.process_batch(
                src,
                format!("fail from {ATTACKER} user root\n").as_bytes(),
                at(s),
            )
            .alerts,
        );
    }
    alerts
}

fn reload(e: &mut Engine, dir: &Path) -> crowdwatch_core::engine::ReloadReport {
    e.reload(&options(dir))
        .unwrap_or_else(|r| panic!("reload must succeed: {:#?}", r.diagnostics))
}

fn live(e: &Engine, name: &str) -> usize {
    e.stats()
        .scenarios
        .iter()
        .find(|s| s.name == name)
        .map_or(0, |s| s.current)
}

#[test]
fn an_unchanged_scenario_keeps_its_half_full_bucket_across_a_reload() {
    let dir = base("reload-kept", 3);
    let mut e = load(&dir);
    let src = source(&mut e, "test");
    assert!(attack(&mut e, src, 0, 2).is_empty(), "half full: 2 of 4");

    // A new scenario sorts first, so test/fail moves from position 0 to 1; the new one pours
    // the same events but starts empty. The parser file changes too.
    write_files(
        &dir,
        &[
            ("scenarios/aaa.yaml", &leaky("test/aaa", 3)),
            (
                "parsers/s00-raw/raw.yaml",
                &format!("# edited\n{RAW_PARSER}"),
            ),
        ],
    );
    let report = reload(&mut e, &dir);
    assert_eq!(
        (report.kept, report.added, report.reset, report.removed),
        (
            vec!["test/fail".to_owned()],
            vec!["test/aaa".to_owned()],
            vec![],
            vec![]
        )
    );
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);

    // Another source first, whose events have no user: a new engine-wide codec would now give
    // its key set and values the ids the kept bucket's events were encoded with.
    assert!(e
        .process_batch(src, b"fail from 203.0.113.5\n", at(2))
        .alerts
        .is_empty());
    let alerts = attack(&mut e, src, 2, 2);
    assert_eq!(
        alerts.len(),
        1,
        "the 4th event overflows the kept bucket, and only that one"
    );
    let alert = &alerts[0];
    assert_eq!(
        (
            alert.scenario.as_str(),
            alert.source.value.as_str(),
            alert.events_count
        ),
        ("test/fail", ATTACKER, 4)
    );
    // Events queued before the reload decode as they were poured (time, meta).
    let first = &alert.events[0];
    assert_eq!(first.timestamp, crowdwatch_time::format_rfc3339_nano(at(0)));
    let meta: Vec<(&str, &str)> = first
        .meta
        .iter()
        .map(|m| (m.key.as_str(), m.value.as_str()))
        .collect();
    assert_eq!(
        meta,
        [
            ("log_type", "test_fail"),
            ("service", "test"),
            ("source_ip", ATTACKER),
            ("target_user", "root")
        ]
    );

    let stats = e.stats();
    let fail = stats
        .scenarios
        .iter()
        .find(|s| s.name == "test/fail")
        .unwrap();
    assert_eq!(
        (
            fail.counters.poured,
            fail.counters.instantiated,
            fail.counters.overflowed,
            fail.current
        ),
        (5, 2, 1, 1)
    );
    assert_eq!(live(&e, "test/aaa"), 2);
    assert_eq!(
        (stats.counters.lines, stats.counters.overflows),
        (5, 1),
        "global totals carry over"
    );
    // Parser counters continue for nodes of the same stage and name.
    assert_eq!(stats.parsers[0].counters.hits, 5);
}

#[test]
fn a_changed_capacity_starts_the_scenario_empty() {
    let dir = base("reload-changed", 3);
    let mut e = load(&dir);
    let src = source(&mut e, "test");
    attack(&mut e, src, 0, 2);

    write_files(&dir, &[("scenarios/fail.yaml", &leaky("test/fail", 2))]);
    let report = reload(&mut e, &dir);
    assert_eq!(
        (report.kept.len(), report.reset),
        (0, vec!["test/fail".to_owned()])
    );
    assert_eq!(e.stats().live_buckets, 0);
    assert!(
        attack(&mut e, src, 2, 2).is_empty(),
        "2 events in a new bucket of capacity 2"
    );
    let alerts = attack(&mut e, src, 4, 1);
    assert_eq!(
        alerts.iter().map(|a| a.events_count).collect::<Vec<_>>(),
        [3]
    );
}

#[test]
fn renamed_and_removed_scenarios_lose_their_buckets() {
    let dir = base("reload-renamed", 3);
    write_files(&dir, &[("scenarios/other.yaml", &leaky("test/other", 3))]);
    let mut e = load(&dir);
    let src = source(&mut e, "test");
    attack(&mut e, src, 0, 2);
    assert_eq!(e.stats().live_buckets, 2);

    std::fs::remove_file(dir.join("scenarios/other.yaml")).unwrap();
    write_files(
        &dir,
        &[("scenarios/fail.yaml", &leaky("test/fail-renamed", 3))],
    );
    let report = reload(&mut e, &dir);
    assert_eq!(report.added, ["test/fail-renamed"]);
    assert_eq!(report.removed, ["test/fail", "test/other"]);
    assert!(report.kept.is_empty() && report.reset.is_empty());
    let stats = e.stats();
    assert_eq!((stats.live_buckets, stats.scenario_count), (0, 1));
    assert!(attack(&mut e, src, 2, 2).is_empty());
}

#[test]
fn a_broken_config_is_refused_and_the_engine_keeps_running() {
    let dir = base("reload-broken", 3);
    let mut e = load(&dir);
    let src = source(&mut e, "test");
    attack(&mut e, src, 0, 2);

    write_files(
        &dir,
        &[(
            "scenarios/broken.yaml",
            "type: leaky\nname: test/broken\nlabels: {a: b\ncapacity: 3\n",
        )],
    );
    let report = e
        .reload(&options(&dir))
        .expect_err("a YAML syntax error refuses the reload");
    let errors: Vec<(String, usize)> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            (
                Path::new(&d.file)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                d.line,
            )
        })
        .collect();
    assert_eq!(errors.len(), 1, "{:#?}", report.diagnostics);
    assert_eq!(errors[0].0, "broken.yaml");
    assert!(
        (3..=5).contains(&errors[0].1),
        "line of the unclosed mapping: {:#?}",
        report.diagnostics
    );

    assert_eq!(
        e.stats()
            .scenarios
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["test/fail"]
    );
    let alerts = attack(&mut e, src, 2, 2);
    assert_eq!(
        alerts.iter().map(|a| a.events_count).collect::<Vec<_>>(),
        [4],
        "the old engine still counts"
    );
}

#[test]
fn sources_registered_before_a_reload_stay_valid() {
    let dir = base("reload-sources", 3);
    let mut e = load(&dir);
    let (test, other) = (source(&mut e, "test"), source(&mut e, "other"));
    attack(&mut e, test, 0, 1);
    reload(&mut e, &dir);
    let later = source(&mut e, "test");
    assert_eq!(later, 2, "ids continue");
    assert!(e
        .process_batch(other, b"fail from 203.0.113.5\n", at(1))
        .alerts
        .is_empty());
    attack(&mut e, later, 1, 1);
    let alerts = attack(&mut e, test, 2, 2);
    assert_eq!(
        alerts.iter().map(|a| a.events_count).collect::<Vec<_>>(),
        [4],
        "both sources feed the kept bucket"
    );
    assert_eq!(e.stats().counters.lines, 5);
}

#[test]
fn an_unchanged_scenario_keeps_its_blackhole() {
    let dir = base("reload-blackhole", 3);
    let mut e = load(&dir);
    let src = source(&mut e, "test");
    assert_eq!(attack(&mut e, src, 0, 4).len(), 1);
    // A comment is no change.
    write_files(
        &dir,
        &[(
            "scenarios/fail.yaml",
            &format!(
                "# tuned later
{}",
                leaky("test/fail", 3)
            ),
        )],
    );
    assert_eq!(reload(&mut e, &dir).kept, ["test/fail"]);
    assert!(
        attack(&mut e, src, 10, 4).is_empty(),
        "overflow inside the 1m blackhole is discarded"
    );
    assert_eq!(e.stats().scenarios[0].counters.overflowed, 2);
    assert_eq!(attack(&mut e, src, 100, 4).len(), 1, "after the blackhole");
}

#[test]
fn a_mode_change_keeps_no_bucket() {
    let dir = base("reload-mode", 3);
    let mut e = load(&dir);
    let src = source(&mut e, "test");
    attack(&mut e, src, 0, 2);
    let mut opts = options(&dir);
    opts.mode = ExpectMode::TimeMachine;
    let report = e.reload(&opts).unwrap();
    assert_eq!(
        (report.kept.len(), report.reset),
        (0, vec!["test/fail".to_owned()])
    );
    assert_eq!(e.stats().live_buckets, 0);
}
