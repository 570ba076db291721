//! `dump_batch`: a batch replayed like `process_batch`, recording what CrowdSec's `-dump-data`
//! records (see `hubtest`). For `crowdwatch hubtest`; not the hot path.
use crowdwatch_time::Timestamp;

use super::Engine;
use crate::event::Event;
use crate::hubtest::{overflow_json, Dump, Dumper};
use crate::line::{for_each_line, Counters};
use crate::parser::Outcome;

impl Engine {
    /// Parse and pour every line of `batch`, adding each top-level node's result and each
    /// overflow to `dump`. Buckets keep their state across calls, as with `process_batch`.
    pub fn dump_batch(&mut self, source_id: usize, batch: &[u8], now: Timestamp, dump: &mut Dump) {
        let Some(source) = self.sources.get(source_id).cloned() else {
            return;
        };
        let mut evt = Event::new(source, self.mode, now);
        let Engine {
            pipeline,
            buckets,
            max_line_bytes,
            scratch,
            ..
        } = self;
        let mut alerts = Vec::new();
        let mut split = Counters::default();
        for_each_line(batch, *max_line_bytes, &mut split, |line| {
            evt.reset(line, now);
            let mut errors = 0;
            let outcome = pipeline.parse(
                &mut evt,
                scratch,
                None,
                &mut Dumper::new(dump),
                &mut errors,
                |_, _, _| {},
            );
            if outcome == Outcome::Parsed && !evt.whitelisted {
                buckets.pour_event(&evt, now, &mut alerts, None);
            }
        });
        // Postoverflows, recorded like the parsers; a whitelisted overflow stays in the dump.
        // One overflow of several sources gave one alert each (build_alerts): CrowdSec dumps
        // it once, its `Sources` holding them all. Its alerts are consecutive and share their
        // scenario, times and events.
        let mut previous: Option<(String, String, String, Vec<crate::alert::AlertEvent>)> = None;
        for alert in &mut alerts {
            let same = (
                alert.scenario.clone(),
                alert.start_at.clone(),
                alert.stop_at.clone(),
                alert.events.clone(),
            );
            let continues = previous.as_ref() == Some(&same);
            previous = Some(same);
            let mut evt = crate::bucket::overflow_event(alert, "", self.mode);
            let mut errors = 0;
            self.postoverflows.parse(
                &mut evt,
                &mut self.scratch,
                None,
                &mut Dumper::new(dump),
                &mut errors,
                |_, _, _| {},
            );
            let mut json = overflow_json(alert);
            if let Some(o) = evt.overflow {
                // `Sources` stays keyed by the address the overflow had, as in CrowdSec.
                json["Overflow"]["Whitelisted"] = o.whitelisted.into();
                json["Overflow"]["Sources"] = o.json["Sources"].clone();
                json["Overflow"]["Alert"]["Source"] = o.json["Alert"]["Source"].clone();
                if let Some(source) = o.alert_sources.into_iter().next() {
                    alert.source = source;
                }
            }
            match dump.overflows.last_mut() {
                Some(last) if continues => {
                    if let (Some(all), Some(more)) = (
                        last["Overflow"]["Sources"].as_object_mut(),
                        json["Overflow"]["Sources"].as_object(),
                    ) {
                        all.extend(more.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                }
                _ => dump.overflows.push(json),
            }
        }
    }
}
