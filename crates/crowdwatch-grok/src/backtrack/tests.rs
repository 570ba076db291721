//! The backtracker against the regex crate's own capture search.
use regex::bytes::Regex;

use super::{Outcome, Program, Scratch};
use crate::goregex::{self, Mode};
use crate::lazy::parse;

type Spans = Vec<Option<(usize, usize)>>;

fn program(pattern: &str) -> Option<(Regex, Program)> {
    let translated = goregex::translate(pattern);
    let hir = parse(&translated, Mode::Ascii).expect("ASCII-mode pattern");
    let regex = goregex::compile(pattern).expect("compiles");
    Some((regex, Program::compile(&hir)?))
}

/// Every group's span (group 0 included) by the regex crate, and by the backtracker started
/// where the regex crate's match starts; None for no match.
fn both(regex: &Regex, program: &Program, input: &[u8]) -> (Option<Spans>, Option<Spans>) {
    let mut locations = regex.capture_locations();
    let reference = regex
        .captures_read(&mut locations, input)
        .map(|_| (0..locations.len()).map(|i| locations.get(i)).collect());
    let ours = regex.find(input).map(|found| {
        let mut scratch = Scratch::default();
        let outcome = program.search_at(input, found.start(), &mut scratch, usize::MAX);
        assert_eq!(outcome, Outcome::Match, "the DFA's match is found");
        (0..locations.len()).map(|i| scratch.group(i)).collect()
    });
    (reference, ours)
}

fn check(pattern: &str, inputs: &[&str]) {
    let (regex, program) = program(pattern).unwrap_or_else(|| panic!("{pattern} compiles"));
    for input in inputs {
        let (reference, ours) = both(&regex, &program, input.as_bytes());
        assert_eq!(ours, reference, "{pattern} on {input:?}");
    }
}

#[test]
fn groups_are_the_regex_crates() {
    check(
        r"(\w+)@(\w+)",
        &["mail: joe@example now", "joe@x", "@", "a@b@c"],
    );
    check(r"(a+?)(a*)$", &["baaa", "a", "aa"]);
    check(r"(foo|foobar)(.*)", &["xx foobarbaz", "foo", "fo"]);
    check(r"(a|ab)(c|bcd)(d*)", &["abcd", "abcdd", "acd"]);
    check(r"(?:(a)|b)+", &["ab", "ba", "bbb", "aab"]);
    check(r"(x{2,4})(x*)", &["xxxxxxx", "xx", "x"]);
    check(r"((?:ab){1,3}?)(ab)*c", &["abababc", "abc", "ababababc"]);
    check(
        r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})",
        &["ip 10.0.0.255 x", "1.2.3.4.5"],
    );
    check(r"\b(\d+)\b-(x|xy)", &["x12-x 34-xy", "12-xy"]);
    check(r"(?m)^(\w+)=(\d*)$", &["first line\nkey=42\nz", "k="]);
    check(r"\B(o+)\B", &["foo bar", "booob"]);
    check(
        r#""([^"]*)" "(.*?)""#,
        &[r#"GET "a b" "c" "d""#, r#""" """#],
    );
    check(r"(?i)(hello) (WORLD)?", &["HeLLo world", "hello there"]);
    check(r"^(?:(a)|(b)|(c))*?(c)", &["abcc", "c", "bbc"]);
    check(r"(a?)(a?)(a?)aaa", &["aaaa", "aaa", "aaaaaa"]);
    check(r"(.*)(\d+)", &["abc123", "1"]);
    check(r"(.*?)(\d+)", &["abc123", "1"]);
    check(r"(?:x(y)?)+z", &["xyxz", "xz", "xyxyz"]);
}

#[test]
fn what_it_cannot_reproduce_is_refused() {
    assert!(
        program(r"(a*)*b").is_none(),
        "a repeated body that can be empty"
    );
    assert!(program(r"(a|)+b").is_none());
    assert!(program(r"(a|)?b").is_some(), "an optional one is fine");
    let hir = parse(r"(?u:\b)x", Mode::Unicode).unwrap();
    assert!(Program::compile(&hir).is_none(), "Unicode word boundary");
}

