//! What the fuzz targets share: the repository's paths, the engine harness (one fuzz input as
//! log lines of a source chosen by its first byte) and the CrowdSec hub config builder.
use std::path::{Path, PathBuf};

use crowdwatch_core::config::LoadOptions;
use crowdwatch_core::diag::Severity;
use crowdwatch_core::event::{ExpectMode, FieldMap, Source};
use crowdwatch_core::{Engine, EngineOptions, Timestamp};

pub mod hub;

/// The repository (this crate is its `fuzz/`).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the repository")
}

/// The acquisition time of every batch: fixed, so a crash reproduces (year-less syslog dates
/// take its year).
pub const NOW_SECS: i64 = 1_772_366_400; // 2026-03-01T12:00:00Z
/// The time of the `tick` after each input: far enough for every bucket of an event dated
/// near `NOW` to underflow, so inputs do not leave state to the next one.
pub const COLLECT_SECS: i64 = NOW_SECS + 100 * 365 * 86_400;

pub fn now() -> Timestamp {
    Timestamp::from_unix(NOW_SECS, 0).expect("valid time")
}

/// Our own content, as `crowdwatch` loads it by default.
pub fn our_options() -> EngineOptions {
    let root = repo();
    EngineOptions {
        load: LoadOptions {
            config_dirs: vec![root.join("scenarios")],
            base_patterns: Some(root.join("scenarios/patterns/base")),
            geoip: Default::default(),
            reverse_dns: Default::default(),
        },
        mode: ExpectMode::TimeMachine,
        max_line_bytes: crowdwatch_core::engine::DEFAULT_MAX_LINE_BYTES,
    }
}

/// An engine with one source per log type.
pub struct Harness {
    pub engine: Engine,
    sources: Vec<usize>,
}

/// Log types (the acquisition label `type`) the first byte of an input chooses from: syslog
/// lines (the sshd parsers behind them), nginx and apache2 access/error lines, and a non-syslog
/// type (`sshd` as the program name, as a journald-like source gives it).
pub const LOG_TYPES: &[(&str, &str)] = &[
    ("syslog", "/var/log/auth.log"),
    ("nginx", "/var/log/nginx/access.log"),
    ("apache2", "/var/log/apache2/access.log"),
    ("sshd", "journalctl-_SYSTEMD_UNIT=ssh.service"),
];

impl Harness {
    /// Loads `opts`; any error-level diagnostic is fatal (the content must load).
    pub fn load(opts: &EngineOptions) -> Harness {
        let mut engine = match Engine::load(opts) {
            Ok((engine, _)) => engine,
            Err(report) => {
                let errors: Vec<String> = report
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .map(|d| d.to_string())
                    .collect();
                panic!("content does not load:\n{}", errors.join("\n"));
            }
        };
        let sources = LOG_TYPES
            .iter()
            .map(|(kind, src)| {
                let mut labels = FieldMap::default();
                labels.set("type", kind);
                let module = if src.starts_with("journalctl") {
                    "journalctl"
                } else {
                    "file"
                };
                engine.register_source(Source {
                    labels,
                    src: (*src).into(),
                    module: module.into(),
                })
            })
            .collect();
        Harness { engine, sources }
    }

    /// One fuzz input: byte 0 chooses the log type (bits 0-1), whether the line is explained
    /// too (bit 2) and how many times the batch is poured (bits 4-5: 1, 2, 6 or 12, so the
    /// scenarios' capacities overflow on repeated lines); the rest is the batch (usually one
    /// line; newlines split it as the engine splits any batch). Then a `tick` far in the
    /// future collects every bucket the input made.
    pub fn run(&mut self, data: &[u8]) {
        let Some((&first, batch)) = data.split_first() else {
            return;
        };
        let source = self.sources[(first & 3) as usize % self.sources.len()];
        let repeat = [1, 2, 6, 12][((first >> 4) & 3) as usize];
        let now = now();
        for _ in 0..repeat {
            let out = self.engine.process_batch(source, batch, now);
            // What the binding does with every batch.
            serde_json::to_string(&out).expect("a batch output serializes");
        }
        if first & 4 != 0 {
            let line = String::from_utf8_lossy(batch);
            let line = line.split('\n').next().unwrap_or("");
            if let Some(trace) = self.engine.explain(source, line, now) {
                serde_json::to_string(&trace).expect("a trace serializes");
            }
        }
        let later = Timestamp::from_unix(COLLECT_SECS, 0).expect("valid time");
        let alerts = self.engine.tick(later);
        serde_json::to_string(&alerts).expect("alerts serialize");
        serde_json::to_string(&self.engine.stats()).expect("stats serialize");
    }
}
