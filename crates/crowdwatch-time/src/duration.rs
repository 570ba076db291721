//! Go's `time.Duration` text: `ParseDuration` and `Duration.String()`, plus CrowdSec's `d`
//! (days) extension. Scenario `leakspeed`/`duration`, profile decision durations and the
//! `duration` field bouncers parse all go through these, so the text must match Go exactly.

const NANOSECOND: u64 = 1;
const MICROSECOND: u64 = 1_000 * NANOSECOND;
const MILLISECOND: u64 = 1_000 * MICROSECOND;
const SECOND: u64 = 1_000 * MILLISECOND;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;
/// Go accumulates in `uint64` and accepts up to 2^63 (for `-2562047h47m16.854775808s`).
const LIMIT: u64 = 1 << 63;

fn unit_nanos(unit: &str) -> Option<u64> {
    Some(match unit {
        "ns" => NANOSECOND,
        // U+00B5 micro sign and U+03BC Greek mu, both accepted by Go.
        "us" | "\u{b5}s" | "\u{3bc}s" => MICROSECOND,
        "ms" => MILLISECOND,
        "s" => SECOND,
        "m" => MINUTE,
        "h" => HOUR,
        _ => return None,
    })
}

/// Go's `leadingInt`: digits as a number, `None` past 2^63.
fn leading_int(s: &[u8]) -> Option<(u64, &[u8])> {
    let mut x: u64 = 0;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if x > LIMIT / 10 {
            return None;
        }
        x = x * 10 + u64::from(s[i] - b'0');
        if x > LIMIT {
            return None;
        }
        i += 1;
    }
    Some((x, &s[i..]))
}

/// Go's `leadingFraction`: digits after the point, and 10^(digits kept); digits that would
/// overflow are skipped, not rejected.
fn leading_fraction(s: &[u8]) -> (u64, f64, &[u8]) {
    let (mut x, mut scale, mut overflow) = (0u64, 1f64, false);
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if !overflow {
            if x > (LIMIT - 1) / 10 {
                overflow = true;
            } else {
                let y = x * 10 + u64::from(s[i] - b'0');
                if y > LIMIT {
                    overflow = true;
                } else {
                    x = y;
                    scale *= 10.0;
                }
            }
        }
        i += 1;
    }
    (x, scale, &s[i..])
}

/// Go's `time.ParseDuration`: a signed sequence of decimal numbers with units, e.g. `300ms`,
/// `-1.5h`, `2h45m`. Units are `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`. A bare `0` is allowed;
/// any other number needs a unit. Returns nanoseconds; `None` on bad text or overflow.
pub fn parse_go_duration(text: &str) -> Option<i64> {
    let mut s = text.as_bytes();
    let mut negative = false;
    if let Some(&c @ (b'-' | b'+')) = s.first() {
        negative = c == b'-';
        s = &s[1..];
    }
    if s == b"0" {
        return Some(0);
    }
    if s.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return None;
        }
        let before = s.len();
        let (mut v, rest) = leading_int(s)?;
        s = rest;
        let has_int = s.len() != before;
        let (mut f, mut scale, mut has_frac) = (0u64, 1f64, false);
        if s.first() == Some(&b'.') {
            let after_point = s.len() - 1;
            let (frac, sc, rest) = leading_fraction(&s[1..]);
            (f, scale, s) = (frac, sc, rest);
            has_frac = s.len() != after_point;
        }
        if !has_int && !has_frac {
            return None; // "." or ".s"
        }
        let unit_len = s
            .iter()
            .position(|&c| c == b'.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if unit_len == 0 {
            return None; // missing unit
        }
        let unit = unit_nanos(std::str::from_utf8(&s[..unit_len]).ok()?)?;
        s = &s[unit_len..];
        if v > LIMIT / unit {
            return None;
        }
        v *= unit;
        if f > 0 {
            // Go does this in float64 so fractions of an hour stay nanosecond-exact; the cast
            // truncates like Go's uint64 conversion.
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return None;
            }
        }
        total = total.checked_add(v).filter(|&t| t <= LIMIT)?;
    }
    if negative {
        // 2^63 itself is representable only as the negative extreme.
        return Some(0i64.wrapping_sub_unsigned(total));
    }
    i64::try_from(total).ok()
}

/// CrowdSec's `types.ParseDuration`, used for the Local API's `since`/`until` filters: a value
/// ending in `d` is whole days (`7d` ⇒ 168h); anything else goes to [`parse_go_duration`].
///
/// Faithful to its quirks: the day count is the text before the *first* `d` (so `7dd` is 7 days
/// and `1h2d` fails), it may carry a sign (`-1d`), and fractions (`1.5d`) are rejected.
pub fn parse_day_duration(text: &str) -> Option<i64> {
    if !text.ends_with('d') {
        return parse_go_duration(text);
    }
    let days = text.split('d').next().unwrap_or("");
    if days.is_empty() {
        return None;
    }
    // strconv.Atoi: optional sign, decimal digits, no spaces or underscores.
    let digits = days.strip_prefix(['+', '-']).unwrap_or(days);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hours = days.parse::<i64>().ok()?.checked_mul(24)?;
    parse_go_duration(&format!("{hours}h"))
}

/// Go's `Duration.String()`: `1h21m52.989315404s`, `-8.801618ms`, `0s`, `1µs`, `4h0m0s`.
/// Below one second the largest fitting unit among ns/µs/ms is used with a decimal fraction;
/// from one second up, `h`/`m` are shown as soon as they are non-zero, seconds always.
pub fn format_go_duration(nanos: i64) -> String {
    let negative = nanos < 0;
    let mut u = nanos.unsigned_abs();
    let mut out = String::new();
    if u < SECOND {
        let (unit, precision) = match u {
            0 => return "0s".to_string(),
            _ if u < MICROSECOND => ("ns", 0),
            _ if u < MILLISECOND => ("\u{b5}s", 3),
            _ => ("ms", 6),
        };
        let frac = take_fraction(&mut u, precision);
        out.push_str(&u.to_string());
        out.push_str(&frac);
        out.push_str(unit);
    } else {
        let frac = take_fraction(&mut u, 9);
        // u is now whole seconds.
        let (hours, minutes, seconds) = (u / 3600, u / 60 % 60, u % 60);
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        if u >= 60 {
            out.push_str(&format!("{minutes}m"));
        }
        out.push_str(&format!("{seconds}{frac}s"));
    }
    if negative {
        out.insert(0, '-');
    }
    out
}

/// Go's `fmtFrac`: splits off `precision` decimal digits of `u` as `.ddd` with trailing zeros
/// removed (empty when they are all zero), leaving the integer part in `u`.
fn take_fraction(u: &mut u64, precision: u32) -> String {
    let pow = 10u64.pow(precision);
    let frac = *u % pow;
    *u /= pow;
    if frac == 0 {
        return String::new();
    }
    let digits = format!("{frac:0width$}", width = precision as usize);
    format!(".{}", digits.trim_end_matches('0'))
}
