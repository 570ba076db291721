#![forbid(unsafe_code)]
//! crowdwatch's detection engine: lines in, CrowdSec-shaped alerts out. Pure Rust, no FFI.
//! See ARCHITECTURE.md for the map.
pub mod alert;
pub mod bucket;
pub mod config;
pub mod diag;
pub mod engine;
pub mod event;
pub mod geoip;
pub mod go_getters;
pub mod hubtest;
pub mod line;
pub mod parser;
pub mod profile;
pub mod rdns;
pub mod schema;

pub use crowdwatch_time::Timestamp;
pub use engine::{Engine, EngineOptions};
