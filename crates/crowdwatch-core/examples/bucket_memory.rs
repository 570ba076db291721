//! Resident memory of live buckets: a distributed sshd brute force where N distinct sources
//! fail one password each, so every ssh scenario holds one bucket per source with one event.
//!
//! cargo run --release -p crowdwatch-core --example bucket_memory -- [--ips N] [--users K]
//!     [--config DIR]
//!
//! Prints the resident set (VmRSS) after loading, after feeding, and after every bucket has
//! underflowed (a tick far past every lifetime), with the bytes per live bucket.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crowdwatch_core::config::LoadOptions;
use crowdwatch_core::event::{ExpectMode, FieldMap, Source};
use crowdwatch_core::{Engine, EngineOptions, Timestamp};

/// Usernames a dictionary attack tries first; `--users` beyond this adds numbered ones.
const COMMON_USERS: [&str; 16] = [
    "admin", "test", "user", "oracle", "postgres", "ubuntu", "guest", "ftpuser", "git", "pi",
    "support", "mysql", "dev", "www", "backup", "demo",
];

/// Lines are spread over this many seconds: well inside the shortest ssh bucket lifetime (60 s),
/// so every bucket is still live when we measure.
const SPAN_SECS: u64 = 30;

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut ips, mut users, mut config) = (1_000_000u64, 200u64, None);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--ips" => ips = value().parse().expect("--ips N"),
            "--users" => users = value().parse::<u64>().expect("--users K").max(1),
            "--config" => config = Some(PathBuf::from(value())),
            _ => panic!("unknown argument {a}"),
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let config = config.unwrap_or_else(|| root.join("scenarios"));
    let opts = EngineOptions {
        load: LoadOptions {
            config_dirs: vec![config.clone()],
            base_patterns: Some(config.join("patterns/base")),
            geoip: Default::default(),
            reverse_dns: Default::default(),
        },
        mode: ExpectMode::TimeMachine,
        max_line_bytes: crowdwatch_core::engine::DEFAULT_MAX_LINE_BYTES,
    };
    let mut engine = match Engine::load(&opts) {
        Ok((e, _)) => e,
        Err(report) => {
            report.diagnostics.iter().for_each(|d| eprintln!("{d}"));
            std::process::exit(2);
        }
    };
    let mut labels = FieldMap::default();
    labels.set("type", "syslog");
    let src = engine.register_source(Source {
        labels,
        src: "/var/log/auth.log".into(),
        module: "file".into(),
    });
    let baseline = rss_kib();
    println!("RSS after load:      {:>9} KiB", baseline);

    let t0 = Instant::now();
    let (mut batch, mut alerts, mut source_ips) =
        (String::with_capacity(1 << 20), 0usize, SourceIps::default());
    for i in 0..ips {
        let secs = i * SPAN_SECS / ips.max(1);
        let user = COMMON_USERS
            .get(i as usize % users as usize)
            .map_or_else(|| format!("user{}", i % users), |u| u.to_string());
        let _ = writeln!(
            batch,
            "Nov 24 10:00:{secs:02} bastion sshd[{}]: Failed password for invalid user {user} from {} port {} ssh2",
            1000 + i % 30000,
            source_ips.next_ip(),
            1024 + i % 60000
        );
        if batch.len() >= 1 << 20 || i + 1 == ips {
            alerts += engine
                .process_batch(src, batch.as_bytes(), Timestamp::now())
                .alerts
                .len();
            batch.clear();
        }
    }
    let feed_secs = t0.elapsed().as_secs_f64();
    let stats = engine.stats();
    let fed = rss_kib();
    let live = stats.live_buckets.max(1) as u64;
    println!("RSS after feeding:   {:>9} KiB  ({ips} lines in {feed_secs:.2} s, {} poured, {alerts} alerts)", fed, stats.counters.poured);
    println!("live buckets:        {:>9}", stats.live_buckets);
    println!(
        "bytes per bucket:    {:>9}  (RSS delta / live buckets)",
        (fed.saturating_sub(baseline)) * 1024 / live
    );

    // Far past every lifetime: every bucket underflows and is collected.
    let late = Timestamp {
        unix_nanos: i64::MAX / 2,
        offset_secs: 0,
    };
    let timed = engine.tick(late).len();
    let after = rss_kib();
    println!(
        "RSS after underflow: {:>9} KiB  (live buckets {}, {timed} timed alerts; {:+} KiB from load)",
        after,
        engine.stats().live_buckets,
        after as i64 - baseline as i64
    );
}

/// Distinct public IPv4 addresses: a bijection of the counter over 32 bits (multiplication by
/// an odd constant), skipping the ranges our whitelist drops and the unusable ones.
#[derive(Default)]
struct SourceIps {
    counter: u32,
}

impl SourceIps {
    fn next_ip(&mut self) -> String {
        loop {
            let v = self.counter.wrapping_mul(2_654_435_761).rotate_left(7);
            self.counter += 1;
            let [a, b, c, d] = v.to_be_bytes();
            let private = matches!(a, 0 | 10 | 127)
                || a >= 224
                || (a == 172 && (16..32).contains(&b))
                || (a == 192 && b == 168);
            if !private {
                return format!("{a}.{b}.{c}.{d}");
            }
        }
    }
}

/// Resident set size of this process, from /proc/self/status (KiB).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
