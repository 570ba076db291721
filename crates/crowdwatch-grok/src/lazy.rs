//! Regexes checked at load and compiled on first use.
//!
//! Building a regex program is most of what loading content costs: a hub grok expands to
//! kilobytes of regex text, compiled into three programs (NFA, forward and reverse DFA) plus
//! literal prefixes, and a whole hub is hundreds of such regexes of which a given log source
//! reaches a handful. Parsing the same text with the parser and options the regex crate uses
//! costs a fraction of that and reports every syntax error the build would report, with the same
//! message. What parsing cannot tell is whether the program fits the size limit: a regex whose
//! estimated program ([`estimated_program_bytes`], an over-estimate) comes near the limit is
//! compiled at once, so that error is reported at load too. Hub patterns stay far below it (the
//! largest compiles within 1/70 of the limit).
use std::sync::OnceLock;

use regex::bytes::Regex;
use regex_syntax::hir::{Class, Hir, HirKind};
use regex_syntax::ParserBuilder;

use crate::goregex::{build, translate, Mode, SIZE_LIMIT};

/// A program estimated above this is compiled eagerly (the estimate is an over-estimate, but
/// not by a proven factor: keep a wide margin).
const EAGER_ABOVE: usize = SIZE_LIMIT / 4;

/// A regex with Go RE2 semantics (see [`crate::goregex`]), compiled on first use.
#[derive(Clone, Debug)]
pub struct LazyRegex {
    /// Translated text, as [`crate::goregex::build`] takes it.
    text: Box<str>,
    mode: Mode,
    /// None once a build failed (only possible for a derived copy, or a program the estimate
    /// misjudged); the regex then never matches.
    compiled: OnceLock<Option<Regex>>,
}

impl LazyRegex {
    /// Checks `pattern` (Go syntax) the way [`crate::goregex::compile`] would compile it: ASCII
    /// mode, then Unicode mode. Returns the regex, not yet compiled unless it may be large, and
    /// its parsed form (for literal and anchor analysis).
    pub fn new(pattern: &str) -> Result<(LazyRegex, Hir), regex::Error> {
        let text = translate(pattern);
        let (hir, mode) = match parse(&text, Mode::Ascii) {
            Ok(hir) => (hir, Mode::Ascii),
            Err(first) => match parse(&text, Mode::Unicode) {
                Ok(hir) => (hir, Mode::Unicode),
                Err(_) => return Err(regex::Error::Syntax(first)),
            },
        };
        let lazy = LazyRegex::unchecked(text.into_owned(), mode);
        if estimated_program_bytes(&hir) > EAGER_ABOVE {
            // As goregex::compile: an ASCII-mode failure falls back to Unicode mode.
            let (regex, mode) = crate::goregex::compile_with_mode(pattern)?;
            return Ok((
                LazyRegex {
                    mode,
                    compiled: OnceLock::from(Some(regex)),
                    ..lazy
                },
                hir,
            ));
        }
        Ok((lazy, hir))
    }

    /// Translated text known to parse in `mode` (a variant of a checked regex).
    pub(crate) fn unchecked(text: String, mode: Mode) -> LazyRegex {
        LazyRegex {
            text: text.into_boxed_str(),
            mode,
            compiled: OnceLock::new(),
        }
    }

    /// The compiled regex, built now if this is the first use.
    #[inline]
    pub fn get(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| build(&self.text, self.mode).ok())
            .as_ref()
    }

    /// Whether the regex is already compiled (for tests).
    pub fn is_compiled(&self) -> bool {
        self.compiled.get().is_some()
    }

    /// The translated text (what `Regex::as_str` returns once compiled).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }
}

/// Parses translated text with the options `goregex::build` gives the regex crate (bytes,
/// Unicode per `mode`, default nest limit): the same errors, with the same messages.
pub(crate) fn parse(translated: &str, mode: Mode) -> Result<Hir, String> {
    ParserBuilder::new()
        .utf8(false)
        .unicode(mode == Mode::Unicode)
        .build()
        .parse(translated)
        .map_err(|e| e.to_string())
}

