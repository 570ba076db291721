//! Grok expansion: turn `%{NAME}` / `%{NAME:field}` references into one regex and a field table.
//!
//! grokky inlines each referenced definition wrapped in a plain capturing group and finds a
//! field's group by counting `(` in the text around references. We wrap every reference in a
//! uniquely named group `(?P<cw__N>...)` instead (same numbering as a plain group, no counting),
//! and compute the field table with grokky's precedence rules, per definition level:
//!
//! * a named reference `%{X:f}` maps `f` to its own group; later references win;
//! * fields of the referenced definitions propagate upward, later ones winning, **unless** the
//!   current level names that field directly anywhere (a direct name always beats a nested one,
//!   whatever their order).
//!
//! Groups that end up in no field are then rewritten to `(?:` so the regex carries only the
//! captures we read.
use crate::library::{is_word_byte, PatternLibrary};
use crate::GrokError;

/// The result of expanding a pattern, before any group is dropped.
#[derive(Clone, Debug)]
pub struct Expansion {
    /// The regex with every reference wrapped in `(?P<cw__N>...)`.
    pub regex: String,
    /// Field name -> reference number `N`, in order of first assignment.
    pub fields: Vec<(String, usize)>,
    /// Byte offset of each reference's group opening in `regex`, indexed by `N`.
    group_offsets: Vec<usize>,
}

pub(crate) const GROUP_PREFIX: &str = "cw__";

/// One `%{NAME}` or `%{NAME:field}` found in a text.
struct Reference<'a> {
    start: usize,
    end: usize,
    name: &'a str,
    field: Option<&'a str>,
}

/// Leftmost non-overlapping matches of `%\{(\w+)(:(\w+))?\}`, as Go's `FindAllString` finds
/// them. Anything else (`%{N:f:int}`, `%{ N}`) is not a reference and stays literal.
fn references(text: &str) -> Vec<Reference<'_>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = memchr::memmem::find(&bytes[at..], b"%{") {
        let start = at + offset;
        match reference_at(text, start) {
            Some(reference) => {
                at = reference.end;
                found.push(reference);
            }
            None => at = start + 1,
        }
    }
    found
}

fn reference_at(text: &str, start: usize) -> Option<Reference<'_>> {
    let bytes = text.as_bytes();
    let word_end = |from: usize| {
        from + bytes[from..]
            .iter()
            .take_while(|b| is_word_byte(**b))
            .count()
    };
    let name_start = start + 2;
    let name_end = word_end(name_start);
    if name_end == name_start {
        return None;
    }
    let mut end = name_end;
    let mut field = None;
    if bytes.get(end) == Some(&b':') {
        let field_end = word_end(end + 1);
        if field_end > end + 1 && bytes.get(field_end) == Some(&b'}') {
            field = Some(&text[end + 1..field_end]);
            end = field_end;
        }
    }
    if bytes.get(end) != Some(&b'}') {
        return None;
    }
    Some(Reference {
        start,
        end: end + 1,
        name: &text[name_start..name_end],
        field,
    })
}

/// Expands `pattern` against `library`.
pub fn expand(pattern: &str, library: &PatternLibrary) -> Result<Expansion, GrokError> {
    let mut expansion = Expansion {
        regex: String::new(),
        fields: Vec::new(),
        group_offsets: Vec::new(),
    };
    let mut stack = Vec::new();
    expansion.fields = expand_level(pattern, library, &mut stack, &mut expansion)?;
    Ok(expansion)
}

/// Appends the expansion of `text` to `out.regex` and returns this level's field table.
fn expand_level(
    text: &str,
    library: &PatternLibrary,
    stack: &mut Vec<String>,
    out: &mut Expansion,
) -> Result<Vec<(String, usize)>, GrokError> {
    let refs = references(text);
    let direct: Vec<&str> = refs.iter().filter_map(|r| r.field).collect();
    let mut table: Vec<(String, usize)> = Vec::new();
    let mut literal_from = 0;
    for reference in &refs {
        out.regex.push_str(&text[literal_from..reference.start]);
        literal_from = reference.end;
        let definition = library
            .get(reference.name)
            .ok_or_else(|| GrokError::Undefined {
                name: reference.name.to_string(),
                referenced_from: stack.last().cloned(),
            })?;
        if let Some(position) = stack.iter().position(|name| name == reference.name) {
            let mut chain = stack[position..].to_vec();
            chain.push(reference.name.to_string());
            return Err(GrokError::Cycle { chain });
        }
        let group = out.group_offsets.len();
        out.group_offsets.push(out.regex.len());
        out.regex.push_str(&format!("(?P<{GROUP_PREFIX}{group}>"));
        stack.push(reference.name.to_string());
        let nested = expand_level(&definition.text, library, stack, out)?;
        stack.pop();
        out.regex.push(')');
        if let Some(field) = reference.field {
            assign(&mut table, field, group);
        }
        for (field, nested_group) in nested {
            if !direct.contains(&field.as_str()) {
                assign(&mut table, &field, nested_group);
            }
        }
    }
    out.regex.push_str(&text[literal_from..]);
    Ok(table)
}

fn assign(table: &mut Vec<(String, usize)>, field: &str, group: usize) {
    match table.iter_mut().find(|(name, _)| name == field) {
        Some(entry) => entry.1 = group,
        None => table.push((field.to_string(), group)),
    }
}

impl Expansion {
    /// The regex with only the groups of `fields` left capturing; the others become `(?:`.
    pub fn regex_for_fields(&self) -> String {
        let mut keep = vec![false; self.group_offsets.len()];
        for (_, group) in &self.fields {
            keep[*group] = true;
        }
        let mut regex = String::with_capacity(self.regex.len());
        let mut copied = 0;
        for (group, offset) in self.group_offsets.iter().enumerate() {
            if keep[group] {
                continue;
            }
            regex.push_str(&self.regex[copied..*offset]);
            regex.push_str("(?:");
            copied = offset + format!("(?P<{GROUP_PREFIX}{group}>").len();
        }
        regex.push_str(&self.regex[copied..]);
        regex
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, Option<String>)> {
        references(text)
            .iter()
            .map(|r| (r.name.to_string(), r.field.map(str::to_string)))
            .collect()
    }

    #[test]
    fn reference_syntax_is_grokkys() {
        assert_eq!(
            names("%{A}x%{B:b}"),
            vec![("A".into(), None), ("B".into(), Some("b".into()))]
        );
        assert!(names("%{N:f:int}").is_empty());
        assert!(names("%{ A} %{} %{A:} %{A-B}").is_empty());
        assert_eq!(names("%%{A}"), vec![("A".into(), None)]);
        assert_eq!(names("%{%{A}}"), vec![("A".into(), None)]);
    }

    #[test]
    fn unused_groups_become_non_capturing() {
        let mut lib = PatternLibrary::new();
        lib.add("A", "a", crate::Origin::new("t", 0));
        let e = expand("%{A}-%{A:x}", &lib).unwrap();
        assert_eq!(e.regex, "(?P<cw__0>a)-(?P<cw__1>a)");
        assert_eq!(e.regex_for_fields(), "(?:a)-(?P<cw__1>a)");
    }
}
