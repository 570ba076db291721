//! DFA guards: before trying the branches of a large alternation one by one, ask the regex
//! crate's DFA whether the alternation can match at this position at all. `IPV6` is seventeen
//! branches that each begin with a hex digit; a host name like `bastion` starts several of them
//! before failing, and the DFA rules the whole alternation out in a few bytes.
use crate::goregex::Mode;
use crate::lazy::LazyRegex;

/// Alternations with at least this many branches get a guard.
pub(super) const MIN_BRANCHES: usize = 8;

#[derive(Clone, Debug)]
pub(crate) struct DfaGuard {
    /// `^(?:R)`, for position 0.
    at_start: LazyRegex,
    /// `^(?s-u:.)(?:R)` on the input from one byte earlier, so assertions at the start of `R`
    /// see the byte before the position, as in the whole input.
    after_byte: LazyRegex,
}

impl DfaGuard {
    /// A guard for `text`, a regex (the regex crate's syntax, as the HIR prints) with ASCII
    /// classes; built on first use.
    pub fn new(text: &str) -> DfaGuard {
        DfaGuard {
            at_start: LazyRegex::unchecked(format!("^(?:{text})"), Mode::Ascii),
            after_byte: LazyRegex::unchecked(format!("^(?s-u:.)(?:{text})"), Mode::Ascii),
        }
    }

    /// False only when `R` cannot match starting at `pos`. A guard whose regex did not build
    /// never rules anything out.
    #[inline]
    pub fn may_match(&self, input: &[u8], pos: usize) -> bool {
        let (regex, from) = match pos {
            0 => (&self.at_start, 0),
            _ => (&self.after_byte, pos - 1),
        };
        regex.get().is_none_or(|re| re.is_match(&input[from..]))
    }
}
