//! The grok differential: a regex from the grammar of what grok patterns use, drawn from the
//! fuzz input (through `arbitrary`), compiled by crowdwatch-grok (Go syntax, fields as grok
//! references) and by the regex crate (an independently written ASCII-semantics reference);
//! on inputs the regex matches, mutations of them and raw bytes from the fuzz input, the match,
//! its span and every field's span must agree. The generator and the check are
//! crates/crowdwatch-grok/tests/support/regex_diff.rs, which the seeded test
//! `tests/regex_diff.rs` runs too. An input starting with `#grok_diff case` is a written case
//! instead (pattern, definitions, reference, inputs: the regression files).
#![no_main]
use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

#[path = "../../crates/crowdwatch-grok/tests/support/regex_diff.rs"]
mod regex_diff;

use regex_diff::{case, check, inputs, parse_case, Choose, CASE_HEADER};

/// The fuzz input's bytes as the generator's choices (0 once they run out).
struct Bytes<'a, 'b>(&'b mut Unstructured<'a>);

impl Choose for Bytes<'_, '_> {
    fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        self.0.int_in_range(0..=n - 1).unwrap_or(0)
    }
}

fuzz_target!(|data: &[u8]| {
    // A written regression case (fuzz/regressions/grok_diff/*.case): checked when scripts/fuzz.sh
    // replays the regressions (CROWDWATCH_FUZZ_WRITTEN=1). While fuzzing, an input that starts
    // like one is skipped: a mutated case no longer says what the reference is.
    if data.starts_with(CASE_HEADER.as_bytes()) {
        if std::env::var_os("CROWDWATCH_FUZZ_WRITTEN").is_none() {
            return;
        }
        let text = std::str::from_utf8(data).expect("a written case is UTF-8");
        let (c, lines) = parse_case(text).expect("a well-formed written case");
        if let Err(e) = check(&c, &lines) {
            panic!("{e}");
        }
        return;
    }
    let mut u = Unstructured::new(data);
    // Raw inputs come from the end of the data (arbitrary's lengths do), choices from the start.
    let raw: Vec<Vec<u8>> = u.arbitrary().unwrap_or_default();
    let size = u.int_in_range(1..=16usize).unwrap_or(4);
    let mut choose = Bytes(&mut u);
    let c = case(&mut choose, size);
    let mut lines = inputs(&c, &mut choose, 12);
    lines.extend(raw.into_iter().take(8));
    if let Err(e) = check(&c, &lines) {
        panic!("{e}");
    }
});
