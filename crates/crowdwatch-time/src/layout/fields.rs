//! Readers for single layout elements, each mirroring the Go helper it is named after.

/// Go's `skip`: match a literal, where a run of spaces matches any run of spaces.
pub(super) fn skip<'a>(mut value: &'a [u8], mut prefix: &[u8]) -> Option<&'a [u8]> {
    let cut = |s: &[u8]| s.iter().position(|&c| c != b' ').unwrap_or(s.len());
    while let Some(&p) = prefix.first() {
        if p == b' ' {
            if value.first().is_some_and(|&c| c != b' ') {
                return None;
            }
            prefix = &prefix[cut(prefix)..];
            value = &value[cut(value)..];
            continue;
        }
        if value.first() != Some(&p) {
            return None;
        }
        prefix = &prefix[1..];
        value = &value[1..];
    }
    Some(value)
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
pub(super) fn getnum(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    let d = |i: usize| {
        s.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| i64::from(c - b'0'))
    };
    let first = d(0)?;
    match d(1) {
        Some(second) => Some((first * 10 + second, &s[2..])),
        None if fixed => None,
        None => Some((first, &s[1..])),
    }
}

/// Go's `lookup`: the first name that prefixes `value`, ASCII case-insensitively.
pub(super) fn lookup<'a>(names: &[&str], value: &'a [u8]) -> Option<(usize, &'a [u8])> {
    names.iter().enumerate().find_map(|(i, name)| {
        let n = name.len();
        (value.len() >= n && value[..n].eq_ignore_ascii_case(name.as_bytes()))
            .then(|| (i, &value[n..]))
    })
}

/// Digits after a `.`/`,` at `s[0]`, `nbytes` counting the separator; more than 9 digits are
/// truncated, as Go does.
pub(super) fn nanoseconds(s: &[u8], nbytes: usize) -> Option<u32> {
    if !matches!(s.first(), Some(b'.' | b',')) {
        return None;
    }
    let digits = &s[1..nbytes.min(10)];
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let ns = digits
        .iter()
        .fold(0u32, |acc, &c| acc * 10 + u32::from(c - b'0'));
    Some(ns * 10u32.pow(9 - digits.len() as u32))
}

/// Go's `parseTimeZone` for `MST`: how many bytes of `value` look like a zone abbreviation.
pub(super) fn zone_abbreviation_len(value: &[u8]) -> Option<usize> {
    if value.len() < 3 {
        return None;
    }
    if value.starts_with(b"ChST") || value.starts_with(b"MeST") {
        return Some(4);
    }
    if value.starts_with(b"GMT") {
        return Some(3 + signed_hours_len(&value[3..]));
    }
    if value[0] == b'+' || value[0] == b'-' {
        return Some(signed_hours_len(value)).filter(|&n| n > 0);
    }
    let upper = value
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    match upper {
        3 => Some(3),
        4 if value[3] == b'T' || value.starts_with(b"WITA") => Some(4),
        5 if value[4] == b'T' => Some(5),
        _ => None,
    }
}

/// Go's `parseSignedOffset`: `+3`, `-11` (hours at most 12); 0 when absent.
pub(super) fn signed_hours_len(s: &[u8]) -> usize {
    if !matches!(s.first(), Some(b'+' | b'-')) {
        return 0;
    }
    let digits = s[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    match std::str::from_utf8(&s[1..1 + digits])
        .ok()
        .and_then(|d| d.parse::<u64>().ok())
    {
        Some(h) if h <= 12 => 1 + digits,
        _ => 0,
    }
}

/// `-0700`, `-07:00`, `-07`, `-070000`, `-07:00:00`: the offset in seconds and the rest.
pub(super) fn numeric_offset(
    value: &[u8],
    colons: bool,
    secs: bool,
    short: bool,
) -> Option<(i32, &[u8])> {
    let (h, m, s, len): (&[u8], &[u8], &[u8], usize) = match (colons, secs, short) {
        (_, _, true) => (value.get(1..3)?, b"00", b"00", 3),
        (true, false, _) if value.get(3) == Some(&b':') => {
            (&value[1..3], value.get(4..6)?, b"00", 6)
        }
        (true, true, _) if value.get(3) == Some(&b':') && value.get(6) == Some(&b':') => {
            (&value[1..3], &value[4..6], value.get(7..9)?, 9)
        }
        (false, true, _) => (value.get(1..3)?, value.get(3..5)?, value.get(5..7)?, 7),
        (false, false, _) => (value.get(1..3)?, value.get(3..5)?, b"00", 5),
        _ => return None,
    };
    let two = |d: &[u8]| getnum(d, true).map(|(n, _)| n as i32);
    let (h, m, s) = (two(h)?, two(m)?, two(s)?);
    // Go's ranges, `>` rather than `>=` as some write offsets of 24 hours or 60 minutes.
    if h > 24 || m > 60 || s > 60 {
        return None;
    }
    let magnitude = (h * 60 + m) * 60 + s;
    let off = match value[0] {
        b'+' => magnitude,
        b'-' => -magnitude,
        _ => return None,
    };
    Some((off, &value[len..]))
}
