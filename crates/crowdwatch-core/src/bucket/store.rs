//! Live buckets and the pour algorithm (CrowdSec pkg/leakybucket, spec §3.2).
//!
//! A bucket is a small struct in a per-scenario table, not a goroutine: pouring is a lookup and
//! a few float operations. Time is passed in by the caller: the event's own time in replay
//! (time-machine) mode, the wall clock in live mode. What a bucket holds is in `live.rs`.

use ahash::AHashMap;
use crowdwatch_time::Timestamp;

use super::condition;
use super::live::Bucket;
use super::metrics::ScenarioCounters;
use super::overflow::build_alerts;
use super::queued::{EventEncoder, QueueCodec};
use super::scenario::{Kind, Scenario};
use super::source::{queued_source, QueuedSource};
use super::table::BucketTable;
use crate::alert::Alert;
use crate::schema::{apply_writes, EventContext};

/// One scenario's buckets, keyed by the groupby value, its blackhole (key -> until) and its
/// counters.
pub struct ScenarioState {
    pub buckets: BucketTable,
    pub counters: ScenarioCounters,
    blackhole: AHashMap<Box<str>, i64>,
    /// The latest overflow time seen: entries ending at or before it are expired, whatever
    /// the time of the next overflow (replayed time may go backwards).
    blackhole_horizon: i64,
    /// Conditional scenarios: what the queue does not keep of each queued event (`Enriched`,
    /// `Parsed`), by bucket key, for the condition (`queue.Queue[-1].Enriched.Latitude`).
    pub(crate) extras: AHashMap<Box<str>, std::collections::VecDeque<serde_json::Value>>,
    /// Bayesian scenarios: which guillotine conditions have fired (for the whole scenario).
    pub(crate) guillotines: Vec<bool>,
    /// The keys `distinct` values are hashed with: random per state, so no one can craft values
    /// that collide, and kept in bucket snapshots with the hashes they made.
    distinct_seeds: [u64; 4],
    distinct_hasher: ahash::RandomState,
}

/// Four random keys (std's hasher keys are random per process and per instance).
fn random_seeds() -> [u64; 4] {
    use std::hash::BuildHasher;
    let rs = std::collections::hash_map::RandomState::new();
    [
        rs.hash_one(0u8),
        rs.hash_one(1u8),
        rs.hash_one(2u8),
        rs.hash_one(3u8),
    ]
}

fn hasher_of(seeds: [u64; 4]) -> ahash::RandomState {
    ahash::RandomState::with_seeds(seeds[0], seeds[1], seeds[2], seeds[3])
}

impl Default for ScenarioState {
    fn default() -> Self {
        let seeds = random_seeds();
        ScenarioState {
            buckets: BucketTable::default(),
            counters: ScenarioCounters::default(),
            blackhole: AHashMap::default(),
            blackhole_horizon: i64::MIN,
            extras: AHashMap::default(),
            guillotines: Vec::new(),
            distinct_seeds: seeds,
            distinct_hasher: hasher_of(seeds),
        }
    }
}

impl ScenarioState {
    /// The blackhole's entries (key, until), for a snapshot.
    pub(crate) fn blackhole_entries(&self) -> Vec<(String, i64)> {
        self.blackhole
            .iter()
            .map(|(k, until)| (k.to_string(), *until))
            .collect()
    }

    pub(crate) fn blackhole_horizon(&self) -> i64 {
        self.blackhole_horizon
    }

    pub(crate) fn distinct_seeds(&self) -> [u64; 4] {
        self.distinct_seeds
    }

    /// A snapshot's `distinct` keys, with which its buckets' hashes were made.
    pub(crate) fn restore_distinct_seeds(&mut self, seeds: [u64; 4]) {
        self.distinct_seeds = seeds;
        self.distinct_hasher = hasher_of(seeds);
    }

