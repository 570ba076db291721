//! Go reference layouts (`Mon Jan 2 15:04:05 MST 2006`): the parsing half of Go's `time.Parse`,
//! as Go 1.19 (the toolchain of Debian's crowdsec 1.4.6) behaves.
//!
//! CrowdSec content hands us Go layouts verbatim (`StrTimeFormat`, the ParseDate list), so we
//! mirror Go's tokenizer and its quirks instead of translating to strftime: a run of spaces in
//! the layout matches any run of spaces, month and day names match case-insensitively, `2` and
//! `_2` accept one or two digits, a fraction after seconds is accepted even when the layout has
//! none, and an abbreviation such as `CEST` is kept as a zero offset (Go only knows the offsets
//! of the machine's local zone, which we take to be UTC, as on a typical crowdsec host).
//! Not supported: the day-of-year elements `002` / `__2` (not needed by any known content).

mod chunk;
mod fields;

use crate::calendar::{
    days_in_month, CivilDateTime, LONG_DAY_NAMES, LONG_MONTH_NAMES, NANOS_PER_SECOND,
    SHORT_DAY_NAMES, SHORT_MONTH_NAMES,
};
use crate::Timestamp;
use chunk::{next_std_chunk, Std};
use fields::{getnum, lookup, nanoseconds, numeric_offset, skip, zone_abbreviation_len};

/// The zone outcome of a parse, in Go's order of precedence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Zone {
    /// `Z` or `UTC`, or nothing at all.
    Utc,
    /// A numeric offset: the wall clock is at that offset.
    Offset(i32),
    /// An abbreviation Go cannot resolve: Go keeps the wall clock as UTC and only labels it with
    /// this offset (non-zero only for `GMT+h`), so the instant does not move.
    Label(i32),
}

/// A parsed instant before any range check: Go's `time.Time` spans years our nanosecond
/// `Timestamp` cannot (year 0 for syslog dates, year 1 for Go's zero time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Instant {
    pub secs: i64,
    pub nanos: u32,
    pub offset_secs: i32,
}

/// Go's zero `time.Time`, 0001-01-01T00:00:00Z, which CrowdSec treats as "did not parse".
const GO_ZERO_UNIX_SECS: i64 = -62_135_596_800;

impl Instant {
    pub fn is_go_zero(&self) -> bool {
        self.secs == GO_ZERO_UNIX_SECS && self.nanos == 0
    }

    fn wall(&self) -> CivilDateTime {
        CivilDateTime::from_unix(self.secs + i64::from(self.offset_secs), self.nanos)
    }

    /// CrowdSec's "year 0 ⇒ this year": Go's `t.AddDate(year, 0, 0)`, which moves the wall clock
    /// in the parsed zone and normalises, so `Feb 29` of year 0 becomes March 1 in a common year.
    pub fn with_default_year(self, year: i32) -> Instant {
        let mut wall = self.wall();
        if wall.year != 0 {
            return self;
        }
        wall.year = i64::from(year);
        Instant {
            secs: wall.to_unix_secs() - i64::from(self.offset_secs),
            ..self
        }
    }

    /// `None` outside what `i64` nanoseconds hold (about years 1678 to 2262).
    pub fn to_timestamp(self) -> Option<Timestamp> {
        let unix_nanos = self
            .secs
            .checked_mul(NANOS_PER_SECOND)?
            .checked_add(i64::from(self.nanos))?;
        Some(Timestamp {
            unix_nanos,
            offset_secs: self.offset_secs,
        })
    }
}

