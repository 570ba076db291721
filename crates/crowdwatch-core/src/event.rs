//! The event: what parsers fill and scenarios read (CrowdSec's `types.Event`, the `evt` of
//! expressions). One is built per line and reused across the lines of a batch.
use std::sync::Arc;

use crowdwatch_time::Timestamp;

/// A small string map with insertion order kept. Events carry a dozen keys at most, where a
/// linear scan beats hashing. Cleared entries keep their storage: the next line sets the same
/// keys in the same order, so a warm map fills without allocating.
#[derive(Clone, Default)]
pub struct FieldMap {
    /// The first `len` entries are the map; the rest are spare storage.
    entries: Vec<Entry>,
    len: usize,
}

#[derive(Clone)]
struct Entry {
    /// `KeyTag` of `key`: a scan compares tags (two integers) and reads the key's bytes only past
    /// its first eight, where a `memcmp` per key of equal length was ~3% of engine time on nginx.
    tag: KeyTag,
    key: Box<str>,
    value: String,
}

/// A key's length and its first eight bytes: equal tags mean equal keys up to eight bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
struct KeyTag {
    len: usize,
    head: u64,
}

impl KeyTag {
    #[inline]
    fn of(key: &str) -> KeyTag {
        let bytes = key.as_bytes();
        // No copy of a variable length here: that is a call to memmove per lookup.
        let head = match bytes.first_chunk::<8>() {
            Some(head) => u64::from_le_bytes(*head),
            None => bytes
                .iter()
                .rev()
                .fold(0u64, |head, &b| (head << 8) | u64::from(b)),
        };
        KeyTag {
            len: bytes.len(),
            head,
        }
    }
}

impl Entry {
    #[inline]
    fn is(&self, tag: KeyTag, key: &str) -> bool {
        self.tag == tag && (tag.len <= 8 || self.key.as_bytes()[8..] == key.as_bytes()[8..])
    }
}

impl FieldMap {
    fn live(&self) -> &[Entry] {
        &self.entries[..self.len]
    }

    #[inline]
    pub fn get(&self, key: &str) -> Option<&str> {
        let tag = KeyTag::of(key);
        self.live()
            .iter()
            .find(|e| e.is(tag, key))
            .map(|e| e.value.as_str())
    }

    pub fn set(&mut self, key: &str, value: &str) {
        let tag = KeyTag::of(key);
        if let Some(e) = self.entries[..self.len].iter_mut().find(|e| e.is(tag, key)) {
            e.value.clear();
            e.value.push_str(value);
            return;
        }
        match self.entries.get_mut(self.len) {
            Some(e) => {
                if !e.is(tag, key) {
                    (e.tag, e.key) = (tag, key.into());
                }
                e.value.clear();
                e.value.push_str(value);
            }
            None => self.entries.push(Entry {
                tag,
                key: key.into(),
                value: value.to_owned(),
            }),
        }
        self.len += 1;
    }

