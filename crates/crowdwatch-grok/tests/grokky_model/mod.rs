//! A model of how grokky (CrowdSec 1.4.6) maps fields to groups, to check our field tables.
//!
//! grokky wraps each reference in a plain capturing group and computes a field's group index by
//! counting `(` in the literal text before each reference with a heuristic (it subtracts `(?:`,
//! `(?i)`-like flag groups and `\(`). We rebuild those indices and compare them with the true
//! index of the group our expansion picked, in our all-groups-named regex (a named group takes
//! the same index as grokky's plain one).
use std::collections::{HashMap, HashSet};

use crowdwatch_grok::expand::expand;
use crowdwatch_grok::{goregex, PatternLibrary};
use regex::Regex;

pub struct Model<'a> {
    lib: &'a PatternLibrary,
    reference: Regex,
    non_capturing_open: Regex,
    flag_group: Regex,
    /// name -> (field -> relative group index, number of groups)
    memo: HashMap<String, (HashMap<String, usize>, usize)>,
}

impl<'a> Model<'a> {
    pub fn new(lib: &'a PatternLibrary) -> Self {
        Model {
            lib,
            reference: Regex::new(r"%\{(\w+)(?::(\w+))?\}").unwrap(),
            non_capturing_open: Regex::new(r"\(\?[imsU\-]*:").unwrap(),
            // grokky's expression, including its optional leading `(`: it also matches `s)`.
            flag_group: Regex::new(r"\(?[imsU\-]+\)").unwrap(),
            memo: HashMap::new(),
        }
    }

    fn cap_count(&self, text: &str) -> isize {
        text.matches('(').count() as isize
            - self.non_capturing_open.find_iter(text).count() as isize
            - self.flag_group.find_iter(text).count() as isize
            - text.matches(r"\(").count() as isize
    }

    /// grokky's field table for `text`: field -> group index (1-based, may be wrong where the
    /// heuristic miscounts, which is the point).
    fn table(&mut self, text: &str) -> HashMap<String, usize> {
        let refs: Vec<(usize, usize, String, Option<String>)> = self
            .reference
            .captures_iter(text)
            .map(|c| {
                let m = c.get(0).unwrap();
                (
                    m.start(),
                    m.end(),
                    c[1].to_string(),
                    c.get(2).map(|f| f.as_str().to_string()),
                )
            })
            .collect();
        let direct: HashSet<String> = refs
            .iter()
            .map(|r| r.3.clone().unwrap_or_default())
            .collect();
        let mut table = HashMap::new();
        let mut order: isize = 1;
        let mut literal_from = 0;
        for (start, end, name, field) in refs {
            order += self.cap_count(&text[literal_from..start]);
            literal_from = end;
            let (nested, groups) = self.definition(&name);
            if let Some(field) = field {
                table.insert(field, order as usize);
            }
            for (k, v) in nested {
                if !direct.contains(&k) {
                    table.insert(k, (order + v as isize) as usize);
                }
            }
            order += groups as isize + 1;
        }
        table
    }

    fn definition(&mut self, name: &str) -> (HashMap<String, usize>, usize) {
        if let Some(hit) = self.memo.get(name) {
            return hit.clone();
        }
        let text = self.lib.get(name).unwrap().text.clone();
        let table = self.table(&text);
        // NumSubexp of the compiled definition: every group of its full expansion.
        let expanded = expand(&text, self.lib).unwrap();
        let groups = goregex::compile(&expanded.regex).unwrap().captures_len() - 1;
        self.memo.insert(name.to_string(), (table.clone(), groups));
        (table, groups)
    }

    /// None when grokky and we read the same group for every field; else a description.
    pub fn compare(&mut self, pattern: &str) -> Option<String> {
        let grokky = self.table(pattern);
        let expansion = expand(pattern, self.lib).unwrap();
        let regex = goregex::compile(&expansion.regex).unwrap();
        let ours: HashMap<String, usize> = expansion
            .fields
            .iter()
            .map(|(field, n)| {
                let name = format!("cw__{n}");
                (
                    field.clone(),
                    regex
                        .capture_names()
                        .position(|g| g == Some(name.as_str()))
                        .unwrap(),
                )
            })
            .collect();
        if ours == grokky {
            return None;
        }
        let mut fields: Vec<_> = ours
            .keys()
            .chain(grokky.keys())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        fields.sort();
        let diffs: Vec<String> = fields
            .into_iter()
            .filter(|f| ours.get(*f) != grokky.get(*f))
            .map(|f| format!("{f}: ours {:?} grokky {:?}", ours.get(f), grokky.get(f)))
            .collect();
        Some(format!("{pattern}: {}", diffs.join(", ")))
    }
}
