//! The element tree beevik/etree reads from Go's encoding/xml tokens (strict mode, etree's default
//! settings), so that paths see what CrowdSec's XML helpers see:
//! - the document is itself an element without a name whose children are the top-level nodes; text
//!   around the root element and several root elements are accepted (Go's decoder does not require
//!   one root: the hub's Windows samples start with "- <Event ...>");
//! - a name keeps its prefix apart from its local name, unresolved (`space`, `tag`), and namespace
//!   declarations stay ordinary attributes (`xmlns`, `xmlns:p`);
//! - references and `\r\n` are decoded as Go does; what Go's strict decoder rejects (an unknown
//!   entity, `<` in an attribute value, `]]>` in text, `--` in a comment, a character outside XML's
//!   range, an unclosed element, more than 1024 nested elements) makes the whole text unreadable.
//!
//! Tokens come from quick-xml, whose reader emits raw pieces (names, attribute text, references)
//! and leaves these decisions to us; roxmltree would reject text outside the root element.
use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

pub(crate) type ElementId = usize;

/// The document's own element: the root of every path.
pub(crate) const DOCUMENT: ElementId = 0;

/// etree v1.7's ReadSettings.MaxDepth default.
const MAX_DEPTH: usize = 1024;

pub(crate) struct Element {
    pub space: String,
    pub tag: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Child>,
    pub parent: Option<ElementId>,
}

pub(crate) struct Attr {
    pub space: String,
    pub key: String,
    pub value: String,
}

pub(crate) enum Child {
    Element(ElementId),
    /// Character data, CDATA included; adjacent pieces are merged.
    Text(String),
    /// A processing instruction or directive: it ends an element's leading text. Comments are
    /// dropped instead, as etree's Text() reads across them.
    Other,
}

pub(crate) struct Tree {
    elements: Vec<Element>,
}

impl Tree {
    /// The tree of `xml`, or None where etree's ReadFromString returns an error.
    pub fn parse(xml: &str) -> Option<Tree> {
        let mut tree = Tree {
            elements: vec![Element {
                space: String::new(),
                tag: String::new(),
                attrs: Vec::new(),
                children: Vec::new(),
                parent: None,
            }],
        };
        let mut reader = Reader::from_str(xml);
        let config = reader.config_mut();
        config.check_comments = true;
        config.check_end_names = true;
        let mut open = vec![DOCUMENT];
        loop {
            let current = *open.last()?;
            match reader.read_event().ok()? {
                Event::Start(start) => {
                    let id = tree.add_element(&start, current, open.len())?;
                    open.push(id);
                }
                Event::Empty(start) => {
                    tree.add_element(&start, current, open.len())?;
                }
                Event::End(_) => {
                    // quick-xml has checked that the name matches the start tag.
                    open.pop();
                    if open.is_empty() {
                        return None;
                    }
                }
                Event::Text(text) => {
                    if text.contains("]]>") {
                        return None;
                    }
                    tree.add_text(current, &checked(text.xml10_content())?);
                }
                Event::CData(data) => tree.add_text(current, &checked(data.xml10_content())?),
                Event::GeneralRef(reference) => {
                    let c = resolve_reference(&reference).filter(|c| is_xml_char(*c))?;
                    tree.add_text(current, c.encode_utf8(&mut [0; 4]));
                }
                Event::Comment(_) => {}
                Event::Decl(decl) => {
                    // Go refuses any version but 1.0; a missing one is fine.
                    if decl.version().is_ok_and(|v| v != "1.0") {
                        return None;
                    }
                    tree.elements[current].children.push(Child::Other);
                }
                Event::PI(_) | Event::DocType(_) => {
                    tree.elements[current].children.push(Child::Other)
                }
                Event::Eof => return (open.len() == 1).then_some(tree),
            }
        }
    }

    pub fn element(&self, id: ElementId) -> &Element {
        &self.elements[id]
    }

    /// etree's Element.Text(): the character data before the first child element, processing
    /// instruction or directive. Comments are dropped and adjacent pieces merged when read, so
    /// that is the first child when it is text.
    pub fn text(&self, id: ElementId) -> &str {
        match self.elements[id].children.first() {
            Some(Child::Text(t)) => t,
            _ => "",
        }
    }

