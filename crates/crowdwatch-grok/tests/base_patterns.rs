//! Our base library (scenarios/patterns/base): names, fields, and whole-value matches.
mod common;

use common::{base_library, pairs, parse};
use crowdwatch_grok::compile;

/// The value `%{NAME:v}` captures when the pattern is anchored only at the start, followed by
/// `tail` (as in a real line): the whole value must be taken, never a prefix.
fn capture(name: &str, value: &str, tail: &str) -> Option<String> {
    let lib = base_library();
    let got = parse(&format!("^%{{{name}:v}}"), &lib, &format!("{value}{tail}"))?;
    got.into_iter().find(|(k, _)| k == "v").map(|(_, v)| v)
}

#[test]
fn the_library_defines_grokkys_88_names_and_all_compile() {
    let lib = base_library();
    assert_eq!(lib.len(), 88);
    assert!(lib.validate().is_empty(), "{:?}", lib.validate());
}

#[test]
fn ipv4_addresses_are_taken_whole() {
    // crowdsec#938: the last octet lost its last digit when it started with a 2.
    for ip in [
        "140.249.204.233",
        "1.2.3.4",
        "255.255.255.255",
        "10.0.0.26",
        "192.168.1.250",
        "0.0.0.0",
    ] {
        for tail in ["", " port 22", ":8080", "]", "x", "23"] {
            let got = capture("IPV4", ip, tail);
            if tail == "x" || tail == "23" {
                // Glued to a word or more digits, it is not that address.
                assert_ne!(got.as_deref(), Some(ip), "{ip}{tail}");
            } else {
                assert_eq!(got.as_deref(), Some(ip), "{ip}{tail}");
            }
        }
        assert_eq!(capture("IP", ip, "").as_deref(), Some(ip));
    }
    assert_eq!(capture("IPV4", "1.2.3.256", ""), None);
}

#[test]
fn ipv6_addresses_are_taken_whole() {
    let addresses = [
        "2001:db8:85a3:0:0:8a2e:370:7334",
        "2001:db8::1",
        "::1",
        "::",
        "fe80::",
        "fe80::1%eth0",
        "::ffff:192.0.2.128",
        "64:ff9b::192.0.2.33",
        "1:2:3:4:5:6:1.2.3.4",
        "2a01:cb00:233:a600:b4e9:5d01:2e6:1d31",
        "1:2:3:4:5:6:7::",
        "1::8",
        "1:2:3:4:5:6::8",
    ];
    for ip in addresses {
        for tail in ["", " port 22", "]", ", "] {
            assert_eq!(
                capture("IPV6", ip, tail).as_deref(),
                Some(ip),
                "{ip:?} + {tail:?}"
            );
            assert_eq!(
                capture("IP", ip, tail).as_deref(),
                Some(ip),
                "IP {ip:?} + {tail:?}"
            );
        }
    }
    assert_eq!(
        capture("IPORHOST", "example.org", " x").as_deref(),
        Some("example.org")
    );
}

#[test]
fn numbers_and_times_are_not_cut() {
    assert_eq!(capture("MONTHNUM", "12", "").as_deref(), Some("12"));
    assert_eq!(capture("SECOND", "60", "").as_deref(), Some("60"));
    assert_eq!(
        capture("TIME", "23:59:60.123", "").as_deref(),
        Some("23:59:60.123")
    );
    assert_eq!(
        capture("SYSLOGTIMESTAMP", "Sep  3 01:02:03", " h").as_deref(),
        Some("Sep  3 01:02:03")
    );
    assert_eq!(
        capture("HTTPDATE", "10/Oct/2023:13:55:36 +0200", "]").as_deref(),
        Some("10/Oct/2023:13:55:36 +0200")
    );
    assert_eq!(
        capture("TIMESTAMP_ISO8601", "2023-10-10T13:55:36.123+02:00", " x").as_deref(),
        Some("2023-10-10T13:55:36.123+02:00")
    );
    assert_eq!(
        capture("MONTH", "M\u{e4}r", " 3").as_deref(),
        Some("M\u{e4}r")
    );
    assert_eq!(
        capture("LOGLEVEL", "Warning", "").as_deref(),
        Some("Warning")
    );
    assert_eq!(
        capture("QS", r#""a \"b\" c""#, " x").as_deref(),
        Some(r#""a \"b\" c""#)
    );
}

#[test]
fn syslogbase_has_grokkys_fields() {
    let lib = base_library();
    let grok = compile("%{SYSLOGBASE} %{GREEDYDATA:message}", &lib).unwrap();
    let mut fields = grok.fields().to_vec();
    fields.sort();
    assert_eq!(
        fields,
        [
            "facility",
            "logsource",
            "message",
            "pid",
            "priority",
            "program",
            "timestamp"
        ]
    );
    let got = parse(
        "%{SYSLOGBASE} %{GREEDYDATA:message}",
        &lib,
        "Mar  1 10:00:00 host cron: hi",
    )
    .unwrap();
    assert_eq!(
        got,
        pairs(&[
            ("facility", ""),
            ("logsource", "host"),
            ("message", "hi"),
            ("pid", ""),
            ("priority", ""),
            ("program", "cron"),
            ("timestamp", "Mar  1 10:00:00"),
        ])
    );
}

#[test]
fn httpd24_error_log_parses() {
    let lib = base_library();
    let line = "[Wed Oct 11 14:32:52.123456 2023] [core:error] [pid 1234:tid 5678] [client 198.51.100.7:51234] AH00126: Invalid URI in request";
    let got = parse("%{HTTPD_ERRORLOG}", &lib, line).unwrap();
    let get = |k: &str| got.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str());
    assert_eq!(get("client"), Some("198.51.100.7"));
    assert_eq!(get("clientport"), Some("51234"));
    assert_eq!(get("module"), Some("core"));
    assert_eq!(get("loglevel"), Some("error"));
    assert_eq!(get("errorcode"), Some("AH00126"));
    assert_eq!(get("message"), Some("Invalid URI in request"));
}
