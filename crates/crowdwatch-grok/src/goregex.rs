//! Compile regular expressions with Go `regexp` (RE2) semantics.
//!
//! CrowdSec content is written for Go's regexp: `\d \w \s \b` are ASCII-only and the engine is
//! RE2 (no lookaround, no backreferences), which the `regex` crate shares. We compile on bytes
//! with Unicode mode off so the classes are ASCII as in Go, and lines that are not valid UTF-8
//! still match. A pattern that needs Unicode mode (a non-ASCII literal, `\pL`) is compiled again
//! with Unicode on, where only its literal and `\p` classes differ from Go's reading.
use regex::bytes::{Regex, RegexBuilder};

/// Size limit for one compiled program: hub patterns are large after grok expansion
/// (nginx access lines expand to several KiB of regex text).
const SIZE_LIMIT: usize = 64 << 20;

pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    match builder(pattern).unicode(false).build() {
        Ok(re) => Ok(re),
        Err(first) => builder(pattern).unicode(true).build().map_err(|_| first),
    }
}

fn builder(pattern: &str) -> RegexBuilder {
    let mut b = RegexBuilder::new(pattern);
    b.size_limit(SIZE_LIMIT).dfa_size_limit(SIZE_LIMIT);
    b
}

#[cfg(test)]
mod tests {
    use super::compile;

    #[test]
    fn classes_are_ascii_like_go() {
        let re = compile(r"^\w+$").unwrap();
        assert!(re.is_match(b"abc_09"));
        assert!(!re.is_match("é".as_bytes()));
    }

    #[test]
    fn non_ascii_literal_falls_back_to_unicode_mode() {
        let re = compile("é+").unwrap();
        assert!(re.is_match("xéé".as_bytes()));
    }

    #[test]
    fn invalid_utf8_input_still_matches() {
        let re = compile(r"Failed password for (\S+)").unwrap();
        let line = b"Failed password for ro\xffot from 1.2.3.4";
        assert!(re.is_match(line));
    }

    #[test]
    fn syntax_errors_are_reported() {
        assert!(compile("(unclosed").is_err());
        assert!(compile("(?=lookahead)").is_err());
    }
}
