//! Required-literal prefilter: reject a line with a substring search before running the regex.
//!
//! Most lines reaching a parser node do not match it (a syslog line is offered to every s01
//! parser), so the common case is a rejection. We walk the regex's HIR for literals that every
//! match must contain and keep the most selective requirement: one literal (checked with
//! `memmem`) or a set of which one must occur (an alternation whose every branch requires a
//! literal, checked with Aho-Corasick). The prefilter is sound by construction: a literal is
//! only collected from a part of the regex that every match passes through, so it can never
//! reject a line the regex would match (tests check this over generated lines).
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind};
use memchr::memmem::Finder;
use regex_syntax::hir::{Hir, HirKind};

/// A shorter requirement is too common in log lines (a space, a colon) to pay for itself.
const MIN_LITERAL_LEN: usize = 2;
/// Past this many alternatives an automaton scan costs about as much as the regex's own DFA.
const MAX_ALTERNATIVES: usize = 32;

#[derive(Clone, Debug)]
pub enum Prefilter {
    /// No useful literal: every line goes to the regex.
    None,
    /// Boxed: a `memmem` finder is a few hundred bytes, and most groks have none.
    One(Box<Finder<'static>>),
    /// The automaton and the literals it was built from (an automaton does not give them back).
    /// Boxed: the automaton is large and most groks use the other variants.
    AnyOf(Box<(AhoCorasick, Vec<Vec<u8>>)>),
}

impl Prefilter {
    /// Builds the prefilter for a regex from its parsed form (see [`crate::lazy::LazyRegex`]).
    pub fn for_hir(hir: &Hir) -> Prefilter {
        Prefilter::from_requirement(best(required_literals(hir)))
    }

    /// The literals the prefilter of `hir` would check (empty: none), without building it:
    /// for hosts that run their own scan over many regexes' literals.
    pub fn literals_of(hir: &Hir) -> Vec<Vec<u8>> {
        best(required_literals(hir)).unwrap_or_default()
    }

    /// Builds the prefilter for a regex compiled by [`crate::goregex::compile`]: parsed the same
    /// way (bytes, Unicode off, Unicode on as the fallback).
    #[cfg(test)]
    pub fn for_regex(regex: &str) -> Prefilter {
        match crate::lazy::LazyRegex::new(regex) {
            Ok((_, hir)) => Prefilter::for_hir(&hir),
            Err(_) => Prefilter::None,
        }
    }

    fn from_requirement(requirement: Option<Vec<Vec<u8>>>) -> Prefilter {
        match requirement {
            None => Prefilter::None,
            Some(mut set) if set.len() == 1 => Prefilter::One(Box::new(
                Finder::new(&set.pop().unwrap_or_default()).into_owned(),
            )),
            Some(set) => Prefilter::AnyOf(Box::new((
                AhoCorasickBuilder::new()
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&set)
                    .expect("at most 32 short literals fit a DFA"),
                set,
            ))),
        }
    }

    /// False only when the regex cannot match `input`.
    #[inline]
    pub fn may_match(&self, input: &[u8]) -> bool {
        match self {
            Prefilter::None => true,
            Prefilter::One(finder) => finder.find(input).is_some(),
            Prefilter::AnyOf(any) => any.0.is_match(input),
        }
    }

    /// The literals checked, for explain output and tests.
    pub fn literals(&self) -> Vec<Vec<u8>> {
        match self {
            Prefilter::None => Vec::new(),
            Prefilter::One(finder) => vec![finder.needle().to_vec()],
            Prefilter::AnyOf(any) => any.1.clone(),
        }
    }
}

/// The most selective requirement: longest shortest-alternative, then fewest alternatives.
fn best(requirements: Vec<Vec<Vec<u8>>>) -> Option<Vec<Vec<u8>>> {
    requirements
        .into_iter()
        .filter(|set| !set.is_empty() && set.len() <= MAX_ALTERNATIVES)
        .filter(|set| shortest(set) >= MIN_LITERAL_LEN)
        .max_by(|a, b| shortest(a).cmp(&shortest(b)).then(b.len().cmp(&a.len())))
}

fn shortest(set: &[Vec<u8>]) -> usize {
    set.iter().map(Vec::len).min().unwrap_or(0)
}

/// Every requirement of `hir`: each is a set of literals of which one occurs in any match.
fn required_literals(hir: &Hir) -> Vec<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    collect(hir, &mut out);
    out
}

fn collect(hir: &Hir, out: &mut Vec<Vec<Vec<u8>>>) {
    if let Some(literal) = literal_of(hir) {
        if !literal.is_empty() {
            out.push(vec![literal]);
        }
        return;
    }
    match hir.kind() {
        HirKind::Capture(group) => collect(&group.sub, out),
        // Only a repetition that cannot match empty forces its body to occur.
        HirKind::Repetition(rep)
            if rep.min > 0 && rep.sub.properties().minimum_len() != Some(0) =>
        {
            collect(&rep.sub, out)
        }
        HirKind::Concat(children) => {
            // Adjacent literal children form one longer literal; zero-width assertions between
            // them consume nothing, so they do not break the run.
            let mut run = Vec::new();
            for child in children {
                if let Some(literal) = literal_of(child) {
                    run.extend_from_slice(&literal);
                    continue;
                }
                if matches!(child.kind(), HirKind::Look(_)) {
                    continue;
                }
                if !run.is_empty() {
                    out.push(vec![std::mem::take(&mut run)]);
                }
                collect(child, out);
            }
            if !run.is_empty() {
                out.push(vec![run]);
            }
        }
        HirKind::Alternation(branches) => {
            // Each branch must contribute one requirement, else some match needs no literal.
            let mut union: Vec<Vec<u8>> = Vec::new();
            for branch in branches {
                match best(required_literals(branch)) {
                    Some(set) => union.extend(set),
                    None => return,
                }
            }
            union.sort();
            union.dedup();
            out.push(union);
        }
        _ => {}
    }
}

/// The exact bytes `hir` matches when it matches one fixed string, else None.
fn literal_of(hir: &Hir) -> Option<Vec<u8>> {
    match hir.kind() {
        HirKind::Literal(literal) => Some(literal.0.to_vec()),
        HirKind::Capture(group) => literal_of(&group.sub),
        HirKind::Concat(children) => {
            let mut bytes = Vec::new();
            for child in children {
                bytes.extend(literal_of(child)?);
            }
            Some(bytes)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prefilter's literals, which `literals_of` gives without building it.
    fn needles(regex: &str) -> Vec<Vec<u8>> {
        let built = Prefilter::for_regex(regex).literals();
        let (_, hir) = crate::lazy::LazyRegex::new(regex).unwrap();
        assert_eq!(Prefilter::literals_of(&hir), built, "{regex}");
        built
    }

    #[test]
    fn picks_the_longest_required_literal() {
        assert_eq!(
            needles(r"(\w+) Failed password for (\S+)"),
            vec![b" Failed password for ".to_vec()]
        );
        assert_eq!(needles(r"a(?:xyz)+b\d"), vec![b"xyz".to_vec()]);
    }

    #[test]
    fn optional_parts_and_classes_give_nothing() {
        assert!(needles(r"(?:hello)?\d+").is_empty());
        assert!(needles(r"(?i)hello").is_empty());
        assert!(needles(r"x|yz").is_empty());
    }

    #[test]
    fn alternations_give_a_set() {
        assert_eq!(
            needles(r"\d (?:sshd|dropbear)\["),
            vec![b"dropbear".to_vec(), b"sshd".to_vec()]
        );
        assert!(needles(r"\d (?:sshd|\w+)").is_empty());
    }
}
