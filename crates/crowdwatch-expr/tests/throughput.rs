//! A rough timing of the hot filters (run with `--release -- --ignored --nocapture`).
mod common;

use std::sync::Arc;
use std::time::Instant;

use common::{Event, EventSchema};
use crowdwatch_expr::{compile, DataFiles};

#[test]
#[ignore]
fn hot_filters() {
    let mut data = DataFiles::default();
    let words: Vec<String> = (0..200).map(|i| format!("pattern-{i}-x")).collect();
    data.strings.insert("p.txt".into(), Arc::new(words));
    let evt = Event::log()
        .meta("log_type", "ssh_failed-auth")
        .meta("service", "ssh")
        .meta("http_path", "/index.php?q=hello-world");
    let start = Instant::now();
    let mut hits = 0;
    for _ in 0..1_000_000 {
        let e = std::hint::black_box(&evt);
        hits += usize::from(
            e.meta.get("log_type").map(String::as_str) == Some("ssh_failed-auth")
                && e.meta.get("service").map(String::as_str) == Some("ssh"),
        );
    }
    println!(
        "{:8.1} ns/eval ({hits} hits)  native baseline: two HashMap reads",
        start.elapsed().as_nanos() as f64 / 1e6
    );
    for src in [
        "evt.Whitelisted",
        "evt.Meta.log_type",
        "evt.Meta.log_type == 'ssh_failed-auth'",
        "evt.Meta.log_type == 'ssh_failed-auth' && evt.Meta.service == 'ssh'",
        "evt.Meta.log_type in ['http_access-log', 'http_error-log'] && evt.Meta.http_path contains 'x'",
        "any(File('p.txt'), {Upper(evt.Meta.http_path) contains Upper(#)})",
        "Upper(evt.Meta.http_path) matches Upper('/index.php\\\\?.*action=.*')",
    ] {
        let p = compile(src, &EventSchema, &data).unwrap().program;
        let n = 1_000_000;
        let start = Instant::now();
        let mut hits = 0;
        for _ in 0..n {
            hits += usize::from(p.eval_bool(std::hint::black_box(&evt)).unwrap_or(true));
        }
        let ns = start.elapsed().as_nanos() as f64 / n as f64;
        println!("{ns:8.1} ns/eval ({hits} hits)  {src}");
    }
}
