//! "Does any of these regexes match?" in one scan instead of one per regex.
//!
//! Hub content tests a field against whole lists of regexes (`RegexpInFile` on the 600 bad
//! user-agent patterns, `any(File(..), {x matches #})`). Asking each regex in turn costs one
//! DFA scan per pattern; the alternation `(?:r1)|(?:r2)|...` matches exactly when one of them
//! does and costs one scan. Each branch keeps its own meaning: flags set inside a pattern are
//! scoped to its group, and anchors and classes do not depend on the neighbouring branches.
//!
//! Patterns are only joined with others compiled in the same mode (ASCII or Unicode classes,
//! see [`crate::goregex`]). A pattern containing `#` stays on its own: under `(?x)` that starts
//! a comment, which would swallow the closing parenthesis of its group.
//!
//! The union is built on first use, as a [`LazyRegex`] is: its members were checked when they
//! were made, and building the alternation is the expensive part.
//!
//! Answers are remembered per input (`memo`): the question is nearly always about a user-agent,
//! and a host sees the same few hundred user-agents over and over, while one scan of a long
//! union over a 150-byte user-agent costs about half a microsecond.
mod memo;

use std::sync::OnceLock;

use regex::bytes::Regex;

use crate::goregex::{build, Mode};
use crate::lazy::{parse, LazyRegex};
use crate::prefilter::Prefilter;
use memo::Memo;

/// A union that fails to compile (size limit) is split in halves until its parts compile.
#[derive(Clone, Debug, Default)]
pub struct RegexUnion {
    members: Vec<LazyRegex>,
    parts: OnceLock<Vec<Regex>>,
    memo: Memo,
}

impl RegexUnion {
    /// The union of `regexes` (checked, not yet compiled: see [`LazyRegex`]).
    pub fn new(regexes: &[LazyRegex]) -> RegexUnion {
        RegexUnion {
            members: regexes.to_vec(),
            parts: OnceLock::new(),
            memo: Memo::default(),
        }
    }

    /// Whether any of the regexes matches somewhere in `input` (false for an empty list).
    #[inline]
    pub fn is_match(&self, input: &[u8]) -> bool {
        self.memo.answer(input, |input| {
            self.parts().iter().any(|re| re.is_match(input))
        })
    }

    /// Literals of which every match of the union holds one (each member's required literals,
    /// see [`Prefilter`]); None when a member has none, or the list is empty.
    pub fn required_literals(&self) -> Option<Vec<Vec<u8>>> {
        let mut all = Vec::new();
        for member in &self.members {
            let hir = parse(member.as_str(), member.mode()).ok()?;
            let literals = Prefilter::literals_of(&hir);
            if literals.is_empty() {
                return None;
            }
            all.extend(literals);
        }
        all.sort();
        all.dedup();
        (!all.is_empty()).then_some(all)
    }

    /// How many regexes are actually run per question (for tests and explain output).
    pub fn compiled_parts(&self) -> usize {
        self.parts().len()
    }

    fn parts(&self) -> &[Regex] {
        self.parts.get_or_init(|| compile_parts(&self.members))
    }
}

fn compile_parts(members: &[LazyRegex]) -> Vec<Regex> {
    let mut ascii = Vec::new();
    let mut unicode = Vec::new();
    let mut parts = Vec::new();
    for member in members {
        if member.as_str().contains('#') {
            // A member that does not build (see `LazyRegex`) matches nothing.
            parts.extend(member.get().cloned());
        } else if member.mode() == Mode::Ascii {
            ascii.push(member);
        } else {
            unicode.push(member);
        }
    }
    join(&ascii, Mode::Ascii, &mut parts);
    join(&unicode, Mode::Unicode, &mut parts);
    parts
}

fn join(members: &[&LazyRegex], mode: Mode, parts: &mut Vec<Regex>) {
    match members {
        [] => {}
        [one] => parts.extend(one.get().cloned()),
        many => {
            let text: Vec<String> = many
                .iter()
                .map(|member| format!("(?:{})", member.as_str()))
                .collect();
            match build(&text.join("|"), mode) {
                Ok(re) => parts.push(re),
                Err(_) => {
                    let (a, b) = many.split_at(many.len() / 2);
                    join(a, mode, parts);
                    join(b, mode, parts);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goregex::compile;

    fn union(patterns: &[&str]) -> RegexUnion {
        let regexes: Vec<LazyRegex> = patterns
            .iter()
            .map(|p| LazyRegex::new(p).unwrap().0)
            .collect();
        RegexUnion::new(&regexes)
    }

    #[test]
    fn matches_when_any_pattern_matches() {
        let patterns = [
            r"\bcurl\b",
            r"(?i)^wget",
            r"nikto$",
            r"sql(map)?/\d",
            "[é]+",
            r"a#b",
        ];
        let u = union(&patterns);
        // One ASCII union, the Unicode pattern, the pattern with '#'.
        assert_eq!(u.compiled_parts(), 3);
        for (input, expected) in [
            ("curl/7.1", true),
            ("libcurl/7.1", false),
            ("WGET/1.0", true),
            ("x wget", false),
            ("Mozilla nikto", true),
            ("nikto scan", false),
            ("sqlmap/1", true),
            ("sql/x", false),
            ("caf\u{e9}", true),
            ("a#b", true),
            ("Mozilla/5.0", false),
        ] {
            let each = patterns
                .iter()
                .any(|p| compile(p).unwrap().is_match(input.as_bytes()));
            assert_eq!(each, expected, "{input}");
            assert_eq!(u.is_match(input.as_bytes()), expected, "{input}");
        }
    }

    #[test]
    fn flags_stay_inside_their_pattern() {
        let u = union(&[r"(?i)abc", r"xyz"]);
        assert!(u.is_match(b"ABC"));
        assert!(!u.is_match(b"XYZ"));
    }

    #[test]
    fn empty_list_and_empty_pattern() {
        assert!(!union(&[]).is_match(b"anything"));
        assert!(union(&["", "zzz"]).is_match(b"anything"));
    }
}
