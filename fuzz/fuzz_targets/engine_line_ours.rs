//! One input as log lines through the whole engine (parsers, whitelists, scenarios, alerts,
//! explain, stats) with our own content (`scenarios/`), loaded once per process. Byte 0 chooses
//! the log type and how the line is run (see `Harness::run`).
#![no_main]
use std::sync::{Mutex, OnceLock};

use crowdwatch_fuzz::{our_options, Harness};
use libfuzzer_sys::fuzz_target;

static HARNESS: OnceLock<Mutex<Harness>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let harness = HARNESS.get_or_init(|| Mutex::new(Harness::load(&our_options())));
    // A panic poisons the lock; the process ends with the crash anyway.
    harness.lock().unwrap_or_else(|e| e.into_inner()).run(data);
});
