//! Splitting a batch of bytes into lines: one pass with memchr, no allocation for valid lines.
use std::borrow::Cow;

use serde::Serialize;

/// Per-batch (or cumulative) counters of what the engine did with lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Non-empty lines handed to the parsers.
    pub lines: u64,
    pub empty: u64,
    /// Lines that were not valid UTF-8 (parsed with U+FFFD in place of the bad bytes).
    pub invalid_utf8: u64,
    /// Lines longer than the cap (parsed cut at the cap).
    pub truncated: u64,
    pub parsed: u64,
    pub unparsed: u64,
    pub whitelisted: u64,
    pub poured: u64,
    pub overflows: u64,
    pub alerts: u64,
    pub expr_errors: u64,
}

impl Counters {
    pub fn add(&mut self, o: &Counters) {
        self.lines += o.lines;
        self.empty += o.empty;
        self.invalid_utf8 += o.invalid_utf8;
        self.truncated += o.truncated;
        self.parsed += o.parsed;
        self.unparsed += o.unparsed;
        self.whitelisted += o.whitelisted;
        self.poured += o.poured;
        self.overflows += o.overflows;
        self.alerts += o.alerts;
        self.expr_errors += o.expr_errors;
    }
}

/// Call `f` with each line of `batch` (split on `\n`, a trailing `\r` removed), skipping empty
/// lines, cutting lines over `max_bytes`, and replacing invalid UTF-8. A final line without a
/// newline is a line too.
pub fn for_each_line(
    batch: &[u8],
    max_bytes: usize,
    counters: &mut Counters,
    mut f: impl FnMut(&str),
) {
    let mut start = 0;
    while start < batch.len() {
        let end = memchr::memchr(b'\n', &batch[start..]).map_or(batch.len(), |i| start + i);
        let mut line = &batch[start..end];
        start = end + 1;
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        if line.is_empty() {
            counters.empty += 1;
            continue;
        }
        let cut = line.len() > max_bytes;
        if cut {
            counters.truncated += 1;
            line = &line[..max_bytes];
        }
        counters.lines += 1;
        let text = match std::str::from_utf8(line) {
            Ok(s) => Cow::Borrowed(s),
            Err(e) if line.len() - e.valid_up_to() < 4 && e.error_len().is_none() && cut => {
                // The cut fell inside a character: keep the whole characters before it.
                Cow::Borrowed(std::str::from_utf8(&line[..e.valid_up_to()]).unwrap_or(""))
            }
            Err(_) => {
                counters.invalid_utf8 += 1;
                String::from_utf8_lossy(line)
            }
        };
        f(&text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(batch: &[u8], max: usize) -> (Vec<String>, Counters) {
        let mut c = Counters::default();
        let mut out = Vec::new();
        for_each_line(batch, max, &mut c, |l| out.push(l.to_owned()));
        (out, c)
    }

    #[test]
    fn splits_on_newlines_and_strips_cr() {
        let (lines, c) = split(b"a\r\nb\n\nc", 64);
        assert_eq!(lines, ["a", "b", "c"]);
        assert_eq!((c.lines, c.empty), (3, 1));
    }

    #[test]
    fn invalid_utf8_is_replaced_and_counted() {
        let (lines, c) = split(b"ok\nbad\xff\xfeline\n", 64);
        assert_eq!(lines[1], "bad\u{fffd}\u{fffd}line");
        assert_eq!(c.invalid_utf8, 1);
    }

    #[test]
    fn overlong_lines_are_cut_at_the_cap() {
        let long = vec![b'x'; 1 << 20];
        let mut batch = long.clone();
        batch.extend_from_slice(b"\nshort\n");
        let (lines, c) = split(&batch, 65536);
        assert_eq!(lines[0].len(), 65536);
        assert_eq!(lines[1], "short");
        assert_eq!(c.truncated, 1);
        assert_eq!(c.invalid_utf8, 0);
    }

    #[test]
    fn a_cut_inside_a_character_keeps_whole_characters() {
        let batch = "éééé".as_bytes();
        let (lines, c) = split(batch, 5);
        assert_eq!(lines[0], "éé");
        assert_eq!(c.invalid_utf8, 0);
    }
}
