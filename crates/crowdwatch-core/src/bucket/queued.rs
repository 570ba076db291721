//! One queued event as a few bytes: what a bucket remembers of an event to build its alert (the
//! event's timestamp text, its meta sorted by key, and its source).
//!
//! A live bucket mostly holds one or two events, and an attack spread over many sources means
//! millions of buckets, so an event is a run of bytes inside its bucket's record (`live.rs`):
//!
//! ```text
//! flags                    u8: source (2 bits), TIME_TEXT, OWN_OFFSET, INLINE_KEYS, time unit
//!                            (2 bits: ns, µs, ms, s)
//! time                     TIME_TEXT: the text; else zigzag((ns - first_ns) / unit)
//!                            [, zigzag(offset)]
//! keys                     INLINE_KEYS: count; else the id of the event's key set (its shape)
//! per meta item            INLINE_KEYS: the key text; then a value code:
//!                            0b00 | len<<2 + bytes, 0b01 the bucket key, 0b10 the timestamp
//!                            text, 0b11 | id<<2 an interned value of that key
//! explicit source          scope, value, ip, range, as_number, as_name, cn, lat, lon
//! ```
//!
//! Times whose text formats back from the instant (RFC3339Nano, as MarshaledTime is written) cost
//! one byte when equal to the bucket's first time; meta keys, key sets and common values are ids
//! from capped interners that live as long as the engine.
use crowdwatch_time::{format_rfc3339_nano, parse_rfc3339, Timestamp};

use super::bytes::{put_str, put_varint, unzigzag, zigzag, Reader};
use super::intern::Interner;
use super::source::QueuedSource;
use crate::alert::{AlertEvent, AlertSource, MetaItem};
use crate::event::Event;

const SOURCE_BITS: u8 = 0b11;
const SOURCE_DERIVED: u8 = 1;
const SOURCE_EXPLICIT: u8 = 2;
const TIME_TEXT: u8 = 1 << 2;
const OWN_OFFSET: u8 = 1 << 3;
const INLINE_KEYS: u8 = 1 << 4;
const UNIT_SHIFT: u8 = 5;
/// Time units in nanoseconds: a delta is stored in the largest that divides it.
const UNITS: [i64; 4] = [1, 1_000, 1_000_000, 1_000_000_000];

const VALUE_INLINE: u64 = 0;
const VALUE_KEY: u64 = 1;
const VALUE_TIME: u64 = 2;
const VALUE_INTERNED: u64 = 3;

const MAX_KEYS: usize = 256;
const MAX_SHAPES: usize = 1024;
const MAX_VALUES_PER_KEY: usize = 256;
const MAX_INTERNED_VALUE_LEN: usize = 64;

/// The interners queued events refer to, and the scratch space of encoding.
pub struct QueueCodec {
    keys: Interner,
    /// Key sets: the key names in the event's order, each followed by NUL.
    shapes: Interner,
    /// The key ids of each shape.
    shape_keys: Vec<Box<[u32]>>,
    /// The common values of each key id.
    values: Vec<Interner>,
    /// The last timestamp text seen and the instant that formats back to it, if one does.
    time_text: String,
    time_value: Option<Timestamp>,
    /// How the current event encodes, whatever the bucket (prepared on its first pour).
    draft: Draft,
    shape_text: String,
    body: Vec<u8>,
}

#[derive(Default)]
struct Draft {
    ready: bool,
    time: Option<Timestamp>,
    shape: Option<u32>,
    values: Vec<ValueCode>,
}

#[derive(Clone, Copy)]
enum ValueCode {
    Inline,
    Time,
    Interned(u32),
}

/// The codec bound to one event: each scenario the event pours into appends it to a bucket.
pub struct EventEncoder<'a> {
    codec: &'a mut QueueCodec,
    evt: &'a Event,
}

impl Default for QueueCodec {
    fn default() -> QueueCodec {
        QueueCodec {
            keys: Interner::new(MAX_KEYS, usize::MAX),
            shapes: Interner::new(MAX_SHAPES, usize::MAX),
            shape_keys: Vec::new(),
            values: Vec::new(),
            time_text: String::new(),
            time_value: None,
            draft: Draft::default(),
            shape_text: String::new(),
            body: Vec::new(),
        }
    }
}

impl EventEncoder<'_> {
    /// Run `f` with an encoder of `evt` instead (the event a scenario filter changed with
    /// `evt.SetMeta`), then come back to this one's event.
    pub fn with_event<R>(&mut self, evt: &Event, f: impl FnOnce(&mut EventEncoder<'_>) -> R) -> R {
        let result = f(&mut self.codec.encoder(evt));
        self.codec.draft.ready = false;
        result
    }
}

