//! A compiled grok pattern and its hot-path matching API.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use regex::bytes::CaptureLocations;
use regex_syntax::hir::{Hir, HirKind, Look};

use crate::backtrack::{Outcome, Program, Scratch};
use crate::expand::{expand, GROUP_PREFIX};
use crate::goregex::Mode;
use crate::lazy::{parse, LazyRegex};
use crate::prefilter::Prefilter;
use crate::{GrokError, PatternLibrary};

/// Steps the backtracking capture search may take per byte after the match start (plus a
/// constant) before it gives the line to the regex crate. A hub nginx line takes a few per
/// byte; the bound only matters for lines built to make backtracking explode.
const BACKTRACK_STEPS_PER_BYTE: usize = 64;
const BACKTRACK_STEPS_BASE: usize = 4096;

/// A compiled grok pattern.
///
/// **Zero fields never match.** CrowdSec treats a grok match that yields no field as a failure
/// (grokky returns an empty map), so a pattern without any named reference (including one with
/// only unnamed references, or plain regex text) compiles but [`Grok::is_match`] and
/// [`Grok::match_into`] always return false for it. [`Grok::fields`] is empty exactly then.
///
/// **The regex is built on first use** (the first line that passes the prefilter): [`compile`]
/// checks it without building it (see [`LazyRegex`]), which is most of the cost of loading
/// content. Clones made before the first use build their own copy.
#[derive(Clone, Debug)]
pub struct Grok {
    regex: LazyRegex,
    /// Distinct field names in pattern order (order of the group each one reads).
    fields: Vec<String>,
    /// Capture group index in `regex` for each entry of `fields` (None: a group that can never
    /// take part in a match, such as one repeated `{0}`).
    groups: Vec<Option<usize>>,
    prefilter: Prefilter,
    /// Whether every match starts at the start of the input (`^…`).
    anchored_start: bool,
    /// The backtracking capture search ([`crate::backtrack`]), built on first use; None for
    /// a regex it does not handle (Unicode mode, empty-iteration loops).
    backtrack: OnceLock<Option<Program>>,
}

/// Reusable per-caller match state: capture slots plus one span per field.
///
/// Create it with [`Grok::new_match`] and keep it warm; [`Grok::match_into`] then does not
/// allocate. A `GrokMatch` belongs to the `Grok` that made it (using it with another one works,
/// but reallocates when their group counts differ).
#[derive(Clone, Debug)]
pub struct GrokMatch {
    /// Made by the regex on the first match attempt that reaches it.
    locations: Option<CaptureLocations>,
    /// The backtracking search's stack and slots.
    scratch: Scratch,
    spans: Vec<Option<(usize, usize)>>,
}

impl GrokMatch {
    /// Steps the backtracking matcher took over every search with this state (for benchmarks).
    pub fn backtrack_steps(&self) -> u64 {
        self.scratch.steps
    }

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

/// Compiles a grok pattern: expands references against `library` and checks the regex with Go
/// RE2 semantics ([`crate::goregex`]); the regex itself is built on first use.
pub fn compile(pattern: &str, library: &PatternLibrary) -> Result<Grok, GrokError> {
    let expansion = expand(pattern, library)?;
    let regex_text = expansion.regex_for_fields();
    let (regex, hir) = LazyRegex::new(&regex_text).map_err(|err| GrokError::Regex {
        message: err.to_string(),
    })?;
    let mut fields: Vec<(String, usize)> = expansion.fields;
    fields.sort_by_key(|(_, reference)| *reference);
    let mut names = Vec::new();
    capture_names(&hir, &mut names);
    let mut groups = Vec::with_capacity(fields.len());
    for (_, reference) in &fields {
        let name = format!("{GROUP_PREFIX}{reference}");
        // A group the parser dropped (inside `{0}`) can never take part in a match: None.
        let index = names
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, index)| *index);
        groups.push(index);
    }
    let prefilter = Prefilter::for_hir(&hir);
    Ok(Grok {
        anchored_start: hir.properties().look_set_prefix().contains(Look::Start),
        regex,
        fields: fields.into_iter().map(|(name, _)| name).collect(),
        groups,
        prefilter,
        backtrack: OnceLock::new(),
    })
}

