//! CrowdSec's expr helpers (pkg/exprhelpers in 1.4.6, and some of 1.7's, XML included) and expr's
//! builtins (`len`, and some of expr-lang v1.17's): signatures for the type checker and
//! implementations for the evaluator.
pub(crate) mod file_map;
mod fmt;
mod json;
pub(crate) mod kv;
mod net;
mod time;
mod url;
mod wildcard;
mod xml;

use std::borrow::Cow;

use crate::node::{ClosureKind, Ty, WriteKind};
use crate::value::{List, Val};
use crate::EvalError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Helper {
    Len,
    Upper,
    Lower,
    PathUnescape,
    QueryUnescape,
    PathEscape,
    QueryEscape,
    IpInRange,
    IpToRange,
    IsIpv6,
    JsonExtract,
    JsonExtractUnescape,
    JsonExtractLib,
    JsonExtractSlice,
    JsonExtractObject,
    ToJsonString,
    Atof,
    Sprintf,
    TimeNow,
    ParseUri,
    // CrowdSec 1.7.
    TrimSpace,
    Split,
    IsIp,
    Match,
    XmlGetNodeValue,
    XmlGetAttributeValue,
    // expr-lang v1.17 builtins.
    TrimPrefix,
    TrimSuffix,
    ToInt,
    ToFloat,
    ToString,
    Get,
    IndexOf,
    LastIndexOf,
    FloatApproxEqual,
    Duration,
    MedianInterval,
    Distance,
}

pub(crate) struct Signature {
    pub params: &'static [Ty],
    /// Type of extra arguments for variadic helpers.
    pub rest: Option<Ty>,
    pub ret: Ty,
    /// Pure helpers on constant arguments are folded at compile time.
    pub pure: bool,
}

