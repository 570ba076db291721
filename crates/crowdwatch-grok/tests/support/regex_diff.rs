//! The grok differential, shared by `tests/regex_diff.rs` (a seeded generator) and the fuzz
//! target `fuzz/fuzz_targets/grok_diff.rs` (the fuzzer's bytes, read through `arbitrary`), which
//! includes this file by path.
//!
//! A random regex is drawn from a grammar of what grok patterns use: literals (escaped the ways
//! Go allows: `\.`, `\@`, `\x41`, `\t`, `\Q…\E`, a bare `{`), classes (ranges, negation, `\d \w
//! \s` and their negations inside, POSIX `[:alpha:]`), `. \d \w \s \D \W \S`, `^ $ \A \z \b \B`,
//! capturing, non-capturing and named groups, flags (`(?i)`, `(?i:…)`, `(?s)`, `(?m)`, `(?U)`,
//! negations), alternation, `? * +` and `{m}`, `{m,}`, `{m,n}`, greedy or lazy.
//!
//! It is rendered twice:
//! * **grok**: Go syntax, as content writes it, for `crowdwatch_grok::compile`; fields are grok
//!   references: a field is `%{Pn:fn}` with the definition `Pn` in the pattern library (a plain
//!   reference `%{Pn}` is a group that is not a field); the whole regex is usually wrapped as
//!   `%{P_ALL:all}` so the match span is compared too;
//! * **reference**: the regex crate's syntax, compiled on bytes with Unicode off (Go's ASCII
//!   classes and ASCII `(?i)`), written independently of `goregex::translate`: every literal as
//!   `\xNN`, `\d \w \s` and POSIX classes as explicit ranges (Go's `\s` is `[\t\n\f\r ]`, no
//!   `\v`), fields as `(?P<fn>…)`.
//!
//! Inputs are strings the regex matches (drawn from the same tree), mutations of them, and
//! arbitrary bytes. For each one, the match or not, the whole span and every field's span
//! (`None` for a group that did not participate) must be the regex crate's `captures_read`.
#![allow(dead_code)] // the test and the fuzz target use different parts

use std::fmt::Write as _;

use crowdwatch_grok::{compile, Origin, PatternLibrary};
use regex::bytes::{Regex, RegexBuilder};

