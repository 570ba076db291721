//! Tree-walking evaluator over compiled nodes. Values borrow from the host and the program, so
//! comparisons of fields with literals never allocate.
use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use crate::access::{closure, contains_item, element, member, slice};
use crate::helpers;
use crate::node::{Affix, BinOp, ChainAccess, Node, RegexCache, REGEX_CACHE_LIMIT};
use crate::value::{equal, List, Val};
use crate::{Context, EvalError, FieldId, HostValue};

/// The context used for constant folding: no host at all.
pub(crate) struct NoHost;

impl Context for NoHost {
    fn field(&self, _: FieldId) -> HostValue<'_> {
        HostValue::Nil
    }
    fn map_get(&self, _: FieldId, _: &str) -> Option<&str> {
        None
    }
    fn call_method(&self, _: FieldId, _: &[&str]) -> HostValue<'_> {
        HostValue::Nil
    }
}

/// What an expression's names refer to besides the host: the closure item `#` and the
/// variables of enclosing `let`s.
#[derive(Clone, Copy, Default)]
pub(crate) struct Env<'e, 'a> {
    pub item: Option<&'e Val<'a>>,
    pub vars: Option<&'e Frame<'e, 'a>>,
}

/// One `let` variable's value, linked to the enclosing ones.
pub(crate) struct Frame<'e, 'a> {
    slot: u32,
    value: Val<'a>,
    outer: Option<&'e Frame<'e, 'a>>,
}

impl<'e, 'a> Env<'e, 'a> {
    /// The same variables, with `#` bound to `item` (a closure's body).
    pub fn with_item(self, item: &'e Val<'a>) -> Self {
        Env {
            item: Some(item),
            vars: self.vars,
        }
    }

    fn var(&self, slot: u32) -> Option<&'e Val<'a>> {
        let mut frame = self.vars;
        while let Some(f) = frame {
            if f.slot == slot {
                return Some(&f.value);
            }
            frame = f.outer;
        }
        None
    }
}

pub(crate) fn fail<T>(message: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError {
        message: message.into(),
    })
}

fn expect_str<'v>(v: &'v Val<'_>, what: &str) -> Result<&'v str, EvalError> {
    match v {
        Val::Str(s) => Ok(s),
        other => fail(format!(
            "{what}: expected string, got {}",
            other.type_name()
        )),
    }
}

pub(crate) fn expect_bool(v: &Val<'_>, what: &str) -> Result<bool, EvalError> {
    match v {
        Val::Bool(b) => Ok(*b),
        other => fail(format!("{what}: expected bool, got {}", other.type_name())),
    }
}

