//! Expression filters on a parsed event: a plain equality guard (what most scenario filters
//! start with), a scenario-style conjunction, and a helper call with a regex.
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use crowdwatch_core::event::{Event, ExpectMode, FieldMap, Source};
use crowdwatch_core::schema::{EventContext, EventSchema};
use crowdwatch_core::Timestamp;
use crowdwatch_expr::{compile_filter, DataFiles};

fn event() -> Event {
    let source = Arc::new(Source { labels: FieldMap::default(), src: "/var/log/nginx/access.log".into(), module: "file".into() });
    let mut e = Event::new(source, ExpectMode::TimeMachine, Timestamp::now());
    for (k, v) in [("log_type", "http_access-log"), ("service", "http"), ("source_ip", "45.12.3.4"), ("http_status", "404"), ("http_path", "/wp-login.php")] {
        e.meta.set(k, v);
    }
    e.parsed.set("verb", "GET");
    e.parsed.set("request", "/wp-login.php?redirect_to=%2Fadmin");
    e
}

fn expr(c: &mut Criterion) {
    let evt = event();
    let ctx = EventContext(&evt);
    let data = DataFiles::default();
    let mut g = c.benchmark_group("expr");
    for (name, src) in [
        ("equality guard", "evt.Meta.log_type == 'http_access-log'"),
        ("scenario filter", "evt.Meta.service == 'http' && evt.Meta.http_status in ['404', '403', '400'] && evt.Parsed.verb == 'GET'"),
        ("helper + regex", "Upper(evt.Parsed.verb) == 'GET' && evt.Parsed.request matches '(?i)wp-login\\\\.php'"),
    ] {
        let f = compile_filter(src, &EventSchema, &data).unwrap_or_else(|e| panic!("{src}: {}", e.message));
        assert!(f.program.eval_bool(&ctx).expect("evaluates"), "{src} must hold on the bench event");
        g.bench_function(name, |b| b.iter(|| f.program.eval_bool(&ctx)));
    }
    g.finish();
}

criterion_group!(benches, expr);
criterion_main!(benches);