/// Where the generator's choices come from: a seeded generator in the test, the fuzz input in
/// the fuzz target.
pub trait Choose {
    /// A number in `0..n` (`n >= 1`).
    fn below(&mut self, n: usize) -> usize;
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

impl dyn Choose + '_ {
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// splitmix64: small, seedable, no dependency.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Choose for SplitMix {
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Perl {
    Digit,
    NotDigit,
    Word,
    NotWord,
    Space,
    NotSpace,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Posix {
    Alpha,
    Digit,
    Alnum,
    Upper,
    Lower,
    Space,
    Punct,
    Xdigit,
    Word,
    Blank,
    Cntrl,
    Graph,
    Print,
}

#[derive(Clone, Debug)]
pub enum ClassItem {
    Byte(u8),
    Range(u8, u8),
    Perl(Perl),
    Posix(Posix, bool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assert {
    Start,
    End,
    TextStart,
    TextEnd,
    WordBoundary,
    NotWordBoundary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rep {
    Opt,
    Star,
    Plus,
    Exact(u32),
    AtLeast(u32),
    Range(u32, u32),
}

#[derive(Clone, Debug)]
pub enum Node {
    Empty,
    /// ASCII bytes.
    Lit(Vec<u8>),
    Dot,
    Perl(Perl),
    Class {
        negated: bool,
        items: Vec<ClassItem>,
    },
    Assert(Assert),
    /// A capturing group that is not a field; `Some(n)` names it `gn` (a regex named group).
    Group(Option<usize>, Box<Node>),
    NonCapture(Box<Node>),
    /// A grok field `%{Pn:fn}`.
    Field(usize, Box<Node>),
    /// A grok reference without a field `%{Pn}` (a non-capturing group once compiled).
    Ref(usize, Box<Node>),
    /// `(?flags)` alone (applies to the rest of the enclosing group), or `(?flags:…)`.
    Flags(String, Option<Box<Node>>),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat {
        node: Box<Node>,
        rep: Rep,
        greedy: bool,
    },
}

/// One generated differential case: the grok pattern, its library, the reference regex.
#[derive(Clone, Debug)]
pub struct Case {
    pub tree: Node,
    /// The grok pattern (Go syntax).
    pub pattern: String,
    /// Library definitions the pattern references (name, Go text).
    pub definitions: Vec<(String, String)>,
    /// The reference regex (regex crate syntax, compiled with Unicode off).
    pub reference: String,
    /// Field names, the grok's and the reference's named groups.
    pub fields: Vec<String>,
}

struct Gen<'c> {
    choose: &'c mut dyn Choose,
    /// Nodes still allowed (bounds the size of the regex).
    budget: usize,
    next_id: usize,
}

const MAX_DEPTH: usize = 5;

impl Gen<'_> {
    fn node(&mut self, depth: usize) -> Node {
        if self.budget == 0 || depth >= MAX_DEPTH {
            return self.leaf();
        }
        self.budget -= 1;
        match self.choose.below(20) {
            0..=5 => self.leaf(),
            6..=8 => {
                let n = 2 + self.choose.below(3);
                Node::Concat((0..n).map(|_| self.node(depth + 1)).collect())
            }
            9 | 10 => {
                let n = 2 + self.choose.below(3);
                Node::Alt((0..n).map(|_| self.node(depth + 1)).collect())
            }
            11..=13 => {
                let node = Box::new(self.node(depth + 1));
                let rep = match self.choose.below(6) {
                    0 => Rep::Opt,
                    1 => Rep::Star,
                    2 => Rep::Plus,
                    3 => Rep::Exact(self.choose.below(4) as u32),
                    4 => Rep::AtLeast(self.choose.below(3) as u32),
                    _ => {
                        let m = self.choose.below(3) as u32;
                        Rep::Range(m, m + self.choose.below(4) as u32)
                    }
                };
                let rep = match rep {
                    Rep::Exact(0) | Rep::Range(0, 0) if !ZERO_REPEAT_GROUPS && has_group(&node) => {
                        Rep::Opt
                    }
                    Rep::Opt => Rep::Opt,
                    _ if !ANCHORS_IN_REPETITIONS && has_anchor(&node) => Rep::Opt,
                    rep => rep,
                };
                Node::Repeat {
                    node,
                    rep,
                    greedy: !self.choose.one_in(4),
                }
            }
            14 | 15 => {
                let id = self.id();
                Node::Field(id, Box::new(self.node(depth + 1)))
            }
            16 => {
                let name = if self.choose.one_in(3) {
                    Some(self.id())
                } else {
                    None
                };
                Node::Group(name, Box::new(self.node(depth + 1)))
            }
            17 => Node::NonCapture(Box::new(self.node(depth + 1))),
            18 => {
                let id = self.id();
                Node::Ref(id, Box::new(self.node(depth + 1)))
            }
            _ => {
                let flags = self.flags();
                if self.choose.one_in(2) {
                    Node::Flags(flags, Some(Box::new(self.node(depth + 1))))
                } else {
                    // Alone, at the start of a concatenation, so it covers what follows.
                    Node::Concat(vec![
                        Node::Flags(flags, None),
                        self.node(depth + 1),
                        self.node(depth + 1),
                    ])
                }
            }
        }
    }

    fn id(&mut self) -> usize {
        self.next_id += 1;
        self.next_id - 1
    }

    fn flags(&mut self) -> String {
        const FLAGS: &[char] = &['i', 'i', 'i', 's', 'm', 'U'];
        // Distinct flags: the regex crate refuses `(?ii)` and `(?i-i)`, which Go accepts (no
        // content writes them).
        let on = *self.choose.pick(FLAGS);
        let mut text = on.to_string();
        let second = *self.choose.pick(FLAGS);
        if self.choose.one_in(3) && second != on {
            text.push(second);
        }
        if self.choose.one_in(4) {
            let off = *self.choose.pick(FLAGS);
            if !text.contains(off) {
                if self.choose.one_in(2) {
                    return format!("-{off}");
                }
                return format!("{text}-{off}");
            }
        }
        text
    }

    fn leaf(&mut self) -> Node {
        match self.choose.below(16) {
            0..=5 => {
                let n = 1 + self.choose.below(4);
                Node::Lit((0..n).map(|_| self.lit_byte()).collect())
            }
            6 => Node::Dot,
            7 | 8 => Node::Perl(self.perl()),
            9..=11 => {
                let n = 1 + self.choose.below(4);
                let items: Vec<ClassItem> = (0..n).map(|_| self.class_item()).collect();
                let mut negated = self.choose.one_in(3);
                if negated && !GO_EMPTY_CLASSES && negation_is_empty(&items) {
                    negated = false;
                }
                Node::Class { negated, items }
            }
            12 | 13 => Node::Assert(*self.choose.pick(&[
                Assert::Start,
                Assert::End,
                Assert::TextStart,
                Assert::TextEnd,
                Assert::WordBoundary,
                Assert::WordBoundary,
                Assert::NotWordBoundary,
            ])),
            14 => Node::Empty,
            _ => Node::Lit(self.choose.pick(WORDS).as_bytes().to_vec()),
        }
    }

    fn lit_byte(&mut self) -> u8 {
        match self.choose.below(10) {
            0..=3 => *self.choose.pick(b"abcAB xyz019"),
            4..=6 => *self.choose.pick(b".-/:[]{}()|*+?^$\\@%'\"#&~_=,;<>! `"),
            7 => *self.choose.pick(b"\t\n\r\x0B\x0C\x00\x7F"),
            _ => self.choose.below(128) as u8,
        }
    }

    fn perl(&mut self) -> Perl {
        *self.choose.pick(&[
            Perl::Digit,
            Perl::NotDigit,
            Perl::Word,
            Perl::NotWord,
            Perl::Space,
            Perl::NotSpace,
        ])
    }

    fn class_item(&mut self) -> ClassItem {
        match self.choose.below(10) {
            0..=3 => ClassItem::Byte(self.lit_byte()),
            4 | 5 => {
                let a = self.lit_byte();
                let b = self.lit_byte();
                ClassItem::Range(a.min(b), a.max(b))
            }
            6 => {
                let (a, b) = (*self.choose.pick(b"a0A"), *self.choose.pick(b"z9Zf"));
                ClassItem::Range(a.min(b), a.max(b))
            }
            7 | 8 => match self.perl() {
                Perl::NotSpace if !GO_NOT_SPACE_IN_CLASS => ClassItem::Perl(Perl::Space),
                p => ClassItem::Perl(p),
            },
            _ => ClassItem::Posix(
                *self.choose.pick(&[
                    Posix::Alpha,
                    Posix::Digit,
                    Posix::Alnum,
                    Posix::Upper,
                    Posix::Lower,
                    Posix::Space,
                    Posix::Punct,
                    Posix::Xdigit,
                    Posix::Word,
                    Posix::Blank,
                    Posix::Cntrl,
                    Posix::Graph,
                    Posix::Print,
                ]),
                self.choose.one_in(4),
            ),
        }
    }
}

/// Words of log lines, so literals meet inputs that contain them.
const WORDS: &[&str] = &[
    "Failed", "user", "GET", "HTTP/1.1", "sshd", "port", "1.2.3.4", "a", "ab", "aa",
];

/// Whether `node` holds `^ $ \A \z`.
fn has_anchor(node: &Node) -> bool {
    match node {
        Node::Assert(a) => !matches!(a, Assert::WordBoundary | Assert::NotWordBoundary),
        Node::Group(_, inner)
        | Node::Field(_, inner)
        | Node::Ref(_, inner)
        | Node::NonCapture(inner) => has_anchor(inner),
        Node::Flags(_, Some(inner)) => has_anchor(inner),
        Node::Repeat { node, .. } => has_anchor(node),
        Node::Concat(children) | Node::Alt(children) => children.iter().any(has_anchor),
        _ => false,
    }
}

/// Whether `node` holds a capturing group.
fn has_group(node: &Node) -> bool {
    match node {
        Node::Group(..) | Node::Field(..) => true,
        Node::Ref(_, inner) | Node::NonCapture(inner) => has_group(inner),
        Node::Flags(_, Some(inner)) => has_group(inner),
        Node::Repeat { node, .. } => has_group(node),
        Node::Concat(children) | Node::Alt(children) => children.iter().any(has_group),
        _ => false,
    }
}

/// A random tree (at most about `size` inner nodes).
pub fn tree(choose: &mut dyn Choose, size: usize) -> Node {
    let mut g = Gen {
        choose,
        budget: size,
        next_id: 0,
    };
    g.node(0)
}

// ---------------------------------------------------------------------------------------------
// Rendering.

fn posix_name(p: Posix) -> &'static str {
    match p {
        Posix::Alpha => "alpha",
        Posix::Digit => "digit",
        Posix::Alnum => "alnum",
        Posix::Upper => "upper",
        Posix::Lower => "lower",
        Posix::Space => "space",
        Posix::Punct => "punct",
        Posix::Xdigit => "xdigit",
        Posix::Word => "word",
        Posix::Blank => "blank",
        Posix::Cntrl => "cntrl",
        Posix::Graph => "graph",
        Posix::Print => "print",
    }
}

/// The class items of a POSIX class as Go defines them (regexp/syntax/perl_groups.go).
fn posix_ranges(p: Posix) -> &'static str {
    match p {
        Posix::Alpha => r"A-Za-z",
        Posix::Digit => r"0-9",
        Posix::Alnum => r"0-9A-Za-z",
        Posix::Upper => r"A-Z",
        Posix::Lower => r"a-z",
        Posix::Space => r"\x09-\x0D\x20",
        Posix::Punct => r"\x21-\x2F\x3A-\x40\x5B-\x60\x7B-\x7E",
        Posix::Xdigit => r"0-9A-Fa-f",
        Posix::Word => r"0-9A-Za-z_",
        Posix::Blank => r"\x09\x20",
        Posix::Cntrl => r"\x00-\x1F\x7F",
        Posix::Graph => r"\x21-\x7E",
        Posix::Print => r"\x20-\x7E",
    }
}

/// Go's perl classes, positive form, as class items.
fn perl_ranges(p: Perl) -> (&'static str, bool) {
    match p {
        Perl::Digit => ("0-9", false),
        Perl::NotDigit => ("0-9", true),
        Perl::Word => ("0-9A-Za-z_", false),
        Perl::NotWord => ("0-9A-Za-z_", true),
        // Go's \s: no \v.
        Perl::Space => (r"\x09\x0A\x0C\x0D\x20", false),
        Perl::NotSpace => (r"\x09\x0A\x0C\x0D\x20", true),
    }
}

fn perl_go(p: Perl) -> &'static str {
    match p {
        Perl::Digit => r"\d",
        Perl::NotDigit => r"\D",
        Perl::Word => r"\w",
        Perl::NotWord => r"\W",
        Perl::Space => r"\s",
        Perl::NotSpace => r"\S",
    }
}