    /// A snapshot's blackhole, as it was.
    pub(crate) fn restore_blackhole(&mut self, entries: Vec<(String, i64)>, horizon: i64) {
        self.blackhole = entries.into_iter().map(|(k, u)| (k.into(), u)).collect();
        self.blackhole_horizon = horizon;
    }
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

/// Pour the event of `enc` at time `now` into scenario `sc`. An overflow is appended to `out`.
pub fn pour(
    sc: &Scenario,
    si: usize,
    state: &mut ScenarioState,
    enc: &mut EventEncoder,
    now: Timestamp,
    errors: &mut u64,
    out: &mut Vec<Overflow>,
) -> PourResult {
    let evt = enc.event();
    // `evt.SetMeta(…)` in a filter writes: the rest of this pour sees the event it changed.
    let mut writes = Vec::new();
    let passed = if sc.filter.writes() {
        sc.filter.eval_bool_writing(&EventContext(evt), &mut writes)
    } else {
        sc.filter.eval_bool(&EventContext(evt))
    };
    match passed {
        Ok(true) => {}
        Ok(false) => return PourResult::FilteredOut,
        Err(_) => {
            *errors += 1;
            return PourResult::Error;
        }
    }
    if !writes.is_empty() {
        let mut changed = evt.clone();
        apply_writes(&mut changed, writes);
        return enc.with_event(&changed, |enc| {
            pour_accepted(sc, si, state, enc, now, errors, out)
        });
    }
    pour_accepted(sc, si, state, enc, now, errors, out)
}

/// `pour`, once the scenario's filter accepted the event of `enc`.
fn pour_accepted(
    sc: &Scenario,
    si: usize,
    state: &mut ScenarioState,
    enc: &mut EventEncoder,
    now: Timestamp,
    errors: &mut u64,
    out: &mut Vec<Overflow>,
) -> PourResult {
    let ctx = EventContext(enc.event());
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
    let mut created = false;
    let pos = state.buckets.position_or_insert(&key, || {
        created = true;
        Bucket::new(&key, now)
    });
    let bucket = state.buckets.get_mut(pos);
    // A bucket idle past its lifetime has underflowed: it starts again, empty and full.
    if !created
        && sc.kind != Kind::Trigger
        && now.unix_nanos > bucket.last_ns.saturating_add(sc.lifetime)
    {
        bucket.restart(now);
        state.counters.underflowed += 1;
        created = true;
    }
    if created {
        state.counters.instantiated += 1;
        if matches!(sc.kind, Kind::Conditional | Kind::Bayesian) {
            state.extras.remove(key.as_str());
        }
    }

    let overflowed = if sc.kind == Kind::Trigger {
        bucket.total = 1;
        bucket.set_first(now);
        bucket.last_ns = now.unix_nanos;
        queue(sc, bucket, enc, &key, errors);
        true
    } else {
        if let Some(d) = &sc.distinct {
            match d.eval_string(&ctx) {
                Ok(v) => {
                    let h = state.distinct_hasher.hash_one(&v);
                    if bucket.has_distinct(h) {
                        return PourResult::Skipped;
                    }
                    bucket.add_distinct(h);
                }
                // CrowdSec lets the event through when distinct fails to evaluate.
                Err(_) => *errors += 1,
            }
        }
        if let Some(c) = &sc.cancel_on {
            if c.eval_bool(&ctx).unwrap_or(false) {
                state.buckets.remove(pos);
                state.extras.remove(key.as_str());
                return PourResult::Cancelled;
            }
        }
        // The limiter as of the previous event, before this one is counted.
        let mut limiter = bucket.limiter();
        bucket.total = bucket.total.saturating_add(1);
        if bucket.total == 1 {
            bucket.set_first(now);
        }
        bucket.last_ns = now.unix_nanos;
        // Counters and conditional buckets take every event (CrowdSec's AlwaysFull limiter,
        // and `conditionalOverflow`): only their duration or their condition ends them.
        let allowed = matches!(sc.kind, Kind::Counter | Kind::Conditional | Kind::Bayesian)
            || limiter.allow(now.unix_nanos, sc.leakspeed, sc.capacity);
        bucket.keep_limiter(&limiter);
        queue(sc, bucket, enc, &key, errors);
        // Conditional and bayesian scenarios decide on the queue, read as their expressions
        // see it (with what the queue does not keep: `extras`).
        let condition_met = if sc.condition.is_some() || sc.bayesian.is_some() {
            let extras = state.extras.entry(key.as_str().into()).or_default();
            extras.push_back(condition::extra_of(enc.event()));
            if extras.len() > sc.queue_len.saturating_add(1) {
                extras.pop_front();
            }
            let queue = condition::queue_json(enc.codec(), bucket, sc.queue_len, extras);
            match (&sc.condition, &sc.bayesian) {
                (Some(c), _) => condition::holds(c, &queue, enc.event()).unwrap_or_else(|_| {
                    *errors += 1;
                    false
                }),
                (None, Some(b)) => {
                    let p = condition::posterior(
                        b,
                        &mut state.guillotines,
                        &queue,
                        enc.event(),
                        errors,
                    );
                    p > b.threshold
                }
                (None, None) => false,
            }
        } else {
            false
        };
        !allowed || condition_met
    };
    state.counters.poured += 1;
    if !overflowed {
        return PourResult::Poured;
    }
    state.counters.overflowed += 1;
    let bucket = state.buckets.remove(pos);
    state.extras.remove(key.as_str());
    let key: Box<str> = key.into();
    if blackholed(sc, state, &key, now) {
        return PourResult::Discarded;
    }
    let alerts = build_alerts(sc, enc.codec(), &bucket, now);
    if alerts.is_empty() {
        *errors += 1;
        return PourResult::Discarded;
    }
    out.push(Overflow {
        scenario: si,
        key,
        alerts,
    });
    PourResult::Overflowed
}

/// Queue the event being poured with its source (a source that cannot be worked out is an
/// error, and the event is queued without one).
fn queue(sc: &Scenario, bucket: &mut Bucket, enc: &mut EventEncoder, key: &str, errors: &mut u64) {
    let source = queued_source(sc, enc.event()).unwrap_or_else(|_| {
        *errors += 1;
        QueuedSource::None
    });
    bucket.queue(enc, key, &source, sc.queue_len);
}

/// CrowdSec's blackhole: after an overflow of key K at T, overflows of K before T+blackhole are
/// discarded. CrowdSec drops expired entries at every overflow; an entry is expired here when it
/// ends at or before the latest overflow time (the horizon), which gives the same answers in
/// any time order, and `collect_garbage` drops those entries in one pass instead of one pass
/// per overflow (quadratic under a mass overflow).
fn blackholed(sc: &Scenario, state: &mut ScenarioState, key: &str, now: Timestamp) -> bool {
    if sc.blackhole <= 0 {
        return false;
    }
    let t = now.unix_nanos;
    state.blackhole_horizon = state.blackhole_horizon.max(t);
    let horizon = state.blackhole_horizon;
    if state
        .blackhole
        .get(key)
        .is_some_and(|until| *until > horizon)
    {
        return true;
    }
    state
        .blackhole
        .insert(key.into(), t.saturating_add(sc.blackhole));
    false
}

/// Remove buckets that have underflowed at `now` (idle past their lifetime); counters emit
/// their timed overflow instead. Returns how many buckets were removed.
pub fn collect_garbage(
    sc: &Scenario,
    si: usize,
    state: &mut ScenarioState,
    codec: &QueueCodec,
    now: Timestamp,
    out: &mut Vec<Overflow>,
) -> usize {
    let before = state.buckets.len();
    let t = now.unix_nanos;
    let horizon = state.blackhole_horizon;
    state.blackhole.retain(|_, until| *until > horizon);
    let mut timed = Vec::new();
    state.buckets.retain(|b| {
        let alive = t <= b.last_ns.saturating_add(sc.lifetime);
        if !alive && sc.kind == Kind::Counter && b.total > 0 {
            timed.push((b.key().into(), build_alerts(sc, codec, b, now)));
        }
        alive
    });
    if !state.extras.is_empty() {
        let buckets = &state.buckets;
        state.extras.retain(|k, _| buckets.position(k).is_some());
    }
    let holes = state.blackhole.len();
    if state.blackhole.capacity() > 64 && holes < state.blackhole.capacity() / 4 {
        state.blackhole.shrink_to(holes * 2);
    }
    let removed = before - state.buckets.len();
    state.counters.overflowed += timed.len() as u64;
    state.counters.underflowed += (removed - timed.len()) as u64;
    for (key, alerts) in timed {
        if !alerts.is_empty() {
            out.push(Overflow {
                scenario: si,
                key,
                alerts,
            });
        }
    }
    removed
}