impl QueueCodec {
    pub fn encoder<'a>(&'a mut self, evt: &'a Event) -> EventEncoder<'a> {
        self.draft.ready = false;
        EventEncoder { codec: self, evt }
    }

    fn prepare(&mut self, evt: &Event) {
        let time_text = evt.marshaled_time.as_str();
        self.draft.time = if time_text.is_empty() {
            Some(evt.time)
        } else {
            self.derivable_time(time_text)
        };
        self.draft.shape = self.shape_of(evt);
        self.draft.values.clear();
        for (i, (_, v)) in evt.meta.iter().enumerate() {
            let code = match self.draft.shape {
                _ if !time_text.is_empty() && v == time_text => ValueCode::Time,
                Some(shape) => {
                    let key = self.shape_keys[shape as usize][i] as usize;
                    self.values[key]
                        .intern(v)
                        .map_or(ValueCode::Inline, ValueCode::Interned)
                }
                None => ValueCode::Inline,
            };
            self.draft.values.push(code);
        }
        self.draft.ready = true;
    }

    /// The instant whose RFC3339Nano text is `text`, if there is one (remembered for the next
    /// events, which mostly share their second).
    fn derivable_time(&mut self, text: &str) -> Option<Timestamp> {
        if self.time_text != text {
            self.time_text.clear();
            self.time_text.push_str(text);
            self.time_value = parse_rfc3339(text).filter(|t| format_rfc3339_nano(*t) == text);
        }
        self.time_value
    }

    /// The id of the event's key set; `None` once the interners are full.
    fn shape_of(&mut self, evt: &Event) -> Option<u32> {
        self.shape_text.clear();
        for (k, _) in evt.meta.iter() {
            if k.contains('\0') {
                return None;
            }
            self.shape_text.push_str(k);
            self.shape_text.push('\0');
        }
        if let Some(id) = self.shapes.get(&self.shape_text) {
            return Some(id);
        }
        let ids = evt
            .meta
            .iter()
            .map(|(k, _)| self.keys.intern(k))
            .collect::<Option<Box<[u32]>>>()?;
        while self.values.len() < self.keys.len() {
            self.values
                .push(Interner::new(MAX_VALUES_PER_KEY, MAX_INTERNED_VALUE_LEN));
        }
        let id = self.shapes.intern(&self.shape_text)?;
        self.shape_keys.push(ids);
        Some(id)
    }

    /// The event `append` wrote as `body`, for the bucket keyed `key` whose first event is at
    /// `first`: its timestamp text, its meta sorted by key, and its source.
    pub fn decode(&self, body: &[u8], key: &str, first: Timestamp) -> (AlertEvent, QueuedSource) {
        let mut r = Reader::new(body);
        let flags = r.byte();
        let timestamp = if flags & TIME_TEXT != 0 {
            r.str().to_owned()
        } else {
            let unit = UNITS[usize::from((flags >> UNIT_SHIFT) & 0b11)];
            let unix_nanos = first
                .unix_nanos
                .wrapping_add(unzigzag(r.varint()).wrapping_mul(unit));
            let offset_secs = if flags & OWN_OFFSET != 0 {
                unzigzag(r.varint()) as i32
            } else {
                first.offset_secs
            };
            format_rfc3339_nano(Timestamp {
                unix_nanos,
                offset_secs,
            })
        };
        let shape = (flags & INLINE_KEYS == 0).then(|| &self.shape_keys[r.varint() as usize]);
        let count = shape.map_or_else(|| r.varint() as usize, |ids| ids.len());
        let mut meta = Vec::with_capacity(count);
        for i in 0..count {
            let (name, id) = match shape {
                Some(ids) => (self.keys.name(ids[i]), ids[i] as usize),
                None => (r.str(), usize::MAX),
            };
            let code = r.varint();
            let value = match code & 0b11 {
                VALUE_INLINE => r.text((code >> 2) as usize).to_owned(),
                VALUE_KEY => key.to_owned(),
                VALUE_TIME => timestamp.clone(),
                _ => self.values[id].name((code >> 2) as u32).to_owned(),
            };
            meta.push(MetaItem {
                key: name.to_owned(),
                value,
            });
        }
        meta.sort_by(|a, b| a.key.cmp(&b.key));
        let source = match flags & SOURCE_BITS {
            SOURCE_DERIVED => QueuedSource::Derived,
            SOURCE_EXPLICIT => QueuedSource::Explicit(Box::new(read_source(&mut r))),
            _ => QueuedSource::None,
        };
        debug_assert!(r.at_end(), "a queued event is read to its end");
        (AlertEvent { timestamp, meta }, source)
    }
}

