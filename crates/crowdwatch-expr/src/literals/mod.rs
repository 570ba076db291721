//! Required literals of a filter: "this filter can only be true when one of these literals
//! occurs in one of these host values", for hosts that run many filters on each event and want
//! to skip, with one substring scan per value, the ones that cannot pass.
//!
//! The promise is strict: when no needle is found (as [`Needle::found_in`] defines it), the
//! filter evaluates to `Ok(false)`: not to another value, and not to an error. A host may then
//! skip it without changing any result or error count. See `analysis` for the shapes that
//! yield a requirement and why each is sound.
mod analysis;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use crate::{Context, FieldId, HostValue};

pub(crate) use analysis::requirement;

/// A value the host gives without evaluating anything, where a literal is looked for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ValueSource {
    /// A host field (`evt.Line.Raw`). Only a string value can rule a filter out.
    Field(FieldId),
    /// An entry of a string map (`evt.Meta.http_path`); an absent entry reads as "".
    MapEntry(FieldId, String),
}

impl ValueSource {
    /// The value as text; None when it is not a string (every needle on it then counts as
    /// found: the filter may fail or match on such a value, so it must be evaluated).
    pub fn read<'a>(&'a self, ctx: &'a dyn Context) -> Option<Cow<'a, str>> {
        match self {
            ValueSource::Field(id) => match ctx.field(*id) {
                HostValue::Str(s) => Some(s),
                _ => None,
            },
            ValueSource::MapEntry(id, key) => {
                Some(Cow::Borrowed(ctx.map_get(*id, key).unwrap_or("")))
            }
        }
    }
}

/// One literal to look for in one value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Needle {
    pub source: ValueSource,
    /// Never shorter than [`MIN_LITERAL_LEN`]; bytes, since a regex literal may not be UTF-8.
    pub literal: Vec<u8>,
    /// The filter case-maps the value first (`Upper(x)`, `Lower(x)`): an ASCII value must hold
    /// the literal ignoring ASCII case, and a value that is not ASCII may match whatever it
    /// holds (Go's case mapping turns some non-ASCII runes into ASCII: 'ı' → 'I', 'ſ' → 'S',
    /// the Kelvin sign → 'k').
    pub ascii_case_insensitive: bool,
}

impl Needle {
    /// Whether the needle counts as found in `value` (None: not a string, see [`ValueSource::read`]).
    /// Hosts may answer the same question faster (one automaton for many needles), never differently.
    pub fn found_in(&self, value: Option<&str>) -> bool {
        let Some(text) = value else { return true };
        if self.ascii_case_insensitive {
            !text.is_ascii() || contains_ignoring_ascii_case(text.as_bytes(), &self.literal)
        } else {
            contains_bytes(text.as_bytes(), &self.literal)
        }
    }
}

/// The filter can only be true when at least one needle is found. Never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub needles: Vec<Needle>,
}

impl Requirement {
    /// False only when the filter surely evaluates to `Ok(false)` on `ctx`: the reference for
    /// hosts' faster checks (and what tests compare them with).
    pub fn may_match(&self, ctx: &dyn Context) -> bool {
        self.needles
            .iter()
            .any(|n| n.found_in(n.source.read(ctx).as_deref()))
    }
}

/// Literals shorter than this occur in too many values (`/`, `..`) to be worth a requirement.
pub const MIN_LITERAL_LEN: usize = 3;
/// A bound on one filter's needles (a data file can list thousands of strings): hosts build
/// automata over them, and past a few hundred literals one filter is rarely ruled out anyway.
pub const MAX_NEEDLES: usize = 256;

fn contains_bytes(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

fn contains_ignoring_ascii_case(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}
