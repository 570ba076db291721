//! Shared helpers for the integration tests.
#![allow(dead_code)] // each test binary uses a different subset
use std::path::PathBuf;

pub mod lines;

use crowdwatch_grok::{compile, Origin, PatternLibrary};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where the CrowdSec 1.4.6 reference files are extracted (tests using them skip without).
pub fn reference_root() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"));
    let root = home.join(".cache/crowdwatch/ref/crowdsec");
    root.is_dir().then_some(root)
}

/// Our base library, as the engine loads it first.
pub fn base_library() -> PatternLibrary {
    let path = repo_root().join("scenarios/patterns/base");
    let text = std::fs::read_to_string(&path).expect("scenarios/patterns/base");
    let mut lib = PatternLibrary::new();
    let diagnostics = lib.load_text(&text, "base");
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    lib
}

pub fn library(definitions: &[(&str, &str)]) -> PatternLibrary {
    let mut lib = PatternLibrary::new();
    for (name, text) in definitions {
        assert!(lib.add(name, text, Origin::new("test", 0)).is_none());
    }
    lib
}

/// Field -> value for `line`, sorted by field name; None when the pattern does not match.
pub fn parse(pattern: &str, lib: &PatternLibrary, line: &str) -> Option<Vec<(String, String)>> {
    let grok = compile(pattern, lib).unwrap_or_else(|e| panic!("{pattern}: {e}"));
    let mut fields = grok.parse(line.as_bytes())?;
    fields.sort();
    Some(fields)
}

pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    v.sort();
    v
}
