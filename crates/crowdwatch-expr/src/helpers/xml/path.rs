//! beevik/etree's paths (v1.7, the version CrowdSec 1.7 builds with): how CompilePath reads them
//! and which element FindElementPath returns first.
//!
//! A path is `/`-separated segments, each a selector and `[filter]`s:
//! - selectors: `.` self, `..` parent, `*` child elements, `` (between two slashes) the element
//!   and all its descendants, `tag` or `prefix:tag` child elements by name; a leading `/` starts
//!   from the document, a trailing `//` means `//*`;
//! - filters: `[n]` (from 1; 0 is the first, negative counts from the end), `[@attr]`,
//!   `[@attr='v']`, `[tag]`, `[tag='v']`, `[text()]`, `[text()='v']`, and `local-name()`, `name()`,
//!   `namespace-prefix()`, `namespace-uri()` in the place of `text()`; either quote.
//!
//! A prefix in a path matches only that prefix; no prefix matches any. The search is etree's:
//! breadth-first over (element, remaining segments) pairs, so with `//` the first match is not
//! always the first in document order.
use std::borrow::Cow;
use std::collections::VecDeque;

use super::tree::{Attr, ElementId, Tree, DOCUMENT};

pub(crate) struct Path {
    segments: Vec<Segment>,
}

struct Segment {
    selector: Selector,
    filters: Vec<Filter>,
}

enum Selector {
    Current,
    Root,
    Parent,
    Children,
    /// The element itself, then its descendants breadth first.
    SelfAndDescendants,
    ChildrenNamed(Name),
}

enum Filter {
    /// An index in the candidate list; negative from its end.
    Position(i64),
    HasAttr(Name),
    AttrEquals(Name, String),
    /// Keeps a candidate once per matching child, as etree does (it matters to a later `[n]`).
    HasChild(Name),
    ChildTextEquals(Name, String),
    FunctionNotEmpty(Function),
    FunctionEquals(Function, String),
}

#[derive(Clone, Copy)]
enum Function {
    LocalName,
    Name,
    NamespacePrefix,
    NamespaceUri,
    Text,
}

/// `prefix:local`; an empty prefix matches any.
struct Name {
    space: String,
    local: String,
}

impl Name {
    fn new(text: &str) -> Name {
        let (space, local) = text.split_once(':').unwrap_or(("", text));
        Name {
            space: space.to_owned(),
            local: local.to_owned(),
        }
    }

    fn matches(&self, space: &str, local: &str) -> bool {
        (self.space.is_empty() || self.space == space) && self.local == local
    }
}

/// etree's FindElementPath visits (element, segment) pairs; past this many the search stops, so
/// a path like `//*//*//*` on a large document cannot stall the engine. Event logs are far below.
const MAX_VISITS: usize = 100_000;

impl Path {
    /// The path, or None where etree's CompilePath returns an error.
    pub fn compile(path: &str) -> Option<Path> {
        let mut text = path.to_owned();
        if text.ends_with("//") {
            text.push('*');
        }
        let mut segments = Vec::new();
        let relative = match text.strip_prefix('/') {
            Some(rest) => {
                segments.push(Segment {
                    selector: Selector::Root,
                    filters: Vec::new(),
                });
                rest
            }
            None => text.as_str(),
        };
        for piece in split_outside_quotes(relative) {
            segments.push(segment(piece)?);
        }
        Some(Path { segments })
    }

    /// The first element etree's FindElementPath returns from the document.
    pub fn find_first(&self, tree: &Tree) -> Option<ElementId> {
        let mut queue = VecDeque::from([(DOCUMENT, 0)]);
        let mut candidates = Vec::new();
        let mut visits = 0;
        while let Some((element, index)) = queue.pop_front() {
            visits += 1;
            if visits > MAX_VISITS {
                return None;
            }
            let segment = &self.segments[index];
            candidates.clear();
            segment.selector.select(tree, element, &mut candidates);
            for filter in &segment.filters {
                filter.apply(tree, &mut candidates);
            }
            if index + 1 == self.segments.len() {
                if let Some(&first) = candidates.first() {
                    return Some(first);
                }
            } else {
                queue.extend(candidates.iter().map(|&c| (c, index + 1)));
            }
        }
        None
    }
}