/// What a function name in an expression refers to.
pub(crate) enum Function {
    Helper(Helper),
    /// Resolved at compile time against `DataFiles`.
    File,
    RegexpInFile,
    /// `LookupFile(text, file)` and `FileMap(file)`, on a `type: map` file.
    LookupFile,
    FileMap,
    Closure(ClosureKind),
    /// A builtin that is a binary operator under another name (`hasPrefix(a, b)` is
    /// `a startsWith b`): compiled as that operator, with its fast paths and literals.
    Operator(&'static str),
    /// A helper that fills the host field given as its second argument.
    Writer(WriteKind),
    Unsupported,
}

pub(crate) fn lookup(name: &str) -> Option<Function> {
    use Helper::*;
    let h = match name {
        "len" => Len,
        "Upper" => Upper,
        "Lower" => Lower,
        "PathUnescape" => PathUnescape,
        "QueryUnescape" => QueryUnescape,
        "PathEscape" => PathEscape,
        "QueryEscape" => QueryEscape,
        "IpInRange" => IpInRange,
        "IpToRange" => IpToRange,
        "IsIPV6" => IsIpv6,
        "JsonExtract" => JsonExtract,
        "JsonExtractUnescape" => JsonExtractUnescape,
        "JsonExtractLib" => JsonExtractLib,
        "JsonExtractSlice" => JsonExtractSlice,
        "JsonExtractObject" => JsonExtractObject,
        "ToJsonString" => ToJsonString,
        "Atof" => Atof,
        "Sprintf" => Sprintf,
        "TimeNow" => TimeNow,
        "ParseUri" => ParseUri,
        "TrimSpace" => TrimSpace,
        "Split" => Split,
        "IsIP" => IsIp,
        "Match" => Match,
        "XMLGetNodeValue" => XmlGetNodeValue,
        "XMLGetAttributeValue" => XmlGetAttributeValue,
        "lower" => Lower,
        "upper" => Upper,
        "trimPrefix" | "TrimPrefix" => TrimPrefix,
        "trimSuffix" | "TrimSuffix" => TrimSuffix,
        "hasPrefix" => return Some(Function::Operator("startsWith")),
        "hasSuffix" => return Some(Function::Operator("endsWith")),
        "int" => ToInt,
        "float" => ToFloat,
        "string" => ToString,
        "get" => Get,
        "FloatApproxEqual" => FloatApproxEqual,
        "duration" => Duration,
        "MedianInterval" => MedianInterval,
        "Distance" => Distance,
        "indexOf" => IndexOf,
        "lastIndexOf" => LastIndexOf,
        "UnmarshalJSON" => return Some(Function::Writer(WriteKind::UnmarshalJson)),
        "ParseKV" => return Some(Function::Writer(WriteKind::ParseKv)),
        "ParseKVLax" => return Some(Function::Writer(WriteKind::ParseKvLax)),
        "File" => return Some(Function::File),
        "RegexpInFile" => return Some(Function::RegexpInFile),
        "LookupFile" => return Some(Function::LookupFile),
        "FileMap" => return Some(Function::FileMap),
        "all" => return Some(Function::Closure(ClosureKind::All)),
        "none" => return Some(Function::Closure(ClosureKind::None)),
        "any" => return Some(Function::Closure(ClosureKind::Any)),
        "one" => return Some(Function::Closure(ClosureKind::One)),
        "filter" => return Some(Function::Closure(ClosureKind::Filter)),
        "map" => return Some(Function::Closure(ClosureKind::Map)),
        "count" => return Some(Function::Closure(ClosureKind::Count)),
        // Need DNS or the LAPI database: not available to the engine.
        "LookupHost" | "GetDecisionsCount" | "GetDecisionsSinceCount" => {
            return Some(Function::Unsupported)
        }
        _ => return None,
    };
    Some(Function::Helper(h))
}

impl Helper {
    pub fn signature(self) -> Signature {
        use Helper::*;
        use Ty::*;
        let (params, rest, ret, pure): (&'static [Ty], Option<Ty>, Ty, bool) = match self {
            Len => (&[Any], None, Int, true),
            Upper | Lower | PathUnescape | QueryUnescape | PathEscape | QueryEscape => {
                (&[Str], None, Str, true)
            }
            IpInRange => (&[Str, Str], None, Bool, true),
            IpToRange => (&[Str, Str], None, Str, true),
            IsIpv6 => (&[Str], None, Bool, true),
            JsonExtract => (&[Str, Str], None, Str, true),
            JsonExtractUnescape | JsonExtractLib => (&[Str], Some(Str), Str, true),
            JsonExtractSlice => (&[Str, Str], None, Ty::List, true),
            JsonExtractObject => (&[Str, Str], None, Ty::Map, true),
            ToJsonString => (&[Any], None, Str, true),
            Atof => (&[Str], None, Float, true),
            Sprintf => (&[Str], Some(Any), Str, true),
            TimeNow => (&[], None, Str, false),
            ParseUri => (&[Str], None, Ty::Map, true),
            TrimSpace => (&[Str], None, Str, true),
            Split => (&[Str, Str], None, Ty::List, true),
            IsIp => (&[Str], None, Bool, true),
            Match => (&[Str, Str], None, Bool, true),
            XmlGetNodeValue => (&[Str, Str], None, Str, true),
            XmlGetAttributeValue => (&[Str, Str, Str], None, Str, true),
            TrimPrefix | TrimSuffix => (&[Str, Str], None, Str, true),
            ToInt => (&[Any], None, Int, true),
            ToFloat => (&[Any], None, Float, true),
            ToString => (&[Any], None, Str, true),
            Get => (&[Any, Any], None, Any, true),
            IndexOf | LastIndexOf => (&[Str, Str], None, Int, true),
            FloatApproxEqual => (&[Float, Float], None, Bool, true),
            // Durations are Go's time.Duration: nanoseconds, as an int.
            Duration => (&[Str], None, Int, true),
            MedianInterval => (&[Any], None, Int, true),
            Distance => (&[Str, Str, Str, Str], None, Float, true),
        };
        Signature {
            params,
            rest,
            ret,
            pure,
        }
    }
}

pub(crate) fn type_error(what: &str, got: &Val<'_>) -> EvalError {
    EvalError {
        message: format!("{what}: expected string, got {}", got.type_name()),
    }
}

/// Take argument `i` as a string, keeping a borrow when it was one.
fn take_str<'a>(args: &mut [Val<'a>], i: usize, h: Helper) -> Result<Cow<'a, str>, EvalError> {
    match std::mem::replace(&mut args[i], Val::Nil) {
        Val::Str(s) => Ok(s),
        other => Err(type_error(&format!("{h:?}"), &other)),
    }
}

