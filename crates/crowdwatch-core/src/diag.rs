//! Load-time problems, reported with file and line (never a panic, never a partial engine).
use std::fmt;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// What a problem concerns, so `lint` can count parsers, scenarios and patterns separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Item {
    Parser,
    Scenario,
    Pattern,
    Data,
    Config,
    Profile,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub item: Item,
    pub file: String,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn error(item: Item, file: &str, line: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            item,
            file: file.to_owned(),
            line,
            message: message.into(),
        }
    }

    pub fn warning(item: Item, file: &str, line: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            item,
            file: file.to_owned(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.line > 0 {
            write!(f, "{}:{}: {}: {}", self.file, self.line, sev, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, sev, self.message)
        }
    }
}

/// Where a piece of YAML text (an expression, a pattern) sits in its file: the 1-based line of
/// its first occurrence at or after `from_line`, or `from_line` when it cannot be found. serde_yaml
/// 0.8 keeps no positions for values, so we find them in the text, which is exact for the single-
/// line expressions that make up nearly all content and points at the right key otherwise.
pub fn line_of(text: &str, needle: &str, from_line: usize) -> usize {
    let first = needle
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if first.is_empty() {
        return from_line;
    }
    text.lines()
        .enumerate()
        .skip(from_line.saturating_sub(1))
        .find(|(_, l)| l.contains(first))
        .map(|(i, _)| i + 1)
        .unwrap_or(from_line)
}