    /// Element children of `id`, in document order.
    pub fn child_elements(&self, id: ElementId) -> impl Iterator<Item = ElementId> + '_ {
        self.elements[id].children.iter().filter_map(|c| match c {
            Child::Element(e) => Some(*e),
            _ => None,
        })
    }

    fn add_element(
        &mut self,
        start: &BytesStart<'_>,
        parent: ElementId,
        depth: usize,
    ) -> Option<ElementId> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (space, tag) = split_name(start.name().0)?;
        let mut attrs: Vec<Attr> = Vec::new();
        // Go's decoder allows a repeated attribute; etree keeps the first place and the last value.
        for attr in start.attributes().with_checks(false) {
            let attr = attr.ok()?;
            let (space, key) = split_name(attr.key.0)?;
            let value = attribute_value(&attr.value)?;
            match attrs.iter_mut().find(|a| a.space == space && a.key == key) {
                Some(same) => same.value = value,
                None => attrs.push(Attr {
                    space: space.to_owned(),
                    key: key.to_owned(),
                    value,
                }),
            }
        }
        let id = self.elements.len();
        self.elements.push(Element {
            space: space.to_owned(),
            tag: tag.to_owned(),
            attrs,
            children: Vec::new(),
            parent: Some(parent),
        });
        self.elements[parent].children.push(Child::Element(id));
        Some(id)
    }

    fn add_text(&mut self, parent: ElementId, text: &str) {
        let children = &mut self.elements[parent].children;
        match children.last_mut() {
            Some(Child::Text(t)) => t.push_str(text),
            _ => children.push(Child::Text(text.to_owned())),
        }
    }
}

/// A raw name split as Go's decoder does: at its one colon when both sides are non-empty, else
/// whole as a local name; None for what Go rejects (more than one colon, not an XML name).
fn split_name(name: &str) -> Option<(&str, &str)> {
    if !is_xml_name(name) {
        return None;
    }
    match name.split_once(':') {
        Some((_, local)) if local.contains(':') => None,
        Some((space, local)) if !space.is_empty() && !local.is_empty() => Some((space, local)),
        _ => Some(("", name)),
    }
}

/// XML's Name production, with every non-ASCII character allowed (Go checks Unicode classes there;
/// such names do not occur in event logs).
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let start = |c: char| c.is_ascii_alphabetic() || c == '_' || c == ':' || !c.is_ascii();
    start(first) && chars.all(|c| start(c) || c.is_ascii_digit() || c == '-' || c == '.')
}

/// An attribute's raw text decoded as Go's strict decoder does: references resolved, `\r\n` and
/// `\r` read as `\n`, no other white-space normalisation; None on `<` or a bad reference.
fn attribute_value(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(['&', '<', '\r']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        match tail.as_bytes()[0] {
            b'&' => {
                let end = tail.find(';')?;
                out.push(resolve_reference(&tail[1..end])?);
                rest = &tail[end + 1..];
            }
            b'\r' => {
                out.push('\n');
                rest = tail[1..].strip_prefix('\n').unwrap_or(&tail[1..]);
            }
            _ => return None,
        }
    }
    out.push_str(rest);
    out.chars().all(is_xml_char).then_some(out)
}

/// The text of `&name;` (without `&` and `;`): the five predefined entities, and decimal or `x`
/// hexadecimal character references up to U+10FFFF (a surrogate reads as U+FFFD, like Go's
/// string(rune)). Anything else is an error in Go's strict mode.
fn resolve_reference(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let (digits, radix) = match number.strip_prefix('x') {
            Some(hex) => (hex, 16),
            None => (number, 10),
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        let code = u32::from_str_radix(digits, radix).ok()?;
        if code > 0x10FFFF {
            return None;
        }
        return Some(char::from_u32(code).unwrap_or('\u{FFFD}'));
    }
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

/// The decoded text, or None when it holds a character outside XML's Char range (Go checks the
/// decoded text, so `&#1;` is refused too).
fn checked(text: Cow<'_, str>) -> Option<Cow<'_, str>> {
    text.chars().all(is_xml_char).then_some(text)
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}
