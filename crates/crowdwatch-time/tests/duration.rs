//! Go durations: the expected values are Go's documented results (time.ParseDuration /
//! Duration.String() tests in Go's own suite) and the outputs recorded from CrowdSec 1.4.6.

use crowdwatch_time::{format_go_duration, parse_day_duration, parse_go_duration};

const NS: i64 = 1;
const US: i64 = 1_000;
const MS: i64 = 1_000_000;
const S: i64 = 1_000_000_000;
const M: i64 = 60 * S;
const H: i64 = 60 * M;

#[test]
fn parses_like_go() {
    let cases: &[(&str, i64)] = &[
        ("0", 0),
        ("+0", 0),
        ("-0", 0),
        ("5s", 5 * S),
        ("30s", 30 * S),
        ("10s", 10 * S),
        ("1478s", 1478 * S),
        ("-5s", -5 * S),
        ("+5s", 5 * S),
        ("-0s", 0),
        ("1m30s", 90 * S),
        ("1.5h", 90 * M),
        ("-1.5h", -90 * M),
        ("300ms", 300 * MS),
        ("2h45m", 2 * H + 45 * M),
        ("5.0s", 5 * S),
        ("5.6s", 5 * S + 600 * MS),
        ("5.s", 5 * S),
        (".5s", 500 * MS),
        ("1.0s", S),
        ("1.00s", S),
        ("1.004s", S + 4 * MS),
        ("1.0040s", S + 4 * MS),
        ("100.00100s", 100 * S + MS),
        ("10ns", 10 * NS),
        ("11us", 11 * US),
        ("12\u{b5}s", 12 * US),  // micro sign
        ("12\u{3bc}s", 12 * US), // Greek mu
        ("13ms", 13 * MS),
        ("14s", 14 * S),
        ("15m", 15 * M),
        ("16h", 16 * H),
        ("3h30m", 3 * H + 30 * M),
        ("10.5s4m", 4 * M + 10 * S + 500 * MS),
        ("-2m3.4s", -(2 * M + 3 * S + 400 * MS)),
        (
            "1h2m3s4ms5us6ns",
            H + 2 * M + 3 * S + 4 * MS + 5 * US + 6 * NS,
        ),
        ("39h9m14.425s", 39 * H + 9 * M + 14 * S + 425 * MS),
        ("52763797000ns", 52_763_797_000 * NS),
        ("0.3333333333333333333h", 20 * M),
        ("9007199254740993ns", (1 << 53) + 1),
        ("9223372036854775807ns", i64::MAX),
        ("9223372036854775.807us", i64::MAX),
        ("9223372036s854ms775us807ns", i64::MAX),
        ("-9223372036854775808ns", i64::MIN),
        ("-9223372036854775.808us", i64::MIN),
        ("-9223372036s854ms775us808ns", i64::MIN),
        ("-2562047h47m16.854775808s", i64::MIN),
        ("0.100000000000000000000h", 6 * M),
        (
            "0.830103483285477580700h",
            49 * M + 48 * S + 372_539_827 * NS,
        ),
    ];
    for &(text, nanos) in cases {
        assert_eq!(parse_go_duration(text), Some(nanos), "{text}");
    }
}

#[test]
fn rejects_like_go() {
    for text in [
        "",
        "3",
        "-",
        "s",
        ".",
        "-.",
        ".s",
        "+.s",
        "1d",
        "1.5",
        "1 s",
        " 1s",
        "1s ",
        "1S",
        "1sec",
        "\u{85}\u{85}",
        "\u{ffff}",
        "9223372036854775808ns",
        "9223372036854775.808us",
        "2562047h47m16.854775808s",
        "-9223372036854775809ns",
        "3000000h",
        "1h-1m",
    ] {
        assert_eq!(parse_go_duration(text), None, "{text:?}");
    }
}

#[test]
fn formats_like_go() {
    let cases: &[(i64, &str)] = &[
        (0, "0s"),
        (NS, "1ns"),
        (1100 * NS, "1.1\u{b5}s"),
        (US, "1\u{b5}s"),
        (2200 * US, "2.2ms"),
        (3300 * MS, "3.3s"),
        (10 * S, "10s"),
        (60 * S, "1m0s"),
        (4 * M + 5 * S, "4m5s"),
        (4 * M + 5001 * MS, "4m5.001s"),
        (5 * H + 6 * M + 7001 * MS, "5h6m7.001s"),
        (8 * M + 1, "8m0.000000001s"),
        (4 * H, "4h0m0s"),
        (4 * H + S, "4h0m1s"),
        (H + 21 * M + 52 * S + 989_315_404, "1h21m52.989315404s"),
        (-8_801_618, "-8.801618ms"),
        (-1, "-1ns"),
        (-90 * M, "-1h30m0s"),
        (i64::MAX, "2562047h47m16.854775807s"),
        (i64::MIN, "-2562047h47m16.854775808s"),
    ];
    for &(nanos, text) in cases {
        assert_eq!(format_go_duration(nanos), text, "{nanos}");
    }
}

#[test]
fn formatted_durations_parse_back() {
    let mut n: i64 = 1;
    while n < i64::MAX / 7 {
        for v in [n, -n, n + 999, n * 3 + 1] {
            assert_eq!(parse_go_duration(&format_go_duration(v)), Some(v), "{v}");
        }
        n *= 7;
    }
    for v in [0, i64::MAX, i64::MIN, 4 * H, 10 * S, -8_801_618] {
        assert_eq!(parse_go_duration(&format_go_duration(v)), Some(v), "{v}");
    }
}

#[test]
fn crowdsec_day_durations() {
    assert_eq!(parse_day_duration("7d"), Some(7 * 24 * H));
    assert_eq!(parse_day_duration("1d"), Some(24 * H));
    assert_eq!(parse_day_duration("-1d"), Some(-24 * H));
    assert_eq!(parse_day_duration("+2d"), Some(48 * H));
    assert_eq!(parse_day_duration("0d"), Some(0));
    // Everything up to the first `d` is the day count (strings.Split(d, "d")[0]).
    assert_eq!(parse_day_duration("7dd"), Some(7 * 24 * H));
    // Without the suffix it is plain Go.
    assert_eq!(parse_day_duration("24h"), Some(24 * H));
    assert_eq!(parse_day_duration("1h30m"), Some(90 * M));
    for text in [
        "d",
        "-d",
        "1h2d",
        "1.5d",
        " 7d",
        "7 d",
        "",
        "x",
        "1d12h",
        "999999999999999999d",
    ] {
        assert_eq!(parse_day_duration(text), None, "{text:?}");
    }
}
