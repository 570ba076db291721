//! A conditional scenario's `condition`: an expression over `queue` (the bucket's events,
//! CrowdSec's `queue.Queue`, each with its `Meta` and `Time`) and `evt` (the event just poured),
//! evaluated after each pour; true overflows the bucket.
use std::borrow::Cow;

use crowdwatch_expr::{Context, EvalError, FieldId, FieldType, HostValue, Program, Schema};
use serde_json::{json, Map, Value as Json};

use super::live::Bucket;
use super::queued::QueueCodec;
use std::collections::VecDeque;

use crate::event::Event;
use crate::schema::{EventContext, EventSchema};

/// Above every field id of `EventSchema`.
const QUEUE: FieldId = 1_000;

pub struct ConditionSchema;

impl Schema for ConditionSchema {
    fn resolve(&self, path: &[&str]) -> Option<(FieldId, FieldType)> {
        match path {
            ["queue"] => Some((QUEUE, FieldType::Json)),
            _ => EventSchema.resolve(path),
        }
    }

    fn resolve_method(&self, receiver: &[&str], method: &str) -> Option<(FieldId, FieldType)> {
        EventSchema.resolve_method(receiver, method)
    }

    fn is_root(&self, name: &str) -> bool {
        name == "queue" || name == "evt"
    }
}

struct ConditionContext<'a> {
    evt: EventContext<'a>,
    queue: &'a Json,
}

impl Context for ConditionContext<'_> {
    fn field(&self, id: FieldId) -> HostValue<'_> {
        match id {
            QUEUE => HostValue::Json(Cow::Borrowed(self.queue)),
            _ => self.evt.field(id),
        }
    }

    fn map_get(&self, id: FieldId, key: &str) -> Option<&str> {
        self.evt.map_get(id, key)
    }

    fn call_method(&self, id: FieldId, args: &[&str]) -> HostValue<'_> {
        self.evt.call_method(id, args)
    }
}

/// What the queue does not keep of an event and a condition may read: `Enriched` (GeoIP's
/// `Latitude`…) and `Parsed`.
pub fn extra_of(evt: &Event) -> Json {
    let map = |m: &crate::event::FieldMap| -> Map<String, Json> {
        m.iter()
            .map(|(k, v)| (k.to_owned(), Json::String(v.to_owned())))
            .collect()
    };
    json!({ "Enriched": map(&evt.enriched), "Parsed": map(&evt.parsed) })
}

/// `queue` as the condition sees it: `{Queue: [{Meta, Time, MarshaledTime, Enriched, Parsed}…],
/// L}`, oldest first; `extras` are the last events' `extra_of`, aligned from the newest.
pub fn queue_json(
    codec: &QueueCodec,
    bucket: &Bucket,
    queue_len: usize,
    extras: &VecDeque<Json>,
) -> Json {
    let (key, first) = (bucket.key(), bucket.first());
    let bodies: Vec<&[u8]> = bucket.events().collect();
    // The i-th queued event is the (i + m - n)-th extra: both end at the newest event.
    let (n, m) = (bodies.len(), extras.len());
    let events: Vec<Json> = bodies
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let (event, _) = codec.decode(body, key, first);
            let meta: Map<String, Json> = event
                .meta
                .into_iter()
                .map(|m| (m.key, Json::String(m.value)))
                .collect();
            let mut out =
                json!({ "Meta": meta, "Time": event.timestamp, "MarshaledTime": event.timestamp });
            let extra = (i + m).checked_sub(n).and_then(|j| extras.get(j));
            if let (Some(extra), Some(o)) = (extra, out.as_object_mut()) {
                for (k, v) in extra.as_object().into_iter().flatten() {
                    o.insert(k.clone(), v.clone());
                }
            }
            out
        })
        .collect();
    json!({ "Queue": events, "L": queue_len.min(i32::MAX as usize) })
}

/// Whether `condition` holds over `queue` (see `queue_json`) and the event just poured.
pub fn holds(condition: &Program, queue: &Json, evt: &Event) -> Result<bool, EvalError> {
    condition.eval_bool(&ConditionContext {
        evt: EventContext(evt),
        queue,
    })
}

/// A bayesian scenario's posterior after this pour: from the prior, each condition's evidence
/// in turn, by Bayes' rule in float32 as CrowdSec computes it. A condition that fails to run
/// leaves the posterior as it is (CrowdSec logs it). `guillotines` is the scenario's state.
pub fn posterior(
    b: &super::scenario::Bayesian,
    guillotines: &mut Vec<bool>,
    queue: &Json,
    evt: &Event,
    errors: &mut u64,
) -> f32 {
    let update = |prior: f32, evil: f32, benign: f32| {
        let numerator = evil * prior;
        numerator / (numerator + benign * (1.0 - prior))
    };
    guillotines.resize(b.conditions.len(), false);
    let mut p = b.prior;
    for (c, fired) in b.conditions.iter().zip(guillotines.iter_mut()) {
        if c.guillotine && *fired {
            p = update(p, c.prob_given_evil, c.prob_given_benign);
            continue;
        }
        match holds(&c.condition, queue, evt) {
            Ok(true) => {
                p = update(p, c.prob_given_evil, c.prob_given_benign);
                *fired = true;
            }
            Ok(false) => p = update(p, 1.0 - c.prob_given_evil, 1.0 - c.prob_given_benign),
            Err(_) => *errors += 1,
        }
    }
    p
}
