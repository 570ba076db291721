//! Bucket snapshots: the live state of every scenario (buckets with their queued events,
//! blackholes, conditional extras, bayesian guillotines) as bytes, so a daemon that stops (or
//! checkpoints) and starts again goes on counting where it was.
//!
//! A snapshot names each scenario by name and fingerprint, as a reload matches them: a scenario
//! whose definition changed meanwhile starts empty. Queued events are stored decoded (their time
//! as text, their meta inline) and written back with `queued::append_plain`, so a snapshot does
//! not depend on the interners of the engine that took it, and a restored record is well-formed
//! by construction whatever the file held. The format is postcard (serde, varints) behind a
//! magic and a version; a file that does not read is refused whole, leaving the engine as it was.
use serde::{Deserialize, Serialize};

use super::live::Bucket;
use super::queued::{append_plain, QueueCodec};
use super::source::QueuedSource;
use super::store::ScenarioState;
use super::Buckets;
use crate::alert::{AlertEvent, AlertSource, MetaItem};
use crate::config::fingerprint::Fingerprint;

const MAGIC: &[u8; 8] = b"CWBUCKET";
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct SnapshotFile {
    version: u32,
    /// Every event time and meta key and value, once: events refer to them by index (a million
    /// buckets share a handful of keys, values and seconds).
    strings: Vec<String>,
    /// Live (wall-clock) or replay (event-time) buckets: restored only into the same mode.
    live: bool,
    scenarios: Vec<ScenarioSnap>,
}

#[derive(Serialize, Deserialize)]
struct ScenarioSnap {
    name: String,
    fingerprint: [u8; 32],
    buckets: Vec<BucketSnap>,
    blackhole: Vec<(String, i64)>,
    blackhole_horizon: i64,
    /// Conditional scenarios' extras by bucket key, each as JSON text.
    extras: Vec<(String, Vec<String>)>,
    guillotines: Vec<bool>,
    /// The keys the buckets' `distinct` hashes were made with.
    distinct_seeds: [u64; 4],
}

#[derive(Serialize, Deserialize)]
struct BucketSnap {
    key: String,
    tokens: f64,
    last_ns: i64,
    first_ns: i64,
    first_offset: i32,
    total: u32,
    distinct: Vec<u64>,
    events: Vec<EventSnap>,
}

#[derive(Serialize, Deserialize)]
struct EventSnap {
    timestamp: u32,
    meta: Vec<(u32, u32)>,
    source: SourceSnap,
}

/// The string table a snapshot is written with.
#[derive(Default)]
struct Strings {
    index: ahash::AHashMap<String, u32>,
    list: Vec<String>,
}

impl Strings {
    fn id(&mut self, s: String) -> u32 {
        if let Some(&id) = self.index.get(&s) {
            return id;
        }
        let id = self.list.len() as u32;
        self.list.push(s.clone());
        self.index.insert(s, id);
        id
    }
}

#[derive(Serialize, Deserialize)]
enum SourceSnap {
    None,
    Derived,
    Explicit {
        scope: String,
        value: String,
        ip: String,
        range: String,
        as_number: String,
        as_name: String,
        cn: String,
        latitude: f32,
        longitude: f32,
    },
}

/// What a restore did.
#[derive(Debug, Default, Serialize)]
pub struct RestoreReport {
    /// Scenarios whose state was restored, and their buckets in all.
    pub scenarios: usize,
    pub buckets: usize,
    /// Scenarios of the snapshot with no unchanged counterpart here (changed or removed).
    pub skipped: Vec<String>,
}

fn event_snap(
    codec: &QueueCodec,
    strings: &mut Strings,
    body: &[u8],
    key: &str,
    bucket: &Bucket,
) -> EventSnap {
    let (event, source) = codec.decode(body, key, bucket.first());
    EventSnap {
        timestamp: strings.id(event.timestamp),
        meta: event
            .meta
            .into_iter()
            .map(|m| (strings.id(m.key), strings.id(m.value)))
            .collect(),
        source: match source {
            QueuedSource::None => SourceSnap::None,
            QueuedSource::Derived => SourceSnap::Derived,
            QueuedSource::Explicit(s) => SourceSnap::Explicit {
                scope: s.scope,
                value: s.value,
                ip: s.ip,
                range: s.range,
                as_number: s.as_number,
                as_name: s.as_name,
                cn: s.cn,
                latitude: s.latitude,
                longitude: s.longitude,
            },
        },
    }
}

