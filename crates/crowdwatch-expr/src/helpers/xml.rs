//! XMLGetNodeValue and XMLGetAttributeValue (CrowdSec 1.5+, pkg/exprhelpers/xml.go): read a Windows
//! event (or any XML text), find the first element an etree path selects, and return its text or
//! one of its attributes. Every failure, an invalid path, unreadable XML, no such element or no
//! such attribute, gives "" (CrowdSec only logs it).
mod path;
mod tree;

use std::cell::RefCell;

use path::Path;
use tree::Tree;

/// The text of the first element `path` selects in `xml` (etree's Element.Text()).
pub(crate) fn node_value(xml: &str, path: &str) -> String {
    find(xml, path, |tree, id| tree.text(id).to_owned()).unwrap_or_default()
}

/// The value of attribute `name` (`key` or `prefix:key`, etree's SelectAttr) on the first element
/// `path` selects in `xml`.
pub(crate) fn attribute_value(xml: &str, path: &str, name: &str) -> String {
    let (space, key) = name.split_once(':').unwrap_or(("", name));
    find(xml, path, |tree, id| {
        let attrs = &tree.element(id).attrs;
        let attr = attrs
            .iter()
            .find(|a| (space.is_empty() || a.space == space) && a.key == key)?;
        Some(attr.value.clone())
    })
    .flatten()
    .unwrap_or_default()
}

fn find<R>(xml: &str, path: &str, read: impl FnOnce(&Tree, tree::ElementId) -> R) -> Option<R> {
    let path = Path::compile(path)?;
    with_tree(xml, |tree| path.find_first(tree).map(|id| read(tree, id)))?
}

/// The last text read on this thread and its tree (None when it did not parse). A parser node
/// calls these helpers on the same line once per field (the Windows parsers up to ~20 times);
/// CrowdSec keeps a small cache of documents for the same reason.
struct LastDocument {
    text: String,
    tree: Option<Tree>,
}

thread_local! {
    static LAST_DOCUMENT: RefCell<Option<LastDocument>> = const { RefCell::new(None) };
}

/// `use_tree` on the tree of `xml`, parsed once for consecutive calls on the same text.
fn with_tree<R>(xml: &str, use_tree: impl FnOnce(&Tree) -> R) -> Option<R> {
    LAST_DOCUMENT.with(|cell| {
        // `use_tree` never calls back into this module, so the borrow cannot be taken twice.
        let mut last = cell.borrow_mut();
        if last.as_ref().is_none_or(|l| l.text != xml) {
            *last = Some(LastDocument {
                text: xml.to_owned(),
                tree: Tree::parse(xml),
            });
        }
        last.as_ref()?.tree.as_ref().map(use_tree)
    })
}

#[cfg(test)]
mod tests;
