//! The compiled form: a tree of typed nodes. Host paths are already resolved to field ids, regexes
//! and data files are already loaded, constant sub-expressions are already folded.
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use aho_corasick::AhoCorasick;
use crowdwatch_grok::{LazyRegex, RegexUnion};
use regex::bytes::Regex;

use crate::helpers::Helper;
use crate::value::Val;
use crate::FieldId;

/// Static types, as far as the compiler knows them (`Any` = only known at run time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Any,
    Nil,
    Bool,
    Int,
    Float,
    Str,
    List,
    Map,
    /// A host `map[string]string` used whole (only `in`, `len` and member/index make sense).
    StrMap,
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::Any => "interface {}",
            Ty::Nil => "nil",
            Ty::Bool => "bool",
            Ty::Int => "int",
            Ty::Float => "float64",
            Ty::Str => "string",
            Ty::List => "array",
            Ty::Map | Ty::StrMap => "map",
        }
    }
    pub fn is_number(self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }
    /// True when a value of this static type may be of type `want` at run time.
    pub fn may_be(self, want: Ty) -> bool {
        self == Ty::Any || self == want || (want == Ty::Float && self == Ty::Int)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    In,
    Contains,
    StartsWith,
    EndsWith,
}

/// Calls that write into the host (see `host::Write`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WriteKind {
    /// `UnmarshalJSON(text, <Json field>, key)`.
    UnmarshalJson,
    /// `ParseKV(text, <Json field>, key)`.
    ParseKv,
    /// `ParseKVLax(text, <Json field>, key)`.
    ParseKvLax,
    /// `evt.SetMeta(key, value)` and the like.
    SetEntry,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClosureKind {
    All,
    None,
    Any,
    One,
    Filter,
    Map,
    Count,
}

/// Patterns compiled at run time (`x matches Upper(#)`), kept so each distinct text compiles once.
/// Bounded: cleared when full, which only costs recompilation.
#[derive(Default)]
pub(crate) struct RegexCache(pub Mutex<HashMap<String, Arc<Regex>>>);

pub(crate) const REGEX_CACHE_LIMIT: usize = 512;

