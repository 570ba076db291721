//! Sprintf (the Go fmt verbs profiles use) and TimeNow.
use std::fmt::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::value::{go_float, Val};

/// Go fmt.Sprintf for `%s %d %v %f %.Nf %q %x %t %%`; mismatches print Go's `%!verb(type=value)`.
pub(crate) fn sprintf(format: &str, args: &[Val<'_>]) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let mut args = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut precision = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = 0usize;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                p = p * 10 + d as usize;
                chars.next();
            }
            precision = Some(p);
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.next() else {
            let _ = write!(out, "%!{verb}(MISSING)");
            continue;
        };
        let formatted = match (verb, arg) {
            ('v' | 's', Val::Str(s)) => Some(s.to_string()),
            ('d' | 'v', Val::Int(i)) => Some(i.to_string()),
            ('x', Val::Int(i)) => Some(format!("{i:x}")),
            ('x', Val::Str(s)) => Some(s.bytes().map(|b| format!("{b:02x}")).collect()),
            ('v', Val::Float(f)) => Some(go_float(*f)),
            ('f', Val::Float(f)) => Some(format!("{f:.*}", precision.unwrap_or(6))),
            ('v' | 't', Val::Bool(b)) => Some(b.to_string()),
            ('q', Val::Str(s)) => Some(serde_json::to_string(&**s).unwrap_or_default()),
            ('v', Val::Nil) => Some("<nil>".into()),
            ('v', other) => Some(go_v(other)),
            _ => None,
        };
        match formatted {
            Some(text) => out.push_str(&text),
            None => {
                let shown = arg.to_text().map(|t| t.into_owned()).unwrap_or_default();
                let _ = write!(out, "%!{verb}({}={shown})", arg.type_name());
            }
        }
    }
    if args.len() > 0 {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args
            .map(|a| {
                format!(
                    "{}={}",
                    a.type_name(),
                    a.to_text().map(|t| t.into_owned()).unwrap_or_default()
                )
            })
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}

/// time.Now().UTC().Format(time.RFC3339).
pub(crate) fn time_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Go's `%v` (what expr-lang's `string()` prints): `<nil>`, numbers as Go prints them, lists as
/// `[a b]`, maps as `map[k:v]` with sorted keys.
pub(crate) fn go_v(v: &Val<'_>) -> String {
    let mut out = String::new();
    write_v(&mut out, &v.to_json_like());
    out
}

fn write_v(out: &mut String, v: &serde_json::Value) {
    use serde_json::Value as Json;
    match v {
        Json::Null => out.push_str("<nil>"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => match n.as_i64() {
            Some(i) => out.push_str(&i.to_string()),
            None => out.push_str(&go_float(n.as_f64().unwrap_or(0.0))),
        },
        Json::String(s) => out.push_str(s),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(out, item);
            }
            out.push(']');
        }
        Json::Object(map) => {
            out.push_str("map[");
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(out, &map[k]);
            }
            out.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_mismatches() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(sprintf("%dh", &[Val::str("x")]), "%!d(string=x)h");
        assert_eq!(sprintf("%s %s", &[Val::str("a")]), "a %!s(MISSING)");
        assert_eq!(sprintf("%v", &[Val::Float(2.5)]), "2.5");
    }

    #[test]
    fn percent_v_prints_like_go() {
        use crate::value::List;
        let list = Val::List(List::Owned(vec![Val::Int(1), Val::Float(2.5), Val::Nil]));
        assert_eq!(go_v(&list), "[1 2.5 <nil>]");
        let map = Val::Json(std::borrow::Cow::Owned(
            serde_json::json!({"b": 403.0, "a": "x"}),
        ));
        assert_eq!(go_v(&map), "map[a:x b:403]");
    }
}