#[test]
fn a_large_alternation_is_ruled_out_by_its_dfa_guard() {
    let (_, program) = program(r"x(?:a1|a2|a3|a4|a5|a6|a7|a8|a9)+y").unwrap();
    assert_eq!(program.dfa_guards.len(), 1);
    let mut scratch = Scratch::default();
    assert_eq!(
        program.search_at(b"xa1a2b", 0, &mut scratch, usize::MAX),
        Outcome::NoMatch
    );
    assert_eq!(
        program.search_at(b"xa1a9y", 0, &mut scratch, usize::MAX),
        Outcome::Match
    );
    let steps = scratch.steps;
    let mut scratch = Scratch::default();
    program.search_at(b"xb", 0, &mut scratch, usize::MAX);
    assert!(
        scratch.steps < 6,
        "pruned before the nine branches: {} steps",
        scratch.steps
    );
    assert!(steps > 0);
}

#[test]
fn a_pathological_search_runs_out_of_budget() {
    let (_, program) = program(r"(a|aa)+(a|aa)+(a|aa)+b").unwrap();
    let input = "a".repeat(60);
    let mut scratch = Scratch::default();
    assert_eq!(
        program.search_at(input.as_bytes(), 0, &mut scratch, 100_000),
        Outcome::OutOfBudget
    );
    let mut scratch = Scratch::default();
    assert_eq!(
        program.search_at(b"aaab", 0, &mut scratch, 100_000),
        Outcome::Match
    );
}

/// A small xorshift, so the random inputs are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_inputs_give_the_regex_crates_groups() {
    let patterns = [
        r"(a|ab|abc)(b*)(c?)",
        r"([ab]+?)(b)(a*)",
        r"(?:(a+)|(b+))*c",
        r"(\w+)\s*=\s*(\w*)",
        r"(a{1,2})(a{0,2}?)(b|$)",
        r"\b(ab|a)\b(.)",
        r"(?m)^(a*)$\n?(b)",
        r"(?:(?:a|b)c)+?(c*)",
        r"([^c]*)c(.*)",
        // Runs followed by what may or must consume (the follow sets).
        r"(a*)(ab)",
        r"(.*?)(b|c)a",
        r"([ab]*?)c?(b)",
        r"(a*?)$",
        r"(\w*)\b(=?)",
        r"([a-c]{1,3}?)([ab]{2})",
        r"( *)(\w+ )*?(b*)=",
        // A large alternation (a DFA guard), with a word boundary that looks one byte back.
        r"(\b(?:ab|ac|a=|a_|ba|bb|bc|b\n|c)\b|a)(=?)",
        r"_((?:a|b|c|ab|ac|ba|bc|ca|cb)+)(c*)",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for pattern in patterns {
        let (regex, program) = program(pattern).unwrap();
        for _ in 0..2_000 {
            let len = (rng.next() % 12) as usize;
            let input: Vec<u8> = (0..len)
                .map(|_| b"abc =\n_"[(rng.next() % 7) as usize])
                .collect();
            let (reference, ours) = both(&regex, &program, &input);
            assert_eq!(
                ours,
                reference,
                "{pattern} on {:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }
}

/// Non-ASCII characters in ASCII mode: `a|ä` is parsed as a class of code points, compiled as
/// the alternation of their UTF-8 sequences; repeated, optional, and in a larger class.
#[test]
fn classes_beyond_ascii_match_whole_characters() {
    check(
        r"(a|ä)+(x)",
        &["aäax", "ääx", "äa", "x", "a\u{e4}\u{e4}x tail"],
    );
    check(r"M(ä|ae)rz (\d+)", &["März 3", "Maerz 12", "Marz 1"]);
    check(r"(é|è|ê|e)t(é|e)?", &["été", "ete", "êt", "et"]);
    check(r"(?:ß|ss|€|x)+(\w*)", &["ßss€€x rest", "€", "s"]);
}
