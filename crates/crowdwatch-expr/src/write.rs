//! Evaluating the calls that write into the host (`host::Write`).
use serde_json::Value as Json;

use crate::eval::{eval, fail, Env};
use crate::helpers::kv;
use crate::host::Write;
use crate::node::{Node, WriteKind};
use crate::value::Val;
use crate::{Context, EvalError, FieldId};

pub(crate) fn eval_write<'a>(
    kind: WriteKind,
    field: FieldId,
    args: &'a [Node; 2],
    ctx: &'a dyn Context,
    env: Env<'_, 'a>,
) -> Result<Val<'a>, EvalError> {
    let name = match kind {
        WriteKind::UnmarshalJson => "UnmarshalJSON",
        WriteKind::ParseKv => "ParseKV",
        WriteKind::ParseKvLax => "ParseKVLax",
        WriteKind::SetEntry => "a setter",
    };
    let text = |n: &'a Node| -> Result<String, EvalError> {
        match eval(n, ctx, env)? {
            Val::Str(s) => Ok(s.into_owned()),
            other => fail(format!(
                "{name}: expected string, got {}",
                other.type_name()
            )),
        }
    };
    let (first, second) = (text(&args[0])?, text(&args[1])?);
    let write = match kind {
        WriteKind::UnmarshalJson => {
            let mut value: Json = serde_json::from_str(&first).map_err(|e| EvalError {
                message: format!("UnmarshalJSON: {e}"),
            })?;
            numbers_as_floats(&mut value);
            Write::Json {
                field,
                key: second,
                value,
            }
        }
        WriteKind::ParseKv | WriteKind::ParseKvLax => {
            let pairs = if kind == WriteKind::ParseKv {
                kv::parse_kv(&first)
            } else {
                kv::parse_kv_lax(&first)
            };
            let Some(pairs) = pairs else {
                return fail(format!("{name}: invalid input format (no key=value pair)"));
            };
            Write::JsonStrings {
                field,
                key: second,
                pairs,
            }
        }
        WriteKind::SetEntry => Write::Entry {
            field,
            key: first,
            value: second,
        },
    };
    if !ctx.write(write) {
        return fail(format!(
            "{name} writes into the host, which this evaluation does not allow"
        ));
    }
    Ok(match kind {
        WriteKind::SetEntry => Val::Bool(true),
        _ => Val::Nil,
    })
}

/// Go's encoding/json decodes every number into an `interface{}` as a float64: `int(x)` is how
/// content gets an integer back, and a float static prints as `%f` ("403.000000").
fn numbers_as_floats(v: &mut Json) {
    match v {
        Json::Number(n) if !n.is_f64() => {
            if let Some(f) = n.as_f64().and_then(serde_json::Number::from_f64) {
                *n = f;
            }
        }
        Json::Array(items) => items.iter_mut().for_each(numbers_as_floats),
        Json::Object(map) => map.values_mut().for_each(numbers_as_floats),
        _ => {}
    }
}