/// Go's `time.Parse(layout, text)`, without the final conversion to a `Timestamp`.
pub(crate) fn parse_instant(text: &str, layout: &str) -> Option<Instant> {
    let mut value = text.as_bytes();
    let mut layout = layout.as_bytes();
    let (mut year, mut month, mut day) = (0i64, 1u32, 1i64);
    let (mut hour, mut minute, mut second, mut nanos) = (0i64, 0i64, 0i64, 0u32);
    let (mut pm, mut am) = (false, false);
    let (mut utc, mut offset, mut zone_name): (bool, Option<i32>, Option<&[u8]>) =
        (false, None, None);

    loop {
        let chunk = next_std_chunk(layout);
        let prefix_len = chunk.map_or(layout.len(), |c| c.0);
        value = skip(value, &layout[..prefix_len])?;
        let Some((_, std, len)) = chunk else {
            if !value.is_empty() {
                return None; // extra text
            }
            break;
        };
        layout = &layout[prefix_len + len..];
        match std {
            Std::Year => {
                let two = value
                    .get(..2)
                    .filter(|d| d.iter().all(u8::is_ascii_digit))?;
                let y = i64::from(two[0] - b'0') * 10 + i64::from(two[1] - b'0');
                year = if y >= 69 { 1900 + y } else { 2000 + y };
                value = &value[2..];
            }
            Std::LongYear => {
                let four = value
                    .get(..4)
                    .filter(|d| d.iter().all(u8::is_ascii_digit))?;
                year = four
                    .iter()
                    .fold(0, |acc, &c| acc * 10 + i64::from(c - b'0'));
                value = &value[4..];
            }
            Std::Month | Std::LongMonth => {
                let names = if std == Std::Month {
                    &SHORT_MONTH_NAMES
                } else {
                    &LONG_MONTH_NAMES
                };
                let (index, rest) = lookup(names, value)?;
                month = index as u32 + 1;
                value = rest;
            }
            Std::NumMonth | Std::ZeroMonth => {
                let (m, rest) = getnum(value, std == Std::ZeroMonth)?;
                if !(1..=12).contains(&m) {
                    return None;
                }
                month = m as u32;
                value = rest;
            }
            // Weekdays are only checked for shape; Go never validates them against the date.
            Std::WeekDay => value = lookup(&SHORT_DAY_NAMES, value)?.1,
            Std::LongWeekDay => value = lookup(&LONG_DAY_NAMES, value)?.1,
            Std::Day | Std::UnderDay | Std::ZeroDay => {
                if std == Std::UnderDay && value.first() == Some(&b' ') {
                    value = &value[1..];
                }
                (day, value) = getnum(value, std == Std::ZeroDay)?;
            }
            Std::Hour => {
                (hour, value) = getnum(value, false)?;
                if hour >= 24 {
                    return None;
                }
            }
            Std::Hour12 | Std::ZeroHour12 => {
                (hour, value) = getnum(value, std == Std::ZeroHour12)?;
                if hour > 12 {
                    return None;
                }
            }
            Std::Minute | Std::ZeroMinute => {
                (minute, value) = getnum(value, std == Std::ZeroMinute)?;
                if minute >= 60 {
                    return None;
                }
            }
            Std::Second | Std::ZeroSecond => {
                (second, value) = getnum(value, std == Std::ZeroSecond)?;
                if second >= 60 {
                    return None;
                }
                // A fraction in the text but not in the layout is still accepted.
                let has_fraction = value.len() >= 2
                    && matches!(value[0], b'.' | b',')
                    && value[1].is_ascii_digit();
                let layout_has_fraction =
                    matches!(next_std_chunk(layout), Some((_, Std::Frac { .. }, _)));
                if has_fraction && !layout_has_fraction {
                    let n = 1 + value[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                    nanos = nanoseconds(value, n)?;
                    value = &value[n..];
                }
            }
            Std::UpperPm | Std::LowerPm => {
                let two = value.get(..2)?;
                let (p, a) = if std == Std::UpperPm {
                    (b"PM", b"AM")
                } else {
                    (b"pm", b"am")
                };
                pm = two == p;
                am = two == a;
                if !pm && !am {
                    return None;
                }
                value = &value[2..];
            }
            Std::NumZone {
                z,
                colons,
                secs,
                short,
            } => {
                // Go takes a bare `Z` for Z0700, Z07:00 and Z07, but not the forms with seconds.
                if z && !secs && value.first() == Some(&b'Z') {
                    value = &value[1..];
                    utc = true;
                    continue;
                }
                let (off, rest) = numeric_offset(value, colons, secs, short)?;
                offset = Some(off);
                value = rest;
            }
            Std::ZoneName => {
                if value.starts_with(b"UTC") {
                    utc = true;
                    value = &value[3..];
                    continue;
                }
                let n = zone_abbreviation_len(value)?;
                zone_name = Some(&value[..n]);
                value = &value[n..];
            }
            Std::Frac {
                digits,
                optional: false,
            } => {
                if value.len() < 1 + digits {
                    return None;
                }
                nanos = nanoseconds(value, 1 + digits)?;
                value = &value[1 + digits..];
            }
            Std::Frac { optional: true, .. } => {
                if value.len() < 2 || !matches!(value[0], b'.' | b',') || !value[1].is_ascii_digit()
                {
                    continue; // fraction omitted
                }
                // Any number of digits, even more than the layout asks for.
                let n = 1 + value[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                nanos = nanoseconds(value, n)?;
                value = &value[n..];
            }
        }
    }

    if pm && hour < 12 {
        hour += 12;
    } else if am && hour == 12 {
        hour = 0;
    }
    if day < 1 || day > i64::from(days_in_month(year, month)) {
        return None;
    }
    let wall = CivilDateTime {
        year,
        month,
        day: day as u32,
        hour: hour as u32,
        minute: minute as u32,
        second: second as u32,
        nanos,
    };
    let zone = if utc {
        Zone::Utc
    } else if let Some(off) = offset {
        Zone::Offset(off)
    } else if let Some(name) = zone_name {
        // Only `GMT+h` carries an offset; Go labels the zone without moving the instant.
        let hours = name
            .strip_prefix(b"GMT")
            .filter(|rest| !rest.is_empty())
            .and_then(|rest| std::str::from_utf8(rest).ok()?.parse::<i32>().ok())
            .unwrap_or(0);
        Zone::Label(hours * 3600)
    } else {
        Zone::Utc
    };
    let secs = wall.to_unix_secs();
    Some(match zone {
        Zone::Utc => Instant {
            secs,
            nanos,
            offset_secs: 0,
        },
        Zone::Offset(off) => Instant {
            secs: secs - i64::from(off),
            nanos,
            offset_secs: off,
        },
        Zone::Label(off) => Instant {
            secs,
            nanos,
            offset_secs: off,
        },
    })
}

/// Parse `text` with the Go layout `layout`, as Go's `time.Parse` does.
///
/// A layout without a year parses as year 0 in Go; here year 0 is replaced by `reference_year`
/// the way CrowdSec does it (`AddDate`, so `Feb 29` rolls to March 1 in a common year). Pass 0
/// to keep Go's raw result, which then falls outside `Timestamp`'s range and gives `None`.
/// Text without a zone is UTC; a numeric offset is kept in `offset_secs`.
/// `None` when the text does not match or the instant does not fit in `i64` nanoseconds.
pub fn parse_go_layout(text: &str, layout: &str, reference_year: i32) -> Option<Timestamp> {
    parse_instant(text, layout)?
        .with_default_year(reference_year)
        .to_timestamp()
}
