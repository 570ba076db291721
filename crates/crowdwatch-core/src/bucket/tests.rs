//! Queued events decode to exactly what the alert showed before they were encoded: the
//! timestamp text, the meta sorted by key, and the source.
use std::sync::Arc;

use crowdwatch_time::{format_rfc3339_nano, Timestamp};

use super::live::Bucket;
use super::queued::QueueCodec;
use super::source::QueuedSource;
use crate::alert::{AlertEvent, AlertSource, MetaItem};
use crate::event::{Event, ExpectMode};

const KEY: &str = "203.0.113.7";

fn event(time: &str, meta: &[(&str, &str)]) -> Event {
    let mut evt = Event::new(
        Arc::default(),
        ExpectMode::TimeMachine,
        Timestamp {
            unix_nanos: 1_700_000_000_123_000_000,
            offset_secs: 3600,
        },
    );
    evt.marshaled_time = time.to_owned();
    for (k, v) in meta {
        evt.meta.set(k, v);
    }
    evt
}

/// The alert event the queue showed before it was encoded.
fn expected(evt: &Event) -> AlertEvent {
    let timestamp = if evt.marshaled_time.is_empty() {
        format_rfc3339_nano(evt.time)
    } else {
        evt.marshaled_time.clone()
    };
    let mut meta: Vec<MetaItem> = evt
        .meta
        .iter()
        .map(|(k, v)| MetaItem {
            key: k.into(),
            value: v.into(),
        })
        .collect();
    meta.sort_by(|a, b| a.key.cmp(&b.key));
    AlertEvent { timestamp, meta }
}

/// Queue `events` in one bucket first poured at `first` and decode them back.
fn round_trip(
    codec: &mut QueueCodec,
    first: Timestamp,
    events: &[(Event, QueuedSource)],
) -> Vec<(AlertEvent, QueuedSource)> {
    let mut bucket = Bucket::new(KEY, first);
    for (i, (evt, source)) in events.iter().enumerate() {
        bucket.total = i as u32 + 1;
        bucket.queue(&mut codec.encoder(evt), KEY, source, usize::MAX);
    }
    bucket
        .events()
        .map(|body| codec.decode(body, KEY, bucket.first()))
        .collect()
}

fn ssh_meta<'a>(user: &'a str, time: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("machine", "bastion"),
        ("datasource_path", "/var/log/auth.log"),
        ("log_type", "ssh_failed-auth"),
        ("target_user", user),
        ("service", "ssh"),
        ("source_ip", KEY),
        ("timestamp", time),
    ]
}

#[test]
fn times_meta_and_sources_decode_to_what_was_poured() {
    let mut codec = QueueCodec::default();
    let first = crowdwatch_time::parse_rfc3339("2026-11-24T10:00:00Z").unwrap();
    let geo = AlertSource {
        scope: "Ip".into(),
        value: KEY.into(),
        ip: KEY.into(),
        cn: "FR".into(),
        latitude: 48.85,
        ..Default::default()
    };
    let long_value = "x".repeat(300);
    let cases = vec![
        // Derivable time, equal to the bucket's first: one byte.
        (
            event(
                "2026-11-24T10:00:00Z",
                &ssh_meta("root", "2026-11-24T10:00:00Z"),
            ),
            QueuedSource::Derived,
        ),
        // Later, with fractional seconds and another offset.
        (
            event(
                "2026-11-24T11:00:01.5+01:00",
                &ssh_meta("admin", "2026-11-24T11:00:01.5+01:00"),
            ),
            QueuedSource::None,
        ),
        // Text that does not format back (trailing zeros): kept as text.
        (
            event(
                "2026-11-24T10:00:02.000Z",
                &[("a", "2026-11-24T10:00:02.000Z"), ("b", &long_value)],
            ),
            QueuedSource::Explicit(Box::new(geo)),
        ),
        // No MarshaledTime: the event's own time; keys in another order, an empty value.
        (
            event("", &[("source_ip", KEY), ("zeta", ""), ("alpha", "1")]),
            QueuedSource::Derived,
        ),
        // A key with NUL cannot be part of a key set: keys are written inline.
        (
            event(
                "2026-11-24T10:00:00Z",
                &[("odd\0key", "v"), ("source_ip", KEY)],
            ),
            QueuedSource::Derived,
        ),
        (event("2026-11-24T09:59:59Z", &[]), QueuedSource::None),
    ];
    let decoded = round_trip(&mut codec, first, &cases);
    assert_eq!(decoded.len(), cases.len());
    for ((evt, source), (got, got_source)) in cases.iter().zip(&decoded) {
        assert_eq!(got, &expected(evt));
        assert_eq!(got_source, source);
    }
}

#[test]
fn values_past_the_interner_cap_are_inline_and_the_queue_keeps_the_last_events() {
    let mut codec = QueueCodec::default();
    let first = Timestamp {
        unix_nanos: 0,
        offset_secs: 0,
    };
    let users: Vec<String> = (0..600).map(|i| format!("user{i}")).collect();
    let events: Vec<(Event, QueuedSource)> = users
        .iter()
        .map(|u| {
            (
                event("1970-01-01T00:00:00Z", &ssh_meta(u, "t")),
                QueuedSource::Derived,
            )
        })
        .collect();
    let decoded = round_trip(&mut codec, first, &events);
    for ((evt, _), (got, _)) in events.iter().zip(&decoded) {
        assert_eq!(got, &expected(evt));
    }

    // queue_len 2: the bucket keeps the last 3 events.
    let mut bucket = Bucket::new(KEY, first);
    for (i, (evt, source)) in events.iter().take(10).enumerate() {
        bucket.total = i as u32 + 1;
        bucket.queue(&mut codec.encoder(evt), KEY, source, 2);
    }
    let kept: Vec<AlertEvent> = bucket
        .events()
        .map(|b| codec.decode(b, KEY, first).0)
        .collect();
    assert_eq!(
        kept,
        events[7..10]
            .iter()
            .map(|(e, _)| expected(e))
            .collect::<Vec<_>>()
    );
}
