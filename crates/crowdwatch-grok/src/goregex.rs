//! Compile regular expressions with Go `regexp` (RE2) semantics.
//!
//! CrowdSec content is written for Go's regexp: `\d \w \s \b` are ASCII-only and the engine is
//! RE2 (no lookaround, no backreferences), which the `regex` crate shares. We compile on bytes
//! with Unicode mode off so the classes are ASCII as in Go, and lines that are not valid UTF-8
//! still match. A pattern that needs Unicode mode (a non-ASCII literal, `\pL`) is compiled again
//! with Unicode on; [`translate`] writes `\d \w \b` and their negations as ASCII classes and
//! boundaries, so they stay Go's there too. `(?i)` folds case as the mode does: ASCII only in
//! ASCII mode, Unicode simple folding in the fallback (Go folds with Unicode's simple folding).
//!
//! Go's syntax is also more permissive in places the regex crate rejects or reads differently;
//! [`translate`] rewrites those spots first (see its list).
use std::borrow::Cow;

use regex::bytes::{Regex, RegexBuilder};

/// Size limit for one compiled program: hub patterns are large after grok expansion
/// (nginx access lines expand to several KiB of regex text).
pub(crate) const SIZE_LIMIT: usize = 64 << 20;

/// The syntax mode a pattern compiled in: ASCII classes (Go's), or Unicode as the fallback for
/// patterns that need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Ascii,
    Unicode,
}

pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    compile_with_mode(pattern).map(|(re, _)| re)
}

/// [`compile`], also saying which mode it took. `Regex::as_str()` of the result is the translated
/// text, which [`build`] accepts again (to derive variants of the same regex).
pub fn compile_with_mode(pattern: &str) -> Result<(Regex, Mode), regex::Error> {
    let pattern = translate(pattern);
    match build(&pattern, Mode::Ascii) {
        Ok(re) => Ok((re, Mode::Ascii)),
        Err(first) => build(&pattern, Mode::Unicode)
            .map(|re| (re, Mode::Unicode))
            .map_err(|_| first),
    }
}

/// Compiles already translated text in one mode, with no fallback.
pub fn build(translated: &str, mode: Mode) -> Result<Regex, regex::Error> {
    builder(translated).unicode(mode == Mode::Unicode).build()
}

