//! Reading into values: members, elements, slices, iteration (closures, `in`).
use std::borrow::Cow;

use serde_json::Value as Json;

use crate::eval::{eval, expect_bool, fail, Env};
use crate::node::{ClosureKind, Node};
use crate::value::{equal, List, Val};
use crate::{Context, EvalError};

pub(crate) fn member<'a>(base: Val<'a>, name: &str) -> Result<Val<'a>, EvalError> {
    Ok(match base {
        Val::Json(Cow::Borrowed(j)) => match j {
            Json::Object(o) => o.get(name).map_or(Val::Nil, Val::from_json),
            _ => return fail(format!("cannot fetch {name} from array")),
        },
        Val::Json(Cow::Owned(Json::Object(mut o))) => {
            o.remove(name).map_or(Val::Nil, Val::from_json_owned)
        }
        Val::Map(m) => m
            .into_iter()
            .find(|(k, _)| k == name)
            .map_or(Val::Nil, |(_, v)| v),
        Val::Nil => return fail(format!("cannot fetch {name} from nil")),
        other => return fail(format!("cannot fetch {name} from {}", other.type_name())),
    })
}

pub(crate) fn element(base: Val<'_>, i: i64) -> Result<Val<'_>, EvalError> {
    let len = match &base {
        Val::List(l) => l.len(),
        Val::Json(j) => j.as_array().map_or(0, Vec::len),
        Val::Str(s) => s.len(),
        other => return fail(format!("cannot index {}", other.type_name())),
    };
    let index = if i < 0 { i + len as i64 } else { i };
    if index < 0 || index as usize >= len {
        return fail(format!("index out of range: {i} (array length is {len})"));
    }
    let index = index as usize;
    Ok(match base {
        Val::List(l) => l.get(index).map(Val::into_static).unwrap_or(Val::Nil),
        Val::Json(Cow::Borrowed(j)) => j
            .as_array()
            .and_then(|a| a.get(index))
            .map_or(Val::Nil, Val::from_json),
        Val::Json(Cow::Owned(Json::Array(mut a))) => Val::from_json_owned(a.swap_remove(index)),
        // Go indexes strings by byte and yields a uint8.
        Val::Str(s) => Val::Int(i64::from(s.as_bytes()[index])),
        _ => Val::Nil,
    })
}

/// `x[from:to]`: negative bounds count from the end, out-of-range bounds are clamped.
pub(crate) fn slice(
    base: Val<'_>,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<Val<'_>, EvalError> {
    let len = match &base {
        Val::Str(s) => s.len(),
        Val::List(l) => l.len(),
        Val::Json(j) if j.is_array() => j.as_array().map_or(0, Vec::len),
        other => return fail(format!("cannot slice {}", other.type_name())),
    } as i64;
    let clamp = |i: i64| (if i < 0 { i + len } else { i }).clamp(0, len) as usize;
    let end = clamp(to.unwrap_or(len));
    let start = clamp(from.unwrap_or(0)).min(end);
    Ok(match base {
        // Go slices strings by byte; a cut inside a UTF-8 sequence keeps the bytes, we replace them.
        Val::Str(Cow::Borrowed(s)) => match s.get(start..end) {
            Some(sub) => Val::str(sub),
            None => Val::Str(Cow::Owned(
                String::from_utf8_lossy(&s.as_bytes()[start..end]).into_owned(),
            )),
        },
        Val::Str(s) => Val::Str(Cow::Owned(
            String::from_utf8_lossy(&s.as_bytes()[start..end]).into_owned(),
        )),
        Val::List(l) => Val::List(List::Owned(
            (start..end)
                .filter_map(|i| l.get(i).map(Val::into_static))
                .collect(),
        )),
        Val::Json(j) => Val::List(List::Owned(
            j.as_array().map_or(&[][..], Vec::as_slice)[start..end]
                .iter()
                .map(|v| Val::from_json(v).into_static())
                .collect(),
        )),
        _ => Val::Nil,
    })
}

/// Visit the items of a list (or JSON array); `visit` returns false to stop early.
fn for_each_item<'l>(
    list: &'l Val<'_>,
    mut visit: impl FnMut(Val<'l>) -> Result<bool, EvalError>,
) -> Result<(), EvalError> {
    match list {
        Val::List(l) => {
            for i in 0..l.len() {
                if !visit(l.get(i).unwrap_or(Val::Nil))? {
                    break;
                }
            }
        }
        Val::Json(j) if j.is_array() => {
            for v in j.as_array().into_iter().flatten() {
                if !visit(Val::from_json(v))? {
                    break;
                }
            }
        }
        Val::Nil => {}
        other => return fail(format!("cannot iterate over {}", other.type_name())),
    }
    Ok(())
}

pub(crate) fn closure<'a>(
    kind: ClosureKind,
    list: Val<'a>,
    body: &'a Node,
    ctx: &'a dyn Context,
    env: Env<'_, 'a>,
) -> Result<Val<'a>, EvalError> {
    let mut count = 0i64;
    let mut found = false;
    let mut out: Vec<Val<'static>> = Vec::new();
    for_each_item(&list, |item| {
        let result = eval(body, ctx, env.with_item(&item))?;
        if kind == ClosureKind::Map {
            out.push(result.into_static());
            return Ok(true);
        }
        let hit = expect_bool(&result, "closure")?;
        Ok(match kind {
            ClosureKind::Any if hit => {
                found = true;
                false
            }
            ClosureKind::All | ClosureKind::None if hit == (kind == ClosureKind::None) => {
                found = true;
                false
            }
            ClosureKind::Filter if hit => {
                out.push(item.into_static());
                true
            }
            _ => {
                count += i64::from(hit);
                true
            }
        })
    })?;
    Ok(match kind {
        ClosureKind::Any => Val::Bool(found),
        // `found` = a counter-example was seen.
        ClosureKind::All | ClosureKind::None => Val::Bool(!found),
        ClosureKind::One => Val::Bool(count == 1),
        ClosureKind::Count => Val::Int(count),
        ClosureKind::Filter | ClosureKind::Map => Val::List(List::Owned(out)),
    })
}

/// `needle in haystack`: list membership, or key presence for maps and JSON objects.
pub(crate) fn contains_item(haystack: &Val<'_>, needle: &Val<'_>) -> Result<bool, EvalError> {
    match haystack {
        Val::Nil => Ok(false),
        Val::Map(m) => Ok(needle
            .as_str()
            .is_some_and(|k| m.iter().any(|(key, _)| key == k))),
        Val::Json(j) if j.is_object() => Ok(needle
            .as_str()
            .is_some_and(|k| j.as_object().is_some_and(|o| o.contains_key(k)))),
        _ => {
            let mut hit = false;
            for_each_item(haystack, |item| {
                hit = equal(&item, needle);
                Ok(!hit)
            })?;
            Ok(hit)
        }
    }
}
