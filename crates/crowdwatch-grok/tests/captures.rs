//! Every grok's fields are exactly the regex crate's capture search's: the fast paths (the
//! backtracking matcher, the anchored copies, and their fallbacks) against the plain
//! `captures_read` of the same regex, over every named pattern of our libraries and of
//! CrowdSec 1.4.6's pattern files (when the reference is extracted), on real and mutated lines.
mod common;

use common::lines::{mutate, Rng, SEEDS};
use common::{base_library, reference_root, repo_root};
use crowdwatch_grok::{compile, goregex, Grok, PatternLibrary};

/// Lines per pattern: every seed as is, then mutations.
const LINES: usize = 400;

/// Compares one pattern on generated lines; returns how many matched.
fn check(lib: &PatternLibrary, pattern: &str) -> usize {
    let grok = compile(pattern, lib).unwrap_or_else(|e| panic!("{pattern}: {e}"));
    let regex = goregex::compile(grok.regex()).expect("the grok's regex compiles");
    let named: Vec<usize> = regex
        .capture_names()
        .enumerate()
        .filter_map(|(i, name)| name.map(|_| i))
        .collect();
    assert_eq!(
        named.len(),
        grok.fields().len(),
        "{pattern}: one group per field"
    );
    let mut locations = regex.capture_locations();
    let mut m = grok.new_match();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ pattern.len() as u64);
    let mut matched = 0;
    for i in 0..LINES {
        let seed = SEEDS[i % SEEDS.len()].as_bytes();
        let line = if i < SEEDS.len() {
            seed.to_vec()
        } else {
            mutate(&mut rng, seed)
        };
        let ours = grok.match_into(&line, &mut m);
        let reference = regex.captures_read(&mut locations, &line).is_some();
        assert_eq!(
            ours,
            reference,
            "{pattern} on {:?}",
            String::from_utf8_lossy(&line)
        );
        if ours {
            matched += 1;
            let expected: Vec<_> = named.iter().map(|g| locations.get(*g)).collect();
            assert_eq!(
                m.spans(),
                &expected[..],
                "{pattern} on {:?}",
                String::from_utf8_lossy(&line)
            );
        }
    }
    matched
}

/// `%{NAME:value}` for every definition (a field, so the pattern can match at all).
fn check_library(lib: &PatternLibrary) -> (usize, usize) {
    let (mut patterns, mut matched) = (0, 0);
    for name in lib.names() {
        let pattern = format!("%{{{name}:value}}");
        if compile(&pattern, lib).is_err() {
            continue; // undefined references: hub.rs reports those
        }
        patterns += 1;
        matched += usize::from(check(lib, &pattern) > 0);
    }
    (patterns, matched)
}

fn our_library() -> PatternLibrary {
    let mut lib = base_library();
    lib.load_dir(&repo_root().join("scenarios/patterns"))
        .expect("scenarios/patterns");
    lib
}

#[test]
fn our_patterns_capture_what_the_regex_crate_captures() {
    let (patterns, matched) = check_library(&our_library());
    println!("{patterns} patterns, {matched} matched some line");
    assert!(
        patterns > 100 && matched > 30,
        "{patterns} patterns, {matched} matching"
    );
}

#[test]
fn crowdsec_patterns_capture_what_the_regex_crate_captures() {
    let Some(root) = reference_root() else {
        println!("skipped: the CrowdSec reference is not extracted");
        return;
    };
    let mut lib = base_library();
    lib.load_dir(&root.join("etc/crowdsec/patterns"))
        .expect("CrowdSec pattern files");
    let (patterns, matched) = check_library(&lib);
    println!("{patterns} patterns, {matched} matched some line");
    assert!(patterns > 300, "{patterns} patterns");
}

/// The patterns that carry most lines take the backtracking path (so the checks above test it).
#[test]
fn the_big_patterns_backtrack() {
    let lib = our_library();
    let backtracks = |pattern: &str| -> bool {
        let grok: Grok = compile(pattern, &lib).unwrap();
        grok.backtracks()
    };
    for pattern in [
        "%{CW_NGINX_ACCESS}",
        "%{IPORHOST:host}",
        "%{CW_SSHD_FAILED_AUTH}",
        "%{HTTPDATE:ts}",
    ] {
        assert!(backtracks(pattern), "{pattern}");
    }
}

/// A line that makes backtracking explode is answered by the regex crate, with the same groups.
#[test]
fn an_exploding_line_falls_back_to_the_regex_crate() {
    let lib = common::library(&[("RUNS", "(?:a|aa)+(?:a|aa)+(?:a|aa)+c")]);
    let pattern = "%{RUNS:runs}";
    let grok = compile(pattern, &lib).unwrap();
    assert!(grok.backtracks());
    let line = format!("{}b aaac", "a".repeat(80));
    let mut m = grok.new_match();
    assert!(grok.match_into(line.as_bytes(), &mut m));
    assert_eq!(m.value(0, line.as_bytes()), b"aaac");
    assert!(!grok.match_into("a".repeat(80).as_bytes(), &mut m));
    assert_eq!(
        check(&lib, pattern),
        0,
        "the generated lines have no 'c' run to match"
    );
}
