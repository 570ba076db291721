//! Which filters yield a requirement, and why each shape is sound.
//!
//! `requirement(node)` returns needles such that, when none is found, `truth(node)` is
//! `Ok(false)`:
//! * a leaf `S op 'lit'` (`contains`, `startsWith`, `endsWith`, `==` with a case-mapped value)
//!   or `S matches 're'` (a literal every match of `re` contains), where S is a plain value
//!   (`evt.Meta.k`, a field) or `Upper`/`Lower` of one. A string value S that lacks `lit`
//!   makes the test false, without error; under Upper/Lower, an ASCII value maps to itself up
//!   to ASCII case, so lacking `lit` ignoring case is enough, and other values count as found.
//!   `PathUnescape`/`QueryUnescape` on the way may turn `%2e` into the literal, but they leave
//!   a value without `%` (and, for QueryUnescape, without `+`) as it is: such a leaf adds the
//!   needles `%` (and `+`), so only values that escape nothing are ruled out by the literal.
//!   (Case mapping never makes a `%` or `+`.) Anything else between the value and the test
//!   (`+`, `trim`…) gives nothing: the literal could come out of the transformation;
//! * `any(<constant strings>, {S startsWith/endsWith/contains #})` (the fused `AnyAffix`,
//!   `AnyContains`, `AnyContainsUpper`): each string;
//! * `any(<constant strings>, {S matches #})` and `RegexpInFile(S, file)` (a `RegexUnion`):
//!   each regex's required literals, when every regex has some;
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
            for needle in needles(b)? {
                if !all.contains(&needle) {
                    all.push(needle);
                }
            }
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
            let derived = derive(value)?;
            if !(derived.case_mapped || derived.unescapes_percent) {
                return None;
            }
            needles_on(&derived, [lit])
        }
        Node::Matches(value, _, literals) if !literals.0.is_empty() => {
            leaves(value, literals.0.iter().map(Vec::as_slice))
        }
        Node::AnyAffix(value, Affix::Prefix | Affix::Suffix, texts)
        | Node::AnyContains(value, _, texts)
            if !texts.is_empty() =>
        {
            leaves(value, texts.iter().map(String::as_bytes))
        }
        // The value is Upper(value): case-mapped.
        Node::AnyContainsUpper(value, _, _, texts) if !texts.is_empty() => {
            let derived = Derived {
                case_mapped: true,
                ..derive(value)?
            };
            needles_on(&derived, texts.iter().map(String::as_bytes))
        }
        Node::AnyMatches(value, union) | Node::RegexpInFile(value, union) => {
            let literals = union.required_literals()?;
            leaves(value, literals.iter().map(Vec::as_slice))
        }
        _ => None,
    }
}

/// A value read from the host and how it is transformed before the test.
struct Derived {
    source: ValueSource,
    /// Upper/Lower on the way.
    case_mapped: bool,
    /// PathUnescape or QueryUnescape on the way (they leave a value without `%` unchanged).
    unescapes_percent: bool,
    /// QueryUnescape on the way (it also turns `+` into a space).
    unescapes_plus: bool,
}

/// One needle per literal on the value `value` reads; None when `value` is not a plain value
/// (possibly case-mapped), or a literal is too short, or there are too many.
fn leaves<'l>(value: &Node, literals: impl IntoIterator<Item = &'l [u8]>) -> Option<Vec<Needle>> {
    needles_on(&derive(value)?, literals)
}

fn needles_on<'l>(
    value: &Derived,
    literals: impl IntoIterator<Item = &'l [u8]>,
) -> Option<Vec<Needle>> {
    let needle = |literal: &[u8], ascii_case_insensitive| Needle {
        source: value.source.clone(),
        literal: literal.to_vec(),
        ascii_case_insensitive,
    };
    let mut out = Vec::new();
    for lit in literals {
        if lit.len() < MIN_LITERAL_LEN || out.len() == MAX_NEEDLES {
            return None;
        }
        out.push(needle(lit, value.case_mapped));
    }
    if out.is_empty() {
        return None;
    }
    // A value that escapes something may unescape into any literal.
    if value.unescapes_percent {
        out.push(needle(b"%", false));
    }
    if value.unescapes_plus {
        out.push(needle(b"+", false));
    }
    Some(out)
}

/// The value `node` reads and what happens to it on the way: case mapping (`Upper(Lower(x))`
/// too: both keep an ASCII value equal to itself up to ASCII case) and unescaping.
fn derive(node: &Node) -> Option<Derived> {
    match node {
        Node::MapGet(id, key) => Some(Derived {
            source: ValueSource::MapEntry(*id, key.clone()),
            case_mapped: false,
            unescapes_percent: false,
            unescapes_plus: false,
        }),
        Node::Field(id) => Some(Derived {
            source: ValueSource::Field(*id),
            case_mapped: false,
            unescapes_percent: false,
            unescapes_plus: false,
        }),
        Node::Call(helper, args) => {
            let [inner] = args.as_slice() else {
                return None;
            };
            let inner = derive(inner)?;
            match helper {
                Helper::Upper | Helper::Lower => Some(Derived {
                    case_mapped: true,
                    ..inner
                }),
                Helper::PathUnescape => Some(Derived {
                    unescapes_percent: true,
                    ..inner
                }),
                Helper::QueryUnescape => Some(Derived {
                    unescapes_percent: true,
                    unescapes_plus: true,
                    ..inner
                }),
                _ => None,
            }
        }
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
        | Node::AnyContains(a, ..)
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
