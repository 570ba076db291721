//! Content features of today's hub through the whole engine: postoverflows (whitelist, source
//! rewrite), conditional scenarios, the parser stash and JSON logs (`UnmarshalJSON`).
mod support;

use support::{at, content_dir, leaky, load, source, ENRICH_PARSER, RAW_PARSER};

const POSTOVERFLOW_WHITELIST: &str = "\
name: test/po-whitelist
description: a partner network
whitelist:
  reason: partner
  cidr:
    - 203.0.113.0/24
";

const POSTOVERFLOW_RANGE: &str = "\
name: test/po-range
description: report 198.51.100.x as its /24
filter: \"evt.Overflow.Alert.Source.IP startsWith '198.51.100.'\"
statics:
  - target: evt.Overflow.Alert.Source.Value
    expression: IpToRange(evt.Overflow.Alert.Source.IP, '/24')
  - target: evt.Overflow.Alert.Source.Scope
    value: Range
";

#[test]
fn postoverflows_drop_whitelisted_overflows_and_rewrite_sources() {
    let dir = content_dir(
        "hub-postoverflows",
        &[
            ("parsers/s00-raw/raw.yaml", RAW_PARSER),
            ("scenarios/fail.yaml", &leaky("test/fail", 1)),
            // One stage: as in CrowdSec, an overflow no node of a stage accepts stops there,
            // so a whitelist in a later stage would not see 203.0.113.5.
            (
                "postoverflows/s00-enrich/partner.yaml",
                POSTOVERFLOW_WHITELIST,
            ),
            ("postoverflows/s00-enrich/range.yaml", POSTOVERFLOW_RANGE),
        ],
    );
    let mut e = load(&dir);
    let src = source(&mut e, "test");
    let lines = "fail from 203.0.113.5\n".repeat(2)
        + &"fail from 198.51.100.7\n".repeat(2)
        + &"fail from 192.0.2.1\n".repeat(2);
    let out = e.process_batch(src, lines.as_bytes(), at(0));
    let sources: Vec<(&str, &str)> = out
        .alerts
        .iter()
        .map(|a| (a.source.scope.as_str(), a.source.value.as_str()))
        .collect();
    assert_eq!(sources, [("Range", "198.51.100.0/24"), ("Ip", "192.0.2.1")]);
    assert_eq!(
        out.counters.alerts, 2,
        "the whitelisted overflow is not counted as an alert"
    );
    assert_eq!(out.alerts[0].source.ip, "198.51.100.7");
}