/// An over-estimate of the largest program the regex crate builds for `hir`, in the unit of its size
/// limit. Per HIR node, instructions: a literal character up to 4 (UTF-8 bytes in the DFA
/// programs), a class 2 per range on bytes and 40 per range in Unicode (UTF-8 sequences),
/// counted repetitions one copy of the body per repetition, a split per branch and 2 saves per
/// group; each instruction 32 bytes, counted as 48 for the class ranges stored beside them.
pub fn estimated_program_bytes(hir: &Hir) -> usize {
    instructions(hir).saturating_mul(48)
}

fn instructions(hir: &Hir) -> usize {
    match hir.kind() {
        HirKind::Empty => 1,
        HirKind::Literal(literal) => literal.0.len(),
        HirKind::Class(Class::Bytes(class)) => 1 + 2 * class.ranges().len(),
        HirKind::Class(Class::Unicode(class)) => 1usize.saturating_add(40 * class.ranges().len()),
        HirKind::Look(_) => 1,
        HirKind::Capture(group) => instructions(&group.sub).saturating_add(2),
        HirKind::Repetition(rep) => {
            // An unbounded repetition: its minimum copies, and one more for the loop.
            let copies = match rep.max {
                Some(max) => max as usize,
                None => rep.min as usize + 1,
            };
            copies
                .max(1)
                .saturating_mul(instructions(&rep.sub).saturating_add(1))
        }
        HirKind::Concat(children) => children
            .iter()
            .fold(0usize, |sum, c| sum.saturating_add(instructions(c))),
        HirKind::Alternation(children) => children
            .iter()
            .fold(children.len(), |sum, c| sum.saturating_add(instructions(c))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest size limit the regex crate accepts for `pattern` (its program size).
    fn program_bytes(pattern: &str) -> usize {
        let text = translate(pattern);
        let fits = |limit: usize| {
            [false, true].iter().any(|&unicode| {
                regex::bytes::RegexBuilder::new(&text)
                    .unicode(unicode)
                    .size_limit(limit)
                    .build()
                    .is_ok()
            })
        };
        let (mut low, mut high) = (1usize, SIZE_LIMIT);
        while low < high {
            let mid = (low + high) / 2;
            if fits(mid) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        low
    }

    #[test]
    fn the_estimate_is_above_the_real_program_size() {
        for pattern in [
            r"(\w+) Failed password for (\S+) from (\d+\.\d+\.\d+\.\d+)",
            r"(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|x{3,9}y{2,}",
            r"\pL{5}[é-ü]+(?i)straße",
            r".*?(?s:.)+[^a]{4}\b$",
            r"(?u:\w){8}(?u:\b)",
        ] {
            let (_, hir) = LazyRegex::new(pattern).unwrap();
            let estimate = estimated_program_bytes(&hir);
            let real = program_bytes(pattern);
            assert!(estimate >= real, "{pattern}: estimate {estimate} < {real}");
        }
    }

    #[test]
    fn compiled_on_first_use_only() {
        let (re, _) = LazyRegex::new(r"user=(\w+)").unwrap();
        assert!(!re.is_compiled());
        assert!(re.get().unwrap().is_match(b"user=root"));
        assert!(re.is_compiled());
    }

    #[test]
    fn errors_are_the_builds_errors() {
        for pattern in [
            "(unclosed",
            "(?=lookahead)",
            "a{2,1}",
            "x**",
            r"\pL(",
            "[z-a]",
            "ok",
        ] {
            let lazy = LazyRegex::new(pattern).err().map(|e| e.to_string());
            let eager = crate::goregex::compile(pattern)
                .err()
                .map(|e| e.to_string());
            assert_eq!(lazy, eager, "{pattern}");
        }
        // Valid only in Unicode mode: accepted, as goregex accepts it.
        let (re, _) = LazyRegex::new("[é]+").unwrap();
        assert_eq!(re.mode(), Mode::Unicode);
        assert!(re.get().unwrap().is_match("xéé".as_bytes()));
    }

    #[test]
    fn a_program_too_large_is_reported_at_once() {
        let err = LazyRegex::new(r"(?u:\w){1000}{1000}").unwrap_err();
        assert!(matches!(err, regex::Error::CompiledTooBig(_)), "{err}");
        // Large but within the limit: compiled now, so it is known to fit.
        let (re, _) = LazyRegex::new(r"\w{300}{150}").unwrap();
        assert!(re.is_compiled());
    }
}
