//! A live bucket: its counters and limiter tokens, and one record of bytes holding its key, the
//! hashes of the `distinct` values it saw and its queued events.
//!
//! A distributed attack keeps millions of buckets alive with one event each, so a bucket is
//! 88 bytes and its record lives inside it while it fits: an IPv4 key with one sshd event and a
//! `distinct` hash does, even with its user name stored inline (up to about 10 bytes). Such a
//! bucket owns no heap memory, and leaves none scattered in the allocator when it goes.
use crowdwatch_time::Timestamp;
use smallvec::SmallVec;

use super::bytes::{put_str, put_varint, Reader};
use super::limiter::Limiter;
use super::queued::EventEncoder;
use super::source::QueuedSource;

/// Record bytes kept inside the bucket before it spills to the heap (40 would save 8 bytes a
/// bucket, but user names past the interner's cap would then spill `distinct` buckets).
const INLINE_RECORD: usize = 48;

pub struct Bucket {
    /// The limiter's tokens. Its last time is `last_ns` once an event was counted: a leaky
    /// bucket that refuses an event overflows and is gone.
    tokens: f64,
    /// Time of the last counted event, or of the bucket's creation before the first (ns).
    pub last_ns: i64,
    first_ns: i64,
    first_offset: i32,
    /// Events counted. Saturates, which only a counter collecting 2^32 events would reach.
    pub total: u32,
    /// Key (length, text), distinct hashes (count, 8 bytes each), then the queued events, each
    /// as its length and `queued.rs`'s encoding.
    record: SmallVec<[u8; INLINE_RECORD]>,
}

impl Bucket {
    pub fn new(key: &str, now: Timestamp) -> Bucket {
        let mut record = SmallVec::new();
        put_str(&mut record, key);
        record.push(0);
        Bucket {
            tokens: 0.0,
            last_ns: now.unix_nanos,
            first_ns: now.unix_nanos,
            first_offset: now.offset_secs,
            total: 0,
            record,
        }
    }

    /// Start again, empty and full of tokens, at `now`: an underflowed bucket hit by an event.
    pub fn restart(&mut self, now: Timestamp) {
        let key_end = self.distinct_at();
        self.record.truncate(key_end);
        self.record.push(0);
        self.record.shrink_to_fit();
        (self.tokens, self.total, self.last_ns) = (0.0, 0, now.unix_nanos);
        self.set_first(now);
    }

    pub fn key(&self) -> &str {
        Reader::new(&self.record[..]).str()
    }

    /// When the first counted event came (what queued times are relative to).
    pub fn first(&self) -> Timestamp {
        Timestamp {
            unix_nanos: self.first_ns,
            offset_secs: self.first_offset,
        }
    }

    pub fn set_first(&mut self, now: Timestamp) {
        (self.first_ns, self.first_offset) = (now.unix_nanos, now.offset_secs);
    }

    /// The token limiter as of the last counted event; `keep_limiter` stores it back.
    pub fn limiter(&self) -> Limiter {
        Limiter::resume(self.tokens, (self.total > 0).then_some(self.last_ns))
    }

    pub fn keep_limiter(&mut self, limiter: &Limiter) {
        self.tokens = limiter.tokens();
    }

    fn distinct_at(&self) -> usize {
        let mut r = Reader::new(&self.record[..]);
        let n = r.varint() as usize;
        r.pos + n
    }

    /// (where the hash count starts, the count, where the hashes start).
    fn distinct_section(&self) -> (usize, usize, usize) {
        let at = self.distinct_at();
        let mut r = Reader::new(&self.record[..]);
        r.pos = at;
        let count = r.varint() as usize;
        (at, count, r.pos)
    }

    pub fn has_distinct(&self, hash: u64) -> bool {
        let (_, count, hashes) = self.distinct_section();
        self.record[hashes..hashes + 8 * count]
            .chunks_exact(8)
            .any(|h| h == hash.to_le_bytes())
    }