pub(crate) fn eval<'a>(
    node: &'a Node,
    ctx: &'a dyn Context,
    env: Env<'_, 'a>,
) -> Result<Val<'a>, EvalError> {
    let ev = |n: &'a Node| eval(n, ctx, env);
    Ok(match node {
        Node::Const(v) => v.reborrow(),
        Node::Item => match env.item {
            Some(v) => v.clone(),
            None => return fail("'#' used outside a closure"),
        },
        Node::Var(slot) => match env.var(*slot) {
            Some(v) => v.clone(),
            None => return fail("internal: unbound variable"),
        },
        Node::Sequence(items) => {
            let mut last = Val::Nil;
            for item in items {
                last = ev(item)?;
            }
            last
        }
        Node::Let(slot, value, body) => {
            let frame = Frame {
                slot: *slot,
                value: ev(value)?,
                outer: env.vars,
            };
            let inner = Env {
                item: env.item,
                vars: Some(&frame),
            };
            eval(body, ctx, inner)?
        }
        Node::Field(id) => Val::from_host(ctx.field(*id)),
        Node::MapGet(id, key) => Val::str(ctx.map_get(*id, key).unwrap_or("")),
        Node::MapGetDyn(id, key) => {
            let key = ev(key)?;
            Val::str(ctx.map_get(*id, expect_str(&key, "map key")?).unwrap_or(""))
        }
        Node::MapEq(..) | Node::MapIn(..) | Node::And(..) | Node::Or(..) | Node::Not(..) => {
            Val::Bool(truth(node, ctx, env)?)
        }
        Node::MapHas(id, key) => {
            let key = ev(key)?;
            Val::Bool(ctx.map_get(*id, expect_str(&key, "in")?).is_some())
        }
        Node::StrMapRef(_) => return fail("a host map cannot be used as a value"),
        Node::Write(kind, field, args) => crate::write::eval_write(*kind, *field, args, ctx, env)?,
        Node::Method(id, args) => match args.as_slice() {
            [] => Val::from_host(ctx.call_method(*id, &[])),
            [a] => {
                let a = ev(a)?;
                let text = a.to_text()?;
                Val::from_host(ctx.call_method(*id, &[&text]))
            }
            many => {
                let vals = many.iter().map(ev).collect::<Result<Vec<_>, _>>()?;
                let texts = vals
                    .iter()
                    .map(Val::to_text)
                    .collect::<Result<Vec<_>, _>>()?;
                let refs: Vec<&str> = texts.iter().map(|t| &**t).collect();
                Val::from_host(ctx.call_method(*id, &refs))
            }
        },
        Node::ValueMethod(method, recv, args) => {
            let recv = ev(recv)?;
            let json = match &recv {
                Val::Json(j) => Cow::Borrowed(&**j),
                other => Cow::Owned(other.to_json()),
            };
            let vals = args.iter().map(ev).collect::<Result<Vec<_>, _>>()?;
            let texts = vals
                .iter()
                .map(Val::to_text)
                .collect::<Result<Vec<_>, _>>()?;
            let refs: Vec<&str> = texts.iter().map(|t| &**t).collect();
            match ctx.call_value_method(method, &json, &refs) {
                Some(answer) => Val::from_json_owned(answer),
                None => return fail(format!("{method}: no such method on {}", recv.type_name())),
            }
        }
        Node::Member(base, name) => member(ev(base)?, name)?,
        Node::Chain(base, steps) => {
            let mut value = ev(base)?;
            for step in steps {
                if step.optional && matches!(value, Val::Nil) {
                    return Ok(Val::Nil);
                }
                value = match &step.access {
                    ChainAccess::Member(name) => member(value, name)?,
                    ChainAccess::Index(index) => match ev(index)? {
                        Val::Str(k) => member(value, &k)?,
                        Val::Int(i) => element(value, i)?,
                        other => return fail(format!("cannot index with {}", other.type_name())),
                    },
                };
            }
            value
        }
        Node::Index(base, index) => {
            let base = ev(base)?;
            match ev(index)? {
                Val::Str(k) => member(base, &k)?,
                Val::Int(i) => element(base, i)?,
                other => return fail(format!("cannot index with {}", other.type_name())),
            }
        }
        Node::Slice(base, from, to) => {
            let bound = |b: &'a Option<Box<Node>>| -> Result<Option<i64>, EvalError> {
                match b {
                    None => Ok(None),
                    Some(n) => match ev(n)? {
                        Val::Int(i) => Ok(Some(i)),
                        other => fail(format!(
                            "non-integer slice index (type {})",
                            other.type_name()
                        )),
                    },
                }
            };
            slice(ev(base)?, bound(from)?, bound(to)?)?
        }
        Node::Neg(a) => match ev(a)? {
            Val::Int(i) => Val::Int(i.wrapping_neg()),
            Val::Float(f) => Val::Float(-f),
            other => return fail(format!("invalid operation: - {}", other.type_name())),
        },
        Node::Bin(op, a, b) => binary(*op, ev(a)?, ev(b)?)?,
        Node::Matches(a, re, _) => {
            let subject = ev(a)?;
            let text = expect_str(&subject, "matches")?;
            Val::Bool(re.get().is_some_and(|re| re.is_match(text.as_bytes())))
        }
        Node::MatchesDyn(a, p, cache) => {
            let subject = ev(a)?;
            let pattern = ev(p)?;
            let re = cached_regex(cache, expect_str(&pattern, "matches")?)?;
            Val::Bool(re.is_match(expect_str(&subject, "matches")?.as_bytes()))
        }
        Node::Coalesce(a, b) => match ev(a)? {
            Val::Nil => ev(b)?,
            value => value,
        },
        Node::Cond(c, yes, no) => {
            if expect_bool(&ev(c)?, "?:")? {
                ev(yes)?
            } else {
                ev(no)?
            }
        }
        Node::Call(h, args) => match args.as_slice() {
            [] => helpers::call(*h, &mut [])?,
            [a] => helpers::call(*h, &mut [ev(a)?])?,
            [a, b] => helpers::call(*h, &mut [ev(a)?, ev(b)?])?,
            many => helpers::call(*h, &mut many.iter().map(ev).collect::<Result<Vec<_>, _>>()?)?,
        },
        Node::LookupFile(a, map) => {
            let subject = ev(a)?;
            Val::str(map.lookup(expect_str(&subject, "LookupFile")?))
        }
        Node::RegexpInFile(a, regexes) => {
            let subject = ev(a)?;
            Val::Bool(regexes.is_match(expect_str(&subject, "RegexpInFile")?.as_bytes()))
        }
        Node::Closure(kind, list, body) => closure(*kind, ev(list)?, body, ctx, env)?,
        Node::ListLit(items) => {
            Val::List(List::Owned(items.iter().map(ev).collect::<Result<_, _>>()?))
        }
        Node::MapLit(entries) => Val::Map(
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), ev(v)?)))
                .collect::<Result<_, EvalError>>()?,
        ),
        Node::InSet(a, set) => Val::Bool(ev(a)?.as_str().is_some_and(|s| set.contains(s))),
        Node::AnyContains(a, ac, _) => Val::Bool(ac.is_match(expect_str(&ev(a)?, "contains")?)),
        Node::AnyContainsUpper(a, insensitive, exact, _) => {
            let subject = ev(a)?;
            let text = expect_str(&subject, "Upper")?;
            Val::Bool(if text.is_ascii() {
                insensitive.is_match(text)
            } else {
                exact.is_match(&*helpers::go_upper(Cow::Borrowed(text)))
            })
        }
        // The generic closure would evaluate nothing over an empty list.
        Node::AnyAffix(_, _, texts) if texts.is_empty() => Val::Bool(false),
        Node::AnyAffix(a, affix, texts) => {
            let subject = ev(a)?;
            let text = expect_str(&subject, "startsWith/endsWith")?;
            Val::Bool(match affix {
                Affix::Prefix => texts.iter().any(|t| text.starts_with(t.as_str())),
                Affix::Suffix => texts.iter().any(|t| text.ends_with(t.as_str())),
            })
        }
        Node::AnyMatches(a, regexes) => {
            let subject = ev(a)?;
            Val::Bool(regexes.is_match(expect_str(&subject, "matches")?.as_bytes()))
        }
    })
}