/// The path split at each `/` that is not inside a quoted value.
fn split_outside_quotes(path: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut quote = None;
    for (i, b) in path.bytes().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if b == b'/' => {
                pieces.push(&path[start..i]);
                start = i + 1;
            }
            None => {}
        }
    }
    pieces.push(&path[start..]);
    pieces
}

/// One segment: a selector, then filters. Like etree, every `[` opens a filter, even in quotes.
fn segment(text: &str) -> Option<Segment> {
    let mut pieces = text.split('[');
    let selector = match pieces.next().unwrap_or("") {
        "." => Selector::Current,
        ".." => Selector::Parent,
        "*" => Selector::Children,
        "" => Selector::SelfAndDescendants,
        name => Selector::ChildrenNamed(Name::new(name)),
    };
    let filters = pieces
        .map(|piece| filter(piece.strip_suffix(']')?))
        .collect::<Option<Vec<_>>>()?;
    Some(Segment { selector, filters })
}

fn filter(text: &str) -> Option<Filter> {
    if text.is_empty() || text.starts_with('=') {
        return None;
    }
    if let Some((key, value)) = comparison(text)? {
        return Some(if let Some(attr) = key.strip_prefix('@') {
            if attr.is_empty() {
                return None;
            }
            Filter::AttrEquals(Name::new(attr), value.to_owned())
        } else if let Some(name) = key.strip_suffix("()") {
            Filter::FunctionEquals(function(name)?, value.to_owned())
        } else {
            Filter::ChildTextEquals(Name::new(key), value.to_owned())
        });
    }
    Some(if let Some(attr) = text.strip_prefix('@') {
        Filter::HasAttr(Name::new(attr))
    } else if let Some(name) = text.strip_suffix("()") {
        Filter::FunctionNotEmpty(function(name)?)
    } else if is_integer(text) {
        Filter::Position(position(text))
    } else {
        Filter::HasChild(Name::new(text))
    })
}

/// `key='value'` or `key="value"` split at the first `=`: Some(None) when the text is no
/// comparison (no `=`, or no quote right after it), None when the quotes do not close at its end.
fn comparison(text: &str) -> Option<Option<(&str, &str)>> {
    let Some(eq) = text.find('=') else {
        return Some(None);
    };
    let quote = match text.as_bytes().get(eq + 1) {
        Some(&q @ (b'\'' | b'"')) => q as char,
        _ => return Some(None),
    };
    let value_start = eq + 2;
    let close = text[value_start..].find(quote)? + value_start;
    if close != text.len() - 1 {
        return None;
    }
    Some(Some((&text[..eq], &text[value_start..close])))
}

fn function(name: &str) -> Option<Function> {
    Some(match name {
        "local-name" => Function::LocalName,
        "name" => Function::Name,
        "namespace-prefix" => Function::NamespacePrefix,
        "namespace-uri" => Function::NamespaceUri,
        "text" => Function::Text,
        _ => return None,
    })
}

/// etree's isInteger: digits, with an optional leading `-` (so `-` alone counts).
fn is_integer(text: &str) -> bool {
    text.bytes()
        .enumerate()
        .all(|(i, b)| b.is_ascii_digit() || (i == 0 && b == b'-'))
}

/// `[n]` as an index: n-1 for a positive n, n itself otherwise (`[0]` is the first, `[-1]` the
/// last). Go's Atoi gives 0 for `-` and saturates on overflow.
fn position(text: &str) -> i64 {
    let n = match text.parse::<i64>() {
        Ok(n) => n,
        Err(_) if text == "-" => 0,
        Err(_) if text.starts_with('-') => i64::MIN,
        Err(_) => i64::MAX,
    };
    if n > 0 {
        n - 1
    } else {
        n
    }
}

