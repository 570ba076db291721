//! Inputs shared by the stage benchmarks: generated log lines (fixed, so runs compare) and the
//! repository's own content.
use std::path::PathBuf;

use crowdwatch_core::config::{load, LoadOptions, Loaded};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Our content (`scenarios/`), loaded as the engine loads it.
pub fn load_our_content() -> Loaded {
    let root = repo_root();
    let loaded = load(&LoadOptions {
        config_dirs: vec![root.join("scenarios")],
        base_patterns: Some(root.join("scenarios/patterns/base")),
        geoip: Default::default(),
        reverse_dns: Default::default(),
    });
    assert!(!loaded.report.has_errors(), "our content must load");
    loaded
}

/// `n` nginx access lines from a handful of clients and paths.
pub fn nginx_lines(n: usize) -> Vec<String> {
    const PATHS: [&str; 5] = ["/", "/index.html", "/static/app.js", "/api/v1/items?page=2", "/wp-login.php"];
    (0..n)
        .map(|i| {
            format!(
                "{}.{}.{}.{} - - [24/Nov/2026:10:{:02}:{:02} +0000] \"GET {} HTTP/1.1\" {} {} \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\"",
                45 + i % 7,
                i % 251,
                (i / 7) % 253,
                1 + i % 199,
                (i / 60) % 60,
                i % 60,
                PATHS[i % PATHS.len()],
                if i % 11 == 0 { 404 } else { 200 },
                100 + i % 5000
            )
        })
        .collect()
}

/// `n` sshd failed-password lines; `distinct` addresses (cycled).
pub fn sshd_lines(n: usize, distinct: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let a = i % distinct.max(1);
            format!(
                "Nov 24 10:{:02}:{:02} bastion sshd[{}]: Failed password for invalid user u{} from {}.{}.{}.{} port {} ssh2",
                (i / 60) % 60,
                i % 60,
                1000 + i % 9000,
                i % 97,
                45 + (a >> 16) % 7,
                (a >> 8) & 255,
                a & 255,
                1 + (a >> 19) % 250,
                32768 + i % 20000
            )
        })
        .collect()
}

/// Lines joined into one newline-terminated batch, as the addon receives them.
pub fn batch(lines: &[String]) -> Vec<u8> {
    let mut out = Vec::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for l in lines {
        out.extend_from_slice(l.as_bytes());
        out.push(b'\n');
    }
    out
}