/// Whether literals may be written `\x{7F}` (Go syntax). Off: `goregex::translate` escapes the
/// `{` of `\x{…}` (and of `\p{…}`) as a literal brace, so the grok is refused
/// (fuzz/regressions/grok_diff/hex-braces.case).
pub const GO_HEX_BRACES: bool = true;

/// Whether classes may hold `\S` (`[\S]`, `[^\S,]`). Off: `goregex::translate` rewrites `\S`
/// only outside classes; inside one the regex crate's ASCII `\S` excludes `\v`, which Go's
/// `\S` (not `[\t\n\f\r ]`) includes (fuzz/regressions/grok_diff/not-space-in-class.case).
pub const GO_NOT_SPACE_IN_CLASS: bool = true;

/// Whether a negated class may cover every byte (`[^\D0-9]`: it matches nothing, which Go
/// accepts). Off: regex 1.7 refuses an empty class in the ASCII build, so the grok falls back to
/// Unicode mode, where `\D` is the Unicode non-digits and `[^\D0-9]` matches U+0663
/// (fuzz/regressions/grok_diff/empty-class.case).
pub const GO_EMPTY_CLASSES: bool = true;

/// Whether a group may be repeated `{0}` (`(?P<a>x){0}(?P<b>y)`). Off: regex 1.7 then loses
/// the later groups (`b` is None on "y"; fixed in regex 1.9+), so the reference is wrong; and so
/// is crowdwatch wherever the regex crate answers (fuzz/regressions/grok_diff/zero-repeat-group.case).
/// Turn on with the regex upgrade.
pub const ZERO_REPEAT_GROUPS: bool = true;