/// Rewrites Go RE2 syntax into the regex crate's equivalent:
/// * `\` before punctuation the regex crate does not allow escaping (`\@`, `\%`, `\'`, ...) is a
///   literal in Go: written as `\xNN`;
/// * `\s` / `\S` are `[\t\n\f\r ]` in Go (no vertical tab, unlike the regex crate's ASCII `\s`),
///   inside classes too (`\S` there as a nested negated class);
/// * the braces of `\x{…}`, `\p{…}` and `\P{…}` are kept as they are;
/// * `\d \D \w \W` become explicit ASCII classes and `\b \B` ASCII word boundaries
///   (`(?-u:\b)`): the same in ASCII mode, and Go's reading still in the Unicode fallback;
/// * `\Q...\E` quotes a literal;
/// * inside a class, `[` (unless it opens `[:name:]`), `&` and `~` are literals in Go but nested
///   classes and set operators in the regex crate: escaped;
/// * a `{` that does not start a valid repetition is a literal in Go: escaped.
pub fn translate(pattern: &str) -> Cow<'_, str> {
    if !pattern.contains(['\\', '[', '{']) {
        return Cow::Borrowed(pattern);
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() => {
                let d = chars[i + 1];
                i += 2;
                match d {
                    // `\x{4A}`, `\p{Greek}`, `\P{L}`: the braces belong to the escape.
                    'x' | 'p' | 'P' if chars.get(i) == Some(&'{') => {
                        let close = chars[i..]
                            .iter()
                            .position(|&c| c == '}')
                            .map_or(chars.len(), |j| i + j + 1);
                        out.push('\\');
                        out.push(d);
                        out.extend(&chars[i..close]);
                        i = close;
                    }
                    'd' | 'D' | 'w' | 'W' => out.push_str(ascii_class(d, in_class)),
                    // Go's \S includes \v, which the regex crate's ASCII \S leaves out.
                    'S' if in_class => out.push_str("[^\\t\\n\\x0C\\r ]"),
                    'b' if !in_class => out.push_str("(?-u:\\b)"),
                    'B' if !in_class => out.push_str("(?-u:\\B)"),
                    's' if in_class => out.push_str("\\t\\n\\x0C\\r "),
                    's' => out.push_str("[\\t\\n\\x0C\\r ]"),
                    'S' if !in_class => out.push_str("[^\\t\\n\\x0C\\r ]"),
                    'Q' => {
                        while i < chars.len()
                            && !(chars[i] == '\\' && chars.get(i + 1) == Some(&'E'))
                        {
                            push_literal(&mut out, chars[i]);
                            i += 1;
                        }
                        i += 2;
                    }
                    // Go also accepts an escaped space (`\ `, common in user-agent lists).
                    d if (d.is_ascii_punctuation() || d == ' ')
                        && !regex_syntax::is_meta_character(d) =>
                    {
                        out.push_str(&format!("\\x{:02X}", d as u32));
                    }
                    d => {
                        out.push('\\');
                        out.push(d);
                    }
                }
                continue;
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                i += 1;
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                // A `]` right after the opening is a literal in both syntaxes.
                if chars.get(i) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
                continue;
            }
            '[' if in_class && chars.get(i + 1) == Some(&':') => {
                // POSIX class `[:alpha:]`: copy through its closing `:]`.
                let close = (i + 2..chars.len().saturating_sub(1))
                    .find(|&j| chars[j] == ':' && chars[j + 1] == ']');
                let end = close.map_or(i + 1, |j| j + 2);
                out.extend(&chars[i..end]);
                i = end;
                continue;
            }
            '[' | '&' | '~' if in_class => out.push_str(&format!("\\{c}")),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '{' if !in_class && !is_repetition(&chars[i..]) => out.push_str("\\{"),
            c => out.push(c),
        }
        i += 1;
    }
    Cow::Owned(out)
}

/// `\d \D \w \W` as explicit ASCII classes (inside a class: its ranges, or a nested class for
/// the negations), so they keep Go's ASCII reading when a pattern compiles in Unicode mode.
fn ascii_class(escape: char, in_class: bool) -> &'static str {
    match (escape, in_class) {
        ('d', false) => "[0-9]",
        ('d', true) => "0-9",
        ('D', _) => "[^0-9]",
        ('w', false) => "[0-9A-Za-z_]",
        ('w', true) => "0-9A-Za-z_",
        _ => "[^0-9A-Za-z_]",
    }
}