const CONDITIONAL: &str = "\
type: conditional
name: test/slow
description: four failures at least a minute apart, the median gap counting
filter: \"evt.Meta.log_type == 'test_fail'\"
groupby: evt.Meta.source_ip
capacity: -1
leakspeed: 1h
condition: |
  let fails = filter(queue.Queue, {#.Meta.log_type == 'test_fail'});
  len(fails) >= 4 && MedianInterval(map(fails[-4:], {#.Time})) >= duration('1m')
";

const DATED_PARSER: &str = "\
name: test/dated
description: fail lines with their own time
filter: \"evt.Line.Labels.type == 'dated'\"
onsuccess: next_stage
grok:
  pattern: '^%{TIMESTAMP_ISO8601:ts} fail from %{IP:ip}$'
  apply_on: Line.Raw
statics:
  - meta: log_type
    value: test_fail
  - meta: source_ip
    expression: evt.Parsed.ip
  - target: evt.StrTime
    expression: evt.Parsed.ts
";

const DATES: &str = "\
name: test/dates
description: ParseDate
filter: \"evt.StrTime != ''\"
statics:
  - method: ParseDate
    expression: evt.StrTime
  - target: evt.MarshaledTime
    expression: evt.Enriched.MarshaledTime
";

#[test]
fn conditional_scenarios_overflow_when_their_condition_holds() {
    let dir = content_dir(
        "hub-conditional",
        &[
            ("parsers/s00-raw/dated.yaml", DATED_PARSER),
            ("parsers/s01-enrich/dates.yaml", DATES),
            ("scenarios/slow.yaml", CONDITIONAL),
        ],
    );
    let mut opts = support::options(&dir);
    opts.mode = crowdwatch_core::event::ExpectMode::TimeMachine;
    let (mut e, _) = crowdwatch_core::Engine::load(&opts).expect("loads");
    let src = source(&mut e, "dated");
    // 192.0.2.1 fails every 2 minutes: the 4th failure overflows. 192.0.2.2 every 10 seconds:
    // never (its median gap is under a minute), however many.
    let mut lines = String::new();
    for i in 0..4 {
        lines += &format!("2026-01-01T10:{:02}:00Z fail from 192.0.2.1\n", i * 2);
    }
    for i in 0..6 {
        lines += &format!("2026-01-01T11:00:{:02}Z fail from 192.0.2.2\n", i * 10);
    }
    let out = e.process_batch(src, lines.as_bytes(), at(0));
    let overflowed: Vec<&str> = out.alerts.iter().map(|a| a.source.value.as_str()).collect();
    assert_eq!(overflowed, ["192.0.2.1"]);
    assert_eq!(out.alerts[0].events_count, 4);
}

const STASHING_PARSER: &str = "\
name: test/stash
description: remembers who logged in on a session, tells it on the session's failures
filter: \"evt.Line.Labels.type == 'session'\"
onsuccess: next_stage
nodes:
  - grok:
      pattern: '^session %{INT:sid} user %{WORD:user}$'
      apply_on: Line.Raw
    stash:
      - name: sessions
        key: evt.Parsed.sid
        value: evt.Parsed.user
        ttl: 1h
        size: 2
  - grok:
      pattern: '^session %{INT:sid} fail from %{IP:ip}$'
      apply_on: Line.Raw
    statics:
      - meta: target_user
        expression: GetFromStash('sessions', evt.Parsed.sid)
      - meta: source_ip
        expression: evt.Parsed.ip
      - meta: log_type
        value: test_fail
";

#[test]
fn the_stash_carries_a_value_from_one_line_to_another() {
    let dir = content_dir(
        "hub-stash",
        &[
            ("parsers/s00-raw/stash.yaml", STASHING_PARSER),
            ("parsers/s01-enrich/enrich.yaml", ENRICH_PARSER),
            (
                "scenarios/fail.yaml",
                &leaky("test/fail", 0).replace("capacity: 0", "capacity: 1"),
            ),
        ],
    );
    let mut e = load(&dir);
    let src = source(&mut e, "session");
    let lines = "session 7 user alice\nsession 8 user bob\nsession 9 user carol\nsession 7 fail from 192.0.2.1\nsession 7 fail from 192.0.2.1\nsession 9 fail from 192.0.2.2\nsession 9 fail from 192.0.2.2\n";
    let out = e.process_batch(src, lines.as_bytes(), at(0));
    let users: Vec<String> = out
        .alerts
        .iter()
        .map(|a| {
            a.events[0]
                .meta
                .iter()
                .find(|m| m.key == "target_user")
                .map_or(String::from("(none)"), |m| m.value.clone())
        })
        .collect();
    // The stash holds 2 entries: alice's session (the least recently used) was evicted by carol's.
    assert_eq!(users, ["(none)", "carol"]);
}

/// Two documents of one scenario name and filter, the second counting distinct users.
const TWIN_SCENARIOS: &str = "\
type: leaky
name: test/twins
description: every failure
filter: \"evt.Meta.log_type == 'test_fail'\"
groupby: evt.Meta.source_ip
capacity: 3
leakspeed: 10s
---
type: leaky
name: test/twins
description: failures of distinct users
filter: \"evt.Meta.log_type == 'test_fail'\"
groupby: evt.Meta.source_ip
distinct: evt.Meta.target_user
capacity: 3
leakspeed: 10s
";

#[test]
fn scenarios_of_one_name_and_filter_share_their_buckets_as_in_crowdsec() {
    let dir = content_dir(
        "hub-twins",
        &[
            ("parsers/s00-raw/raw.yaml", RAW_PARSER),
            ("scenarios/twins.yaml", TWIN_SCENARIOS),
        ],
    );
    let mut e = load(&dir);
    let src = source(&mut e, "test");
    // Each line is poured twice into the first document's bucket (its settings: no distinct):
    // the second line makes the 4th pour and overflows capacity 3. Apart, neither would.
    let first = e.process_batch(src, b"fail from 192.0.2.9 user root\n", at(0));
    assert!(first.alerts.is_empty());
    let second = e.process_batch(src, b"fail from 192.0.2.9 user root\n", at(1));
    assert_eq!(second.alerts.len(), 1);
    assert_eq!(second.alerts[0].events_count, 4);
    // A different filter text is a different bucket.
    let apart = TWIN_SCENARIOS.replacen(
        "filter: \"evt.Meta.log_type == 'test_fail'\"\ngroupby: evt.Meta.source_ip\ndistinct",
        "filter: \"evt.Meta.log_type in ['test_fail']\"\ngroupby: evt.Meta.source_ip\ndistinct",
        1,
    );
    let dir = content_dir(
        "hub-twins-apart",
        &[
            ("parsers/s00-raw/raw.yaml", RAW_PARSER),
            ("scenarios/twins.yaml", &apart),
        ],
    );
    let mut e = load(&dir);
    let src = source(&mut e, "test");
    let out = e.process_batch(
        src,
        b"fail from 192.0.2.9 user root\n".repeat(3).as_slice(),
        at(0),
    );
    assert!(
        out.alerts.is_empty(),
        "3 pours in one bucket, 1 in the other"
    );
}

const BAYESIAN: &str = "\
type: bayesian
name: test/bayes
description: failures of root are strong evidence, of other users weak
filter: \"evt.Meta.log_type == 'test_fail'\"
groupby: evt.Meta.source_ip
capacity: -1
leakspeed: 1h
bayesian_prior: 0.05
bayesian_threshold: 0.6
bayesian_conditions:
  - condition: evt.Meta.target_user == 'root'
    prob_given_evil: 0.9
    prob_given_benign: 0.1
    guillotine: true
  - condition: len(queue.Queue) >= 3
    prob_given_evil: 0.8
    prob_given_benign: 0.2
";

#[test]
fn bayesian_scenarios_overflow_once_the_posterior_passes_the_threshold() {
    let dir = content_dir(
        "hub-bayesian",
        &[
            ("parsers/s00-raw/raw.yaml", RAW_PARSER),
            ("scenarios/bayes.yaml", BAYESIAN),
        ],
    );
    let mut e = load(&dir);
    let src = source(&mut e, "test");
    // 0.05 → root (×9 odds) → 0.321 ; under 3 events (×0.25) → 0.106: no overflow.
    let out = e.process_batch(src, b"fail from 192.0.2.1 user root\n", at(0));
    assert!(out.alerts.is_empty());
    // 2 events: root fired once (guillotine: true for good) and still fewer than 3: no overflow.
    let out = e.process_batch(src, b"fail from 192.0.2.1 user bob\n", at(1));
    assert!(out.alerts.is_empty());
    // 3 events: 0.05 → 0.321 (root, guillotined) → 0.654 (3 events) > 0.6: overflow.
    let out = e.process_batch(src, b"fail from 192.0.2.1 user bob\n", at(2));
    assert_eq!(out.alerts.len(), 1);
    assert_eq!(out.alerts[0].events_count, 3);
    // Without the root evidence, 3 events alone: 0.05 → 0.006 (not root) → 0.023 (3 events) < 0.6.
    // (A fresh engine: the guillotine belongs to the scenario, as in CrowdSec.)
    let mut e = load(&dir);
    let src = source(&mut e, "test");
    let out = e.process_batch(
        src,
        b"fail from 192.0.2.2 user bob\n".repeat(3).as_slice(),
        at(0),
    );
    assert!(out.alerts.is_empty());
}

#[test]
fn bayesian_scenarios_are_checked_as_crowdsec_checks_them() {
    let dir = content_dir(
        "hub-bayesian-bad",
        &[
            ("parsers/s00-raw/raw.yaml", RAW_PARSER),
            (
                "scenarios/bayes.yaml",
                &BAYESIAN.replace("capacity: -1", "capacity: 5"),
            ),
        ],
    );
    let report = crowdwatch_core::config::load(&support::options(&dir).load).report;
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.message.contains("bayesian bucket capacity must be -1")),
        "{:?}",
        report.diagnostics
    );
}
