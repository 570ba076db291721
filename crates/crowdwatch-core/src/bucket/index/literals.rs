//! The required-literal prefilter: which candidate scenarios' filters could pass, by one
//! substring scan per event value.
//!
//! Many hub filters can only pass when a value holds some literal (`Upper(evt.Meta.http_path)
//! contains Upper('/remote/fgt_lang?...')`, `evt.Parsed.file_name contains 'w00tw00t...'`):
//! `Program::required_literals`. Per value read (e.g. Meta `http_path`), all those literals go
//! into one Aho-Corasick automaton, or two: exact and ASCII-case-insensitive (for case-mapped
//! values). An event's value is scanned once for every scenario, and a scenario with a
//! requirement is offered the event only when one of its needles was found. The expression
//! crate promises that a filter whose needles are all missing evaluates to `Ok(false)`, so a
//! skipped filter neither passes nor fails (the error counter is unchanged).
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind};
use crowdwatch_expr::{Context, Needle, ValueSource};

use super::super::scenario::Scenario;

/// The (literal, scenario) pairs of one source: exact, then ASCII-case-insensitive.
type ByCase = [Vec<(Vec<u8>, usize)>; 2];

#[derive(Default)]
pub struct LiteralPrefilter {
    /// Per scenario: the sources its needles read (empty: no requirement, always offered).
    sources_of: Vec<Vec<usize>>,
    sources: Vec<SourceScan>,
    /// Per scenario: the event number at which one of its needles was last found.
    found_at: Vec<u32>,
    /// The current event's number (never 0, which `found_at` starts at).
    event: u32,
}

/// The needles on one value.
struct SourceScan {
    source: ValueSource,
    exact: Option<Automaton>,
    /// For values the filters upper- or lower-case first.
    insensitive: Option<Automaton>,
}

/// One automaton, and which scenarios each of its patterns stands for.
struct Automaton {
    ac: AhoCorasick,
    scenarios_of: Vec<Vec<usize>>,
    /// Every scenario with a needle here, for values that cannot be scanned.
    all: Vec<usize>,
}

impl LiteralPrefilter {
    pub fn new(scenarios: &[Scenario]) -> LiteralPrefilter {
        let mut pre = LiteralPrefilter {
            sources_of: vec![Vec::new(); scenarios.len()],
            found_at: vec![0; scenarios.len()],
            ..Default::default()
        };
        let mut needles: Vec<(ValueSource, ByCase)> = Vec::new();
        for (si, sc) in scenarios.iter().enumerate() {
            let Some(req) = sc.filter.required_literals() else {
                continue;
            };
            for Needle {
                source,
                literal,
                ascii_case_insensitive,
            } in req.needles
            {
                let s = match needles.iter().position(|(src, _)| *src == source) {
                    Some(s) => s,
                    None => {
                        needles.push((source, Default::default()));
                        needles.len() - 1
                    }
                };
                needles[s].1[usize::from(ascii_case_insensitive)].push((literal, si));
                if !pre.sources_of[si].contains(&s) {
                    pre.sources_of[si].push(s);
                }
            }
        }
        pre.sources = needles
            .into_iter()
            .map(|(source, [exact, insensitive])| SourceScan {
                source,
                exact: Automaton::build(exact, false),
                insensitive: Automaton::build(insensitive, true),
            })
            .collect();
        pre
    }

    /// Whether any scenario has a requirement.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Whether scenario `si` is offered every event (it has no requirement).
    pub fn ungated(&self, si: usize) -> bool {
        self.sources_of[si].is_empty()
    }

    /// The sources the needles of scenario `si` read.
    pub fn sources_of(&self, si: usize) -> &[usize] {
        &self.sources_of[si]
    }

    /// Scan the values of `sources` of one event; `passes` then answers for that event.
    pub fn scan(&mut self, ctx: &dyn Context, sources: &[usize]) {
        self.event = self.event.wrapping_add(1);
        if self.event == 0 {
            self.found_at.fill(0);
            self.event = 1;
        }
        for &s in sources {
            let scan = &self.sources[s];
            let text = scan.source.read(ctx);
            let text = text.as_deref();
            // `Needle::found_in`: a value that is not a string could make the filter fail or
            // match; a value that is not ASCII could turn into the literal when case-mapped.
            if let Some(a) = &scan.exact {
                a.mark(text, &mut self.found_at, self.event);
            }
            if let Some(a) = &scan.insensitive {
                a.mark(
                    text.filter(|t| t.is_ascii()),
                    &mut self.found_at,
                    self.event,
                );
            }
        }
    }

    /// Whether scenario `si` may pass its filter on the event last scanned (its sources must
    /// have been among those scanned).
    pub fn passes(&self, si: usize) -> bool {
        self.ungated(si) || self.found_at[si] == self.event
    }
}

impl Automaton {
    fn build(mut needles: Vec<(Vec<u8>, usize)>, insensitive: bool) -> Option<Automaton> {
        if needles.is_empty() {
            return None;
        }
        needles.sort();
        needles.dedup();
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut scenarios_of: Vec<Vec<usize>> = Vec::new();
        for (literal, si) in needles {
            if patterns.last() != Some(&literal) {
                patterns.push(literal);
                scenarios_of.push(Vec::new());
            }
            scenarios_of.last_mut()?.push(si);
        }
        let mut all: Vec<usize> = scenarios_of.iter().flatten().copied().collect();
        all.sort_unstable();
        all.dedup();
        // A build fails only past the automaton's 2^31 states; a filter's literals are far fewer.
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(insensitive)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("scenario literals fit an automaton");
        Some(Automaton {
            ac,
            scenarios_of,
            all,
        })
    }

    /// Stamp every scenario with a needle found in `text` (None: every scenario here).
    fn mark(&self, text: Option<&str>, found_at: &mut [u32], event: u32) {
        let Some(text) = text else {
            for &si in &self.all {
                found_at[si] = event;
            }
            return;
        };
        // Overlapping: a match of one literal must not hide another that overlaps it.
        for m in self.ac.find_overlapping_iter(text) {
            for &si in &self.scenarios_of[m.pattern().as_usize()] {
                found_at[si] = event;
            }
        }
    }
}