/// Call helper `h` on evaluated arguments (arity was checked at compile time).
pub(crate) fn call<'a>(h: Helper, args: &mut [Val<'a>]) -> Result<Val<'a>, EvalError> {
    use Helper::*;
    let s = |c: Cow<'a, str>| Ok(Val::Str(c));
    match h {
        Len => len(&args[0]),
        Upper => s(go_upper(take_str(args, 0, h)?)),
        Lower => s(go_lower(take_str(args, 0, h)?)),
        PathUnescape => s(url::unescape(take_str(args, 0, h)?, false)),
        QueryUnescape => s(url::unescape(take_str(args, 0, h)?, true)),
        PathEscape => s(url::escape(take_str(args, 0, h)?, false)),
        QueryEscape => s(url::escape(take_str(args, 0, h)?, true)),
        ParseUri => Ok(url::parse_uri(&take_str(args, 0, h)?)),
        IpInRange => Ok(Val::Bool(net::ip_in_range(
            &take_str(args, 0, h)?,
            &take_str(args, 1, h)?,
        ))),
        IpToRange => Ok(Val::Str(Cow::Owned(net::ip_to_range(
            &take_str(args, 0, h)?,
            &take_str(args, 1, h)?,
        )))),
        IsIpv6 => Ok(Val::Bool(net::is_ipv6(&take_str(args, 0, h)?))),
        JsonExtract => Ok(Val::Str(Cow::Owned(json::extract(
            &take_str(args, 0, h)?,
            &take_str(args, 1, h)?,
        )))),
        JsonExtractUnescape | JsonExtractLib => {
            let blob = take_str(args, 0, h)?;
            let mut keys = Vec::with_capacity(args.len() - 1);
            for i in 1..args.len() {
                keys.push(take_str(args, i, h)?);
            }
            Ok(Val::Str(Cow::Owned(json::extract_keys(
                &blob,
                &keys,
                h == JsonExtractUnescape,
            ))))
        }
        JsonExtractSlice => Ok(json::extract_typed(
            &take_str(args, 0, h)?,
            &take_str(args, 1, h)?,
            true,
        )),
        JsonExtractObject => Ok(json::extract_typed(
            &take_str(args, 0, h)?,
            &take_str(args, 1, h)?,
            false,
        )),
        ToJsonString => Ok(Val::Str(Cow::Owned(json::to_json_string(&args[0])))),
        // Go returns 0 (with a logged warning) when the text is not a number.
        Atof => Ok(Val::Float(
            take_str(args, 0, h)?
                .trim_start_matches('+')
                .parse()
                .unwrap_or(0.0),
        )),
        Sprintf => {
            let format = take_str(args, 0, h)?;
            Ok(Val::Str(Cow::Owned(fmt::sprintf(&format, &args[1..]))))
        }
        TimeNow => Ok(Val::Str(Cow::Owned(fmt::time_now()))),
        // Go's strings.TrimSpace: Unicode white space at both ends.
        TrimSpace => Ok(Val::Str(trim_cow(take_str(args, 0, h)?, |t| t.trim()))),
        Split => {
            let (text, sep) = (take_str(args, 0, h)?, take_str(args, 1, h)?);
            Ok(Val::List(List::Owned(
                go_split(&text, &sep)
                    .into_iter()
                    .map(|p| Val::Str(Cow::Owned(p.to_owned())))
                    .collect(),
            )))
        }
        IsIp => Ok(Val::Bool(net::is_ip(&take_str(args, 0, h)?))),
        Match => {
            let (pattern, name) = (take_str(args, 0, h)?, take_str(args, 1, h)?);
            Ok(Val::Bool(wildcard::matches(
                pattern.as_bytes(),
                name.as_bytes(),
            )))
        }
        XmlGetNodeValue => {
            let (text, path) = (take_str(args, 0, h)?, take_str(args, 1, h)?);
            Ok(Val::Str(Cow::Owned(xml::node_value(&text, &path))))
        }
        XmlGetAttributeValue => {
            let (text, path) = (take_str(args, 0, h)?, take_str(args, 1, h)?);
            let name = take_str(args, 2, h)?;
            Ok(Val::Str(Cow::Owned(xml::attribute_value(
                &text, &path, &name,
            ))))
        }
        TrimPrefix | TrimSuffix => {
            let (text, affix) = (take_str(args, 0, h)?, take_str(args, 1, h)?);
            Ok(Val::Str(trim_cow(text, |t| {
                if h == TrimPrefix {
                    t.strip_prefix(affix.as_ref()).unwrap_or(t)
                } else {
                    t.strip_suffix(affix.as_ref()).unwrap_or(t)
                }
            })))
        }
        ToInt => to_int(&args[0]),
        ToFloat => to_float(&args[0]),
        Get => get(args),
        Duration => {
            let text = take_str(args, 0, h)?;
            crowdwatch_time::parse_go_duration(&text)
                .map(Val::Int)
                .ok_or_else(|| EvalError {
                    message: format!("time: invalid duration {text:?}"),
                })
        }
        MedianInterval => time::median_interval(&args[0]).map(Val::Int),
        Distance => {
            let mut coords = [0.0; 4];
            for (i, c) in coords.iter_mut().enumerate() {
                let text = take_str(args, i, h)?;
                *c = text.parse().map_err(|_| EvalError {
                    message: format!("Distance: {text:?} is not a float"),
                })?;
            }
            Ok(Val::Float(time::distance_km(coords)))
        }
        FloatApproxEqual => match (args[0].as_number(), args[1].as_number()) {
            (Some(a), Some(b)) => Ok(Val::Bool((a - b).abs() < 1e-6)),
            _ => Err(EvalError {
                message: "FloatApproxEqual: expected two numbers".into(),
            }),
        },
        // Go's strings.Index/LastIndex: byte offsets, -1 when absent.
        IndexOf | LastIndexOf => {
            let (text, sub) = (take_str(args, 0, h)?, take_str(args, 1, h)?);
            let found = if h == IndexOf {
                text.find(sub.as_ref())
            } else {
                text.rfind(sub.as_ref())
            };
            Ok(Val::Int(found.map_or(-1, |i| i as i64)))
        }
        ToString => match std::mem::replace(&mut args[0], Val::Nil) {
            Val::Str(s) => Ok(Val::Str(s)),
            other => Ok(Val::Str(Cow::Owned(fmt::go_v(&other)))),
        },
    }
}

