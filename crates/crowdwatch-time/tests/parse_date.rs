//! CrowdSec's ParseDate: every layout of its fixed list (1.4.6's, then 1.6.5's zone-less ISO 8601)
//! with a real example, the year rule for syslog dates, StrTimeFormat precedence, what must not
//! parse, and 1.5+'s unix-time fallback on its own.

use crowdwatch_time::{
    format_rfc3339, format_rfc3339_nano, parse_date, parse_unix_time, Timestamp,
    CROWDSEC_DATE_LAYOUTS,
};

fn at(rfc3339: &str) -> Timestamp {
    crowdwatch_time::parse_go_layout(rfc3339, "2006-01-02T15:04:05Z07:00", 0).unwrap()
}

/// MarshaledTime text of ParseDate with no StrTimeFormat, "now" in mid-2026.
fn marshaled(text: &str) -> Option<String> {
    parse_date(text, "", at("2026-06-15T12:00:00Z")).map(format_rfc3339_nano)
}

#[test]
fn each_fixed_layout_with_a_real_example() {
    // (example, layout index expected to be the first match, MarshaledTime)
    let cases: [(&str, usize, &str); 16] = [
        ("2026-10-10T13:55:36+02:00", 0, "2026-10-10T13:55:36+02:00"),
        ("10/Oct/2026:13:55:36 +0200", 1, "2026-10-10T13:55:36+02:00"),
        ("Sat Oct 10 13:55:36 2026", 2, "2026-10-10T13:55:36Z"),
        // The "europe/paris" is literal text in CrowdSec's layout: the time stays UTC.
        (
            "10-Oct-2026 13:55:36 europe/paris",
            3,
            "2026-10-10T13:55:36Z",
        ),
        ("10/25/2026 13:55:36", 4, "2026-10-25T13:55:36Z"),
        (
            "2026-10-10 13:55:36.123456789 +0200 CEST",
            5,
            "2026-10-10T13:55:36.123456789+02:00",
        ),
        ("Oct 10 13:55:36", 6, "2026-10-10T13:55:36Z"),
        // Layout 2 already takes this one (Go accepts a fraction after seconds); same result.
        (
            "Sat Oct 10 13:55:36.123456 2026",
            2,
            "2026-10-10T13:55:36.123456Z",
        ),
        ("2026-10-10T13:55:36Z", 0, "2026-10-10T13:55:36Z"),
        ("2026/10/10", 9, "2026-10-10T00:00:00Z"),
        ("2026/10/10 13:55", 10, "2026-10-10T13:55:00Z"),
        ("2026-10-10", 11, "2026-10-10T00:00:00Z"),
        ("2026-10-10 13:55", 12, "2026-10-10T13:55:00Z"),
        ("2026/10/10 13:55:36", 13, "2026-10-10T13:55:36Z"),
        ("2026-10-10 13:55:36", 14, "2026-10-10T13:55:36Z"),
        ("2026-10-10T13:55:36", 15, "2026-10-10T13:55:36Z"),
    ];
    for (text, first, expected) in cases {
        assert_eq!(marshaled(text).as_deref(), Some(expected), "{text}");
        let first_match = CROWDSEC_DATE_LAYOUTS
            .iter()
            .position(|layout| crowdwatch_time::parse_go_layout(text, layout, 2026).is_some());
        assert_eq!(first_match, Some(first), "{text}");
    }
    // The entries that an earlier layout shadows still parse their own example on their own.
    let ts = crowdwatch_time::parse_go_layout(
        "Sat Oct 10 13:55:36.123456 2026",
        CROWDSEC_DATE_LAYOUTS[7],
        0,
    );
    assert_eq!(
        ts.map(format_rfc3339_nano).as_deref(),
        Some("2026-10-10T13:55:36.123456Z")
    );
    let ts = crowdwatch_time::parse_go_layout("2026-10-10T13:55:36Z", CROWDSEC_DATE_LAYOUTS[8], 0);
    assert_eq!(
        ts.map(format_rfc3339).as_deref(),
        Some("2026-10-10T13:55:36Z")
    );
}

#[test]
fn nginx_date_keeps_its_offset() {
    let ts = parse_date("10/Oct/2026:13:55:36 +0200", "", Timestamp::now()).unwrap();
    assert_eq!(ts.unix_nanos, 1_791_633_336 * 1_000_000_000);
    assert_eq!(ts.offset_secs, 7200);
    assert_eq!(format_rfc3339(ts), "2026-10-10T13:55:36+02:00");
    assert_eq!(format_rfc3339_nano(ts), "2026-10-10T13:55:36+02:00");
}

