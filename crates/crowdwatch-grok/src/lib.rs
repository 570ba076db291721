#![forbid(unsafe_code)]
//! Grok pattern libraries and matchers, compatible with CrowdSec 1.4.6 (grokky).
//!
//! * [`PatternLibrary`]: named definitions loaded from pattern files and parsers'
//!   `pattern_syntax`; first definition wins.
//! * [`compile`]: expands `%{NAME}` / `%{NAME:field}` and checks a [`Grok`] with Go RE2
//!   semantics ([`goregex`]); its regex is built on first use ([`LazyRegex`]).
//! * [`Grok`]: the hot-path matcher (prefilter, DFA check, captures into a reusable
//!   [`GrokMatch`]).
use std::fmt;

mod backtrack;
pub mod expand;
pub mod goregex;
mod grok;
pub mod lazy;
mod library;
mod prefilter;
pub mod union;

pub use grok::{compile, engine_disagreements, Grok, GrokMatch};
pub use lazy::LazyRegex;
pub use library::{Definition, Diagnostic, DiagnosticKind, Origin, PatternLibrary};
pub use prefilter::Prefilter;
pub use union::RegexUnion;

/// Why a pattern did not compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrokError {
    /// `%{name}` names no definition; `referenced_from` is the definition containing the
    /// reference (None: the pattern itself).
    Undefined {
        name: String,
        referenced_from: Option<String>,
    },
    /// Definitions reference each other in a loop: `A -> B -> A`.
    Cycle { chain: Vec<String> },
    /// The expanded regex does not compile (unsupported syntax such as lookaround, or an
    /// invalid regex); the message is the regex crate's.
    Regex { message: String },
}

impl fmt::Display for GrokError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrokError::Undefined {
                name,
                referenced_from: None,
            } => write!(f, "pattern {name} is not defined"),
            GrokError::Undefined {
                name,
                referenced_from: Some(from),
            } => {
                write!(f, "pattern {name} (referenced from {from}) is not defined")
            }
            GrokError::Cycle { chain } => write!(
                f,
                "patterns reference each other in a cycle: {}",
                chain.join(" -> ")
            ),
            GrokError::Regex { message } => write!(f, "invalid regex: {message}"),
        }
    }
}

impl std::error::Error for GrokError {}