/// expr-lang's `get(from, key)`: `from[key]`, but nil instead of an error when the key or
/// index is absent (a negative index counts from the end), and nil from nil.
fn get<'a>(args: &mut [Val<'a>]) -> Result<Val<'a>, EvalError> {
    let from = std::mem::replace(&mut args[0], Val::Nil);
    let key = std::mem::replace(&mut args[1], Val::Nil);
    Ok(match (&from, &key) {
        (Val::Map(_) | Val::Json(_), Val::Str(k)) if !matches!(&from, Val::Json(j) if j.is_array()) =>
        {
            let k = k.to_string();
            crate::access::member(from, &k).unwrap_or(Val::Nil)
        }
        (Val::List(_) | Val::Json(_) | Val::Str(_), Val::Int(i)) => {
            crate::access::element(from, *i).unwrap_or(Val::Nil)
        }
        _ => Val::Nil,
    })
}

/// `text` cut down to the sub-slice `cut` picks, still borrowed when it was.
fn trim_cow<'a>(text: Cow<'a, str>, cut: impl Fn(&str) -> &str) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(t) => Cow::Borrowed(cut(t)),
        Cow::Owned(t) => Cow::Owned(cut(&t).to_owned()),
    }
}

/// Go's strings.Split: an empty separator splits into characters; an empty text is `[""]`.
fn go_split<'t>(text: &'t str, sep: &str) -> Vec<&'t str> {
    if sep.is_empty() {
        return text
            .char_indices()
            .map(|(i, c)| &text[i..i + c.len_utf8()])
            .collect();
    }
    text.split(sep).collect()
}