#[test]
fn rfc3339_with_fractional_seconds() {
    assert_eq!(
        marshaled("2026-10-10T13:55:36.123456Z").as_deref(),
        Some("2026-10-10T13:55:36.123456Z")
    );
    assert_eq!(
        marshaled("2026-10-10T13:55:36.5-03:30").as_deref(),
        Some("2026-10-10T13:55:36.5-03:30")
    );
    // More than nine digits: Go keeps nine and drops the rest.
    assert_eq!(
        marshaled("2026-10-10T13:55:36.1234567891Z").as_deref(),
        Some("2026-10-10T13:55:36.123456789Z")
    );
}

#[test]
fn syslog_date_takes_the_year_of_now() {
    assert_eq!(
        marshaled("Oct  5 13:55:36").as_deref(),
        Some("2026-10-05T13:55:36Z")
    );
    assert_eq!(
        marshaled("Oct 5 13:55:36").as_deref(),
        Some("2026-10-05T13:55:36Z")
    );
    assert_eq!(
        marshaled("Oct 05 13:55:36").as_deref(),
        Some("2026-10-05T13:55:36Z")
    );
}

#[test]
fn december_31_read_on_january_1_lands_in_the_new_year() {
    // 1.4.6 only adds the current UTC year: the event is dated ~1 year in the future.
    let now = at("2027-01-01T00:00:30Z");
    let ts = parse_date("Dec 31 23:59:59", "", now).unwrap();
    assert_eq!(ts.unix_nanos, 1_830_297_599 * 1_000_000_000);
    assert_eq!(format_rfc3339(ts), "2027-12-31T23:59:59Z");
    // The year comes from now's UTC reading, not its offset.
    let now_east = Timestamp {
        offset_secs: 3600,
        ..at("2026-12-31T23:30:00Z")
    };
    assert_eq!(
        parse_date("Jan  1 00:10:00", "", now_east)
            .map(format_rfc3339)
            .as_deref(),
        Some("2026-01-01T00:10:00Z")
    );
}

#[test]
fn february_29_without_a_year_rolls_over_in_a_common_year() {
    // Go parses Feb 29 in (leap) year 0, then AddDate(2026, 0, 0) normalises to March 1.
    let in_2026 = parse_date("Feb 29 12:00:00", "", at("2026-06-15T12:00:00Z"));
    assert_eq!(
        in_2026.map(format_rfc3339).as_deref(),
        Some("2026-03-01T12:00:00Z")
    );
    let in_2028 = parse_date("Feb 29 12:00:00", "", at("2028-06-15T12:00:00Z"));
    assert_eq!(
        in_2028.map(format_rfc3339).as_deref(),
        Some("2028-02-29T12:00:00Z")
    );
}

#[test]
fn str_time_format_comes_first_then_the_list() {
    let now = at("2026-06-15T12:00:00Z");
    // European day/month order wins over the list's 01/02/2006.
    let eu = parse_date("10/11/2026 13:55:36", "02/01/2006 15:04:05", now);
    assert_eq!(
        eu.map(format_rfc3339).as_deref(),
        Some("2026-11-10T13:55:36Z")
    );
    let us = parse_date("10/11/2026 13:55:36", "", now);
    assert_eq!(
        us.map(format_rfc3339).as_deref(),
        Some("2026-10-11T13:55:36Z")
    );
    // Comma fractions (Python/Java logs) through a user layout.
    let py = parse_date("2026-10-10 13:55:36,123", "2006-01-02 15:04:05,000", now);
    assert_eq!(
        py.map(format_rfc3339_nano).as_deref(),
        Some("2026-10-10T13:55:36.123Z")
    );
    // A layout that does not fit falls through to the fixed list.
    let fallback = parse_date("2026-10-10", "Jan _2 15:04:05", now);
    assert_eq!(
        fallback.map(format_rfc3339).as_deref(),
        Some("2026-10-10T00:00:00Z")
    );
    // A user layout without a year also takes now's year.
    let caddy_like = parse_date("10 Oct 13:55:36", "02 Jan 15:04:05", now);
    assert_eq!(
        caddy_like.map(format_rfc3339).as_deref(),
        Some("2026-10-10T13:55:36Z")
    );
}

