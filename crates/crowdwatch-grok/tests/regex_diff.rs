//! The grok differential on generated regexes: random regexes from the grammar grok patterns
//! use, on strings they match, mutations of those and random bytes; every answer (match or not,
//! the whole span, every field's span) compared with the regex crate's capture search on a
//! reference regex written independently of `goregex::translate` (see `support/regex_diff.rs`,
//! which the fuzz target `grok_diff` shares). Deterministic: a failure prints its case number,
//! and `REGEX_DIFF_CASE=<n>` runs that case alone.
#[path = "support/regex_diff.rs"]
mod regex_diff;

use regex_diff::{case, check, inputs, parse_case, SplitMix, Verdict};

const SEED: u64 = 0x6772_6F6B_5F64_6966; // "grok_dif"

/// Cases: a few seconds in an optimised build (the test command's test-checked profile).
const CASES: usize = 8000;
const INPUTS: usize = 48;

/// Each case from its own seed, so one can be replayed alone.
fn run(index: usize) -> Result<Verdict, String> {
    let mut rng = SplitMix(SEED ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let size = 2 + index % 14;
    let c = case(&mut rng, size);
    let lines = inputs(&c, &mut rng, INPUTS);
    check(&c, &lines).map_err(|e| format!("case {index} (REGEX_DIFF_CASE={index}): {e}"))
}

#[test]
fn grok_captures_what_the_regex_crate_captures_on_generated_regexes() {
    if let Some(index) = std::env::var("REGEX_DIFF_CASE")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        if let Err(e) = run(index) {
            panic!("{e}");
        }
        return;
    }
    let (mut compared, mut matched, mut refused) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for index in 0..CASES {
        match run(index) {
            Ok(Verdict::Compared { matched: m }) => {
                compared += 1;
                matched += usize::from(m > 0);
            }
            Ok(Verdict::BothRefused) => refused += 1,
            Err(e) => failures.push(e),
        }
    }
    println!(
        "{compared} regexes compared ({matched} matched some input), {refused} refused by both"
    );
    assert!(
        failures.is_empty(),
        "{} of {CASES} cases differ; the first:\n{}",
        failures.len(),
        failures[0]
    );
    assert!(
        compared > CASES * 9 / 10,
        "only {compared} of {CASES} regexes compiled"
    );
    assert!(
        matched > compared / 2,
        "only {matched} of {compared} regexes matched an input"
    );
}

/// The written cases of fuzz/regressions/grok_diff/: divergences from Go this differential
/// found, each fixed in the crate since (fuzz/README.md, "Findings"), kept as regressions.
#[test]
fn the_written_regression_cases_agree_with_the_reference() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/grok_diff");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fuzz/regressions/grok_diff")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let (c, lines) =
            parse_case(&text).unwrap_or_else(|| panic!("{}: not a written case", file.display()));
        if let Err(e) = check(&c, &lines) {
            failures.push(format!("{}: {e}", file.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}
