//! Live buckets and the pour algorithm (CrowdSec pkg/leakybucket, spec §3.2).
//!
//! A bucket is a small struct in a per-scenario hash map, not a goroutine: pouring is a map
//! lookup and a few float operations. Time is passed in by the caller: the event's own time in
//! replay (time-machine) mode, the wall clock in live mode.
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

use ahash::AHashMap;
use crowdwatch_time::Timestamp;

use super::limiter::Limiter;
use super::overflow::{build_alerts, event_source};
use super::scenario::{Kind, Scenario};
use crate::alert::{Alert, AlertSource, MetaItem};
use crate::event::Event;
use crate::schema::EventContext;

/// What a bucket remembers of one event: enough to build the alert.
pub struct QueuedEvent {
    pub timestamp: Box<str>,
    pub meta: Vec<MetaItem>,
    pub source: Option<AlertSource>,
}

pub struct Bucket {
    limiter: Limiter,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
    pub total: i64,
    pub queue: VecDeque<QueuedEvent>,
    /// Hashes of the `distinct` values seen by this bucket instance.
    distinct: Vec<u64>,
}

impl Bucket {
    fn new(first: Timestamp) -> Bucket {
        Bucket { limiter: Limiter::new(), first_ts: first, last_ts: first, total: 0, queue: VecDeque::new(), distinct: Vec::new() }
    }
}

/// One scenario's buckets, keyed by the groupby value, and its blackhole (key -> until).
#[derive(Default)]
pub struct ScenarioState {
    pub buckets: AHashMap<Box<str>, Bucket>,
    blackhole: AHashMap<Box<str>, i64>,
}

/// The outcome of pouring one event into one scenario, for counters and the explain trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PourResult {
    FilteredOut,
    /// Dropped by `distinct` (value already seen) or not timed (replay without a date).
    Skipped,
    Poured,
    Overflowed,
    /// Overflowed, but the overflow was discarded (blackhole, invalid source, overflow filter).
    Discarded,
    Cancelled,
    Error,
}

/// An overflow: the scenario, its groupby key, and its alerts (one per source).
pub struct Overflow {
    pub scenario: usize,
    pub key: Box<str>,
    pub alerts: Vec<Alert>,
}

/// Pour `evt` at time `now` into scenario `sc`. An overflow is appended to `out`.
pub fn pour(
    sc: &Scenario,
    si: usize,
    state: &mut ScenarioState,
    evt: &Event,
    now: Timestamp,
    errors: &mut u64,
    out: &mut Vec<Overflow>,
) -> PourResult {
    let ctx = EventContext(evt);
    match sc.filter.eval_bool(&ctx) {
        Ok(true) => {}
        Ok(false) => return PourResult::FilteredOut,
        Err(_) => {
            *errors += 1;
            return PourResult::Error;
        }
    }
    let key = match &sc.groupby {
        Some(g) => match g.eval_string(&ctx) {
            Ok(k) => k,
            Err(_) => {
                *errors += 1;
                return PourResult::Error;
            }
        },
        None => String::new(),
    };
    // A bucket idle past its lifetime has underflowed: it is replaced by a fresh, full one.
    // One lookup on the hot path; the key is allocated only when a bucket is created.
    let bucket = match state.buckets.get_mut(key.as_str()) {
        Some(b) => {
            if sc.kind != Kind::Trigger && now.unix_nanos > b.last_ts.unix_nanos.saturating_add(sc.lifetime) {
                *b = Bucket::new(now);
            }
            b
        }
        None => state.buckets.entry(key.clone().into_boxed_str()).or_insert_with(|| Bucket::new(now)),
    };

    let overflowed = if sc.kind == Kind::Trigger {
        bucket.total = 1;
        bucket.first_ts = now;
        bucket.last_ts = now;
        push(bucket, queued(sc, evt, errors), sc.queue_len);
        true
    } else {
        if let Some(d) = &sc.distinct {
            match d.eval_string(&ctx) {
                Ok(v) => {
                    let h = hash_str(&v);
                    if bucket.distinct.contains(&h) {
                        return PourResult::Skipped;
                    }
                    bucket.distinct.push(h);
                }
                // CrowdSec lets the event through when distinct fails to evaluate.
                Err(_) => *errors += 1,
            }
        }
        if let Some(c) = &sc.cancel_on {
            if c.eval_bool(&ctx).unwrap_or(false) {
                state.buckets.remove(key.as_str());
                return PourResult::Cancelled;
            }
        }
        bucket.total += 1;
        if bucket.total == 1 {
            bucket.first_ts = now;
        }
        bucket.last_ts = now;
        let allowed = sc.kind == Kind::Counter || bucket.limiter.allow(now.unix_nanos, sc.leakspeed, sc.capacity);
        push(bucket, queued(sc, evt, errors), sc.queue_len);
        !allowed
    };
    if !overflowed {
        return PourResult::Poured;
    }
    let bucket = state.buckets.remove(key.as_str()).expect("overflowing bucket exists");
    let key: Box<str> = key.into();
    if blackholed(sc, state, &key, now) {
        return PourResult::Discarded;
    }
    let alerts = build_alerts(sc, &bucket, now);
    if alerts.is_empty() {
        *errors += 1;
        return PourResult::Discarded;
    }
    out.push(Overflow { scenario: si, key, alerts });
    PourResult::Overflowed
}

