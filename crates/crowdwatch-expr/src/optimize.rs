//! Compile-time rewrites: constant folding support and the shapes hub content repeats on every
//! event (`x in [...]`, `any(File(..), {X contains Upper(#)})`, `any(File(..), {X matches #})`).
use std::collections::HashSet;

use aho_corasick::{AhoCorasickBuilder, AhoCorasickKind};

use crate::compile::{err, Compiler, Typed};
use crate::eval::{eval, Env, NoHost};
use crate::helpers::Helper;
use crate::node::{Affix, BinOp, ClosureKind, Node, Ty};
use crate::value::Val;
use crate::CompileError;

/// Lists at least this long are matched through a hash set rather than compared one by one.
const SET_THRESHOLD: usize = 8;

/// Whether `node` is a pure operation whose operands are all constants (so it can be folded).
pub(crate) fn operands_const(node: &Node) -> bool {
    let c = |n: &Node| n.as_const().is_some();
    match node {
        Node::Not(a)
        | Node::Neg(a)
        | Node::Member(a, _)
        | Node::Matches(a, ..)
        | Node::InSet(a, _) => c(a),
        Node::And(a, b) | Node::Or(a, b) | Node::Bin(_, a, b) | Node::Index(a, b) => c(a) && c(b),
        Node::Call(h, args) => h.signature().pure && args.iter().all(c),
        Node::ListLit(items) => items.iter().all(c),
        Node::Slice(a, b, d) => c(a) && b.as_deref().is_none_or(c) && d.as_deref().is_none_or(c),
        Node::MapLit(entries) => entries.iter().all(|(_, v)| c(v)),
        Node::Closure(_, list, body) => c(list) && !body.uses_host(),
        _ => false,
    }
}

/// `x in list`: a hash set when the list is long and made of constant strings.
pub(crate) fn membership(compiler: &Compiler<'_>, needle: Node, list: Node) -> Typed {
    if let Some(lits) = list.as_const().and_then(constant_strings) {
        if lits.len() >= SET_THRESHOLD {
            return compiler.fold(
                Node::InSet(Box::new(needle), lits.into_iter().collect()),
                Ty::Bool,
            );
        }
        if let Node::MapGet(id, key) = needle {
            return (Node::MapIn(id, key, lits), Ty::Bool);
        }
    }
    compiler.fold(
        Node::Bin(BinOp::In, Box::new(needle), Box::new(list)),
        Ty::Bool,
    )
}

