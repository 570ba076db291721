//! A grok pattern library: named regex fragments that patterns reference as `%{NAME}`.
//!
//! Compatible with grokky's `Host` as CrowdSec 1.4.6 uses it, with two deliberate differences:
//!
//! * **Lazy expansion.** grokky compiles a definition when it is added, so a definition may only
//!   reference names added before it (a later reference is a load error). We store the text and
//!   expand it when a pattern is compiled, so the order of definitions inside and across files
//!   does not matter; cycles, which eager loading rules out by construction, are detected at
//!   expansion time instead (see [`crate::expand`]). Use [`PatternLibrary::validate`] to find broken
//!   definitions at load time anyway.
//! * **Duplicates are diagnostics, not errors.** The first definition of a name wins, as in
//!   CrowdSec, where a duplicate from a parser's `pattern_syntax` is a warning; a duplicate inside
//!   pattern files is fatal in CrowdSec, a reported diagnostic here.
//!
//! Directory loading reads files in sorted name order; Go's `os.ReadDir`, which CrowdSec uses,
//! sorts by name as well, so the resulting library is the same.
use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::Path;

/// Where a definition came from, for diagnostics that name `file:line`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    /// 1-based; 0 when the definition has no line (built in code, or one YAML mapping entry).
    pub line: usize,
}

impl Origin {
    pub fn new(file: impl Into<String>, line: usize) -> Self {
        Origin {
            file: file.into(),
            line,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}", self.file, self.line)
        }
    }
}

#[derive(Clone, Debug)]
pub struct Definition {
    pub text: String,
    pub origin: Origin,
}

/// Something worth telling the user about while loading; never fatal by itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub origin: Origin,
    pub kind: DiagnosticKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiagnosticKind {
    /// The name was already defined; the earlier definition (at `first`) stays in force.
    Duplicate { name: String, first: Origin },
    /// A file of a pattern directory could not be read (skipped).
    Unreadable { message: String },
    /// Found by [`PatternLibrary::validate`]: the definition does not compile.
    Invalid { name: String, message: String },
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            DiagnosticKind::Duplicate { name, first } => write!(
                f,
                "{}: pattern {name} is already defined at {first}; this definition is ignored",
                self.origin
            ),
            DiagnosticKind::Unreadable { message } => {
                write!(f, "{}: cannot read pattern file: {message}", self.origin)
            }
            DiagnosticKind::Invalid { name, message } => {
                write!(
                    f,
                    "{}: pattern {name} does not compile: {message}",
                    self.origin
                )
            }
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct PatternLibrary {
    definitions: HashMap<String, Definition>,
}

impl PatternLibrary {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one definition. Returns a diagnostic (and changes nothing) when the name exists.
    pub fn add(&mut self, name: &str, text: &str, origin: Origin) -> Option<Diagnostic> {
        if let Some(first) = self.definitions.get(name) {
            return Some(Diagnostic {
                origin,
                kind: DiagnosticKind::Duplicate {
                    name: name.to_string(),
                    first: first.origin.clone(),
                },
            });
        }
        self.definitions.insert(
            name.to_string(),
            Definition {
                text: text.to_string(),
                origin,
            },
        );
        None
    }

    /// Parses a pattern file: each line `NAME<whitespace>regex` (grokky's `^(\w+)\s+(.+)$`,
    /// ASCII `\w` and Go's `\s`); every other line (comments, blanks, indented text) is ignored.
    pub fn load_text(&mut self, text: &str, origin_file: &str) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        for (index, raw) in text.split('\n').enumerate() {
            // Go's line scanner drops one trailing `\r`, so CRLF files load the same.
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if let Some((name, definition)) = parse_line(line) {
                let origin = Origin::new(origin_file, index + 1);
                diagnostics.extend(self.add(name, definition, origin));
            }
        }
        diagnostics
    }

    /// Loads every regular file of `dir` whose name has no dot, in sorted name order.
    /// An unreadable directory is an error; an unreadable file is a diagnostic.
    pub fn load_dir(&mut self, dir: &Path) -> io::Result<Vec<Diagnostic>> {
        let mut files = Vec::new();
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            // Directories are skipped rather than reported: CrowdSec fails on them, but a
            // stray folder is not a pattern file anyone meant to load.
            if name.contains('.') || !entry.path().is_file() {
                continue;
            }
            files.push((name, entry.path()));
        }
        files.sort();
        let mut diagnostics = Vec::new();
        for (_, path) in files {
            let shown = path.display().to_string();
            match fs::read(&path) {
                // Pattern files are text; a stray invalid byte should not lose the whole file.
                Ok(bytes) => {
                    diagnostics.extend(self.load_text(&String::from_utf8_lossy(&bytes), &shown))
                }
                Err(err) => diagnostics.push(Diagnostic {
                    origin: Origin::new(shown, 0),
                    kind: DiagnosticKind::Unreadable {
                        message: err.to_string(),
                    },
                }),
            }
        }
        Ok(diagnostics)
    }

    pub fn get(&self, name: &str) -> Option<&Definition> {
        self.definitions.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.definitions.contains_key(name)
    }

    pub fn len(&self) -> usize {
        self.definitions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.definitions.is_empty()
    }

    /// Every defined name, sorted (deterministic for reports and tests).
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.definitions.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// Compiles every definition, reporting those that fail (undefined reference, cycle, bad
    /// regex). This is what grokky checks eagerly at load; we only do it when asked.
    pub fn validate(&self) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        for name in self.names() {
            let definition = &self.definitions[name];
            if let Err(err) = crate::compile(&format!("%{{{name}}}"), self) {
                diagnostics.push(Diagnostic {
                    origin: definition.origin.clone(),
                    kind: DiagnosticKind::Invalid {
                        name: name.to_string(),
                        message: err.to_string(),
                    },
                });
            }
        }
        diagnostics
    }
}

/// `^(\w+)\s+(.+)$` by hand: the name is ASCII word characters, then at least one Go `\s`
/// character; the definition is the rest after all leading whitespace and must be non-empty.
fn parse_line(line: &str) -> Option<(&str, &str)> {
    let name_len = line.bytes().take_while(|b| is_word_byte(*b)).count();
    if name_len == 0 {
        return None;
    }
    let rest = &line[name_len..];
    let definition = rest.trim_start_matches(is_go_space);
    if definition.len() == rest.len() || definition.is_empty() {
        return None;
    }
    Some((&line[..name_len], definition))
}

pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Go's RE2 `\s` is `[\t\n\f\r ]`: no vertical tab.
fn is_go_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0C' | '\r' | ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_format_matches_grokky() {
        assert_eq!(parse_line("INT [+-]?[0-9]+"), Some(("INT", "[+-]?[0-9]+")));
        assert_eq!(parse_line("A\t\t  x y "), Some(("A", "x y ")));
        assert_eq!(parse_line("# comment"), None);
        assert_eq!(parse_line(""), None);
        assert_eq!(parse_line("   INDENTED x"), None);
        assert_eq!(parse_line("NAMEONLY"), None);
        assert_eq!(parse_line("NAME   "), None);
        assert_eq!(parse_line("NA-ME x"), None);
    }

    #[test]
    fn first_definition_wins_and_duplicates_are_reported() {
        let mut lib = PatternLibrary::new();
        let diags = lib.load_text("A first\n\n# c\nB b\r\nA second\n", "f");
        assert_eq!(lib.get("A").unwrap().text, "first");
        assert_eq!(lib.get("B").unwrap().text, "b");
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].to_string(),
            "f:5: pattern A is already defined at f:1; this definition is ignored"
        );
    }
}