impl Selector {
    fn select(&self, tree: &Tree, element: ElementId, out: &mut Vec<ElementId>) {
        match self {
            Selector::Current => out.push(element),
            Selector::Root => {
                let mut root = element;
                while let Some(parent) = tree.element(root).parent {
                    root = parent;
                }
                out.push(root);
            }
            Selector::Parent => out.extend(tree.element(element).parent),
            Selector::Children => out.extend(tree.child_elements(element)),
            Selector::SelfAndDescendants => {
                out.push(element);
                let mut next = out.len() - 1;
                while next < out.len() {
                    let e = out[next];
                    out.extend(tree.child_elements(e));
                    next += 1;
                }
            }
            Selector::ChildrenNamed(name) => {
                out.extend(tree.child_elements(element).filter(|&c| {
                    let c = tree.element(c);
                    name.matches(&c.space, &c.tag)
                }))
            }
        }
    }
}

impl Filter {
    fn apply(&self, tree: &Tree, candidates: &mut Vec<ElementId>) {
        match self {
            Filter::Position(index) => {
                let len = candidates.len() as i64;
                let at = if *index >= 0 { *index } else { len + index };
                let kept = (0..len).contains(&at).then(|| candidates[at as usize]);
                candidates.clear();
                candidates.extend(kept);
            }
            Filter::HasAttr(name) => candidates.retain(|&c| {
                let attrs = &tree.element(c).attrs;
                attrs.iter().any(|a| name.matches(&a.space, &a.key))
            }),
            Filter::AttrEquals(name, value) => candidates.retain(|&c| {
                let attrs = &tree.element(c).attrs;
                attrs
                    .iter()
                    .any(|a| name.matches(&a.space, &a.key) && a.value == *value)
            }),
            Filter::HasChild(name) => {
                let matching = |child: ElementId| {
                    let child = tree.element(child);
                    name.matches(&child.space, &child.tag)
                };
                per_matching_child(tree, candidates, matching);
            }
            Filter::ChildTextEquals(name, text) => {
                let matching = |child: ElementId| {
                    let e = tree.element(child);
                    name.matches(&e.space, &e.tag) && tree.text(child) == text
                };
                per_matching_child(tree, candidates, matching);
            }
            Filter::FunctionNotEmpty(f) => candidates.retain(|&c| !f.apply(tree, c).is_empty()),
            Filter::FunctionEquals(f, value) => candidates.retain(|&c| f.apply(tree, c) == *value),
        }
    }
}

/// Each candidate, once for every child element that `matching` accepts.
fn per_matching_child(
    tree: &Tree,
    candidates: &mut Vec<ElementId>,
    matching: impl Fn(ElementId) -> bool,
) {
    let kept: Vec<ElementId> = candidates
        .iter()
        .flat_map(|&c| {
            let times = tree
                .child_elements(c)
                .filter(|&child| matching(child))
                .count();
            std::iter::repeat_n(c, times)
        })
        .collect();
    *candidates = kept;
}

impl Function {
    fn apply(self, tree: &Tree, id: ElementId) -> Cow<'_, str> {
        let e = tree.element(id);
        match self {
            Function::LocalName => Cow::Borrowed(&e.tag),
            Function::Name if e.space.is_empty() => Cow::Borrowed(&e.tag),
            Function::Name => Cow::Owned(format!("{}:{}", e.space, e.tag)),
            Function::NamespacePrefix => Cow::Borrowed(&e.space),
            Function::NamespaceUri => Cow::Borrowed(namespace_uri(tree, id)),
            Function::Text => Cow::Borrowed(tree.text(id)),
        }
    }
}

/// The URI an element's prefix (or the default namespace) is declared with on it or an ancestor;
/// "" when undeclared.
fn namespace_uri(tree: &Tree, id: ElementId) -> &str {
    let prefix = &tree.element(id).space;
    let declares = |a: &&Attr| {
        if prefix.is_empty() {
            a.space.is_empty() && a.key == "xmlns"
        } else {
            a.space == "xmlns" && a.key == *prefix
        }
    };
    let mut at = Some(id);
    while let Some(e) = at {
        let element = tree.element(e);
        if let Some(a) = element.attrs.iter().find(declares) {
            return &a.value;
        }
        at = element.parent;
    }
    ""
}