/// Whether an anchor may be repeated (`(?:^<){2}`, `(?:(^<){3}){2}`) other than by `?`. Off:
/// regex 1.7's literal optimization then finds `<<` where no match can be (`^` at 1), so
/// `Grok::is_match` (and `find`, and sometimes the capture search) says true where Go and
/// `match_into` say false (fuzz/regressions/grok_diff/anchor-repeated*.case). Fixed in regex
/// 1.9+; turn on with the regex upgrade.
pub const ANCHORS_IN_REPETITIONS: bool = true;

/// `c` outside a class, Go syntax, one of the spellings Go accepts. `next` is the byte that
/// follows in the same literal (a bare `{` is only written before a letter, where Go and the
/// translation both read it as a literal; never after `%`, where it would start a reference).
fn go_char(c: u8, prev: Option<u8>, next: Option<u8>, choose: &mut dyn Choose, out: &mut String) {
    match c {
        b'{' if next.is_some_and(|n| n.is_ascii_alphabetic())
            && prev != Some(b'%')
            && choose.one_in(2) =>
        {
            out.push('{')
        }
        b'\\' | b'.' | b'+' | b'*' | b'?' | b'(' | b')' | b'|' | b'[' | b'{' | b'^' | b'$' => {
            out.push('\\');
            out.push(c as char);
        }
        // Literal in Go when bare; `}` after `%{` could close a reference.
        b']' | b'}' if prev != Some(b'%') && choose.one_in(2) => out.push(c as char),
        b'\t' if choose.one_in(2) => out.push_str(r"\t"),
        b'\n' if choose.one_in(2) => out.push_str(r"\n"),
        b'\r' if choose.one_in(2) => out.push_str(r"\r"),
        b'\x0B' if choose.one_in(2) => out.push_str(r"\v"),
        b'\x0C' if choose.one_in(2) => out.push_str(r"\f"),
        // `%` then `{` may only come from an escaped `{` (see above).
        c if c.is_ascii_alphanumeric() || c == b' ' => out.push(c as char),
        c if c.is_ascii_punctuation() => {
            // Go allows escaping any punctuation; the translation must read both spellings.
            if choose.one_in(3) {
                out.push('\\');
            }
            out.push(c as char);
        }
        c => {
            if !GO_HEX_BRACES || choose.one_in(2) {
                let _ = write!(out, r"\x{:02X}", c);
            } else {
                let _ = write!(out, r"\x{{{:X}}}", c);
            }
        }
    }
}

/// `c` inside a class, Go syntax. `next_is_colon`: a bare `[` would open `[:`.
fn go_class_char(c: u8, next_is_colon: bool, choose: &mut dyn Choose, out: &mut String) {
    match c {
        // `{` and `}` too: `[%{a}]` would hold a grok reference.
        b'\\' | b']' | b'^' | b'-' | b'{' | b'}' => {
            out.push('\\');
            out.push(c as char);
        }
        b'[' if next_is_colon => out.push_str(r"\["),
        b'\t' if choose.one_in(2) => out.push_str(r"\t"),
        b'\n' if choose.one_in(2) => out.push_str(r"\n"),
        c if c.is_ascii_alphanumeric() || c == b' ' => out.push(c as char),
        c if c.is_ascii_punctuation() => {
            if choose.one_in(3) {
                out.push('\\');
            }
            out.push(c as char);
        }
        c => {
            let _ = write!(out, r"\x{:02X}", c);
        }
    }
}

fn hex(c: u8, out: &mut String) {
    let _ = write!(out, r"\x{:02X}", c);
}