/// Evaluate a node that must yield a bool. Boolean connectives and fused comparisons answer
/// directly instead of building values, which is most of a filter's work.
pub(crate) fn truth<'a>(
    node: &'a Node,
    ctx: &'a dyn Context,
    env: Env<'_, 'a>,
) -> Result<bool, EvalError> {
    match node {
        // Short-circuit: hub filters guard nil accesses with the left operand.
        Node::And(a, b) => Ok(truth(a, ctx, env)? && truth(b, ctx, env)?),
        Node::Or(a, b) => Ok(truth(a, ctx, env)? || truth(b, ctx, env)?),
        Node::Not(a) => Ok(!truth(a, ctx, env)?),
        Node::MapEq(id, key, lit) => Ok(ctx.map_get(*id, key).unwrap_or("") == lit),
        Node::MapIn(id, key, lits) => {
            let v = ctx.map_get(*id, key).unwrap_or("");
            Ok(lits.iter().any(|l| l == v))
        }
        Node::Const(Val::Bool(b)) => Ok(*b),
        other => match eval(other, ctx, env)? {
            Val::Bool(b) => Ok(b),
            v => fail(format!("expected bool, got {}", v.type_name())),
        },
    }
}

fn cached_regex(cache: &RegexCache, pattern: &str) -> Result<Arc<regex::bytes::Regex>, EvalError> {
    // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
    let mut map = cache.0.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(re) = map.get(pattern) {
        return Ok(re.clone());
    }
    let re = Arc::new(
        crowdwatch_grok::goregex::compile(pattern).map_err(|e| EvalError {
            message: format!("invalid regular expression: {e}"),
        })?,
    );
    if map.len() >= REGEX_CACHE_LIMIT {
        map.clear();
    }
    map.insert(pattern.to_string(), re.clone());
    Ok(re)
}

