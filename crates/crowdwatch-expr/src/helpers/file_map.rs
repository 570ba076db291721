//! CrowdSec 1.7's `type: map` data files (JSON lines of `{pattern, tag, type}`, type `equals`,
//! `contains` or `regex`), read by `LookupFile(text, file)` (the tag of the first row that
//! matches: equals, then contains, then regexes) and `FileMap(file)` (the rows).
use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};
use crowdwatch_grok::LazyRegex;
use serde_json::Value as Json;

pub struct FileMap {
    /// Each row's fields, as `FileMap()` returns them.
    pub rows: Vec<Vec<(String, String)>>,
    tags: Vec<String>,
    equals: HashMap<String, usize>,
    /// `contains` patterns, leftmost-first, with their row.
    contains: Option<(AhoCorasick, Vec<usize>)>,
    regexes: Vec<(LazyRegex, usize)>,
}

impl FileMap {
    /// Parse a map file; each problem (bad JSON, a missing field, an unknown type, a regex that
    /// does not compile) is returned with its 1-based line, and the row is skipped.
    pub fn parse(text: &str) -> (FileMap, Vec<(usize, String)>) {
        let mut problems = Vec::new();
        let mut map = FileMap {
            rows: Vec::new(),
            tags: Vec::new(),
            equals: HashMap::new(),
            contains: None,
            regexes: Vec::new(),
        };
        let mut contains = (Vec::new(), Vec::new());
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let record: HashMap<String, Json> = match serde_json::from_str(line) {
                Ok(r) => r,
                Err(e) => {
                    problems.push((i + 1, format!("not a JSON object: {e}")));
                    continue;
                }
            };
            let field = |k: &str| {
                record
                    .get(k)
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            let (pattern, tag, kind) = (field("pattern"), field("tag"), field("type"));
            if pattern.is_empty() || tag.is_empty() || kind.is_empty() {
                problems.push((i + 1, "a row needs pattern, tag and type".into()));
                continue;
            }
            let row = map.rows.len();
            match kind.as_str() {
                "equals" => {
                    map.equals.insert(pattern.clone(), row);
                }
                "contains" => {
                    contains.0.push(pattern.clone());
                    contains.1.push(row);
                }
                "regex" => match LazyRegex::new(&pattern) {
                    Ok((re, _)) => map.regexes.push((re, row)),
                    Err(e) => problems.push((i + 1, format!("regex skipped: {e}"))),
                },
                other => {
                    problems.push((
                        i + 1,
                        format!("unknown type '{other}' (equals, contains, regex)"),
                    ));
                    continue;
                }
            }
            let mut fields: Vec<(String, String)> = record
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                .collect();
            fields.sort();
            map.rows.push(fields);
            map.tags.push(tag);
        }
        if !contains.0.is_empty() {
            map.contains = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(&contains.0)
                .ok()
                .map(|ac| (ac, contains.1));
        }
        (map, problems)
    }

    /// `LookupFile`: the tag of the row that matches `text`, "" when none does.
    pub fn lookup(&self, text: &str) -> &str {
        if let Some(&row) = self.equals.get(text) {
            return &self.tags[row];
        }
        if let Some((ac, rows)) = &self.contains {
            if let Some(m) = ac.find(text) {
                return &self.tags[rows[m.pattern().as_usize()]];
            }
        }
        for (re, row) in &self.regexes {
            if re.get().is_some_and(|re| re.is_match(text.as_bytes())) {
                return &self.tags[*row];
            }
        }
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_then_contains_then_regex() {
        let text = r#"{"pattern": "/wp-login.php", "tag": "wordpress", "type": "equals"}
{"pattern": "/.git/", "tag": "git", "type": "contains"}
{"pattern": "/phpmyadmin", "tag": "phpmyadmin", "type": "contains"}
{"pattern": "^/admin[0-9]+$", "tag": "admin", "type": "regex"}
{"pattern": "x", "tag": "", "type": "equals"}
{"pattern": "y", "tag": "t", "type": "glob"}
not json"#;
        let (map, problems) = FileMap::parse(text);
        assert_eq!(problems.iter().map(|p| p.0).collect::<Vec<_>>(), [5, 6, 7]);
        assert_eq!(map.lookup("/wp-login.php"), "wordpress");
        assert_eq!(map.lookup("/a/.git/config"), "git");
        assert_eq!(map.lookup("/admin42"), "admin");
        assert_eq!(map.lookup("/index.html"), "");
        assert_eq!(map.rows.len(), 4);
    }
}
