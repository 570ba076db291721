//! From an overflowing bucket to alerts (CrowdSec overflows.go, spec §3.3).
use crowdwatch_time::Timestamp;

use super::live::Bucket;
use super::queued::QueueCodec;
use super::scenario::Scenario;
use super::source::{derive_source, QueuedSource};
use crate::alert::{Alert, AlertEvent, AlertSource};

/// One alert per distinct source of the bucket's events, in the order they were first seen.
pub fn build_alerts(
    sc: &Scenario,
    codec: &QueueCodec,
    bucket: &Bucket,
    overflow_at: Timestamp,
) -> Vec<Alert> {
    let (key, first) = (bucket.key(), bucket.first());
    let mut sources: Vec<AlertSource> = Vec::new();
    let mut events: Vec<AlertEvent> = Vec::new();
    for body in bucket.events() {
        let (event, source) = codec.decode(body, key, first);
        let source = match source {
            QueuedSource::None => None,
            // Checked when the event was poured, so it derives again.
            QueuedSource::Derived => derive_source(sc, &event.meta).ok(),
            QueuedSource::Explicit(s) => Some(*s),
        };
        if let Some(s) = source {
            if !sources.iter().any(|x| x.value == s.value) {
                sources.push(s);
            }
        }
        events.push(event);
    }
    let total = i64::from(bucket.total);
    let span = overflow_at.unix_nanos - first.unix_nanos;
    sources
        .into_iter()
        .map(|src| Alert {
            scenario: sc.name.clone(),
            scenario_hash: sc.hash.clone(),
            scenario_version: sc.version.clone(),
            message: format!(
                "{} {} performed '{}' ({} events over {}) at {}",
                src.scope,
                src.value,
                sc.name,
                total,
                crowdwatch_time::format_go_duration(span),
                crowdwatch_time::format_go_time(overflow_at),
            ),
            events_count: total,
            start_at: crowdwatch_time::format_rfc3339_nano(first),
            stop_at: crowdwatch_time::format_rfc3339_nano(overflow_at),
            capacity: sc.capacity,
            leakspeed: sc.leakspeed_text.clone(),
            simulated: sc.simulated,
            remediation: sc.remediation,
            source: src,
            events: events.clone(),
            meta: Vec::new(),
            decisions: Vec::new(),
            labels: sc.labels.clone(),
        })
        .collect()
}
