//! Go layout vocabulary and `time.Parse` quirks, against what Go documents or returns.

use crowdwatch_time::{format_rfc3339, format_rfc3339_nano, parse_go_layout};

fn parsed(text: &str, layout: &str) -> Option<String> {
    parse_go_layout(text, layout, 2026).map(format_rfc3339_nano)
}

#[test]
fn go_documentation_examples() {
    // From the time.Parse documentation.
    assert_eq!(
        parsed("2013-02-03T19:54:00-08:00", "2006-01-02T15:04:05Z07:00").as_deref(),
        Some("2013-02-03T19:54:00-08:00")
    );
    // "Feb 3, 2013 at 7:54pm (PST)" parses as 19:54 UTC labelled PST (Go: +0000 PST), since
    // Go cannot know PST's offset unless it is the local zone.
    assert_eq!(
        parsed("Feb 3, 2013 at 7:54pm (PST)", "Jan 2, 2006 at 3:04pm (MST)").as_deref(),
        Some("2013-02-03T19:54:00Z")
    );
    // The reference time itself in Go's String() layout.
    // Even the layout parses as a value: the nines are digits, and -0700 wins over MST.
    let layout_as_value = parse_go_layout(
        "2006-01-02 15:04:05.999999999 -0700 MST",
        "2006-01-02 15:04:05.999999999 -0700 MST",
        0,
    );
    assert_eq!(
        layout_as_value.map(format_rfc3339_nano).as_deref(),
        Some("2006-01-02T15:04:05.999999999-07:00")
    );
    let reference = parse_go_layout(
        "2006-01-02 15:04:05 -0700 MST",
        "2006-01-02 15:04:05.999999999 -0700 MST",
        0,
    )
    .unwrap();
    assert_eq!(reference.unix_nanos, 1_136_239_445 * 1_000_000_000);
    assert_eq!(reference.offset_secs, -7 * 3600);
}

#[test]
fn names_twelve_hour_clock_and_two_digit_years() {
    let rfc850 = "Monday, 02-Jan-06 15:04:05 MST";
    assert_eq!(
        parsed("Saturday, 10-Oct-26 13:55:36 UTC", rfc850).as_deref(),
        Some("2026-10-10T13:55:36Z")
    );
    assert_eq!(
        parsed("Thursday, 01-Jan-69 00:00:00 UTC", rfc850).as_deref(),
        Some("1969-01-01T00:00:00Z")
    );
    assert_eq!(
        parsed("Sunday, 01-Jan-68 00:00:00 UTC", rfc850).as_deref(),
        Some("2068-01-01T00:00:00Z")
    );
    // Names match case-insensitively; weekdays are never checked against the date.
    assert_eq!(
        parsed("mon, 10 OCTOBER 2026", "Mon, 02 January 2006").as_deref(),
        Some("2026-10-10T00:00:00Z")
    );
    assert_eq!(
        parsed("12:30AM", "3:04PM").as_deref(),
        Some("2026-01-01T00:30:00Z")
    );
    assert_eq!(
        parsed("12:30PM", "3:04PM").as_deref(),
        Some("2026-01-01T12:30:00Z")
    );
    assert_eq!(
        parsed("01:30 pm", "03:04 pm").as_deref(),
        Some("2026-01-01T13:30:00Z")
    );
    assert_eq!(parsed("1:30 pm", "03:04 pm"), None, "03 needs two digits");
    assert_eq!(parsed("13:30PM", "3:04PM"), None);
}

#[test]
fn day_forms_and_spaces() {
    assert_eq!(
        parsed("Oct  5", "Jan _2").as_deref(),
        Some("2026-10-05T00:00:00Z")
    );
    assert_eq!(
        parsed("Oct 15", "Jan _2").as_deref(),
        Some("2026-10-15T00:00:00Z")
    );
    assert_eq!(parsed("Oct 5", "Jan 02"), None, "02 needs two digits");
    // A run of spaces in the layout matches any run of spaces in the text.
    assert_eq!(
        parsed("Oct     5", "Jan  2").as_deref(),
        Some("2026-10-05T00:00:00Z")
    );
    assert_eq!(parsed("Oct5", "Jan 2"), None);
    // `_2006` is an underscore then the year.
    assert_eq!(
        parsed("log_2026", "log_2006").as_deref(),
        Some("2026-01-01T00:00:00Z")
    );
}

#[test]
fn numeric_zones() {
    let t = "2026-10-10T13:55:36";
    assert_eq!(
        parsed(&format!("{t}-0330"), "2006-01-02T15:04:05Z0700").as_deref(),
        Some("2026-10-10T13:55:36-03:30")
    );
    assert_eq!(
        parsed(&format!("{t}Z"), "2006-01-02T15:04:05Z0700").as_deref(),
        Some("2026-10-10T13:55:36Z")
    );
    assert_eq!(
        parsed(&format!("{t}Z"), "2006-01-02T15:04:05-0700"),
        None,
        "-0700 does not take Z"
    );
    assert_eq!(
        parsed(&format!("{t}+05"), "2006-01-02T15:04:05-07").as_deref(),
        Some("2026-10-10T13:55:36+05:00")
    );
    assert_eq!(
        parsed(&format!("{t}Z"), "2006-01-02T15:04:05Z07").as_deref(),
        Some("2026-10-10T13:55:36Z")
    );
    assert_eq!(
        parse_go_layout(&format!("{t}+01:02:03"), "2006-01-02T15:04:05-07:00:00", 0)
            .map(|ts| ts.offset_secs),
        Some(3723)
    );
    assert_eq!(
        parse_go_layout(&format!("{t}+010203"), "2006-01-02T15:04:05-070000", 0)
            .map(|ts| ts.offset_secs),
        Some(3723)
    );
    // Go's Z07:00:00 forms do not take a bare Z.
    assert_eq!(
        parsed(&format!("{t}Z"), "2006-01-02T15:04:05Z07:00:00"),
        None
    );
    assert_eq!(
        parsed(&format!("{t}+0200"), "2006-01-02T15:04:05Z07:00"),
        None,
        "colon required"
    );
}