/// `{n}`, `{n,}` or `{n,m}`: Go's only repetition forms.
fn is_repetition(rest: &[char]) -> bool {
    let digits = |from: usize| {
        rest[from..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let n = digits(1);
    if n == 0 {
        return false;
    }
    let mut at = 1 + n;
    if rest.get(at) == Some(&',') {
        at += 1;
        at += digits(at);
    }
    rest.get(at) == Some(&'}')
}

fn push_literal(out: &mut String, c: char) {
    if regex_syntax::is_meta_character(c) {
        out.push('\\');
    }
    out.push(c);
}

fn builder(pattern: &str) -> RegexBuilder {
    let mut b = RegexBuilder::new(pattern);
    b.size_limit(SIZE_LIMIT).dfa_size_limit(SIZE_LIMIT);
    b
}

#[cfg(test)]
mod tests {
    use super::{compile, compile_with_mode, translate};

    #[test]
    fn classes_are_ascii_like_go() {
        let re = compile(r"^\w+$").unwrap();
        assert!(re.is_match(b"abc_09"));
        assert!(!re.is_match("é".as_bytes()));
    }

    #[test]
    fn non_ascii_literals_and_classes_match_whole_characters() {
        // A literal is its UTF-8 bytes in ASCII mode; a class needs the Unicode fallback.
        let re = compile("é+").unwrap();
        assert!(re.is_match("xéé".as_bytes()));
        let re = compile("^[é-ü]+$").unwrap();
        assert!(re.is_match("éü".as_bytes()));
        assert!(!re.is_match("e".as_bytes()));
    }

    #[test]
    fn the_unicode_fallback_keeps_go_ascii_classes_and_boundaries() {
        // `\pL` needs Unicode mode; `\d`, `\w`, `\b` beside it must still be Go's ASCII ones.
        let (re, mode) = compile_with_mode(r"^\pL+ (\d+) (\w+)$").unwrap();
        assert_eq!(mode, super::Mode::Unicode);
        assert!(re.is_match("día 42 ok_1".as_bytes()));
        assert!(
            !re.is_match("día ٤٢ ok".as_bytes()),
            "Arabic-Indic digits are not \\d in Go"
        );
        assert!(!re.is_match("día 42 été".as_bytes()), "é is not \\w in Go");
        let (re, mode) = compile_with_mode(r"\pL\bfoo").unwrap();
        assert_eq!(mode, super::Mode::Unicode);
        // Go's \b: é is not a word character, so there is a boundary between é and f.
        assert!(re.is_match("éfoo".as_bytes()));
        assert!(!re.is_match("afoo".as_bytes()));
        let (re, mode) = compile_with_mode(r"^[é\d]+$").unwrap();
        assert_eq!(mode, super::Mode::Unicode);
        assert!(re.is_match("é1é".as_bytes()) && !re.is_match("é٤".as_bytes()));
        let re = compile(r"^[é\W]+$").unwrap();
        assert!(
            re.is_match("é-٤".as_bytes()),
            "\\W inside a class: ٤ is a non-word character"
        );
        assert!(!re.is_match("é-a".as_bytes()));
        // In ASCII mode the rewritten classes read exactly as before.
        let re = compile(r"^\w+\b-\B-[\d\w]\D\W$").unwrap();
        assert!(re.is_match(b"ab--cx+"));
        assert!(!re.is_match(b"ab--c1+") && !re.is_match(b"ab-xcx+") && !re.is_match(b"ab--cxy"));
    }

    #[test]
    fn invalid_utf8_input_still_matches() {
        let re = compile(r"Failed password for (\S+)").unwrap();
        let line = b"Failed password for ro\xffot from 1.2.3.4";
        assert!(re.is_match(line));
    }

    #[test]
    fn go_only_syntax_is_translated() {
        assert_eq!(translate(r"[a-z\.\@\-\+_%]+"), r"[a-z\.\x40\-\+_%]+");
        assert_eq!(
            translate(r"a\sb[\s]"),
            "a[\\t\\n\\x0C\\r ]b[\\t\\n\\x0C\\r ]"
        );
        assert_eq!(translate(r"\Qa.b\E+"), r"a\.b+");
        assert_eq!(translate(r"[[&~][[:alpha:]]"), r"[\[\&\~][[:alpha:]]");
        assert_eq!(
            translate(r"x{2}y{1,}z{1,3}%{N:f:int}{"),
            r"x{2}y{1,}z{1,3}%\{N:f:int}\{"
        );
        assert_eq!(translate(r"[]a]"), r"[\]a]");
        assert!(compile(r"user '[a-zA-Z\.\@\-\+_%]+'")
            .unwrap()
            .is_match(b"user 'a@b'"));
        assert!(!compile(r"^\s$").unwrap().is_match(b"\x0B"));
        assert!(compile(r"%{N:f:int}").unwrap().is_match(b"%{N:f:int}"));
    }

    #[test]
    fn an_escaped_space_stays_in_fast_ascii_mode() {
        // Unicode mode would make `\b` Unicode-aware, which the DFA cannot run: a 100x slowdown.
        let re = compile(r"\bBlack\ Hole\b").unwrap();
        assert!(re.is_match(b"Mozilla Black Hole/1.0"));
        assert!(!re.is_match("Black Hole".replace(' ', "_").as_bytes()));
        assert_eq!(translate(r"a\ b"), r"a\x20b");
    }

    #[test]
    fn syntax_errors_are_reported() {
        assert!(compile("(unclosed").is_err());
        assert!(compile("(?=lookahead)").is_err());
    }
}