    pub fn add_distinct(&mut self, hash: u64) {
        let (at, count, hashes) = self.distinct_section();
        self.record
            .insert_from_slice(hashes + 8 * count, &hash.to_le_bytes());
        let mut new_count = SmallVec::<[u8; 10]>::new();
        put_varint(&mut new_count, count as u64 + 1);
        if new_count.len() == hashes - at {
            self.record[at..hashes].copy_from_slice(&new_count);
        } else {
            self.record.drain(at..hashes);
            self.record.insert_from_slice(at, &new_count);
        }
    }

    fn events_at(&self) -> usize {
        let (_, count, hashes) = self.distinct_section();
        hashes + 8 * count
    }

    /// The queued events, oldest first, as `queued.rs` encoded them.
    pub fn events(&self) -> impl Iterator<Item = &[u8]> {
        let mut r = Reader::new(&self.record[..]);
        r.pos = self.events_at();
        std::iter::from_fn(move || {
            (!r.at_end()).then(|| {
                let n = r.varint() as usize;
                r.take(n)
            })
        })
    }

    /// What a snapshot keeps besides the key and the events: (tokens, last_ns, first, total,
    /// distinct hashes).
    pub fn parts(&self) -> (f64, i64, Timestamp, u32, Vec<u64>) {
        let (_, count, hashes) = self.distinct_section();
        let distinct = self.record[hashes..hashes + 8 * count]
            .chunks_exact(8)
            .map(|h| u64::from_le_bytes(h.try_into().expect("8 bytes")))
            .collect();
        (
            self.tokens,
            self.last_ns,
            self.first(),
            self.total,
            distinct,
        )
    }

    /// A bucket made again from a snapshot's parts; `events` are whole queued events, each as
    /// its length and body (`queued::append_plain`), so the record is well-formed by construction.
    pub fn from_parts(
        key: &str,
        (tokens, last_ns, first, total, distinct): (f64, i64, Timestamp, u32, &[u64]),
        events: &[u8],
    ) -> Bucket {
        let mut record = SmallVec::new();
        put_str(&mut record, key);
        put_varint(&mut record, distinct.len() as u64);
        for h in distinct {
            record.extend_from_slice(&h.to_le_bytes());
        }
        record.extend_from_slice(events);
        Bucket {
            tokens,
            last_ns,
            first_ns: first.unix_nanos,
            first_offset: first.offset_secs,
            total,
            record,
        }
    }

    /// Queue the event being poured, which `total` already counts. The queue keeps the last
    /// `queue_len + 1` events, as CrowdSec's Queue.Add allows one more; one event is queued per
    /// counted event, so `total - 1` events (at most `queue_len + 1`) were queued before this.
    pub fn queue(
        &mut self,
        enc: &mut EventEncoder,
        key: &str,
        source: &QueuedSource,
        queue_len: usize,
    ) {
        if self.total as usize > queue_len.saturating_add(1) {
            let at = self.events_at();
            let mut r = Reader::new(&self.record[..]);
            r.pos = at;
            let n = r.varint() as usize;
            self.record.drain(at..r.pos + n);
        }
        let first = self.first();
        enc.append(&mut self.record, key, first, source);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_is_88_bytes() {
        assert_eq!(std::mem::size_of::<Bucket>(), 88);
    }

    #[test]
    fn distinct_hashes_grow_past_a_one_byte_count() {
        let mut b = Bucket::new("1.2.3.4", Timestamp::default());
        for h in 0..300u64 {
            assert!(!b.has_distinct(h * 7919));
            b.add_distinct(h * 7919);
            assert!(b.has_distinct(h * 7919));
        }
        assert_eq!(b.key(), "1.2.3.4");
        assert_eq!(b.events().count(), 0);
        b.restart(Timestamp::default());
        assert!(!b.has_distinct(0) && b.key() == "1.2.3.4" && !b.record.spilled());
    }
}
