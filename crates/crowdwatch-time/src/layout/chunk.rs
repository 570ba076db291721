//! Go's `nextStdChunk`: splitting a layout into literal text and layout elements.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    UpperPm,
    LowerPm,
    ZoneName,
    /// A numeric zone; `z` = `Z` accepted for UTC, `colons` = separators, `secs` = has seconds,
    /// `short` = hours only.
    NumZone {
        z: bool,
        colons: bool,
        secs: bool,
        short: bool,
    },
    /// `.000` (exactly n digits) or `.999` (up to n digits, optional).
    Frac {
        digits: usize,
        optional: bool,
    },
}

fn starts_with_lower(s: &[u8]) -> bool {
    s.first().is_some_and(|c| c.is_ascii_lowercase())
}

/// Go's `nextStdChunk`: the literal prefix length, the element and the element's length.
pub(super) fn next_std_chunk(layout: &[u8]) -> Option<(usize, Std, usize)> {
    let at = |i: usize, s: &str| layout[i..].starts_with(s.as_bytes());
    for i in 0..layout.len() {
        let found = match layout[i] {
            b'J' if at(i, "January") => Some((Std::LongMonth, 7)),
            b'J' if at(i, "Jan") && !starts_with_lower(&layout[i + 3..]) => Some((Std::Month, 3)),
            b'M' if at(i, "Monday") => Some((Std::LongWeekDay, 6)),
            b'M' if at(i, "Mon") && !starts_with_lower(&layout[i + 3..]) => Some((Std::WeekDay, 3)),
            b'M' if at(i, "MST") => Some((Std::ZoneName, 3)),
            b'0' if i + 1 < layout.len() && (b'1'..=b'6').contains(&layout[i + 1]) => {
                let std = [
                    Std::ZeroMonth,
                    Std::ZeroDay,
                    Std::ZeroHour12,
                    Std::ZeroMinute,
                    Std::ZeroSecond,
                    Std::Year,
                ][usize::from(layout[i + 1] - b'1')];
                Some((std, 2))
            }
            b'1' if at(i, "15") => Some((Std::Hour, 2)),
            b'1' => Some((Std::NumMonth, 1)),
            b'2' if at(i, "2006") => Some((Std::LongYear, 4)),
            b'2' => Some((Std::Day, 1)),
            // `_2006` is a literal underscore followed by the year.
            b'_' if at(i, "_2006") => return Some((i + 1, Std::LongYear, 4)),
            b'_' if at(i, "_2") => Some((Std::UnderDay, 2)),
            b'3' => Some((Std::Hour12, 1)),
            b'4' => Some((Std::Minute, 1)),
            b'5' => Some((Std::Second, 1)),
            b'P' if at(i, "PM") => Some((Std::UpperPm, 2)),
            b'p' if at(i, "pm") => Some((Std::LowerPm, 2)),
            b'-' | b'Z' => numeric_zone(&layout[i..]),
            b'.' | b',' => fraction(&layout[i..]),
            _ => None,
        };
        if let Some((std, len)) = found {
            return Some((i, std, len));
        }
    }
    None
}

fn numeric_zone(s: &[u8]) -> Option<(Std, usize)> {
    let z = s[0] == b'Z';
    // Longest first, as Go checks them.
    let forms: [(&str, bool, bool, bool); 5] = [
        ("070000", false, true, false),
        ("07:00:00", true, true, false),
        ("0700", false, false, false),
        ("07:00", true, false, false),
        ("07", false, false, true),
    ];
    forms
        .iter()
        .find(|f| s[1..].starts_with(f.0.as_bytes()))
        .map(|&(form, colons, secs, short)| {
            (
                Std::NumZone {
                    z,
                    colons,
                    secs,
                    short,
                },
                1 + form.len(),
            )
        })
}

fn fraction(s: &[u8]) -> Option<(Std, usize)> {
    let digit = *s.get(1).filter(|&&c| c == b'0' || c == b'9')?;
    let run = s[1..].iter().take_while(|&&c| c == digit).count();
    // Only a fraction if the run of 0s or 9s is not followed by another digit.
    if s.get(1 + run).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((
        Std::Frac {
            digits: run,
            optional: digit == b'9',
        },
        1 + run,
    ))
}
