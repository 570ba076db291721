//! Time as content sees it: Go layouts (`parse_go_layout`), CrowdSec's ParseDate, RFC3339, Go
//! durations; arbitrary value, layout and "now". Besides never panicking:
//! * an RFC3339 time parsed, formatted with nanoseconds and parsed again is the same instant,
//!   but for the seconds of a zone offset, which RFC3339 (and Go's formatter) cannot show: an
//!   offset of -07:00:01 is written -07:00, so the wall clock read back is 1 s later;
//!   offsets of 25 hours or more (24:60 parses, as in Go) format as hours that do not parse back;
//! * a Go duration parsed, formatted and parsed again is the same duration.
//!
//! Input: `value \0 layout \0 now-seconds` (the last part optional, decimal).
#![no_main]
use crowdwatch_time::{
    format_go_duration, format_go_time, format_go_utc, format_rfc3339, format_rfc3339_nano,
    parse_date, parse_day_duration, parse_go_duration, parse_go_layout, parse_rfc3339, Timestamp,
};
use libfuzzer_sys::fuzz_target;

fn formats(ts: Timestamp) {
    let _ = format_go_time(ts);
    let _ = format_go_utc(ts);
    let _ = format_rfc3339(ts);
    let nano = format_rfc3339_nano(ts);
    // Offsets past 24 hours (24:60 is accepted, as in Go) format as hours Go's parser refuses.
    if ts.offset_secs.unsigned_abs() / 3600 > 24 {
        return;
    }
    let back = parse_rfc3339(&nano)
        .unwrap_or_else(|| panic!("{ts:?} formats as {nano:?}, which does not parse back"));
    // Go writes `zone / 60` minutes (truncated toward zero); the seconds left over move the
    // instant read back by exactly that much.
    let dropped = i128::from(ts.offset_secs % 60) * 1_000_000_000;
    assert_eq!(
        i128::from(back.unix_nanos),
        i128::from(ts.unix_nanos) + dropped,
        "{ts:?} → {nano:?} → {back:?}"
    );
    let _ = ts.wall_clock();
    let _ = ts.utc_year();
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\0');
    let value = parts.next().unwrap_or("");
    let layout = parts.next().unwrap_or("");
    let now_secs = parts
        .next()
        .and_then(|n| n.trim().parse::<i64>().ok())
        .unwrap_or(crowdwatch_fuzz::NOW_SECS);
    let Some(now) = Timestamp::from_unix(now_secs, 0) else {
        return;
    };

    for year in [0, 1, 2026, 9999, -1] {
        if let Some(ts) = parse_go_layout(value, layout, year) {
            formats(ts);
        }
    }
    if let Some(ts) = parse_date(value, layout, now) {
        formats(ts);
    }
    if let Some(ts) = parse_rfc3339(value) {
        formats(ts);
    }
    if let Some(d) = parse_go_duration(value) {
        let shown = format_go_duration(d);
        assert_eq!(
            parse_go_duration(&shown),
            Some(d),
            "{value:?} → {d} ns → {shown:?}"
        );
    }
    let _ = parse_day_duration(value);
    let _ = format_go_duration(value.len() as i64 * -7_919_000_000_003);
});
