#![forbid(unsafe_code)]
//! Grok pattern libraries and matchers.
pub mod goregex;