#[test]
fn zone_abbreviations() {
    let layout = "2006-01-02 15:04:05 MST";
    // Unknown abbreviations keep the wall clock as UTC (Go labels them with offset 0).
    assert_eq!(
        parsed("2026-10-10 12:00:00 CEST", layout).as_deref(),
        Some("2026-10-10T12:00:00Z")
    );
    assert_eq!(
        parsed("2026-10-10 12:00:00 UTC", layout).as_deref(),
        Some("2026-10-10T12:00:00Z")
    );
    // GMT+h: Go labels the zone +03:00 without moving the instant, so the wall clock shifts.
    assert_eq!(
        parsed("2026-10-10 12:00:00 GMT+3", layout).as_deref(),
        Some("2026-10-10T15:00:00+03:00")
    );
    assert_eq!(
        parsed("2026-10-10 12:00:00 GMT+13", layout),
        None,
        "GMT offsets stop at 12"
    );
    assert_eq!(parsed("2026-10-10 12:00:00 Cest", layout), None);
    assert_eq!(parsed("2026-10-10 12:00:00 ABCDEF", layout), None);
    assert_eq!(
        parsed("2026-10-10 12:00:00 -03", layout).as_deref(),
        Some("2026-10-10T12:00:00Z")
    );
}

#[test]
fn fractional_seconds() {
    let exact = "2006-01-02 15:04:05.000";
    assert_eq!(
        parsed("2026-10-10 13:55:36.120", exact).as_deref(),
        Some("2026-10-10T13:55:36.12Z")
    );
    assert_eq!(
        parsed("2026-10-10 13:55:36,120", exact).as_deref(),
        Some("2026-10-10T13:55:36.12Z")
    );
    assert_eq!(
        parsed("2026-10-10 13:55:36.12", exact),
        None,
        ".000 wants exactly three digits"
    );
    assert_eq!(parsed("2026-10-10 13:55:36", exact), None);
    let optional = "2006-01-02 15:04:05.999";
    assert_eq!(
        parsed("2026-10-10 13:55:36", optional).as_deref(),
        Some("2026-10-10T13:55:36Z")
    );
    assert_eq!(
        parsed("2026-10-10 13:55:36.123456", optional).as_deref(),
        Some("2026-10-10T13:55:36.123456Z")
    );
    // A fraction in the text with none in the layout is still accepted after seconds.
    assert_eq!(
        parsed("13:55:36.25", "15:04:05").as_deref(),
        Some("2026-01-01T13:55:36.25Z")
    );
}

#[test]
fn calendar_validation() {
    let date = "2006-01-02";
    assert!(parsed("2024-02-29", date).is_some());
    assert!(parsed("2000-02-29", date).is_some());
    assert_eq!(parsed("2100-02-29", date), None);
    assert_eq!(parsed("2026-02-29", date), None);
    assert_eq!(parsed("2026-04-31", date), None);
    assert_eq!(parsed("2026-00-10", date), None);
    assert_eq!(parsed("2026-1-10", date), None);
    assert_eq!(
        parsed("2026-1-10", "2006-1-2").as_deref(),
        Some("2026-01-10T00:00:00Z")
    );
    assert_eq!(
        parsed("1970-01-01", date).as_deref(),
        Some("1970-01-01T00:00:00Z")
    );
    assert_eq!(
        parsed("2262-04-11", date).as_deref(),
        Some("2262-04-11T00:00:00Z")
    );
    assert_eq!(parsed("2262-04-12", date), None, "past i64 nanoseconds");
    assert_eq!(parsed("26-10-10", date), None);
    assert_eq!(
        parsed("2026-10-10", "2006-01-02 15:04"),
        None,
        "missing text"
    );
}

#[test]
fn reference_year_zero_keeps_go_year_zero_out_of_range() {
    assert_eq!(
        parse_go_layout("Oct 10 13:55:36", "Jan _2 15:04:05", 0),
        None
    );
    let ts = parse_go_layout("Oct 10 13:55:36", "Jan _2 15:04:05", 2030).unwrap();
    assert_eq!(format_rfc3339(ts), "2030-10-10T13:55:36Z");
    // A year in the text is kept whatever the reference year.
    let ts = parse_go_layout("2024-10-10", "2006-01-02", 2030).unwrap();
    assert_eq!(format_rfc3339(ts), "2024-10-10T00:00:00Z");
}

#[test]
fn zone_offsets_past_go_ranges_are_refused() {
    let layout = "2006-01-02 15:04:05 -0700";
    // Go: hour > 24, minute > 60 or second > 60 is a range error ("+9961": 99 h 61 min).
    assert_eq!(parsed("2024-02-29 02:59:06 +9961", layout), None);
    assert_eq!(parsed("2024-02-29 02:59:06 +2500", layout), None);
    assert_eq!(parsed("2024-02-29 02:59:06 +0061", layout), None);
    // 24 hours and 60 minutes are accepted, as some write them.
    assert_eq!(
        parsed("2024-02-29 02:59:06 +2400", layout).as_deref(),
        Some("2024-02-29T02:59:06+24:00")
    );
    assert!(parsed("2024-02-29 02:59:06 -0060", layout).is_some());
}
