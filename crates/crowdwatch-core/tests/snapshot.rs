//! Bucket snapshots through the whole engine: an engine that takes over a snapshot goes on
//! counting where the first stopped, with the same alert; changed scenarios, the other mode and
//! bytes that do not read restore nothing.
mod support;

use crowdwatch_core::event::ExpectMode;
use crowdwatch_core::Engine;
use support::{at, content_dir, leaky, load, options, source, write_files, RAW_PARSER};

const DISTINCT: &str = "type: leaky\nname: test/users\ndescription: distinct users\nfilter: \"evt.Meta.log_type == 'test_fail'\"\n\
groupby: evt.Meta.source_ip\ndistinct: evt.Meta.target_user\ncapacity: 2\nleakspeed: 10s\nlabels:\n  remediation: true\n";

#[test]
fn a_restored_engine_overflows_where_the_first_would_have() {
    let dir = content_dir(
        "snapshot-roundtrip",
        &[
            ("parsers/s00-raw/raw.yaml", RAW_PARSER),
            ("scenarios/fail.yaml", &leaky("test/fail", 5)),
            ("scenarios/users.yaml", DISTINCT),
        ],
    );
    // The reference: one engine sees all six failures.
    let mut whole = load(&dir);
    let src = source(&mut whole, "test");
    let first =
        "fail from 192.0.2.1 user a\nfail from 192.0.2.1 user b\nfail from 192.0.2.1 user a\n";
    let second =
        "fail from 192.0.2.1 user a\nfail from 192.0.2.1 user b\nfail from 192.0.2.1 user c\n";
    assert!(whole
        .process_batch(src, first.as_bytes(), at(0))
        .alerts
        .is_empty());
    let expected = whole.process_batch(src, second.as_bytes(), at(1)).alerts;
    assert_eq!(
        expected
            .iter()
            .map(|a| a.scenario.as_str())
            .collect::<Vec<_>>(),
        ["test/fail", "test/users"]
    );

    // Three failures, a snapshot, a new engine: three more overflow as in one run.
    let mut before = load(&dir);
    let src = source(&mut before, "test");
    assert!(before
        .process_batch(src, first.as_bytes(), at(0))
        .alerts
        .is_empty());
    let bytes = before.snapshot();
    drop(before);
    let mut after = load(&dir);
    let src = source(&mut after, "test");
    let report = after.restore(&bytes).expect("restores");
    assert_eq!((report.scenarios, report.buckets), (2, 2));
    assert!(report.skipped.is_empty());
    let got = after.process_batch(src, second.as_bytes(), at(1)).alerts;
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g.scenario, e.scenario);
        assert_eq!(g.events_count, e.events_count);
        assert_eq!(g.events, e.events, "the queued events come back whole");
        assert_eq!(g.source, e.source);
    }

    // Without the snapshot the second engine sees three failures only: no test/fail overflow,
    // and test/users counts users a and b again.
    let mut fresh = load(&dir);
    let src = source(&mut fresh, "test");
    let alone = fresh.process_batch(src, second.as_bytes(), at(1)).alerts;
    assert_eq!(
        alone
            .iter()
            .map(|a| a.scenario.as_str())
            .collect::<Vec<_>>(),
        ["test/users"]
    );
    assert_ne!(alone[0].events, expected[1].events);
}

#[test]
fn changed_scenarios_the_other_mode_and_bad_bytes_restore_nothing() {
    let dir = content_dir(
        "snapshot-changed",
        &[
            ("parsers/s00-raw/raw.yaml", RAW_PARSER),
            ("scenarios/fail.yaml", &leaky("test/fail", 5)),
            ("scenarios/other.yaml", &leaky("test/other", 5)),
        ],
    );
    let mut e = load(&dir);
    let src = source(&mut e, "test");
    e.process_batch(
        src,
        "fail from 192.0.2.1\nfail from 192.0.2.1\n".as_bytes(),
        at(0),
    );
    let bytes = e.snapshot();

    // test/other changes its capacity: it starts empty, test/fail is restored.
    write_files(&dir, &[("scenarios/other.yaml", &leaky("test/other", 3))]);
    let mut changed = load(&dir);
    let report = changed.restore(&bytes).expect("restores");
    assert_eq!(report.scenarios, 1);
    assert_eq!(report.skipped, ["test/other"]);

    // A replay engine does not take live buckets, and refuses without changing anything.
    let mut opts = options(&dir);
    opts.mode = ExpectMode::TimeMachine;
    let (mut replay, _) = Engine::load(&opts).expect("loads");
    assert!(replay.restore(&bytes).unwrap_err().contains("live"));

    // Truncated, corrupted or foreign bytes: an error, never a panic or a partial restore.
    let mut target = load(&dir);
    let src = source(&mut target, "test");
    for bad in [
        &bytes[..bytes.len() / 2],
        &bytes[..4],
        b"not a snapshot".as_slice(),
    ] {
        assert!(target.restore(bad).is_err());
    }
    let mut flipped = bytes.clone();
    for i in (8..flipped.len()).step_by(7) {
        flipped[i] ^= 0x5a;
        let _ = target.restore(&flipped);
    }
    // Whatever the flipped bytes restored, the engine still runs (records are well-formed).
    let _ = target.process_batch(src, "fail from 192.0.2.9\n".repeat(8).as_bytes(), at(2));
}