/// The bucket a snapshot describes, or None when it refers to strings the table lacks.
fn bucket_of(b: &BucketSnap, strings: &[String]) -> Option<Bucket> {
    let text = |id: u32| strings.get(id as usize).cloned();
    let mut events = Vec::new();
    for e in &b.events {
        let event = AlertEvent {
            timestamp: text(e.timestamp)?,
            meta: e
                .meta
                .iter()
                .map(|&(k, v)| {
                    Some(MetaItem {
                        key: text(k)?,
                        value: text(v)?,
                    })
                })
                .collect::<Option<_>>()?,
        };
        let source = match &e.source {
            SourceSnap::None => QueuedSource::None,
            SourceSnap::Derived => QueuedSource::Derived,
            SourceSnap::Explicit {
                scope,
                value,
                ip,
                range,
                as_number,
                as_name,
                cn,
                latitude,
                longitude,
            } => QueuedSource::Explicit(Box::new(AlertSource {
                scope: scope.clone(),
                value: value.clone(),
                ip: ip.clone(),
                range: range.clone(),
                as_number: as_number.clone(),
                as_name: as_name.clone(),
                cn: cn.clone(),
                latitude: *latitude,
                longitude: *longitude,
            })),
        };
        append_plain(&mut events, &event, &source);
    }
    let first = crowdwatch_time::Timestamp {
        unix_nanos: b.first_ns,
        offset_secs: b.first_offset,
    };
    Some(Bucket::from_parts(
        &b.key,
        (b.tokens, b.last_ns, first, b.total, &b.distinct),
        &events,
    ))
}

impl Buckets {
    /// Every scenario's live state as snapshot bytes.
    pub fn snapshot(&self, live: bool) -> Vec<u8> {
        let mut strings = Strings::default();
        let scenarios = self
            .scenarios
            .iter()
            .zip(&self.states)
            .map(|(sc, state)| ScenarioSnap {
                name: sc.name.clone(),
                fingerprint: sc.fingerprint.bytes(),
                buckets: (0..state.buckets.len())
                    .map(|pos| {
                        let b = state.buckets.get(pos);
                        let (tokens, last_ns, first, total, distinct) = b.parts();
                        BucketSnap {
                            key: b.key().to_owned(),
                            tokens,
                            last_ns,
                            first_ns: first.unix_nanos,
                            first_offset: first.offset_secs,
                            total,
                            distinct,
                            events: b
                                .events()
                                .map(|body| event_snap(&self.codec, &mut strings, body, b.key(), b))
                                .collect(),
                        }
                    })
                    .collect(),
                blackhole: state.blackhole_entries(),
                blackhole_horizon: state.blackhole_horizon(),
                extras: state
                    .extras
                    .iter()
                    .map(|(k, q)| (k.to_string(), q.iter().map(|v| v.to_string()).collect()))
                    .collect(),
                guillotines: state.guillotines.clone(),
                distinct_seeds: state.distinct_seeds(),
            })
            .collect();
        let file = SnapshotFile {
            version: VERSION,
            strings: strings.list,
            live,
            scenarios,
        };
        let mut out = MAGIC.to_vec();
        // Serializing owned plain data into a Vec cannot fail.
        out.extend(postcard::to_allocvec(&file).unwrap_or_default());
        out
    }

    /// Replace the state of each scenario the snapshot has unchanged (same name and fingerprint,
    /// matched in order as a reload does) with the snapshot's. A snapshot of the other mode, or
    /// bytes that do not read, restore nothing and leave every state as it was.
    pub fn restore(&mut self, bytes: &[u8], live: bool) -> Result<RestoreReport, String> {
        let body = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or("not a crowdwatch bucket snapshot")?;
        let file: SnapshotFile =
            postcard::from_bytes(body).map_err(|e| format!("unreadable snapshot: {e}"))?;
        if file.version != VERSION {
            return Err(format!(
                "snapshot version {} (this build reads {VERSION})",
                file.version
            ));
        }
        if file.live != live {
            return Err(format!(
                "a snapshot of {} buckets cannot be restored into a {} engine",
                if file.live { "live" } else { "replay" },
                if live { "live" } else { "replay" }
            ));
        }
        let mut report = RestoreReport::default();
        let mut taken = vec![false; self.scenarios.len()];
        // Built whole first: a snapshot that turns out bad half-way changes nothing.
        let mut restored = Vec::new();
        for snap in file.scenarios {
            let fingerprint = Fingerprint::from_bytes(snap.fingerprint);
            let Some(i) = (0..self.scenarios.len()).find(|&i| {
                !taken[i]
                    && self.scenarios[i].name == snap.name
                    && self.scenarios[i].fingerprint == fingerprint
            }) else {
                report.skipped.push(snap.name);
                continue;
            };
            taken[i] = true;
            let mut state = ScenarioState::default();
            for b in &snap.buckets {
                let bucket = bucket_of(b, &file.strings)
                    .ok_or("a queued event refers to a string the snapshot does not have")?;
                state.buckets.position_or_insert(&b.key, || bucket);
            }
            state.restore_blackhole(snap.blackhole, snap.blackhole_horizon);
            for (key, values) in snap.extras {
                let queue = values
                    .iter()
                    .map(|v| serde_json::from_str(v).unwrap_or(serde_json::Value::Null))
                    .collect();
                state.extras.insert(key.into(), queue);
            }
            state.guillotines = snap.guillotines;
            state.restore_distinct_seeds(snap.distinct_seeds);
            report.scenarios += 1;
            report.buckets += state.buckets.len();
            restored.push((i, state));
        }
        for (i, state) in restored {
            self.states[i] = state;
        }
        Ok(report)
    }
}
