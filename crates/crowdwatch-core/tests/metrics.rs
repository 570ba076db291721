//! Per-scenario and per-parser-node counters (`Engine::stats`), counted as CrowdSec's
//! `cs_bucket_*` and `cs_node_*` metrics count.
mod support;

use crowdwatch_core::bucket::metrics::ScenarioCounters;
use crowdwatch_core::engine::Stats;
use crowdwatch_core::parser::metrics::NodeCounters;
use support::{at, content_dir, leaky, load, source, ENRICH_PARSER, RAW_PARSER};

const TRIGGER: &str = "\
type: trigger
name: test/trigger
description: one line from the canary address
filter: \"evt.Meta.source_ip == '192.0.2.99'\"
groupby: evt.Meta.source_ip
";

fn scenario(stats: &Stats, name: &str) -> (ScenarioCounters, usize) {
    let s = stats
        .scenarios
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("{name} in {:#?}", stats.scenarios));
    (s.counters, s.current)
}

fn counters(poured: u64, instantiated: u64, overflowed: u64, underflowed: u64) -> ScenarioCounters {
    ScenarioCounters {
        poured,
        instantiated,
        overflowed,
        underflowed,
    }
}

#[test]
fn scenarios_count_pours_buckets_overflows_and_underflows() {
    let dir = content_dir(
        "metrics-scenarios",
        &[
            ("parsers/s00-raw/raw.yaml", RAW_PARSER),
            ("scenarios/fail.yaml", &leaky("test/fail", 3)),
            ("scenarios/trigger.yaml", TRIGGER),
        ],
    );
    let mut e = load(&dir);
    let src = source(&mut e, "test");
    let batch = "fail from 198.51.100.7\nfail from 198.51.100.7\nfail from 198.51.100.7\nfail from 203.0.113.5\nfail from 192.0.2.99\n";
    e.process_batch(src, batch.as_bytes(), at(0));
    let stats = e.stats();
    assert_eq!(stats.scenario_count, 2);
    assert_eq!(scenario(&stats, "test/fail"), (counters(5, 3, 0, 0), 3));
    assert_eq!(scenario(&stats, "test/trigger"), (counters(1, 1, 1, 0), 0));

    // The 4th event of 198.51.100.7 overflows its bucket (capacity 3).
    let out = e.process_batch(src, b"fail from 198.51.100.7\n", at(1));
    assert_eq!(out.alerts.len(), 1);
    assert_eq!(scenario(&e.stats(), "test/fail"), (counters(6, 3, 1, 0), 2));

    // 203.0.113.5's bucket (lifetime 40 s) is found expired by its next event and starts again;
    // garbage collection then removes both idle buckets.
    e.process_batch(src, b"fail from 203.0.113.5\n", at(100));
    assert_eq!(scenario(&e.stats(), "test/fail"), (counters(7, 4, 1, 1), 2));
    e.tick(at(1000));
    assert_eq!(scenario(&e.stats(), "test/fail"), (counters(7, 4, 1, 3), 0));
    assert_eq!(e.stats().live_buckets, 0);
}

#[test]
fn top_level_parser_nodes_count_hits_successes_and_failures() {
    let dir = content_dir(
        "metrics-parsers",
        &[
            ("parsers/s00-raw/raw.yaml", RAW_PARSER),
            ("parsers/s01-parse/enrich.yaml", ENRICH_PARSER),
            ("scenarios/fail.yaml", &leaky("test/fail", 3)),
        ],
    );
    let mut e = load(&dir);
    let (test, other) = (source(&mut e, "test"), source(&mut e, "other"));
    e.process_batch(
        test,
        b"fail from 198.51.100.7 user root\nfail from 203.0.113.5\nsomething else\n",
        at(0),
    );
    e.process_batch(other, b"fail from 198.51.100.7\n", at(0));
    let stats = e.stats();
    let parsers: Vec<(&str, &str, NodeCounters)> = stats
        .parsers
        .iter()
        .map(|p| (p.stage.as_str(), p.name.as_str(), p.counters))
        .collect();
    let enrich_file = dir
        .join("parsers/s01-parse/enrich.yaml")
        .display()
        .to_string();
    assert_eq!(
        parsers,
        vec![
            // The other source's line does not pass the filter: not a hit.
            (
                "s00-raw",
                "test/raw",
                NodeCounters {
                    hits: 3,
                    parsed: 2,
                    unparsed: 1
                }
            ),
            (
                "s01-parse",
                enrich_file.as_str(),
                NodeCounters {
                    hits: 2,
                    parsed: 2,
                    unparsed: 0
                }
            ),
        ]
    );
    assert_eq!((stats.counters.parsed, stats.counters.unparsed), (2, 2));

    // explain traces a line without counting it.
    e.explain(test, "fail from 198.51.100.7", at(1)).unwrap();
    assert_eq!(e.stats().parsers[0].counters.hits, 3);
}