    pub fn remove(&mut self, key: &str) {
        let tag = KeyTag::of(key);
        if let Some(i) = self.live().iter().position(|e| e.is(tag, key)) {
            // Keep the order of the others; the removed entry becomes spare storage.
            self.entries[i..self.len].rotate_left(1);
            self.len -= 1;
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.live().iter().map(|e| (&*e.key, e.value.as_str()))
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn clear(&mut self) {
        self.len = 0;
    }
}

impl PartialEq for FieldMap {
    fn eq(&self, other: &FieldMap) -> bool {
        self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for FieldMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
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

impl OverflowInfo {
    /// Set a field of the alert's source (`Value`, `Scope`, `IP`, `Range`, `AsName`,
    /// `AsNumber`, `Cn`), in the alert and in `evt.Overflow` as expressions see it.
    pub fn set_source_field(&mut self, field: &str, value: &str) {
        for s in &mut self.alert_sources {
            let slot = match field {
                "Value" => &mut s.value,
                "Scope" => &mut s.scope,
                "IP" => &mut s.ip,
                "Range" => &mut s.range,
                "AsName" => &mut s.as_name,
                "AsNumber" => &mut s.as_number,
                "Cn" => &mut s.cn,
                _ => continue,
            };
            value.clone_into(slot);
        }
        let text = serde_json::Value::String(value.to_owned());
        if let Some(src) = self.json.pointer_mut("/Alert/Source") {
            src[field] = text.clone();
        }
        if let Some(serde_json::Value::Object(sources)) = self.json.get_mut("Sources") {
            for src in sources.values_mut() {
                src[field] = text.clone();
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct Event {
    pub kind: EventKind,
    pub expect_mode: ExpectMode,
    pub stage: String,
    pub line_raw: String,
    pub source: Arc<Source>,
    /// The source the lines come from: `source` again at each reset, should a static have
    /// written into `evt.Line` (then `source` is the event's own copy).
    origin: Arc<Source>,
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
    /// `evt.Unmarshaled`: what `UnmarshalJSON`/`ParseKV` put there, by the key they were given
    /// (always an object).
    pub unmarshaled: serde_json::Value,
    /// The parsers' stash caches, for `GetFromStash` (set by the pipeline that parses it).
    pub stash: Option<Arc<crate::parser::stash::StashStore>>,
    /// The GeoIP databases, for the enricher methods (set with `stash`).
    pub geoip: Option<Arc<crate::geoip::GeoIp>>,
    /// The resolver of the `reverse_dns` method (set with `stash`).
    pub rdns: Option<Arc<Option<crate::rdns::ReverseDns>>>,
}

impl Event {
    pub fn new(source: Arc<Source>, expect_mode: ExpectMode, now: Timestamp) -> Event {
        Event {
            kind: EventKind::Log,
            expect_mode,
            stage: String::new(),
            line_raw: String::new(),
            origin: source.clone(),
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
            unmarshaled: serde_json::Value::Object(Default::default()),
            stash: None,
            geoip: None,
            rdns: None,
        }
    }

    /// The source of the next lines (an event reused across batches of several sources).
    pub fn set_source(&mut self, source: &Arc<Source>) {
        if !Arc::ptr_eq(&self.origin, source) {
            self.origin = source.clone();
            self.source = source.clone();
        }
    }

    /// Reset for the next line of the same source, keeping every allocation.
    pub fn reset(&mut self, line: &str, now: Timestamp) {
        self.kind = EventKind::Log;
        self.stage.clear();
        self.line_raw.clear();
        self.line_raw.push_str(line);
        if !Arc::ptr_eq(&self.source, &self.origin) {
            self.source = self.origin.clone();
        }
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
        match &mut self.unmarshaled {
            serde_json::Value::Object(map) => map.clear(),
            other => *other = serde_json::Value::Object(Default::default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FieldMap;

    fn pairs(m: &FieldMap) -> Vec<(String, String)> {
        m.iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    #[test]
    fn field_map_reuses_cleared_entries_without_leaking_them() {
        let mut m = FieldMap::default();
        m.set("a", "1");
        m.set("b", "2");
        m.set("a", "3");
        assert_eq!(
            pairs(&m),
            [("a".into(), "3".into()), ("b".into(), "2".into())]
        );
        m.clear();
        assert!(m.is_empty() && m.get("a").is_none());
        // A different key lands in the spare slot of "a".
        m.set("c", "4");
        m.set("b", "5");
        assert_eq!(
            pairs(&m),
            [("c".into(), "4".into()), ("b".into(), "5".into())]
        );
        assert_eq!(m.len(), 2);
        m.remove("c");
        assert_eq!(pairs(&m), [("b".into(), "5".into())]);
        m.set("d", "6");
        assert_eq!(
            pairs(&m),
            [("b".into(), "5".into()), ("d".into(), "6".into())]
        );
        let mut other = FieldMap::default();
        other.set("b", "5");
        other.set("d", "6");
        assert_eq!(m, other);
        assert_eq!(format!("{m:?}"), r#"{"b": "5", "d": "6"}"#);
    }

    #[test]
    fn keys_are_told_apart_past_their_first_eight_bytes_and_by_length() {
        let mut m = FieldMap::default();
        let keys = [
            "file_dir",
            "file_dir2",
            "file_dirx",
            "file_di",
            "",
            "http_user_agent",
            "http_user_agenu",
        ];
        for (i, k) in keys.iter().enumerate() {
            m.set(k, &i.to_string());
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(m.get(k), Some(i.to_string().as_str()), "{k:?}");
        }
        assert_eq!(m.get("file_dir3"), None);
        assert_eq!(m.get("http_user_agent_"), None);
        m.remove("file_dir2");
        assert_eq!((m.get("file_dir2"), m.get("file_dirx")), (None, Some("2")));
        // A spare slot whose old key shares the new one's first eight bytes is renamed.
        m.clear();
        m.set("file_dirx", "a");
        assert_eq!((m.get("file_dirx"), m.get("file_dir")), (Some("a"), None));
    }
}