/// expr-lang's `int()`: an int as is, a float truncated toward zero, a string parsed as a
/// decimal integer (Go's strconv.Atoi: an optional sign, nothing else), anything else an error.
fn to_int(v: &Val<'_>) -> Result<Val<'static>, EvalError> {
    match v {
        Val::Int(i) => Ok(Val::Int(*i)),
        Val::Float(f) => Ok(Val::Int(*f as i64)),
        Val::Str(s) => s.parse::<i64>().map(Val::Int).map_err(|_| EvalError {
            message: format!("int: invalid syntax: {s:?}"),
        }),
        other => Err(EvalError {
            message: format!("invalid argument for int (type {})", other.type_name()),
        }),
    }
}

/// expr-lang's `float()`: numbers converted, a string parsed (Go's strconv.ParseFloat), anything
/// else an error.
fn to_float(v: &Val<'_>) -> Result<Val<'static>, EvalError> {
    match v {
        Val::Int(i) => Ok(Val::Float(*i as f64)),
        Val::Float(f) => Ok(Val::Float(*f)),
        Val::Str(s) => s.parse::<f64>().map(Val::Float).map_err(|_| EvalError {
            message: format!("float: invalid syntax: {s:?}"),
        }),
        other => Err(EvalError {
            message: format!("invalid argument for float (type {})", other.type_name()),
        }),
    }
}

fn len(v: &Val<'_>) -> Result<Val<'static>, EvalError> {
    let n = match v {
        Val::Str(s) => s.len(),
        Val::List(l) => l.len(),
        Val::Map(m) => m.len(),
        Val::Json(j) => j
            .as_array()
            .map(Vec::len)
            .or_else(|| j.as_object().map(|o| o.len()))
            .unwrap_or(0),
        other => {
            return Err(EvalError {
                message: format!("invalid argument for len (type {})", other.type_name()),
            })
        }
    };
    Ok(Val::Int(n as i64))
}

/// Go's strings.ToUpper maps rune by rune; a rune without a one-rune upper case stays as is
/// (Rust would turn 'ß' into "SS"). Borrows when nothing changes, the common case for paths.
pub(crate) fn go_upper(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.is_ascii() {
        if !s.bytes().any(|b| b.is_ascii_lowercase()) {
            return s;
        }
        return Cow::Owned(s.to_ascii_uppercase());
    }
    Cow::Owned(
        s.chars()
            .map(|c| single(c.to_uppercase()).unwrap_or(c))
            .collect(),
    )
}

pub(crate) fn go_lower(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.is_ascii() {
        if !s.bytes().any(|b| b.is_ascii_uppercase()) {
            return s;
        }
        return Cow::Owned(s.to_ascii_lowercase());
    }
    Cow::Owned(
        s.chars()
            .map(|c| single(c.to_lowercase()).unwrap_or(c))
            .collect(),
    )
}

fn single(mut it: impl Iterator<Item = char>) -> Option<char> {
    let first = it.next()?;
    it.next().is_none().then_some(first)
}

/// A list of strings, for `File()` results built at compile time.
pub(crate) fn string_list(items: std::sync::Arc<Vec<String>>) -> Val<'static> {
    Val::List(List::Shared(items))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call_str(h: Helper, args: &[&str]) -> Val<'static> {
        let mut a: Vec<Val<'static>> = args
            .iter()
            .map(|s| Val::Str(Cow::Owned(s.to_string())))
            .collect();
        call(h, &mut a).unwrap().into_static()
    }

    fn text(v: Val<'_>) -> String {
        v.as_str().unwrap().to_string()
    }

    #[test]
    fn case_mapping_like_go() {
        assert_eq!(go_upper(Cow::Borrowed("abc/É")), "ABC/É");
        assert!(matches!(go_upper(Cow::Borrowed("ABC/1")), Cow::Borrowed(_)));
        assert_eq!(go_upper(Cow::Borrowed("straße")), "STRAßE");
        assert_eq!(go_lower(Cow::Borrowed("ÀB")), "àb");
    }

    #[test]
    fn len_atof_sprintf() {
        assert!(matches!(call_str(Helper::Len, &["héllo"]), Val::Int(6)));
        assert!(matches!(call_str(Helper::Atof, &["1.5"]), Val::Float(f) if f == 1.5));
        assert!(matches!(call_str(Helper::Atof, &["x"]), Val::Float(f) if f == 0.0));
        let mut args = vec![
            Val::str("%s-%d-%v-%.2f-%q-%%"),
            Val::str("a"),
            Val::Int(3),
            Val::Bool(true),
            Val::Float(1.0),
            Val::str("q"),
        ];
        assert_eq!(
            text(call(Helper::Sprintf, &mut args).unwrap()),
            "a-3-true-1.00-\"q\"-%"
        );
        assert!(call(Helper::Len, &mut [Val::Int(3)]).is_err());
    }

    #[test]
    fn crowdsec_1_7_and_expr_lang_string_helpers() {
        assert_eq!(
            text(call_str(Helper::TrimSpace, &[" \t a b\u{a0}\n"])),
            "a b"
        );
        assert_eq!(
            text(call_str(Helper::TrimPrefix, &["/api/v1", "/api"])),
            "/v1"
        );
        assert_eq!(
            text(call_str(Helper::TrimPrefix, &["/api/v1", "/v1"])),
            "/api/v1"
        );
        assert_eq!(text(call_str(Helper::TrimSuffix, &["a.php", ".php"])), "a");
        let parts = |v: Val<'_>| -> Vec<String> {
            let Val::List(List::Owned(items)) = v else {
                panic!("not a list")
            };
            items
                .iter()
                .map(|p| p.as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            parts(call_str(Helper::Split, &["a,b,,c", ","])),
            ["a", "b", "", "c"]
        );
        assert_eq!(parts(call_str(Helper::Split, &["", ","])), [""]);
        assert_eq!(parts(call_str(Helper::Split, &["hé", ""])), ["h", "é"]);
        assert!(matches!(
            call_str(Helper::IsIp, &["1.2.3.4"]),
            Val::Bool(true)
        ));
        assert!(matches!(call_str(Helper::IsIp, &["::1"]), Val::Bool(true)));
        assert!(matches!(
            call_str(Helper::IsIp, &["1.2.3"]),
            Val::Bool(false)
        ));
        assert!(matches!(
            call_str(Helper::IsIp, &["1.2.3.4/24"]),
            Val::Bool(false)
        ));
    }

    #[test]
    fn int_and_float_conversions() {
        assert!(matches!(call_str(Helper::ToInt, &["-42"]), Val::Int(-42)));
        assert!(matches!(
            call(Helper::ToInt, &mut [Val::Float(-3.9)]),
            Ok(Val::Int(-3))
        ));
        assert!(call(Helper::ToInt, &mut [Val::str("4.2")]).is_err());
        assert!(call(Helper::ToInt, &mut [Val::Nil]).is_err());
        assert!(matches!(call_str(Helper::ToFloat, &["2.5"]), Val::Float(f) if f == 2.5));
        assert!(matches!(call(Helper::ToFloat, &mut [Val::Int(3)]), Ok(Val::Float(f)) if f == 3.0));
        assert!(call(Helper::ToFloat, &mut [Val::str("x")]).is_err());
    }

    #[test]
    fn time_now_is_rfc3339_utc() {
        let t = text(call_str(Helper::TimeNow, &[]));
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T');
    }
}
