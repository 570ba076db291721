//! How long loading content takes (the engine's start-up cost), best of N runs.
//!
//! cargo run --release -p crowdwatch-core --example load_time -- --config DIR [--config DIR2]
//!     [--patterns FILE] [--runs N] [--diagnostics]
use std::path::PathBuf;
use std::time::Instant;

use crowdwatch_core::config::LoadOptions;
use crowdwatch_core::event::ExpectMode;
use crowdwatch_core::{Engine, EngineOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut dirs, mut patterns, mut runs, mut show) = (Vec::new(), None, 5usize, false);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--config" => dirs.push(PathBuf::from(args.next().expect("--config DIR"))),
            "--patterns" => patterns = args.next().map(PathBuf::from),
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--diagnostics" => show = true,
            other => panic!("unknown argument {other}"),
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
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let t0 = Instant::now();
        let (engine, report) = match Engine::load(&opts) {
            Ok(loaded) => loaded,
            Err(report) => {
                for d in &report.diagnostics {
                    eprintln!("{d}");
                }
                std::process::exit(2);
            }
        };
        times.push(t0.elapsed().as_secs_f64() * 1e3);
        if times.len() == 1 {
            for d in report.diagnostics.iter().filter(|_| show) {
                eprintln!("{d}");
            }
            eprintln!(
                "parsers {} scenarios {} patterns {}; {} warnings",
                report.parsers.loaded,
                report.scenarios.loaded,
                report.patterns.loaded,
                report.diagnostics.len()
            );
        }
        drop(engine);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "load: best {:.1} ms, median {median:.1} ms over {} runs",
        times[0],
        times.len()
    );
}
