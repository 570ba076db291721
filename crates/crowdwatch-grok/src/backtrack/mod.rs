//! A backtracking capture matcher for grok regexes.
//!
//! The regex crate's capture engines are general: its bounded backtracker keeps a visited set
//! (program size times input length), its PikeVM carries every thread's capture slots at every
//! byte; on a hub grok either costs 6-10x this matcher (measured in ARCHITECTURE.md with regex
//! 1.13), and the grok is most of what parsing a line costs. The line has already been matched by the
//! DFAs, which also say where the match starts; what is left is to find the groups of the match
//! of highest priority that starts there. This module does that with a plain backtracking search
//! over a small program compiled from the regex's HIR:
//!
//! * runs of one byte class (`\S+`, `[^"]*`, `.*?`, `[0-9]{1,3}`) are one instruction that
//!   scans the run at once and backtracks by moving its end, not one split per byte;
//! * every branch point knows the bytes its first branch can start with, and skips a branch that
//!   cannot start at the current byte (most of `IPV6` for an IPv4 address);
//! * no visited set: the search is bounded by a step budget instead, and a search that runs out
//!   of budget (a pathological line) says so, and the caller falls back to the regex crate.
//!
//! **Same answer as the regex crate.** Exploring the alternatives of a backtracking search in
//! priority order finds the match of highest priority among those that start at a position:
//! the leftmost-first match, with its groups, that the regex crate (and Go's RE2) report. A group in a
//! repetition keeps the span of the last iteration that set it, as in both. What the search
//! cannot do exactly, it refuses at compile time ([`Program::compile`] returns None): Unicode
//! classes and word boundaries, and repetitions whose body can match the empty string (their
//! iteration rules differ between engines). The differential tests compare spans with the regex
//! crate's own capture search on the bundled and hub patterns.
mod exec;
mod follow;
mod guard;
mod program;

pub(crate) use exec::{Outcome, Scratch};
pub(crate) use program::Program;

#[cfg(test)]
mod tests;