fn rep_text(rep: Rep, greedy: bool) -> String {
    let mut s = match rep {
        Rep::Opt => "?".to_string(),
        Rep::Star => "*".to_string(),
        Rep::Plus => "+".to_string(),
        Rep::Exact(n) => format!("{{{n}}}"),
        Rep::AtLeast(n) => format!("{{{n},}}"),
        Rep::Range(m, n) => format!("{{{m},{n}}}"),
    };
    if !greedy {
        s.push('?');
    }
    s
}

/// Whether `node` renders as one atom a repetition operator may follow directly.
fn is_atom(node: &Node) -> bool {
    match node {
        Node::Lit(bytes) => bytes.len() == 1,
        Node::Dot | Node::Perl(_) | Node::Class { .. } => true,
        Node::Group(..) | Node::NonCapture(_) | Node::Field(..) | Node::Ref(..) => true,
        Node::Flags(_, Some(_)) => true,
        _ => false,
    }
}

struct Render<'c> {
    choose: &'c mut dyn Choose,
    definitions: Vec<(String, String)>,
    fields: Vec<String>,
}

impl Render<'_> {
    /// Appends `node` in Go syntax to `go` and in the reference's syntax to `reference`.
    fn node(&mut self, node: &Node, go: &mut String, reference: &mut String) {
        match node {
            Node::Empty => {}
            Node::Lit(bytes) => {
                let plain = bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
                let text = String::from_utf8_lossy(bytes);
                if plain && !text.contains(r"\E") && !text.contains("%{") && self.choose.one_in(6) {
                    go.push_str(r"\Q");
                    go.push_str(&text);
                    go.push_str(r"\E");
                } else {
                    for (i, &c) in bytes.iter().enumerate() {
                        let prev = if i == 0 {
                            go.as_bytes().last().copied()
                        } else {
                            Some(bytes[i - 1])
                        };
                        go_char(c, prev, bytes.get(i + 1).copied(), self.choose, go);
                    }
                }
                // Several bytes are one atom only in a group (repetitions wrap non-atoms).
                for &c in bytes {
                    hex(c, reference);
                }
            }
            Node::Dot => {
                go.push('.');
                reference.push('.');
            }
            Node::Perl(p) => {
                go.push_str(perl_go(*p));
                let (ranges, negated) = perl_ranges(*p);
                reference.push_str(if negated { "[^" } else { "[" });
                reference.push_str(ranges);
                reference.push(']');
            }
            Node::Class { negated, items } => {
                go.push('[');
                reference.push('[');
                if *negated {
                    go.push('^');
                    reference.push('^');
                }
                for (i, item) in items.iter().enumerate() {
                    let next_is_colon = matches!(
                        items.get(i + 1),
                        Some(ClassItem::Byte(b':') | ClassItem::Range(b':', _))
                    );
                    match item {
                        ClassItem::Byte(c) => {
                            go_class_char(*c, next_is_colon, self.choose, go);
                            hex(*c, reference);
                        }
                        ClassItem::Range(a, b) => {
                            go_class_char(*a, false, self.choose, go);
                            go.push('-');
                            go_class_char(*b, next_is_colon, self.choose, go);
                            hex(*a, reference);
                            reference.push('-');
                            hex(*b, reference);
                        }
                        ClassItem::Perl(p) => {
                            go.push_str(perl_go(*p));
                            let (ranges, negated) = perl_ranges(*p);
                            if negated {
                                let _ = write!(reference, "[^{ranges}]");
                            } else {
                                reference.push_str(ranges);
                            }
                        }
                        ClassItem::Posix(p, negated) => {
                            let _ = write!(
                                go,
                                "[:{}{}:]",
                                if *negated { "^" } else { "" },
                                posix_name(*p)
                            );
                            let ranges = posix_ranges(*p);
                            if *negated {
                                let _ = write!(reference, "[^{ranges}]");
                            } else {
                                reference.push_str(ranges);
                            }
                        }
                    }
                }
                go.push(']');
                reference.push(']');
            }
            Node::Assert(a) => {
                let text = match a {
                    Assert::Start => "^",
                    Assert::End => "$",
                    Assert::TextStart => r"\A",
                    Assert::TextEnd => r"\z",
                    Assert::WordBoundary => r"\b",
                    Assert::NotWordBoundary => r"\B",
                };
                go.push_str(text);
                reference.push_str(text);
            }
            Node::Group(name, inner) => {
                let open = match name {
                    Some(n) => format!("(?P<g{n}>"),
                    None => "(".to_string(),
                };
                go.push_str(&open);
                reference.push_str(&open);
                self.node(inner, go, reference);
                go.push(')');
                reference.push(')');
            }
            Node::NonCapture(inner) => {
                go.push_str("(?:");
                reference.push_str("(?:");
                self.node(inner, go, reference);
                go.push(')');
                reference.push(')');
            }
            Node::Field(id, inner) | Node::Ref(id, inner) => {
                let definition = format!("P{id}");
                let mut text = String::new();
                match node {
                    Node::Field(..) => {
                        let field = format!("f{id}");
                        let _ = write!(go, "%{{{definition}:{field}}}");
                        let _ = write!(reference, "(?P<{field}>");
                        self.fields.push(field);
                    }
                    _ => {
                        let _ = write!(go, "%{{{definition}}}");
                        reference.push_str("(?:");
                    }
                }
                self.node(inner, &mut text, reference);
                reference.push(')');
                self.definitions.push((definition, text));
            }
            Node::Flags(flags, scoped) => match scoped {
                Some(inner) => {
                    let _ = write!(go, "(?{flags}:");
                    let _ = write!(reference, "(?{flags}:");
                    self.node(inner, go, reference);
                    go.push(')');
                    reference.push(')');
                }
                None => {
                    let _ = write!(go, "(?{flags})");
                    let _ = write!(reference, "(?{flags})");
                }
            },
            Node::Concat(children) => {
                for child in children {
                    let wrap = matches!(child, Node::Alt(_));
                    if wrap {
                        go.push_str("(?:");
                        reference.push_str("(?:");
                    }
                    self.node(child, go, reference);
                    if wrap {
                        go.push(')');
                        reference.push(')');
                    }
                }
            }
            Node::Alt(children) => {
                for (i, child) in children.iter().enumerate() {
                    if i > 0 {
                        go.push('|');
                        reference.push('|');
                    }
                    self.node(child, go, reference);
                }
            }
            Node::Repeat {
                node: inner,
                rep,
                greedy,
            } => {
                let text = rep_text(*rep, *greedy);
                let (mut g, mut r) = (String::new(), String::new());
                self.node(inner, &mut g, &mut r);
                // `%{1}` (a `%` repeated once) reads as a grok reference, in grokky too.
                let wrap = !is_atom(inner) || (g.ends_with('%') && text.starts_with('{'));
                if wrap {
                    go.push_str("(?:");
                    reference.push_str("(?:");
                }
                go.push_str(&g);
                reference.push_str(&r);
                if wrap {
                    go.push(')');
                    reference.push(')');
                }
                go.push_str(&text);
                reference.push_str(&text);
            }
        }
    }
}