pub(crate) enum Node {
    Const(Val<'static>),
    Item,
    /// A `let` variable, by slot (slots are numbered in order of declaration).
    Var(u32),
    /// `a; b; c`: each evaluated, the last one's value.
    Sequence(Vec<Node>),
    /// `let <slot> = value; body`.
    Let(u32, Box<Node>, Box<Node>),
    Field(FieldId),
    /// `evt.Meta.key`: "" when absent, as Go map reads.
    MapGet(FieldId, String),
    MapGetDyn(FieldId, Box<Node>),
    /// `evt.Meta.key == 'literal'`, the most common filter conjunct, fused into one node.
    MapEq(FieldId, String, String),
    /// `evt.Meta.key in ['a', 'b']` with a short constant list.
    MapIn(FieldId, String, Vec<String>),
    /// `key in evt.Meta`.
    MapHas(FieldId, Box<Node>),
    /// A whole StrMap field; it can only be read through the nodes above.
    StrMapRef(FieldId),
    Method(FieldId, Vec<Node>),
    /// `<value>.Method(args)` answered by the host (`Schema::has_value_method`).
    ValueMethod(String, Box<Node>, Vec<Node>),
    /// A write into the host field: two arguments, (text, key) for the helpers, (key, value)
    /// for a setter.
    Write(WriteKind, FieldId, Box<[Node; 2]>),
    Member(Box<Node>, String),
    Index(Box<Node>, Box<Node>),
    /// A member/index chain with `?.` in it: the steps in order; a nil met by an optional
    /// step makes the whole chain nil.
    Chain(Box<Node>, Vec<ChainStep>),
    Slice(Box<Node>, Option<Box<Node>>, Option<Box<Node>>),
    Not(Box<Node>),
    Neg(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    /// `a ?? b`: `a` unless it is nil, else `b` (evaluated only then).
    Coalesce(Box<Node>, Box<Node>),
    Bin(BinOp, Box<Node>, Box<Node>),
    /// `x matches <constant>`: checked at compile, built on first use.
    Matches(Box<Node>, LazyRegex, Box<RegexLiterals>),
    MatchesDyn(Box<Node>, Box<Node>, Box<RegexCache>),
    Cond(Box<Node>, Box<Node>, Box<Node>),
    Call(Helper, Vec<Node>),
    /// `LookupFile(x, file)` on a loaded map file.
    LookupFile(Box<Node>, std::sync::Arc<crate::FileMap>),
    /// `RegexpInFile(x, file)`: the file's regexes joined into one union.
    RegexpInFile(Box<Node>, Box<RegexUnion>),
    Closure(ClosureKind, Box<Node>, Box<Node>),
    ListLit(Vec<Node>),
    MapLit(Vec<(String, Node)>),
    /// `x in [...]` / `any(File(..), {x == #})` with constant strings.
    InSet(Box<Node>, HashSet<String>),
    /// `any(<constant strings>, {X contains f(#)})` with f(#) precomputed: one scan of X. The
    /// strings are kept for `literals`.
    AnyContains(Box<Node>, Box<AhoCorasick>, Vec<String>),
    /// The same for `{Upper(Y) contains Upper(#)}` with ASCII patterns: an ASCII Y is scanned
    /// case-insensitively without building Upper(Y); (Y, case-insensitive automaton, exact one,
    /// the strings).
    AnyContainsUpper(Box<Node>, Box<AhoCorasick>, Box<AhoCorasick>, Vec<String>),
    /// `any(<constant strings>, {X matches f(#)})` with every pattern precompiled, as one union.
    AnyMatches(Box<Node>, Box<RegexUnion>),
    /// `any(<constant strings>, {X startsWith/endsWith f(#)})`: X evaluated once, not per item.
    AnyAffix(Box<Node>, Affix, Vec<String>),
}

pub(crate) struct ChainStep {
    pub optional: bool,
    pub access: ChainAccess,
}

pub(crate) enum ChainAccess {
    Member(String),
    Index(Node),
}

/// Literals of which every match of a regex contains one (the grok prefilter's; empty: none
/// known), for `literals`. Boxed in `Node::Matches` to keep nodes small.
pub(crate) struct RegexLiterals(pub Vec<Vec<u8>>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Affix {
    Prefix,
    Suffix,
}

impl Node {
    pub fn as_const(&self) -> Option<&Val<'static>> {
        match self {
            Node::Const(v) => Some(v),
            _ => None,
        }
    }

    /// Whether `#` occurs in this node outside nested closures' bodies (those rebind it).
    pub fn uses_item(&self) -> bool {
        self.any_child(&|n| matches!(n, Node::Item), false)
    }

    /// Whether the node writes into the host anywhere (see `host::Write`).
    pub fn writes(&self) -> bool {
        self.any_child(&|n| matches!(n, Node::Write(..)), true)
    }

    /// Whether the node reads the host (fields, methods) anywhere, including closure bodies.
    pub fn uses_host(&self) -> bool {
        self.any_child(
            &|n| {
                matches!(
                    n,
                    Node::Field(_)
                        | Node::MapGet(..)
                        | Node::MapEq(..)
                        | Node::MapIn(..)
                        | Node::MapGetDyn(..)
                        | Node::MapHas(..)
                        | Node::StrMapRef(_)
                        | Node::Method(..)
                        | Node::Write(..)
                        | Node::ValueMethod(..)
                        // Bound at run time: not a constant either.
                        | Node::Var(_)
                )
            },
            true,
        )
    }

    fn any_child(&self, pred: &dyn Fn(&Node) -> bool, into_bodies: bool) -> bool {
        if pred(self) {
            return true;
        }
        let rec = |n: &Node| n.any_child(pred, into_bodies);
        match self {
            Node::Const(_)
            | Node::Item
            | Node::Var(_)
            | Node::Field(_)
            | Node::MapGet(..)
            | Node::MapEq(..)
            | Node::MapIn(..)
            | Node::StrMapRef(_) => false,
            Node::MapGetDyn(_, a)
            | Node::MapHas(_, a)
            | Node::Member(a, _)
            | Node::Not(a)
            | Node::Neg(a) => rec(a),
            Node::Matches(a, ..)
            | Node::LookupFile(a, _)
            | Node::RegexpInFile(a, _)
            | Node::InSet(a, _)
            | Node::AnyContains(a, ..)
            | Node::AnyContainsUpper(a, ..)
            | Node::AnyMatches(a, _)
            | Node::AnyAffix(a, ..) => rec(a),
            Node::Index(a, b)
            | Node::And(a, b)
            | Node::Or(a, b)
            | Node::Coalesce(a, b)
            | Node::Bin(_, a, b)
            | Node::MatchesDyn(a, b, _) => rec(a) || rec(b),
            Node::Cond(a, b, c) => rec(a) || rec(b) || rec(c),
            Node::Let(_, value, body) => rec(value) || rec(body),
            Node::Chain(base, steps) => {
                rec(base)
                    || steps.iter().any(|s| match &s.access {
                        ChainAccess::Index(i) => rec(i),
                        ChainAccess::Member(_) => false,
                    })
            }
            Node::Slice(a, b, c) => {
                rec(a) || b.as_deref().is_some_and(rec) || c.as_deref().is_some_and(rec)
            }
            Node::Method(_, args)
            | Node::Call(_, args)
            | Node::ListLit(args)
            | Node::Sequence(args) => args.iter().any(rec),
            Node::Write(_, _, args) => args.iter().any(rec),
            Node::ValueMethod(_, recv, args) => rec(recv) || args.iter().any(rec),
            Node::MapLit(entries) => entries.iter().any(|(_, v)| rec(v)),
            // `#` inside a nested closure body is the nested item, not ours.
            Node::Closure(_, list, body) => rec(list) || (into_bodies && rec(body)),
        }
    }
}

/// Leading `&&` conjuncts `<StrMap>.<key> == 'lit'` / `in [...]` (see `Program::equality_guards`).
pub(crate) fn equality_guards(root: &Node) -> Vec<(FieldId, String, Vec<String>)> {
    let mut out = Vec::new();
    collect_guards(root, &mut out);
    out
}

/// Collects guards in evaluation order; false once a conjunct is not a guard (what follows it
/// is not collected: see `Program::equality_guards` for why).
fn collect_guards(node: &Node, out: &mut Vec<(FieldId, String, Vec<String>)>) -> bool {
    let before = out.len();
    match node {
        Node::And(a, b) => return collect_guards(a, out) && collect_guards(b, out),
        // A guard reads no variable, and a `let` value is evaluated before its body: when a
        // guard of the body rejects an event, the whole expression cannot be true.
        Node::Let(_, _, body) => return collect_guards(body, out),
        Node::MapEq(id, key, lit) => out.push((*id, key.clone(), vec![lit.clone()])),
        Node::MapIn(id, key, lits) => out.push((*id, key.clone(), lits.clone())),
        Node::Bin(BinOp::Eq, a, b) => {
            let pair = match (&**a, &**b) {
                (Node::MapGet(id, key), Node::Const(Val::Str(s)))
                | (Node::Const(Val::Str(s)), Node::MapGet(id, key)) => Some((*id, key, s)),
                _ => None,
            };
            if let Some((id, key, lit)) = pair {
                out.push((id, key.clone(), vec![lit.to_string()]));
            }
        }
        Node::Bin(BinOp::In, a, b) => {
            if let (Node::MapGet(id, key), Node::Const(Val::List(list))) = (&**a, &**b) {
                let items = list.items();
                let lits: Option<Vec<String>> = items
                    .iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect();
                if let Some(lits) = lits {
                    out.push((*id, key.clone(), lits));
                }
            }
        }
        Node::InSet(a, set) => {
            if let Node::MapGet(id, key) = &**a {
                let mut lits: Vec<String> = set.iter().cloned().collect();
                lits.sort();
                out.push((*id, key.clone(), lits));
            }
        }
        _ => {}
    }
    out.len() > before
}