impl<'a> EventEncoder<'a> {
    pub fn event(&self) -> &'a Event {
        self.evt
    }

    pub fn codec(&self) -> &QueueCodec {
        self.codec
    }

    /// Append the event, with its length, as queued in the bucket keyed `key` whose first event
    /// is at `first`.
    pub fn append(
        &mut self,
        out: &mut impl Extend<u8>,
        key: &str,
        first: Timestamp,
        source: &QueuedSource,
    ) {
        let (evt, codec) = (self.evt, &mut *self.codec);
        if !codec.draft.ready {
            codec.prepare(evt);
        }
        let (draft, body) = (&codec.draft, &mut codec.body);
        body.clear();
        let mut flags = match source {
            QueuedSource::None => 0,
            QueuedSource::Derived => SOURCE_DERIVED,
            QueuedSource::Explicit(_) => SOURCE_EXPLICIT,
        };
        // Wrapping: any two instants have a delta that adds back exactly.
        let (mut delta, mut unit) = (
            draft
                .time
                .map_or(0, |t| t.unix_nanos.wrapping_sub(first.unix_nanos)),
            0,
        );
        while unit < 3 && delta % 1000 == 0 {
            (delta, unit) = (delta / 1000, unit + 1);
        }
        match draft.time {
            Some(t) if t.offset_secs != first.offset_secs => flags |= OWN_OFFSET,
            Some(_) => {}
            None => flags |= TIME_TEXT,
        }
        flags |= unit << UNIT_SHIFT;
        if draft.shape.is_none() {
            flags |= INLINE_KEYS;
        }
        body.push(flags);
        match draft.time {
            Some(t) => {
                put_varint(body, zigzag(delta));
                if flags & OWN_OFFSET != 0 {
                    put_varint(body, zigzag(i64::from(t.offset_secs)));
                }
            }
            None => put_str(body, &evt.marshaled_time),
        }
        put_varint(
            body,
            draft.shape.map_or(evt.meta.len(), |id| id as usize) as u64,
        );
        for ((k, v), code) in evt.meta.iter().zip(&draft.values) {
            if draft.shape.is_none() {
                put_str(body, k);
            }
            match code {
                _ if v == key => put_varint(body, VALUE_KEY),
                ValueCode::Time => put_varint(body, VALUE_TIME),
                ValueCode::Interned(id) => put_varint(body, (u64::from(*id) << 2) | VALUE_INTERNED),
                ValueCode::Inline => {
                    put_varint(body, ((v.len() as u64) << 2) | VALUE_INLINE);
                    body.extend_from_slice(v.as_bytes());
                }
            }
        }
        if let QueuedSource::Explicit(s) = source {
            write_source(body, s);
        }
        put_varint(out, body.len() as u64);
        out.extend(body.iter().copied());
    }
}

/// Append `event` with its length, as `append` would have queued it but with no reference to a
/// codec's interners (its time as text, its meta keys and values inline): what a restored
/// snapshot's buckets hold, decoding to the same event in any engine.
pub fn append_plain(out: &mut Vec<u8>, event: &AlertEvent, source: &QueuedSource) {
    let mut body = Vec::with_capacity(64);
    let flags = TIME_TEXT
        | INLINE_KEYS
        | match source {
            QueuedSource::None => 0,
            QueuedSource::Derived => SOURCE_DERIVED,
            QueuedSource::Explicit(_) => SOURCE_EXPLICIT,
        };
    body.push(flags);
    put_str(&mut body, &event.timestamp);
    put_varint(&mut body, event.meta.len() as u64);
    for item in &event.meta {
        put_str(&mut body, &item.key);
        put_varint(&mut body, ((item.value.len() as u64) << 2) | VALUE_INLINE);
        body.extend_from_slice(item.value.as_bytes());
    }
    if let QueuedSource::Explicit(s) = source {
        write_source(&mut body, s);
    }
    put_varint(out, body.len() as u64);
    out.extend_from_slice(&body);
}

fn write_source(out: &mut Vec<u8>, s: &AlertSource) {
    for text in [
        &s.scope,
        &s.value,
        &s.ip,
        &s.range,
        &s.as_number,
        &s.as_name,
        &s.cn,
    ] {
        put_str(out, text);
    }
    out.extend_from_slice(&s.latitude.to_bits().to_le_bytes());
    out.extend_from_slice(&s.longitude.to_bits().to_le_bytes());
}

fn read_source(r: &mut Reader) -> AlertSource {
    let mut text = || r.str().to_owned();
    let (scope, value, ip, range, as_number, as_name, cn) =
        (text(), text(), text(), text(), text(), text(), text());
    let mut float = || f32::from_bits(u32::from_le_bytes(r.take(4).try_into().expect("4 bytes")));
    let (latitude, longitude) = (float(), float());
    AlertSource {
        scope,
        value,
        ip,
        range,
        as_number,
        as_name,
        cn,
        latitude,
        longitude,
    }
}