/// Renders a tree as a grok pattern and a reference regex. With `whole`, the pattern is
/// `%{P_ALL:all}` around the regex, so the match span is compared as the field `all`.
pub fn render(tree: Node, whole: bool, choose: &mut dyn Choose) -> Case {
    let mut r = Render {
        choose,
        definitions: Vec::new(),
        fields: Vec::new(),
    };
    let (mut go, mut reference) = (String::new(), String::new());
    r.node(&tree, &mut go, &mut reference);
    // Without a field a grok never matches (CrowdSec's rule): compare the whole match then.
    let whole = whole || r.fields.is_empty();
    let (pattern, reference) = if whole {
        r.definitions.push(("P_ALL".into(), go));
        r.fields.push("all".into());
        ("%{P_ALL:all}".to_string(), format!("(?P<all>{reference})"))
    } else {
        (go, reference)
    };
    Case {
        tree,
        pattern,
        definitions: r.definitions,
        reference,
        fields: r.fields,
    }
}

/// A random case: a tree of about `size` nodes, rendered.
pub fn case(choose: &mut dyn Choose, size: usize) -> Case {
    let t = tree(choose, size);
    let whole = !choose.one_in(4);
    render(t, whole, choose)
}

// ---------------------------------------------------------------------------------------------
// Inputs.

fn class_set(items: &[ClassItem], negated: bool) -> [bool; 256] {
    fn add_ranges(set: &mut [bool; 256], ranges: &str, negate: bool) {
        let mut part = [false; 256];
        for (a, b) in parse_items(ranges) {
            for c in a..=b {
                part[c as usize] = true;
            }
        }
        for c in 0..256 {
            if part[c] != negate {
                set[c] = true;
            }
        }
    }
    let mut set = [false; 256];
    for item in items {
        match item {
            ClassItem::Byte(c) => set[*c as usize] = true,
            ClassItem::Range(a, b) => {
                for c in *a..=*b {
                    set[c as usize] = true;
                }
            }
            ClassItem::Perl(p) => {
                let (ranges, neg) = perl_ranges(*p);
                add_ranges(&mut set, ranges, neg);
            }
            ClassItem::Posix(p, neg) => add_ranges(&mut set, posix_ranges(*p), *neg),
        }
    }
    if negated {
        for b in set.iter_mut() {
            *b = !*b;
        }
    }
    set
}

/// Whether the class negated matches nothing, with or without `(?i)` (which may apply).
fn negation_is_empty(items: &[ClassItem]) -> bool {
    let set = class_set(items, false);
    let folded = |c: usize| set[c] || ((c as u8).is_ascii_alphabetic() && set[c ^ 0x20]);
    (0..256).all(|c| set[c]) || (0..256).all(folded)
}

/// `0-9A-Z` / `\x09\x20` → inclusive byte ranges.
fn parse_items(text: &str) -> Vec<(u8, u8)> {
    let b = text.as_bytes();
    let mut i = 0;
    let one = |i: &mut usize| -> u8 {
        if b[*i] == b'\\' {
            let v = u8::from_str_radix(&text[*i + 2..*i + 4], 16).unwrap();
            *i += 4;
            v
        } else {
            *i += 1;
            b[*i - 1]
        }
    };
    let mut out = Vec::new();
    while i < b.len() {
        let lo = one(&mut i);
        if i < b.len() && b[i] == b'-' {
            i += 1;
            let hi = one(&mut i);
            out.push((lo, hi));
        } else {
            out.push((lo, lo));
        }
    }
    out
}

