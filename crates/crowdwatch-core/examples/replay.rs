//! Replay a log file through the engine alone (no Node): the engine-only figure of the
//! throughput benchmark, and a handy profiling target.
//!
//! cargo run --release -p crowdwatch-core --example replay -- --config DIR [--config DIR2]
//!     [--patterns DIR] --type TYPE [--json] [--parallel] FILE
use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use crowdwatch_core::config::LoadOptions;
use crowdwatch_core::event::{ExpectMode, FieldMap, Source};
use crowdwatch_core::{Engine, EngineOptions, Timestamp};

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut dirs, mut patterns, mut kind, mut file, mut json) =
        (Vec::new(), None, String::new(), None, false);
    let mut parallel = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--config" => dirs.push(PathBuf::from(args.next().expect("--config DIR"))),
            "--patterns" => patterns = args.next().map(PathBuf::from),
            "--type" => kind = args.next().expect("--type TYPE"),
            "--json" => json = true,
            "--parallel" => parallel = true,
            _ => file = Some(a),
        }
    }
    let opts = EngineOptions {
        load: LoadOptions {
            config_dirs: dirs,
            base_patterns: patterns,
            geoip: Default::default(),
            reverse_dns: Default::default(),
        },
        mode: ExpectMode::TimeMachine,
        max_line_bytes: crowdwatch_core::engine::DEFAULT_MAX_LINE_BYTES,
    };
    let t0 = Instant::now();
    let mut engine = match Engine::load(&opts) {
        Ok((e, _)) => e,
        Err(report) => {
            for d in &report.diagnostics {
                eprintln!("{d}");
            }
            std::process::exit(2);
        }
    };
    let load_ms = t0.elapsed().as_secs_f64() * 1e3;
    engine.set_parallel(parallel);
    let mut labels = FieldMap::default();
    labels.set("type", &kind);
    let src = engine.register_source(Source {
        labels,
        src: file.clone().unwrap_or_default(),
        module: "file".into(),
    });
    let mut data = Vec::new();
    std::fs::File::open(file.expect("FILE"))
        .and_then(|mut f| f.read_to_end(&mut data))
        .expect("read log");
    let t1 = Instant::now();
    let mut alerts = Vec::new();
    let mut counters = crowdwatch_core::line::Counters::default();
    // Batches of about 1 MiB cut at line boundaries, as the Node side sends them.
    let mut start = 0;
    while start < data.len() {
        let mut end = (start + (1 << 20)).min(data.len());
        if end < data.len() {
            end = data[..end]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(data.len(), |i| i + 1)
                .max(start + 1);
        }
        let out = engine.process_batch(src, &data[start..end], Timestamp::now());
        counters.add(&out.counters);
        alerts.extend(out.alerts);
        start = end;
    }
    let secs = t1.elapsed().as_secs_f64();
    if json {
        println!("{}", serde_json::to_string_pretty(&alerts).unwrap());
    } else {
        for a in &alerts {
            println!(
                "{}  {}  {} events",
                a.scenario, a.source.value, a.events_count
            );
        }
    }
    eprintln!(
        "load {load_ms:.1} ms; {} lines in {secs:.3} s = {:.0} lines/s; {:?}; live buckets {}",
        counters.lines,
        counters.lines as f64 / secs,
        counters,
        engine.stats().live_buckets
    );
}
