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
//!
//! Both copies are compiled on first use, like the regex itself; a copy that fails to build
//! leaves the plain capture search in place.
use regex::bytes::Regex;
use regex_syntax::hir::{Hir, Look};

use crate::goregex::Mode;
use crate::lazy::LazyRegex;

#[derive(Clone, Debug)]
pub(crate) struct AnchoredCaptures {
    at_start: LazyRegex,
    after_byte: LazyRegex,
}

impl AnchoredCaptures {
    /// The anchored copies of `regex` (`hir` is its parsed form), or None when `regex` is
    /// already anchored at the start (regex 1.7 then searches captures anchored by itself) or
    /// does not qualify.
    pub fn for_regex(regex: &LazyRegex, hir: &Hir) -> Option<AnchoredCaptures> {
        if regex.mode() != Mode::Ascii
            || hir.properties().look_set_prefix().contains(Look::Start)
            || hir.properties().look_set().contains_word_unicode()
        {
            return None;
        }
        let text = regex.as_str();
        Some(AnchoredCaptures {
            at_start: LazyRegex::unchecked(format!("^(?:{text})"), Mode::Ascii),
            after_byte: LazyRegex::unchecked(format!("^(?s-u:.)(?:{text})"), Mode::Ascii),
        })
    }

    /// The anchored copy to search the captures of a match of the original regex that starts
    /// at `start`, and the offset of the input to search it on: its capture offsets are
    /// relative to `input[offset..]`, group 0 (the whole match) includes the context byte and
    /// every other group is exact. None when that copy did not compile.
    #[inline]
    pub fn copy_for(&self, start: usize) -> Option<(&Regex, usize)> {
        match start {
            0 => Some((self.at_start.get()?, 0)),
            _ => Some((self.after_byte.get()?, start - 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use regex::bytes::CaptureLocations;

    use super::*;

    fn anchored(pattern: &str) -> Option<AnchoredCaptures> {
        let (re, hir) = LazyRegex::new(pattern).unwrap();
        AnchoredCaptures::for_regex(&re, &hir)
    }

    type Spans = Vec<Option<(usize, usize)>>;

    /// Spans of groups 1.. of the leftmost-first match: through the anchored copies, and directly.
    fn both(pattern: &str, input: &str) -> (Spans, Spans) {
        let re = crate::goregex::compile(pattern).unwrap();
        let a = anchored(pattern).expect("qualifies");
        let input = input.as_bytes();
        let mut direct = re.capture_locations();
        re.captures_read(&mut direct, input).expect("matches");
        let start = re.find(input).unwrap().start();
        let mut locs = re.capture_locations();
        let (copy, offset) = a.copy_for(start).expect("compiles");
        copy.captures_read(&mut locs, &input[offset..])
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
        assert!(anchored("[é](x)").is_none());
    }
}
