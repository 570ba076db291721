//! The event: what parsers fill and scenarios read (CrowdSec's `types.Event`, the `evt` of
//! expressions). One is built per line and reused across the lines of a batch.
use std::sync::Arc;

use crowdwatch_time::Timestamp;

/// A small string map with insertion order kept. Events carry a dozen keys at most, where a
/// linear scan beats hashing and the storage is reused from line to line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldMap {
    entries: Vec<(Box<str>, String)>,
}

impl FieldMap {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.iter().find(|(k, _)| &**k == key).map(|(_, v)| v.as_str())
    }

    pub fn set(&mut self, key: &str, value: &str) {
        match self.entries.iter_mut().find(|(k, _)| &**k == key) {
            Some((_, v)) => {
                v.clear();
                v.push_str(value);
            }
            None => self.entries.push((key.into(), value.to_owned())),
        }
    }

    pub fn remove(&mut self, key: &str) {
        self.entries.retain(|(k, _)| &**k != key);
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (&**k, v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// The labels of the source a line came from (`type: nginx`...), shared by every line of it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Source {
    pub labels: FieldMap,
    /// File path, `journalctl-<filters>`, syslog peer: CrowdSec's `Line.Src`.
    pub src: String,
    /// Acquisition module name (`file`, `journalctl`, `syslog`...).
    pub module: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Log,
    Overflow,
}

/// LIVE: bucket clocks are the wall clock. TIMEMACHINE: they are the event's own time (replay).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpectMode {
    Live,
    TimeMachine,
}

/// What an overflow event carries when a scenario with `reprocess: true` re-pours it.
#[derive(Clone, Debug, Default)]
pub struct OverflowInfo {
    /// `evt.Overflow` as expressions see it, with Go's field names (`Alert.Source.IP`,
    /// `Alert.Remediation`, `Sources`, `Mapkey`...), so any member path resolves dynamically.
    pub json: serde_json::Value,
    /// Source values of the overflow (IPs for scope Ip), CrowdSec's `evt.Overflow.Sources` keys.
    pub sources: Vec<String>,
    /// The same sources in full, for a scenario that re-pours this overflow.
    pub alert_sources: Vec<crate::alert::AlertSource>,
    pub whitelisted: bool,
}

#[derive(Clone, Debug)]
pub struct Event {
    pub kind: EventKind,
    pub expect_mode: ExpectMode,
    pub stage: String,
    pub line_raw: String,
    pub source: Arc<Source>,
    /// Acquisition time (`Line.Time`) in live mode; the parse time in replay until ParseDate runs.
    pub line_time: Timestamp,
    /// `evt.Time`: set from ParseDate's result when it succeeds.
    pub time: Timestamp,
    pub parsed: FieldMap,
    pub meta: FieldMap,
    pub enriched: FieldMap,
    pub str_time: String,
    pub str_time_format: String,
    pub marshaled_time: String,
    pub whitelisted: bool,
    pub whitelist_reason: String,
    pub overflow: Option<Box<OverflowInfo>>,
}

impl Event {
    pub fn new(source: Arc<Source>, expect_mode: ExpectMode, now: Timestamp) -> Event {
        Event {
            kind: EventKind::Log,
            expect_mode,
            stage: String::new(),
            line_raw: String::new(),
            source,
            line_time: now,
            time: now,
            parsed: FieldMap::default(),
            meta: FieldMap::default(),
            enriched: FieldMap::default(),
            str_time: String::new(),
            str_time_format: String::new(),
            marshaled_time: String::new(),
            whitelisted: false,
            whitelist_reason: String::new(),
            overflow: None,
        }
    }

    /// Reset for the next line of the same source, keeping every allocation.
    pub fn reset(&mut self, line: &str, now: Timestamp) {
        self.kind = EventKind::Log;
        self.stage.clear();
        self.line_raw.clear();
        self.line_raw.push_str(line);
        self.line_time = now;
        self.time = now;
        self.parsed.clear();
        self.meta.clear();
        self.enriched.clear();
        self.str_time.clear();
        self.str_time_format.clear();
        self.marshaled_time.clear();
        self.whitelisted = false;
        self.whitelist_reason.clear();
        self.overflow = None;
    }
}
