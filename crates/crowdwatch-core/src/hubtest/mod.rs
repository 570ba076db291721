//! What `crowdwatch hubtest` needs from the engine, as `cscli hubtest` gets it from CrowdSec's
//! `-dump-data`: every top-level parser node's result for every line (`dump`), the overflows
//! (`dump`), and assertions evaluated over them in the expression language (`assert`).
mod assert;
mod dump;

pub use assert::{evaluate_asserts, AssertOutcome};
pub use dump::{event_json, overflow_json, Dump, Dumper};