/// Every named group of `hir` with its capture index (the index the compiled regex gives it).
fn capture_names<'h>(hir: &'h Hir, out: &mut Vec<(&'h str, usize)>) {
    match hir.kind() {
        HirKind::Capture(group) => {
            if let Some(name) = &group.name {
                out.push((name, group.index as usize));
            }
            capture_names(&group.sub, out);
        }
        HirKind::Repetition(rep) => capture_names(&rep.sub, out),
        HirKind::Concat(children) | HirKind::Alternation(children) => {
            for child in children {
                capture_names(child, out);
            }
        }
        _ => {}
    }
}

/// Times the backtracking matcher said "no match" where the regex crate's DFAs found one, in this
/// process. Each was answered by the regex crate instead; a non-zero count is a bug to report.
static DISAGREEMENTS: AtomicU64 = AtomicU64::new(0);

fn record_disagreement() {
    DISAGREEMENTS.fetch_add(1, Ordering::Relaxed);
}

/// How many times the backtracking matcher and the regex crate disagreed (see [`Grok`]); the
/// regex crate's answer was used each time.
pub fn engine_disagreements() -> u64 {
    DISAGREEMENTS.load(Ordering::Relaxed)
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

    /// Whether the regex has been built yet (it is on the first line that needs it).
    pub fn is_built(&self) -> bool {
        self.regex.is_compiled()
    }

    /// Whether captures are searched by the backtracking matcher (see [`crate::backtrack`]);
    /// builds it if needed.
    pub fn backtracks(&self) -> bool {
        self.backtrack_program().is_some()
    }

    /// The literals every matching line contains (empty when there is no prefilter).
    pub fn prefilter_literals(&self) -> Vec<Vec<u8>> {
        self.prefilter.literals()
    }

    /// Match state for this grok (cheap: it does not build the regex).
    pub fn new_match(&self) -> GrokMatch {
        GrokMatch {
            locations: None,
            scratch: Scratch::default(),
            spans: Vec::with_capacity(self.fields.len()),
        }
    }

    /// Whether `input` matches with at least one field (see the type's note on zero fields).
    pub fn is_match(&self, input: &[u8]) -> bool {
        !self.fields.is_empty()
            && self.prefilter.may_match(input)
            && self.regex.get().is_some_and(|re| re.is_match(input))
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
        // A regex that failed to build (see `LazyRegex`) matches nothing.
        let Some(regex) = self.regex.get() else {
            return false;
        };
        if let Some(program) = self.backtrack_program() {
            // None: out of budget; the regex crate answers.
            if let Some(matched) = self.backtrack(program, regex, input, m) {
                return matched;
            }
        }
        self.match_with_regex(regex, input, m)
    }

    /// The match by the backtracking search: first at the start of the line (most lines that
    /// match, match there, and that costs no DFA scan), then, for an unanchored regex, where
    /// the DFAs find the leftmost match starts. None when a search ran out of budget.
    fn backtrack(
        &self,
        program: &Program,
        regex: &regex::bytes::Regex,
        input: &[u8],
        m: &mut GrokMatch,
    ) -> Option<bool> {
        let budget =
            |start: usize| BACKTRACK_STEPS_PER_BYTE * (input.len() - start) + BACKTRACK_STEPS_BASE;
        let mut outcome = program.search_at(input, 0, &mut m.scratch, budget(0));
        if outcome == Outcome::NoMatch && !self.anchored_start {
            let Some(found) = regex.find(input) else {
                return Some(false);
            };
            let start = found.start();
            // The search at 0 found nothing there: the DFAs agree unless something is wrong,
            // in which case the regex crate answers.
            if start == 0 {
                record_disagreement();
                return None;
            }
            outcome = program.search_at(input, start, &mut m.scratch, budget(start));
            if outcome == Outcome::NoMatch {
                // The DFAs found a match starting here: never let the backtracker turn it into
                // a miss.
                record_disagreement();
                return None;
            }
        }
        match outcome {
            Outcome::Match => {
                let scratch = &m.scratch;
                m.spans.clear();
                m.spans.extend(
                    self.groups
                        .iter()
                        .map(|group| group.and_then(|g| scratch.group(g))),
                );
                Some(true)
            }
            Outcome::NoMatch => Some(false),
            Outcome::OutOfBudget => None,
        }
    }

    /// The backtracking program, built on the first call (None: this regex is not for it).
    fn backtrack_program(&self) -> Option<&Program> {
        self.backtrack
            .get_or_init(|| {
                if self.regex.mode() != Mode::Ascii {
                    return None;
                }
                Program::compile(&parse(self.regex.as_str(), Mode::Ascii).ok()?)
            })
            .as_ref()
    }

    /// The capture search by the regex crate alone. Its meta engine finds the match with its
    /// DFAs first and runs a capture engine over that span only, which is why the anchored
    /// copies regex 1.7 needed are gone (with them it was 25-45% slower: ARCHITECTURE.md).
    fn match_with_regex(
        &self,
        regex: &regex::bytes::Regex,
        input: &[u8],
        m: &mut GrokMatch,
    ) -> bool {
        let locations = match &mut m.locations {
            Some(locations) if locations.len() == regex.captures_len() => locations,
            slot => slot.insert(regex.capture_locations()),
        };
        if regex.captures_read(locations, input).is_none() {
            return false;
        }
        let locations = &*locations;
        m.spans.clear();
        m.spans.extend(
            self.groups
                .iter()
                .map(|group| group.and_then(|g| locations.get(g))),
        );
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

#[cfg(test)]
mod tests {
    use super::*;

    fn library() -> PatternLibrary {
        let mut lib = PatternLibrary::new();
        lib.load_text(r"WORD \b\w+\b", "test");
        lib
    }

    /// A grok whose backtracking program is wrong on purpose (compiled from another regex), as a
    /// stand-in for a bug in the matcher: the DFAs find a match the program denies.
    fn with_wrong_program(pattern: &str, program_for: &str) -> Grok {
        let grok = compile(pattern, &library()).unwrap();
        let wrong = Program::compile(&parse(program_for, Mode::Ascii).unwrap()).unwrap();
        grok.backtrack.set(Some(wrong)).unwrap();
        grok
    }

    #[test]
    fn a_backtracker_that_misses_a_match_the_dfas_found_never_makes_a_miss() {
        for (line, at) in [(&b"user=root"[..], 0), (&b"xx user=root"[..], 3)] {
            let grok = with_wrong_program(r"user=%{WORD:user}", r"never=(\w+)");
            let before = engine_disagreements();
            let fields = grok.parse(line).expect("the regex crate's match");
            assert_eq!(
                fields,
                vec![("user".to_owned(), "root".to_owned())],
                "match at {at}"
            );
            assert!(
                engine_disagreements() > before,
                "the disagreement is counted"
            );
        }
    }

    #[test]
    fn agreeing_engines_need_no_fallback() {
        let grok = compile(r"user=%{WORD:user}", &library()).unwrap();
        assert!(grok.backtracks());
        // The counter is process-wide and other tests disagree on purpose meanwhile: check
        // that this grok's own backtracking answers, with no fallback.
        let mut m = grok.new_match();
        let program = grok.backtrack_program().unwrap();
        let regex = grok.regex.get().unwrap();
        assert_eq!(
            grok.backtrack(program, regex, b"a user=root", &mut m),
            Some(true)
        );
        assert_eq!(
            grok.backtrack(program, regex, b"nothing here", &mut m),
            Some(false)
        );
    }
}
