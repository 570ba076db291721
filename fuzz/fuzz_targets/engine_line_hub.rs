//! One input as log lines through the whole engine with today's CrowdSec hub content (the
//! linux, sshd, nginx, apache2, base-http-scenarios and http-cve collections and the
//! whitelists parser, from the snapshot in ../shared/crowdsec-hub; `CROWDWATCH_HUB` points
//! elsewhere). The config is built and loaded once per process; items the engine refuses are
//! dropped and listed on stderr (see fuzz/README.md). Byte 0 chooses the log type and how the
//! line is run (see `Harness::run`).
#![no_main]
use std::sync::{Mutex, OnceLock};

use crowdwatch_fuzz::{hub, repo, Harness};
use libfuzzer_sys::fuzz_target;

static HARNESS: OnceLock<Mutex<Harness>> = OnceLock::new();

fn load() -> Harness {
    let snapshot =
        hub::snapshot().expect("the hub snapshot: ../shared/crowdsec-hub or $CROWDWATCH_HUB");
    let dir = std::env::temp_dir().join(format!("crowdwatch-fuzz-hub-{}", std::process::id()));
    let mut config = hub::build(&snapshot, &dir, hub::COLLECTIONS, hub::EXTRA_PARSERS);
    let repo = repo();
    let (opts, dropped) = hub::load_accepted(&mut config, &repo);
    let harness = Harness::load(&opts);
    if std::env::var_os("CROWDWATCH_FUZZ_QUIET").is_none() {
        let parsers = config.items.iter().filter(|i| i.kind == "parsers").count();
        eprintln!(
            "engine_line_hub: {} parsers, {} scenarios loaded from {}; {} dropped",
            parsers,
            config.items.len() - parsers,
            snapshot.display(),
            dropped.len()
        );
        for (item, why) in &dropped {
            eprintln!("  dropped {} {}: {why}", item.kind, item.name);
        }
        for s in &config.skipped {
            eprintln!("  skipped {s}");
        }
        for d in &config.missing_data {
            eprintln!("  missing data file {d}");
        }
    }
    // Everything is in memory now (data files are read at load, regexes kept as text).
    let _ = std::fs::remove_dir_all(&dir);
    harness
}

fuzz_target!(|data: &[u8]| {
    let harness = HARNESS.get_or_init(|| Mutex::new(load()));
    harness.lock().unwrap_or_else(|e| e.into_inner()).run(data);
});
