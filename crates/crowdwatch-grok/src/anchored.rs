//! Capture search anchored at the start of the match.
//!
//! regex 1.7 searches the captures of an unanchored regex with an NFA simulation that starts a
//! new thread at every position until the match is complete: with a hub nginx pattern (which
//! begins with an optional `IPORHOST`, thousands of instructions) that is ~50x the cost of the
//! capture search itself. The DFAs already tell where the leftmost match starts
//! (`Regex::find`), so we search the captures with an anchored copy of the regex instead:
//!
//! * `^(?:R)` on the whole input when the match starts at 0;
//! * `^(?s-u:.)(?:R)` on the input from one byte before the start otherwise. The byte consumed
//!   first is the one before the match, so `\b` and `(?m)^` at the start of `R` look at the same
//!   bytes as in the whole input, and `^` (start of text) is false there as it was.
//!
//! Both find, among the matches of `R` that start where the leftmost match starts, the one of
//! highest priority: the leftmost-first match, with the same groups (the wrappers add none).
//! Only ASCII-mode regexes qualify: a Unicode `\b` looks further back than one byte.
use regex::bytes::{CaptureLocations, Regex};
use regex_syntax::hir::{Hir, HirKind, WordBoundary};
use regex_syntax::ParserBuilder;

use crate::goregex::{build, Mode};

#[derive(Clone, Debug)]
pub(crate) struct AnchoredCaptures {
    at_start: Regex,
    after_byte: Regex,
}

impl AnchoredCaptures {
    /// The anchored copies of `regex` (compiled by `goregex` in `mode`), or None when `regex` is
    /// already anchored at the start (regex 1.7 then searches captures anchored by itself) or
    /// does not qualify.
    pub fn for_regex(regex: &Regex, mode: Mode) -> Option<AnchoredCaptures> {
        if mode != Mode::Ascii {
            return None;
        }
        let text = regex.as_str();
        let hir = ParserBuilder::new()
            .allow_invalid_utf8(true)
            .unicode(false)
            .nest_limit(1000)
            .build()
            .parse(text)
            .ok()?;
        if hir.is_anchored_start() || has_unicode_word_boundary(&hir) {
            return None;
        }
        Some(AnchoredCaptures {
            at_start: build(&format!("^(?:{text})"), Mode::Ascii).ok()?,
            after_byte: build(&format!("^(?s-u:.)(?:{text})"), Mode::Ascii).ok()?,
        })
    }

    /// Captures of the leftmost-first match of the original regex in `input`, given that it
    /// starts at `start`. Offsets in `locations` are relative to `input[offset..]`; returns
    /// `offset`, or None if there is no match (only when `start` was not a match start).
    /// Group 0 (the whole match) includes the context byte; every other group is exact.
    pub fn captures_read(
        &self,
        locations: &mut CaptureLocations,
        input: &[u8],
        start: usize,
    ) -> Option<usize> {
        let (regex, offset) = match start {
            0 => (&self.at_start, 0),
            _ => (&self.after_byte, start - 1),
        };
        regex.captures_read(locations, &input[offset..])?;
        Some(offset)
    }
}

fn has_unicode_word_boundary(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::WordBoundary(b) => {
            matches!(b, WordBoundary::Unicode | WordBoundary::UnicodeNegate)
        }
        HirKind::Group(g) => has_unicode_word_boundary(&g.hir),
        HirKind::Repetition(r) => has_unicode_word_boundary(&r.hir),
        HirKind::Concat(children) | HirKind::Alternation(children) => {
            children.iter().any(has_unicode_word_boundary)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goregex::compile_with_mode;

    fn anchored(pattern: &str) -> Option<AnchoredCaptures> {
        let (re, mode) = compile_with_mode(pattern).unwrap();
        AnchoredCaptures::for_regex(&re, mode)
    }

    type Spans = Vec<Option<(usize, usize)>>;

    /// Spans of groups 1.. of the leftmost-first match: through the anchored copies, and directly.
    fn both(pattern: &str, input: &str) -> (Spans, Spans) {
        let (re, _) = compile_with_mode(pattern).unwrap();
        let a = anchored(pattern).expect("qualifies");
        let input = input.as_bytes();
        let mut direct = re.capture_locations();
        re.captures_read(&mut direct, input).expect("matches");
        let start = re.find(input).unwrap().start();
        let mut locs = re.capture_locations();
        let offset = a
            .captures_read(&mut locs, input, start)
            .expect("matches anchored");
        let spans = |l: &CaptureLocations, off: usize| {
            (1..l.len())
                .map(|i| l.get(i).map(|(s, e)| (s + off, e + off)))
                .collect()
        };
        (spans(&locs, offset), spans(&direct, 0))
    }

    #[test]
    fn same_groups_as_the_unanchored_search() {
        for (pattern, input) in [
            (r"(\w+)@(\w+)", "mail: joe@example now"),
            (r"(\w+)@(\w+)", "joe@example"),
            // `\b` at the match start sees the byte before it.
            (r"\b(\d+)\b-(x|xy)", "x12-x 34-xy"),
            (r"(?m)^(\w+)=(\d*)", "first line\nkey=42"),
            (r"(a+?)(a*)$", "baaa"),
            (r"(foo|foobar)(.*)", "xx foobarbaz"),
        ] {
            let (via_anchor, direct) = both(pattern, input);
            assert_eq!(via_anchor, direct, "{pattern} on {input:?}");
        }
    }

    #[test]
    fn only_unanchored_ascii_regexes_qualify() {
        assert!(anchored(r"(\w+)=").is_some());
        assert!(anchored(r"^(\w+)=").is_none());
        assert!(anchored(r"(?u:\b)(\w+)").is_none());
        assert!(anchored("é(x)").is_none());
    }
}