/// CrowdSec's blackhole: after an overflow of key K at T, overflows of K before T+blackhole are
/// discarded. An expired entry is overwritten here and purged by `collect_garbage` (purging on
/// every overflow made a mass overflow quadratic).
fn blackholed(sc: &Scenario, state: &mut ScenarioState, key: &str, now: Timestamp) -> bool {
    if sc.blackhole <= 0 {
        return false;
    }
    let t = now.unix_nanos;
    if state.blackhole.get(key).is_some_and(|until| *until > t) {
        return true;
    }
    state.blackhole.insert(key.into(), t.saturating_add(sc.blackhole));
    false
}

/// Remove buckets that have underflowed at `now` (idle past their lifetime); counters emit
/// their timed overflow instead. Returns how many buckets were removed.
pub fn collect_garbage(sc: &Scenario, si: usize, state: &mut ScenarioState, now: Timestamp, out: &mut Vec<Overflow>) -> usize {
    let before = state.buckets.len();
    let t = now.unix_nanos;
    state.blackhole.retain(|_, until| *until > t);
    let mut timed = Vec::new();
    state.buckets.retain(|k, b| {
        let alive = t <= b.last_ts.unix_nanos.saturating_add(sc.lifetime);
        if !alive && sc.kind == Kind::Counter && b.total > 0 {
            timed.push((k.clone(), build_alerts(sc, b, now)));
        }
        alive
    });
    for (key, alerts) in timed {
        if !alerts.is_empty() {
            out.push(Overflow { scenario: si, key, alerts });
        }
    }
    before - state.buckets.len()
}

fn push(bucket: &mut Bucket, ev: QueuedEvent, queue_len: usize) {
    // The queue keeps the last `queue_len + 1` events, as CrowdSec's Queue.Add allows one more.
    while bucket.queue.len() > queue_len {
        bucket.queue.pop_front();
    }
    bucket.queue.push_back(ev);
}

fn queued(sc: &Scenario, evt: &Event, errors: &mut u64) -> QueuedEvent {
    let timestamp = if evt.marshaled_time.is_empty() {
        crowdwatch_time::format_rfc3339_nano(evt.time)
    } else {
        evt.marshaled_time.clone()
    };
    let mut meta: Vec<MetaItem> = evt.meta.iter().map(|(k, v)| MetaItem { key: k.to_owned(), value: v.to_owned() }).collect();
    meta.sort_by(|a, b| a.key.cmp(&b.key));
    let source = match event_source(sc, evt) {
        Ok(s) => Some(s),
        Err(_) => {
            *errors += 1;
            None
        }
    };
    QueuedEvent { timestamp: timestamp.into(), meta, source }
}

fn hash_str(s: &str) -> u64 {
    let mut h = ahash::AHasher::default();
    s.hash(&mut h);
    h.finish()
}
