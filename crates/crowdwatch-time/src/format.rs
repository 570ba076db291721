//! The three ways CrowdSec 1.4.6 writes a time, byte for byte as Go does.

use crate::calendar::CivilDateTime;
use crate::Timestamp;
use std::fmt::Write;

/// Go's `time.RFC3339` (`2006-01-02T15:04:05Z07:00`): whole seconds, the offset as `Z` when it
/// is zero, else `+02:00`.
///
/// CrowdSec 1.4.6 writes this for the `TimeNow()` expr helper (`time.Now().UTC()`, so always
/// `Z`); the spec records alert `created_at` as RFC3339 too. `MarshaledTime` and alert
/// `start_at`/`stop_at` are RFC3339Nano instead (see [`format_rfc3339_nano`]).
pub fn format_rfc3339(ts: Timestamp) -> String {
    let mut out = String::with_capacity(25);
    write_date_time(&mut out, &ts.wall_clock(), 'T');
    write_offset(&mut out, ts.offset_secs);
    out
}

/// Go's `time.RFC3339Nano` (`2006-01-02T15:04:05.999999999Z07:00`): the fraction is written
/// without trailing zeros and dropped when zero.
///
/// This is what Go's `Time.MarshalText` produces, so it is CrowdSec 1.4.6's format for
/// `evt.Enriched.MarshaledTime` (enrich_date.go marshals the parsed time, keeping the offset it
/// was written with) and for alert `start_at` / `stop_at` (overflows.go marshals the bucket's
/// first and overflow times; in live mode those are `time.Now()` in the host's zone, i.e. `Z` on
/// a UTC host). It is also what `UnmarshalText` reads back in time-machine mode.
pub fn format_rfc3339_nano(ts: Timestamp) -> String {
    let mut out = String::with_capacity(35);
    let wall = ts.wall_clock();
    write_date_time(&mut out, &wall, 'T');
    write_fraction(&mut out, wall.nanos);
    write_offset(&mut out, ts.offset_secs);
    out
}

/// Go's default `time.Time.String()` for a UTC time: `2026-11-24 10:02:00 +0000 UTC`, with a
/// trimmed fraction when there is one (`2026-11-24 10:02:00.5 +0000 UTC`).
///
/// The Local API renders alert `start_at`, `stop_at` and event timestamps this way on GET
/// (it reads them back from the database as `time.Time` and prints them with `%s`). The offset
/// of `ts` is ignored: the database hands back UTC.
pub fn format_go_utc(ts: Timestamp) -> String {
    let mut out = String::with_capacity(40);
    let wall = ts.to_utc().wall_clock();
    write_date_time(&mut out, &wall, ' ');
    write_fraction(&mut out, wall.nanos);
    out.push_str(" +0000 UTC");
    out
}

/// Go's `time.Time.String()` for a time with a fixed offset, as `%s` prints it in CrowdSec's
/// alert messages: `2026-11-24 10:02:00 +0000 UTC` in UTC, `2026-11-24 12:02:00 +0200 +0200`
/// for an offset without a zone name (what parsing `-0700` produces).
pub fn format_go_time(ts: Timestamp) -> String {
    if ts.offset_secs == 0 {
        return format_go_utc(ts);
    }
    let mut out = String::with_capacity(44);
    let wall = ts.wall_clock();
    write_date_time(&mut out, &wall, ' ');
    write_fraction(&mut out, wall.nanos);
    let sign = if ts.offset_secs < 0 { '-' } else { '+' };
    let abs = ts.offset_secs.unsigned_abs();
    let hhmm = format!("{sign}{:02}{:02}", abs / 3600, (abs % 3600) / 60);
    let _ = write!(out, " {hhmm} {hhmm}");
    out
}

fn write_date_time(out: &mut String, wall: &CivilDateTime, separator: char) {
    // Go pads the year to four digits and prints a sign for negative years; our range
    // (1678..=2262) never needs either, so plain padding is exact.
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}",
        wall.year, wall.month, wall.day, separator, wall.hour, wall.minute, wall.second
    );
}

/// `.999999999`: up to nine digits, trailing zeros trimmed, nothing at all for zero.
fn write_fraction(out: &mut String, nanos: u32) {
    if nanos == 0 {
        return;
    }
    let digits = format!("{nanos:09}");
    out.push('.');
    out.push_str(digits.trim_end_matches('0'));
}

/// `Z07:00`: `Z` for UTC, else `±hh:mm` (seconds of an offset are dropped, as in Go).
fn write_offset(out: &mut String, offset_secs: i32) {
    if offset_secs == 0 {
        out.push('Z');
        return;
    }
    let minutes = offset_secs / 60; // truncates toward zero, as Go's `zone / 60`
    let sign = if minutes < 0 { '-' } else { '+' };
    let minutes = minutes.abs();
    let _ = write!(out, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(unix_nanos: i64, offset_secs: i32) -> Timestamp {
        Timestamp {
            unix_nanos,
            offset_secs,
        }
    }

    #[test]
    fn rfc3339_forms() {
        let t = ts(1_136_239_445_000_000_000, -7 * 3600); // Go's reference time
        assert_eq!(format_rfc3339(t), "2006-01-02T15:04:05-07:00");
        assert_eq!(format_rfc3339_nano(t), "2006-01-02T15:04:05-07:00");
        assert_eq!(format_go_utc(t), "2006-01-02 22:04:05 +0000 UTC");
        let t = ts(1_136_239_445_123_400_000, 0);
        assert_eq!(format_rfc3339(t), "2006-01-02T22:04:05Z");
        assert_eq!(format_rfc3339_nano(t), "2006-01-02T22:04:05.1234Z");
        assert_eq!(format_go_utc(t), "2006-01-02 22:04:05.1234 +0000 UTC");
        assert_eq!(
            format_rfc3339_nano(ts(1, 5 * 3600 + 1800)),
            "1970-01-01T05:30:00.000000001+05:30"
        );
        assert_eq!(
            format_rfc3339(ts(-1_000_000_000, 0)),
            "1969-12-31T23:59:59Z"
        );
        // The seconds of an offset are dropped, as Go's `zone / 60` does (toward zero).
        assert_eq!(
            format_rfc3339(ts(1_767_250_801_000_000_000, -(7 * 3600 + 1))),
            "2026-01-01T00:00:00-07:00"
        );
        assert_eq!(format_rfc3339(ts(0, -30)), "1969-12-31T23:59:30+00:00");
        // Sub-second instants before the epoch still floor to the right second.
        assert_eq!(
            format_rfc3339_nano(ts(-1, 0)),
            "1969-12-31T23:59:59.999999999Z"
        );
    }

    #[test]
    fn go_utc_matches_lab_sample() {
        let t = crate::parse_go_layout("2026-11-24T11:02:00+01:00", "2006-01-02T15:04:05Z07:00", 0)
            .unwrap();
        assert_eq!(format_go_utc(t), "2026-11-24 10:02:00 +0000 UTC");
        assert_eq!(format_rfc3339(t), "2026-11-24T11:02:00+01:00");
    }
}

#[cfg(test)]
mod go_time_tests {
    use super::*;

    #[test]
    fn go_time_string_keeps_numeric_offsets() {
        let ts = crate::parse_rfc3339("2026-11-24T12:02:00.5+02:00").unwrap();
        assert_eq!(format_go_time(ts), "2026-11-24 12:02:00.5 +0200 +0200");
        assert_eq!(
            format_go_time(ts.to_utc()),
            "2026-11-24 10:02:00.5 +0000 UTC"
        );
    }
}
