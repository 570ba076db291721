//! Pouring parsed events into our scenarios: events are parsed once up front, then only
//! `Buckets::pour_event` is timed. Repeat offenders (few addresses: bucket hits, overflows,
//! blackhole) and a distributed attack (every address new: bucket creation).
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use crowdwatch_core::bucket::Buckets;
use crowdwatch_core::event::{Event, ExpectMode, FieldMap, Source};
use crowdwatch_core::parser::node::Scratch;
use crowdwatch_core::parser::trace::NoTrace;
use crowdwatch_core::Timestamp;
use crowdwatch_stage_benches::{load_our_content, sshd_lines};

fn parsed_events(lines: &[String]) -> Vec<Event> {
    let loaded = load_our_content();
    let mut labels = FieldMap::default();
    labels.set("type", "syslog");
    let source = Arc::new(Source { labels, src: "/var/log/auth.log".into(), module: "file".into() });
    let mut scratch = Scratch::default();
    let now = Timestamp::now();
    lines
        .iter()
        .map(|l| {
            let mut e = Event::new(source.clone(), ExpectMode::TimeMachine, now);
            e.reset(l, now);
            let mut errors = 0;
            loaded.pipeline.parse(&mut e, &mut scratch, None, &mut NoTrace, &mut errors, |_, _, _| {});
            e
        })
        .collect()
}

fn pour(c: &mut Criterion) {
    let mut g = c.benchmark_group("pour");
    for (name, distinct) in [("sshd, 50 repeat offenders", 50), ("sshd, 10,000 distinct addresses", 10_000)] {
        let events = parsed_events(&sshd_lines(10_000, distinct));
        g.throughput(Throughput::Elements(events.len() as u64));
        g.bench_function(name, |b| {
            b.iter_batched(
                || Buckets::new(load_our_content().scenarios),
                |mut buckets| {
                    let mut alerts = Vec::new();
                    for e in &events {
                        buckets.pour_event(e, Timestamp::now(), &mut alerts, None);
                    }
                    (buckets, alerts)
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, pour);
criterion_main!(benches);
