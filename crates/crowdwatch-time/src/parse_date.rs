//! CrowdSec's `ParseDate` enricher (pkg/parser/enrich_date.go), which turns `evt.StrTime` into
//! `evt.Enriched.MarshaledTime`.
//!
//! It tries the event's `StrTimeFormat` layout first (when set), then a fixed list of Go layouts
//! in order; the first layout that parses to a non-zero time wins. A result in year 0 (layouts
//! without a year, i.e. syslog) takes the current UTC year. If nothing parses, the enricher uses
//! the current time.
//!
//! The list is 1.4.6's 15 layouts plus the one CrowdSec appended in 1.6.5 and still has in 1.7:
//! ISO 8601 without a zone (`2006-01-02T15:04:05`, read as UTC like every zone-less layout), which
//! today's hub needs (mealie, qbittorrent, sftpgo). It only adds dates that 1.4.6 could not read.
//!
//! Since 1.5 CrowdSec also reads a unix time when no layout matches ([`parse_unix_time`]), and so
//! does `parse_date`: today's hub relies on it (webmin, caddy's epoch `ts`), where 1.4.6 stored
//! the time of acquisition.

use crate::layout::{parse_instant, Instant};
use crate::Timestamp;

/// CrowdSec's `GenDateParse` layouts, in the order they are tried: 1.4.6's 15, then 1.6.5's
/// zone-less ISO 8601. `time.RFC3339` and the ninth entry are the same layout; the duplicate is
/// kept so the list reads like the source.
pub const CROWDSEC_DATE_LAYOUTS: [&str; 16] = [
    "2006-01-02T15:04:05Z07:00", // time.RFC3339
    "02/Jan/2006:15:04:05 -0700",
    "Mon Jan 2 15:04:05 2006",
    "02-Jan-2006 15:04:05 europe/paris",
    "01/02/2006 15:04:05",
    "2006-01-02 15:04:05.999999999 -0700 MST",
    "Jan  2 15:04:05",
    "Mon Jan 02 15:04:05.000000 2006",
    "2006-01-02T15:04:05Z07:00",
    "2006/01/02",
    "2006/01/02 15:04",
    "2006-01-02",
    "2006-01-02 15:04",
    "2006/01/02 15:04:05",
    "2006-01-02 15:04:05",
    // CrowdSec 1.6.5+. Go also takes a fraction after the seconds: `2025-09-14T16:56:57.706`.
    "2006-01-02T15:04:05",
];

/// CrowdSec's `parseDateWithFormat`: Go's `time.Parse`, rejecting Go's zero time
/// (0001-01-01T00:00:00Z), then year 0 ⇒ the year of `now` in UTC.
fn parse_with_layout(text: &str, layout: &str, now_year: i32) -> Option<Timestamp> {
    let parsed: Instant = parse_instant(text, layout)?;
    if parsed.is_go_zero() {
        return None;
    }
    // Go's MarshalText would fail for years outside 0..=9999 and CrowdSec moves on to the next
    // layout; our narrower nanosecond range fails the same way.
    parsed.with_default_year(now_year).to_timestamp()
}

/// CrowdSec's `ParseDate` without its unix-time fallback: `str_time_format` first when non-empty,
/// then [`CROWDSEC_DATE_LAYOUTS`] in order.
///
/// `now` only supplies the year for dates written without one (its UTC year, as 1.4.6 uses
/// `time.Now().UTC().Year()`). 1.4.6 does not look at the month: a syslog `Dec 31 23:59:59` read
/// on January 1st becomes December 31st of the *new* year, almost a year in the future; we keep
/// that, since replays and bucket timing must match CrowdSec.
///
/// `None` means no layout matched; CrowdSec then stores the current time (`now`) as
/// `MarshaledTime`, which the caller does. Format a result with
/// [`format_rfc3339_nano`](crate::format_rfc3339_nano) to get CrowdSec's `MarshaledTime` text.
pub fn parse_date(str_time: &str, str_time_format: &str, now: Timestamp) -> Option<Timestamp> {
    let now_year = now.utc_year();
    if !str_time_format.is_empty() {
        if let Some(ts) = parse_with_layout(str_time, str_time_format, now_year) {
            return Some(ts);
        }
    }
    CROWDSEC_DATE_LAYOUTS
        .iter()
        .find_map(|layout| parse_with_layout(str_time, layout, now_year))
        .or_else(|| parse_unix_time(str_time))
}

/// CrowdSec 1.5+'s `ParseUnixTime` (pkg/exprhelpers), `ParseDate`'s last resort there: the text
/// before the first `.` as a decimal integer (optional sign, Go's `strconv.ParseInt`), which must
/// be positive, as whole seconds since the epoch. `1690466804.2161960.0` (webmin) is
/// 2023-07-27T14:06:44Z; any small number (`22`) is a date in 1970.
///
/// Go builds the time in the local zone; the result here is UTC, what CrowdSec gives with TZ=UTC
/// (as its hub tests run). `ParseDate` then stores `format_rfc3339` of it (whole seconds).
/// Seconds past 2262 do not fit [`Timestamp`] and give `None`.
pub fn parse_unix_time(text: &str) -> Option<Timestamp> {
    let integer = text.split('.').next().unwrap_or(text);
    let digits = integer.strip_prefix(['+', '-']).unwrap_or(integer);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = integer.parse().ok()?;
    if secs <= 0 {
        return None;
    }
    Timestamp::from_unix(secs, 0)
}