fn binary<'a>(op: BinOp, a: Val<'a>, b: Val<'a>) -> Result<Val<'a>, EvalError> {
    use BinOp::*;
    let mismatch = |a: &Val<'_>, b: &Val<'_>| {
        fail(format!(
            "invalid operation: {op:?} (mismatched types {} and {})",
            a.type_name(),
            b.type_name()
        ))
    };
    Ok(match op {
        Eq => Val::Bool(equal(&a, &b)),
        Ne => Val::Bool(!equal(&a, &b)),
        Lt | Gt | Le | Ge => {
            let ord = match (&a, &b) {
                (Val::Int(x), Val::Int(y)) => x.cmp(y),
                (Val::Str(x), Val::Str(y)) => x.cmp(y),
                _ => match (a.as_number(), b.as_number()) {
                    (Some(x), Some(y)) => match x.partial_cmp(&y) {
                        Some(o) => o,
                        None => return Ok(Val::Bool(false)), // NaN compares false
                    },
                    _ => return mismatch(&a, &b),
                },
            };
            Val::Bool(match op {
                Lt => ord == Ordering::Less,
                Gt => ord == Ordering::Greater,
                Le => ord != Ordering::Greater,
                _ => ord != Ordering::Less,
            })
        }
        Add => match (a, b) {
            (Val::Str(x), Val::Str(y)) => Val::Str(Cow::Owned(x.into_owned() + &y)),
            (Val::Int(x), Val::Int(y)) => Val::Int(x.wrapping_add(y)),
            (a, b) => match (a.as_number(), b.as_number()) {
                (Some(x), Some(y)) => Val::Float(x + y),
                _ => return mismatch(&a, &b),
            },
        },
        Sub | Mul | Div | Mod | Pow => match (&a, &b, op) {
            (Val::Int(x), Val::Int(y), Sub) => Val::Int(x.wrapping_sub(*y)),
            (Val::Int(x), Val::Int(y), Mul) => Val::Int(x.wrapping_mul(*y)),
            (Val::Int(_), Val::Int(0), Mod) => return fail("integer divide by zero"),
            (Val::Int(x), Val::Int(y), Mod) => Val::Int(x.wrapping_rem(*y)),
            (_, _, Mod) => return mismatch(&a, &b),
            _ => match (a.as_number(), b.as_number()) {
                (Some(x), Some(y)) => Val::Float(match op {
                    Sub => x - y,
                    Mul => x * y,
                    Div => x / y,
                    _ => x.powf(y),
                }),
                _ => return mismatch(&a, &b),
            },
        },
        In => Val::Bool(contains_item(&b, &a)?),
        Contains | StartsWith | EndsWith => match (&a, &b) {
            (Val::Str(x), Val::Str(y)) => Val::Bool(match op {
                Contains => x.contains(&**y),
                StartsWith => x.starts_with(&**y),
                _ => x.ends_with(&**y),
            }),
            _ => return mismatch(&a, &b),
        },
    })
}