fn pick_from(set: &[bool; 256], choose: &mut dyn Choose) -> Option<u8> {
    let members: Vec<u8> = (0..=255u8).filter(|c| set[*c as usize]).collect();
    if members.is_empty() {
        return None;
    }
    // Mostly ASCII: high bytes are 128 of the members of any negated class.
    let ascii: Vec<u8> = members.iter().copied().filter(u8::is_ascii).collect();
    if !ascii.is_empty() && !choose.one_in(8) {
        return Some(*choose.pick(&ascii));
    }
    Some(*choose.pick(&members))
}

/// A string the tree probably matches (flags and assertions are not taken into account).
pub fn sample(node: &Node, choose: &mut dyn Choose, out: &mut Vec<u8>) {
    if out.len() > 256 {
        return;
    }
    match node {
        Node::Empty | Node::Assert(_) | Node::Flags(_, None) => {}
        Node::Lit(bytes) => {
            for &c in bytes {
                // Case flips, for `(?i)`.
                out.push(if c.is_ascii_alphabetic() && choose.one_in(8) {
                    c ^ 0x20
                } else {
                    c
                });
            }
        }
        Node::Dot => out.push(if choose.one_in(6) {
            0xC3
        } else {
            0x20 + choose.below(95) as u8
        }),
        Node::Perl(p) => out.extend(pick_from(&class_set(&[ClassItem::Perl(*p)], false), choose)),
        Node::Class { negated, items } => {
            out.extend(pick_from(&class_set(items, *negated), choose))
        }
        Node::Group(_, inner)
        | Node::NonCapture(inner)
        | Node::Field(_, inner)
        | Node::Ref(_, inner) => sample(inner, choose, out),
        Node::Flags(_, Some(inner)) => sample(inner, choose, out),
        Node::Concat(children) => children.iter().for_each(|c| sample(c, choose, out)),
        Node::Alt(children) => sample(choose.pick(children), choose, out),
        Node::Repeat { node, rep, .. } => {
            let (min, max) = match *rep {
                Rep::Opt => (0, 1),
                Rep::Star => (0, 3),
                Rep::Plus => (1, 4),
                Rep::Exact(n) => (n, n),
                Rep::AtLeast(n) => (n, n + 3),
                Rep::Range(m, n) => (m, n),
            };
            let times = min + choose.below((max - min + 1) as usize) as u32;
            for _ in 0..times {
                sample(node, choose, out);
            }
        }
    }
}

const PALETTE: &[u8] = b" aAzZ09_-.:/\\[](){}\"'\t\n\r\x0B\x0C\x00\x7F\x80\xC3\xA9\xFF";

/// A few random edits of `input`.
pub fn mutate(input: &[u8], choose: &mut dyn Choose) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + choose.below(3) {
        match choose.below(7) {
            0 if !out.is_empty() => {
                let at = choose.below(out.len());
                out.remove(at);
            }
            1 => {
                let at = choose.below(out.len() + 1);
                out.insert(at, *choose.pick(PALETTE));
            }
            2 if !out.is_empty() => {
                let at = choose.below(out.len());
                out[at] = *choose.pick(PALETTE);
            }
            3 if !out.is_empty() => {
                let from = choose.below(out.len());
                let to = from + choose.below(out.len() - from) + 1;
                let chunk = out[from..to].to_vec();
                let at = choose.below(out.len() + 1);
                out.splice(at..at, chunk);
            }
            4 if !out.is_empty() => {
                let at = choose.below(out.len());
                out[at] ^= 0x20;
            }
            5 => {
                let at = choose.below(out.len() + 1);
                out.truncate(at);
            }
            _ => {
                let prefix: Vec<u8> = (0..choose.below(4))
                    .map(|_| *choose.pick(PALETTE))
                    .collect();
                out.splice(0..0, prefix);
            }
        }
    }
    out
}