fn constant_strings(v: &Val<'static>) -> Option<Vec<String>> {
    match v {
        Val::List(l) => l
            .items()
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

pub(crate) fn closure(
    compiler: &mut Compiler<'_>,
    kind: ClosureKind,
    list: Node,
    body: Node,
    body_ty: Ty,
    at: usize,
) -> Result<Typed, CompileError> {
    let ret = match kind {
        ClosureKind::Filter | ClosureKind::Map => Ty::List,
        ClosureKind::Count => Ty::Int,
        _ => Ty::Bool,
    };
    if kind != ClosureKind::Map && !body_ty.may_be(Ty::Bool) {
        return err(
            format!("closure should return boolean (got {})", body_ty.name()),
            at,
        );
    }
    if kind == ClosureKind::Any {
        if let Some(items) = list.as_const().and_then(constant_strings) {
            return Ok(any_over_list(compiler, list, &items, body));
        }
    }
    Ok(compiler.fold(Node::Closure(kind, Box::new(list), Box::new(body)), ret))
}

/// `any(list, body)` over constant strings `items` (the value of `list`).
///
/// A body `{A || B}` whose sides cannot fail becomes `any(list, {A}) || any(list, {B})`: the
/// same truth value (some item satisfies A or B), and each side can take a fast shape. With a
/// side that may fail, the generic closure keeps the order in which errors surface.
fn any_over_list(compiler: &mut Compiler<'_>, list: Node, items: &[String], body: Node) -> Typed {
    let body = match body {
        Node::Or(a, b) if cannot_fail(&a) && cannot_fail(&b) => {
            let same_list = Node::Const(list.as_const().cloned().unwrap_or(Val::Nil));
            let (left, _) = any_over_list(compiler, list, items, *a);
            let (right, _) = any_over_list(compiler, same_list, items, *b);
            return compiler.fold(Node::Or(Box::new(left), Box::new(right)), Ty::Bool);
        }
        other => other,
    };
    match any_over_constants(items, body) {
        Ok((node, ty)) => compiler.fold(node, ty),
        Err(back) => compiler.fold(
            Node::Closure(ClosureKind::Any, Box::new(list), Box::new(back)),
            Ty::Bool,
        ),
    }
}

/// Whether a closure body over constant strings surely evaluates to a bool without error: string
/// comparisons of map entries, literals, `#` and the total string helpers.
fn cannot_fail(node: &Node) -> bool {
    match node {
        Node::MapEq(..) | Node::MapIn(..) | Node::Const(Val::Bool(_)) => true,
        Node::Not(a) => cannot_fail(a),
        Node::And(a, b) | Node::Or(a, b) => cannot_fail(a) && cannot_fail(b),
        Node::Bin(
            BinOp::Contains | BinOp::StartsWith | BinOp::EndsWith | BinOp::Eq | BinOp::Ne,
            a,
            b,
        ) => always_string(a) && always_string(b),
        _ => false,
    }
}

/// Whether `node` surely evaluates to a string without error (`#` is one of the constant
/// strings being iterated).
fn always_string(node: &Node) -> bool {
    match node {
        Node::Const(Val::Str(_)) | Node::MapGet(..) | Node::Item => true,
        Node::Call(
            Helper::Upper | Helper::Lower | Helper::PathUnescape | Helper::QueryUnescape,
            args,
        ) => args.iter().all(always_string),
        _ => false,
    }
}

/// `any(<constant strings>, {X op f(#)})` with X independent of `#` and f(#) independent of the
/// host: f is applied to every item now, and the per-event work is one pass over X. Gives the
/// body back when it has another shape (the generic closure stays correct).
fn any_over_constants(items: &[String], body: Node) -> Result<Typed, Node> {
    let pattern = match &body {
        Node::Bin(BinOp::Contains | BinOp::Eq | BinOp::StartsWith | BinOp::EndsWith, x, p)
            if !x.uses_item() =>
        {
            p
        }
        Node::Bin(BinOp::Eq, p, x) if !x.uses_item() => p,
        Node::MatchesDyn(x, p, _) if !x.uses_item() => p,
        _ => return Err(body),
    };
    let Some(texts) = apply_to_items(pattern, items) else {
        return Err(body);
    };
    match body {
        Node::Bin(BinOp::Contains, x, _) => {
            let automaton = |insensitive| {
                // A build fails only past the automaton's 2^31 states, far beyond any list.
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(insensitive)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&texts)
                    .expect("a list's strings fit an automaton")
            };
            let exact = Box::new(automaton(false));
            match *x {
                Node::Call(Helper::Upper, mut args)
                    if texts
                        .iter()
                        .all(|t| t.is_ascii() && !t.bytes().any(|b| b.is_ascii_lowercase())) =>
                {
                    let insensitive = Box::new(automaton(true));
                    let inner = args.pop().unwrap_or(Node::Const(Val::Nil));
                    Ok((
                        Node::AnyContainsUpper(Box::new(inner), insensitive, exact, texts),
                        Ty::Bool,
                    ))
                }
                x => Ok((Node::AnyContains(Box::new(x), exact, texts), Ty::Bool)),
            }
        }
        Node::Bin(op @ (BinOp::StartsWith | BinOp::EndsWith), x, _) => {
            let affix = if op == BinOp::StartsWith {
                Affix::Prefix
            } else {
                Affix::Suffix
            };
            Ok((Node::AnyAffix(x, affix, texts), Ty::Bool))
        }
        Node::Bin(BinOp::Eq, x, p) => {
            let subject = if x.uses_item() { p } else { x };
            Ok((
                Node::InSet(subject, texts.into_iter().collect::<HashSet<_>>()),
                Ty::Bool,
            ))
        }
        Node::MatchesDyn(x, p, cache) => match texts
            .iter()
            .map(|t| crowdwatch_grok::LazyRegex::new(t).ok().map(|(re, _)| re))
            .collect::<Option<Vec<_>>>()
        {
            Some(regexes) => Ok((
                Node::AnyMatches(x, Box::new(crowdwatch_grok::RegexUnion::new(&regexes))),
                Ty::Bool,
            )),
            None => Err(Node::MatchesDyn(x, p, cache)),
        },
        other => Err(other),
    }
}

/// f(item) for every item, when f does not read the host and yields strings.
fn apply_to_items(pattern: &Node, items: &[String]) -> Option<Vec<String>> {
    if pattern.uses_host() {
        return None;
    }
    items
        .iter()
        .map(|item| {
            eval(pattern, &NoHost, Env::default().with_item(&Val::str(item)))
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::node::Node;
    use crate::{compile, DataFiles, FieldId, FieldType, Schema};

    struct OneMap;
    impl Schema for OneMap {
        fn resolve(&self, path: &[&str]) -> Option<(FieldId, FieldType)> {
            (path == ["evt", "Meta"]).then_some((1, FieldType::StrMap))
        }
        fn resolve_method(&self, _: &[&str], _: &str) -> Option<(FieldId, FieldType)> {
            None
        }
    }

    fn root(src: &str) -> Node {
        let mut data = DataFiles::default();
        data.strings
            .insert("f".into(), Arc::new(vec!["abc".into(), "d.f".into()]));
        compile(src, &OneMap, &data).unwrap().program.root
    }

    #[test]
    fn shapes() {
        assert!(matches!(
            root("any(File('f'), {Upper(evt.Meta.p) contains Upper(#)})"),
            Node::AnyContainsUpper(..)
        ));
        assert!(matches!(
            root("any(File('f'), {Lower(evt.Meta.p) contains #})"),
            Node::AnyContains(..)
        ));
        assert!(matches!(root("evt.Meta.p in ['1','2']"), Node::MapIn(..)));
        assert!(matches!(
            root("any(File('f'), {evt.Meta.p contains #})"),
            Node::AnyContains(..)
        ));
        assert!(matches!(
            root("any(File('f'), {# == evt.Meta.p})"),
            Node::InSet(..)
        ));
        assert!(matches!(
            root("any(File('f'), {Upper(evt.Meta.p) matches Upper(#)})"),
            Node::AnyMatches(..)
        ));
        assert!(matches!(
            root("evt.Meta.p in ['1','2','3','4','5','6','7','8']"),
            Node::InSet(..)
        ));
        assert!(matches!(
            root("any(File('f'), {evt.Meta.p startsWith #})"),
            Node::AnyAffix(..)
        ));
        assert!(matches!(
            root("any(File('f'), {Lower(evt.Meta.p) endsWith Lower(#)})"),
            Node::AnyAffix(..)
        ));
        assert!(matches!(
            root("any(File('f'), {len(evt.Meta.p + #) > 1})"),
            Node::Closure(..)
        ));
        // Sides that cannot fail are split; each takes its fast shape.
        assert!(matches!(
            root("any(File('f'), {Upper(evt.Meta.p) contains Upper(#) || evt.Meta.q contains #})"),
            Node::Or(a, b) if matches!(*a, Node::AnyContainsUpper(..)) && matches!(*b, Node::AnyContains(..))
        ));
        // A side that may fail keeps the generic closure (and its error order).
        assert!(matches!(
            root("any(File('f'), {evt.Meta.p contains # || len(evt.Meta.q + #) > 1})"),
            Node::Closure(..)
        ));
        assert!(matches!(root("Upper('x') + 'y'"), Node::Const(_)));
    }

    #[test]
    fn empty_pattern_matches_everything() {
        let mut data = DataFiles::default();
        data.strings
            .insert("f".into(), Arc::new(vec!["zzz".into(), String::new()]));
        let p = compile("any(File('f'), {evt.Meta.p contains #})", &OneMap, &data)
            .unwrap()
            .program;
        struct Empty;
        impl crate::Context for Empty {
            fn field(&self, _: FieldId) -> crate::HostValue<'_> {
                crate::HostValue::StrMap
            }
            fn map_get(&self, _: FieldId, _: &str) -> Option<&str> {
                None
            }
            fn call_method(&self, _: FieldId, _: &[&str]) -> crate::HostValue<'_> {
                crate::HostValue::Nil
            }
        }
        assert_eq!(p.eval_bool(&Empty), Ok(true));
    }
}