#[test]
fn go_time_string_round_trips_through_the_list() {
    // Layout 6 reads Go's own time.Time.String() output; a literal UTC wins over the offset.
    assert_eq!(
        marshaled("2026-11-24 10:02:00 +0000 UTC").as_deref(),
        Some("2026-11-24T10:02:00Z")
    );
    assert_eq!(
        marshaled("2026-11-24 10:02:00 +0100 UTC").as_deref(),
        Some("2026-11-24T10:02:00Z")
    );
}

#[test]
fn invalid_inputs_do_not_parse() {
    for text in [
        "",
        "not a date",
        "2026-13-01",
        "2026-02-30",
        "2026-10-10T25:00:00Z",
        "2026-10-10T13:60:00Z",
        "2026-10-10T13:55:60Z",
        "Oct 32 10:00:00",
        "Foo 10 10:00:00",
        "2026-10-10 13:55:36 trailing",
        "10/Oct/2026:13:55:36 0200",
        // Go's zero time is how CrowdSec spells "no date".
        "0001-01-01T00:00:00Z",
        // Outside i64 nanoseconds.
        "1600-01-01",
        // The unix-time fallback takes positive integers only.
        "-1791633336",
        "0",
        "17916x33336",
    ] {
        assert_eq!(marshaled(text), None, "{text:?}");
    }
}

#[test]
fn unix_times_are_the_last_resort_as_in_crowdsec_1_5_and_later() {
    // 1.4.6 stored the time of acquisition for these; webmin's and caddy's logs need them read.
    assert_eq!(marshaled("1791633336"), Some("2026-10-10T11:55:36Z".into()));
    assert_eq!(
        marshaled("1690466804.2161960.0"),
        Some("2023-07-27T14:06:44Z".into())
    );
    assert_eq!(marshaled("22"), Some("1970-01-01T00:00:22Z".into()));
}

#[test]
fn zone_less_iso_dates_of_todays_hub() {
    // CrowdSec 1.6.5 appended this layout; 1.4.6 fell back to the time of acquisition.
    assert_eq!(CROWDSEC_DATE_LAYOUTS.last(), Some(&"2006-01-02T15:04:05"));
    let cases = [
        // mealie-logs, qbittorrent-bf: read as UTC, like every layout without a zone.
        ("2025-07-16T19:42:45", "2025-07-16T19:42:45Z"),
        ("2024-11-26T13:37:02", "2024-11-26T13:37:02Z"),
        // sftpgo-logs: Go takes a fraction after the seconds the layout does not show.
        ("2025-09-14T16:56:57.706", "2025-09-14T16:56:57.706Z"),
        ("2025-07-16T19:42:45,5", "2025-07-16T19:42:45.5Z"),
        // audiobookshelf-logs: the space-separated form already parsed with 1.4.6's list.
        ("2024-11-13 11:03:31.784", "2024-11-13T11:03:31.784Z"),
        // A zone, when written, still goes to RFC 3339 first.
        ("2025-07-16T19:42:45+02:00", "2025-07-16T19:42:45+02:00"),
    ];
    for (text, expected) in cases {
        assert_eq!(marshaled(text).as_deref(), Some(expected), "{text}");
    }
    for text in [
        "2025-07-16T19:42",
        "2025-07-16T19:42:45 ",
        // No layout of CrowdSec's list reads webmin's bracketed date (its parser passes the
        // epoch in front of it instead).
        "27/Jul/2023 16:06:44",
    ] {
        assert_eq!(marshaled(text), None, "{text:?}");
    }
}

#[test]
fn unix_time_as_crowdsec_1_5_reads_it() {
    let utc = |text| parse_unix_time(text).map(format_rfc3339);
    // webmin-logs: the text before the first dot.
    assert_eq!(
        utc("1690466804.2161960.0").as_deref(),
        Some("2023-07-27T14:06:44Z")
    );
    // caddy-logs: int(ts).
    assert_eq!(utc("1700758468").as_deref(), Some("2023-11-23T16:54:28Z"));
    assert_eq!(utc("+1700758468").as_deref(), Some("2023-11-23T16:54:28Z"));
    assert_eq!(utc("22").as_deref(), Some("1970-01-01T00:00:22Z"));
    for text in [
        "",
        "0",
        "-5",
        ".5",
        " 1",
        "12a",
        "1_000",
        "abc",
        "99999999999999999999",
    ] {
        assert_eq!(parse_unix_time(text), None, "{text:?}");
    }
}
