//! Which filters yield a requirement, and why each shape is sound.
//!
//! `requirement(node)` returns needles such that, when none is found, `truth(node)` is
//! `Ok(false)`:
//! * a leaf `S op 'lit'` (`contains`, `startsWith`, `endsWith`, `==` with a case-mapped value)
//!   or `S matches 're'` (a literal every match of `re` contains), where S is a plain value
//!   (`evt.Meta.k`, a field) or `Upper`/`Lower` of one. A string value S that lacks `lit`
//!   makes the test false, without error; under Upper/Lower, an ASCII value maps to itself up
//!   to ASCII case, so lacking `lit` ignoring case is enough, and other values count as found.
//!   Anything else between the value and the test (`PathUnescape`, `+`…) gives nothing: the
//!   literal could come out of the transformation;
//! * `any(<constant strings>, {S startsWith/endsWith #})` (the fused `AnyAffix`): each string;
//! * `A and B`: A's requirement (false A stops the evaluation), or B's when A can never fail
//!   (else a skipped filter might hide A's error), whichever is more selective;
//! * `A or B`: both sides' needles together; one side without a requirement gives none.
//!
//! Equality with a plain map entry (`evt.Meta.log_type == '…'`, `in [...]`) gives nothing on
//! purpose: those are the equality guards hosts index by value already, and as needles they
//! would outrank the rarer literals that follow them.
use crate::helpers::Helper;
use crate::node::{Affix, BinOp, Node};
use crate::value::Val;

use super::{Needle, Requirement, ValueSource, MAX_NEEDLES, MIN_LITERAL_LEN};

pub(crate) fn requirement(root: &Node) -> Option<Requirement> {
    needles(root).map(|needles| Requirement { needles })
}

fn needles(node: &Node) -> Option<Vec<Needle>> {
    match node {
        Node::And(a, b) => {
            let left = needles(a);
            let right = if never_fails(a) { needles(b) } else { None };
            most_selective(left, right)
        }
        Node::Or(a, b) => {
            let mut all = needles(a)?;
            all.extend(needles(b)?);
            all.dedup();
            (all.len() <= MAX_NEEDLES).then_some(all)
        }
        Node::Bin(BinOp::Contains | BinOp::StartsWith | BinOp::EndsWith, value, lit) => {
            leaves(value, [const_text(lit)?])
        }
        // Equality of a plain entry is a guard (see above); of a case-mapped value, a literal.
        Node::Bin(BinOp::Eq, a, b) => {
            let (value, lit) = match (const_text(a), const_text(b)) {
                (None, Some(lit)) => (&**a, lit),
                (Some(lit), None) => (&**b, lit),
                _ => return None,
            };
            let (_, case_mapped) = source_of(value)?;
            if !case_mapped {
                return None;
            }
            leaves(value, [lit])
        }
        Node::Matches(value, _, literals) if !literals.0.is_empty() => {
            leaves(value, literals.0.iter().map(Vec::as_slice))
        }
        Node::AnyAffix(value, Affix::Prefix | Affix::Suffix, texts) if !texts.is_empty() => {
            leaves(value, texts.iter().map(String::as_bytes))
        }
        _ => None,
    }
}

/// One needle per literal on the value `value` reads; None when `value` is not a plain value
/// (possibly case-mapped), or a literal is too short, or there are too many.
fn leaves<'l>(value: &Node, literals: impl IntoIterator<Item = &'l [u8]>) -> Option<Vec<Needle>> {
    let (source, ascii_case_insensitive) = source_of(value)?;
    let mut out = Vec::new();
    for lit in literals {
        if lit.len() < MIN_LITERAL_LEN || out.len() == MAX_NEEDLES {
            return None;
        }
        out.push(Needle {
            source: source.clone(),
            literal: lit.to_vec(),
            ascii_case_insensitive,
        });
    }
    (!out.is_empty()).then_some(out)
}

/// The value `node` reads and whether it is case-mapped on the way (`Upper(Lower(x))` too:
/// both keep an ASCII value equal to itself up to ASCII case).
fn source_of(node: &Node) -> Option<(ValueSource, bool)> {
    match node {
        Node::MapGet(id, key) => Some((ValueSource::MapEntry(*id, key.clone()), false)),
        Node::Field(id) => Some((ValueSource::Field(*id), false)),
        Node::Call(Helper::Upper | Helper::Lower, args) => match args.as_slice() {
            [inner] => source_of(inner).map(|(source, _)| (source, true)),
            _ => None,
        },
        _ => None,
    }
}

fn const_text(node: &Node) -> Option<&[u8]> {
    match node {
        Node::Const(Val::Str(s)) => Some(s.as_bytes()),
        _ => None,
    }
}

/// The more selective of two requirements: the longer shortest literal, then fewer needles
/// (as the grok prefilter ranks regex literals).
fn most_selective(a: Option<Vec<Needle>>, b: Option<Vec<Needle>>) -> Option<Vec<Needle>> {
    let rank = |n: &Vec<Needle>| {
        let shortest = n.iter().map(|x| x.literal.len()).min().unwrap_or(0);
        (shortest, std::cmp::Reverse(n.len()))
    };
    match (a, b) {
        (Some(a), Some(b)) => Some(if rank(&b) > rank(&a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// Whether `truth(node)` surely gives a bool without error, whatever the host holds.
fn never_fails(node: &Node) -> bool {
    match node {
        Node::Const(Val::Bool(_)) | Node::MapEq(..) | Node::MapIn(..) => true,
        Node::MapHas(_, key) => always_string(key),
        Node::Not(a) => never_fails(a),
        Node::And(a, b) | Node::Or(a, b) => never_fails(a) && never_fails(b),
        Node::Bin(BinOp::Contains | BinOp::StartsWith | BinOp::EndsWith, a, b) => {
            always_string(a) && always_string(b)
        }
        // Equality compares any two values.
        Node::Bin(BinOp::Eq | BinOp::Ne, a, b) => no_error(a) && no_error(b),
        Node::InSet(a, _) => no_error(a),
        Node::Matches(a, ..)
        | Node::RegexpInFile(a, _)
        | Node::AnyContains(a, _)
        | Node::AnyContainsUpper(a, ..)
        | Node::AnyMatches(a, _)
        | Node::AnyAffix(a, ..) => always_string(a),
        _ => false,
    }
}

/// Whether `node` surely evaluates to a string without error.
fn always_string(node: &Node) -> bool {
    match node {
        Node::Const(Val::Str(_)) | Node::MapGet(..) => true,
        Node::Call(
            Helper::Upper | Helper::Lower | Helper::PathUnescape | Helper::QueryUnescape,
            args,
        ) => args.iter().all(always_string),
        _ => false,
    }
}

/// Whether `node` surely evaluates without error (to a value of any type).
fn no_error(node: &Node) -> bool {
    matches!(node, Node::Const(_) | Node::Field(_)) || always_string(node)
}