/// Inputs for a case: samples, their mutations, and a few random strings.
pub fn inputs(case: &Case, choose: &mut dyn Choose, count: usize) -> Vec<Vec<u8>> {
    let mut out = vec![Vec::new()];
    while out.len() < count {
        let mut s = Vec::new();
        sample(&case.tree, choose, &mut s);
        match choose.below(4) {
            0 => out.push(s),
            1 | 2 => out.push(mutate(&s, choose)),
            _ => {
                let mut t: Vec<u8> = (0..choose.below(4))
                    .map(|_| *choose.pick(PALETTE))
                    .collect();
                t.extend_from_slice(&s);
                t.extend((0..choose.below(4)).map(|_| *choose.pick(PALETTE)));
                out.push(t);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The check.

/// The reference regex, as the differential compiles it: bytes, Unicode off (ASCII classes and
/// case folding, as Go's on ASCII), the size limits of `goregex`.
pub fn reference_regex(text: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(text)
        .unicode(false)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
}

fn show(input: &[u8]) -> String {
    input.escape_ascii().to_string()
}

/// What a case compiled to.
pub enum Verdict {
    /// Both refused the regex (e.g. too large).
    BothRefused,
    /// Compared on every input; how many matched.
    Compared { matched: usize },
}

/// Compiles `case` both ways and compares every answer on `inputs`.
pub fn check(case: &Case, inputs: &[Vec<u8>]) -> Result<Verdict, String> {
    let mut lib = PatternLibrary::new();
    for (name, text) in &case.definitions {
        lib.add(name, text, Origin::new("fuzz", 0));
    }
    let context = || {
        let defs: Vec<String> = case
            .definitions
            .iter()
            .map(|(n, t)| format!("{n} {t}"))
            .collect();
        format!(
            "pattern {:?}\ndefinitions {:?}\nreference {:?}",
            case.pattern, defs, case.reference
        )
    };
    let grok = compile(&case.pattern, &lib);
    let reference = reference_regex(&case.reference);
    let (grok, reference) = match (grok, reference) {
        (Ok(g), Ok(r)) => (g, r),
        (Err(_), Err(_)) => return Ok(Verdict::BothRefused),
        (Err(e), Ok(_)) => {
            return Err(format!(
                "grok refused a regex Go and the regex crate accept: {e}\n{}",
                context()
            ));
        }
        (Ok(g), Err(e)) => {
            if e.to_string().contains("size limit") {
                return Ok(Verdict::BothRefused);
            }
            return Err(format!(
                "the reference refused ({e}) what grok accepted as {:?}\n{}",
                g.regex(),
                context()
            ));
        }
    };
    if grok.fields() != &case.fields[..] && {
        let mut a = grok.fields().to_vec();
        let mut b = case.fields.clone();
        a.sort();
        b.sort();
        a != b
    } {
        return Err(format!(
            "grok has fields {:?}, expected {:?}\n{}",
            grok.fields(),
            case.fields,
            context()
        ));
    }
    // A group the reference's program dropped (inside `{0}`) never participates.
    let groups: Vec<Option<usize>> = grok
        .fields()
        .iter()
        .map(|field| {
            reference
                .capture_names()
                .position(|n| n == Some(field.as_str()))
        })
        .collect();
    let mut locations = reference.capture_locations();
    let mut m = grok.new_match();
    let mut matched = 0;
    for input in inputs {
        let want = reference.captures_read(&mut locations, input).is_some();
        let got = grok.match_into(input, &mut m);
        let fail = |what: String| {
            format!(
                "{what} on input \"{}\"\n{}\ngrok regex {:?}",
                show(input),
                context(),
                grok.regex()
            )
        };
        if got != want {
            return Err(fail(format!(
                "match_into says {got}, the regex crate {want}"
            )));
        }
        if grok.is_match(input) != want {
            return Err(fail(format!(
                "is_match says {}, the regex crate {want}",
                !want
            )));
        }
        if !got {
            continue;
        }
        matched += 1;
        for (i, field) in grok.fields().iter().enumerate() {
            let expected = groups[i].and_then(|g| locations.get(g));
            if m.spans()[i] != expected {
                return Err(fail(format!(
                    "field {field}: grok {:?}, the regex crate {expected:?}",
                    m.spans()[i]
                )));
            }
        }
    }
    Ok(Verdict::Compared { matched })
}

// ---------------------------------------------------------------------------------------------
// Written cases: the regression files of fuzz/regressions/grok_diff/ (`*.case`).

/// The first line of a written case.
pub const CASE_HEADER: &str = "#grok_diff case";

/// Reads a written case: after the header line, `pattern: …`, `definition: NAME TEXT` (any
/// number), `reference: …`, `field: NAME` (each field of the grok, any order) and `input: …`
/// (any number; `\xNN`, `\n`, `\t`, `\r`, `\\` escapes). Lines starting with `#` are comments.
pub fn parse_case(text: &str) -> Option<(Case, Vec<Vec<u8>>)> {
    let mut lines = text.lines();
    if lines.next()?.trim_end() != CASE_HEADER {
        return None;
    }
    let mut case = Case {
        tree: Node::Empty,
        pattern: String::new(),
        definitions: Vec::new(),
        reference: String::new(),
        fields: Vec::new(),
    };
    let mut inputs = Vec::new();
    for line in lines {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (key, value) = line.split_once(": ")?;
        match key {
            "pattern" => case.pattern = value.to_string(),
            "definition" => {
                let (name, text) = value.split_once(' ')?;
                case.definitions.push((name.to_string(), text.to_string()));
            }
            "reference" => case.reference = value.to_string(),
            "field" => case.fields.push(value.to_string()),
            "input" => inputs.push(unescape(value)?),
            _ => return None,
        }
    }
    Some((case, inputs))
}

fn unescape(text: &str) -> Option<Vec<u8>> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        match *b.get(i + 1)? {
            b'x' => {
                out.push(u8::from_str_radix(text.get(i + 2..i + 4)?, 16).ok()?);
                i += 4;
                continue;
            }
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'\\' => out.push(b'\\'),
            _ => return None,
        }
        i += 2;
    }
    Some(out)
}
