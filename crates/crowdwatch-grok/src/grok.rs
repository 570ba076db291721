//! A compiled grok pattern and its hot-path matching API.
use regex::bytes::{CaptureLocations, Regex};

use crate::anchored::AnchoredCaptures;
use crate::expand::{expand, GROUP_PREFIX};
use crate::prefilter::Prefilter;
use crate::{goregex, GrokError, PatternLibrary};

/// Run the DFA-only `is_match` before the capture search. For a line that passes the prefilter
/// but does not match, this answers without setting up capture slots; for a matching line it
/// costs one extra DFA scan. Kept as a switch so benchmarks can compare.
const CONFIRM_WITH_DFA: bool = true;

/// A compiled grok pattern.
///
/// **Zero fields never match.** CrowdSec treats a grok match that yields no field as a failure
/// (grokky returns an empty map), so a pattern without any named reference (including one with
/// only unnamed references, or plain regex text) compiles but [`Grok::is_match`] and
/// [`Grok::match_into`] always return false for it. [`Grok::fields`] is empty exactly then.
#[derive(Clone, Debug)]
pub struct Grok {
    regex: Regex,
    /// Distinct field names in pattern order (order of the group each one reads).
    fields: Vec<String>,
    /// Capture group index in `regex` for each entry of `fields`.
    groups: Vec<usize>,
    prefilter: Prefilter,
    /// For an unanchored regex: the capture search from the start the DFAs found.
    anchored: Option<AnchoredCaptures>,
}

/// Reusable per-caller match state: capture slots plus one span per field.
///
/// Create it with [`Grok::new_match`] and keep it warm; [`Grok::match_into`] then does not
/// allocate. A `GrokMatch` belongs to the `Grok` that made it (using it with another one works,
/// but reallocates when their group counts differ).
#[derive(Clone, Debug)]
pub struct GrokMatch {
    locations: CaptureLocations,
    spans: Vec<Option<(usize, usize)>>,
}

impl GrokMatch {
    /// Byte range of each field's value in the input, indexed like [`Grok::fields`].
    /// `None` is a group that did not participate: its value is the empty string.
    pub fn spans(&self) -> &[Option<(usize, usize)>] {
        &self.spans
    }

    /// The value of field `index` in `input` (the line passed to `match_into`); "" when the
    /// group did not participate, as grokky reports it.
    pub fn value<'a>(&self, index: usize, input: &'a [u8]) -> &'a [u8] {
        match self.spans.get(index).copied().flatten() {
            Some((start, end)) => &input[start..end],
            None => &[],
        }
    }
}

/// Compiles a grok pattern: expands references against `library`, then compiles the regex with
/// Go RE2 semantics ([`goregex::compile`]).
pub fn compile(pattern: &str, library: &PatternLibrary) -> Result<Grok, GrokError> {
    let expansion = expand(pattern, library)?;
    let regex_text = expansion.regex_for_fields();
    let (regex, mode) =
        goregex::compile_with_mode(&regex_text).map_err(|err| GrokError::Regex {
            message: err.to_string(),
        })?;
    let mut fields: Vec<(String, usize)> = expansion.fields;
    fields.sort_by_key(|(_, reference)| *reference);
    let mut groups = Vec::with_capacity(fields.len());
    for (_, reference) in &fields {
        let name = format!("{GROUP_PREFIX}{reference}");
        let index = regex
            .capture_names()
            .position(|n| n == Some(name.as_str()))
            .ok_or_else(|| GrokError::Regex {
                message: format!("internal: group {name} missing"),
            })?;
        groups.push(index);
    }
    let prefilter = Prefilter::for_regex(&regex_text);
    let anchored = AnchoredCaptures::for_regex(&regex, mode);
    Ok(Grok {
        regex,
        fields: fields.into_iter().map(|(name, _)| name).collect(),
        groups,
        prefilter,
        anchored,
    })
}

impl Grok {
    /// Distinct field names, in a fixed order (pattern order of the group each one reads).
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f == name)
    }

    /// The expanded regex as compiled (for explain output and debugging).
    pub fn regex(&self) -> &str {
        self.regex.as_str()
    }

    /// The literals every matching line contains (empty when there is no prefilter).
    pub fn prefilter_literals(&self) -> Vec<Vec<u8>> {
        self.prefilter.literals()
    }

    pub fn new_match(&self) -> GrokMatch {
        GrokMatch {
            locations: self.regex.capture_locations(),
            spans: Vec::with_capacity(self.fields.len()),
        }
    }

    /// Whether `input` matches with at least one field (see the type's note on zero fields).
    pub fn is_match(&self, input: &[u8]) -> bool {
        !self.fields.is_empty() && self.prefilter.may_match(input) && self.regex.is_match(input)
    }

    /// True without touching the regex when the prefilter rules the line out; for testing that
    /// the prefilter is sound.
    pub fn prefilter_may_match(&self, input: &[u8]) -> bool {
        self.prefilter.may_match(input)
    }

    /// Matches `input` (first, leftmost match, as Go's `FindSubmatch`) and fills `m` with the
    /// span of every field. Returns false, leaving `m` unspecified, when there is no match.
    pub fn match_into(&self, input: &[u8], m: &mut GrokMatch) -> bool {
        if self.fields.is_empty() || !self.prefilter.may_match(input) {
            return false;
        }
        if m.locations.len() != self.regex.captures_len() {
            m.locations = self.regex.capture_locations();
        }
        let offset = match &self.anchored {
            Some(anchored) => {
                let Some(found) = self.regex.find(input) else {
                    return false;
                };
                match anchored.captures_read(&mut m.locations, input, found.start()) {
                    Some(offset) => offset,
                    None => return false,
                }
            }
            None => {
                if CONFIRM_WITH_DFA && !self.regex.is_match(input) {
                    return false;
                }
                if self.regex.captures_read(&mut m.locations, input).is_none() {
                    return false;
                }
                0
            }
        };
        m.spans.clear();
        m.spans.extend(self.groups.iter().map(|group| {
            m.locations
                .get(*group)
                .map(|(start, end)| (start + offset, end + offset))
        }));
        true
    }

    /// Convenience for cold paths and tests: field name -> value (lossy UTF-8), every field
    /// present, "" for groups that did not participate.
    pub fn parse(&self, input: &[u8]) -> Option<Vec<(String, String)>> {
        let mut m = self.new_match();
        if !self.match_into(input, &mut m) {
            return None;
        }
        let values = self.fields.iter().enumerate().map(|(i, name)| {
            (
                name.clone(),
                String::from_utf8_lossy(m.value(i, input)).into_owned(),
            )
        });
        Some(values.collect())
    }
}
