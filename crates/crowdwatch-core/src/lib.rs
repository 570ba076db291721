#![forbid(unsafe_code)]
//! crowdwatch's detection engine. See ARCHITECTURE.md for the map.
pub mod event;
