//! One scenario's live buckets by key: a dense vector of buckets, and a hash index of their
//! 4-byte positions (hashbrown's `HashTable`).
//!
//! A hash map stores whole entries in its slots, and a table of a power-of-two capacity can be
//! half empty: with 88-byte buckets that slack would cost more than the buckets. Here the slack
//! costs 5 bytes a slot (position and control byte), the vector's unused tail is never written
//! (so never resident), and both shrink when garbage collection empties them.
use std::hash::{BuildHasher, Hasher};

use hashbrown::HashTable;

use super::live::Bucket;

/// Below this capacity, shrinking is not worth the reallocation.
const MIN_SHRINK_CAPACITY: usize = 64;

#[derive(Default)]
pub struct BucketTable {
    hasher: ahash::RandomState,
    index: HashTable<u32>,
    buckets: Vec<Bucket>,
}

fn hash_key(hasher: &ahash::RandomState, key: &str) -> u64 {
    let mut h = hasher.build_hasher();
    h.write(key.as_bytes());
    h.finish()
}

impl BucketTable {
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// The position of `key`'s bucket, created by `new` when there is none.
    pub fn position_or_insert(&mut self, key: &str, new: impl FnOnce() -> Bucket) -> usize {
        let hash = hash_key(&self.hasher, key);
        if let Some(&pos) = self
            .index
            .find(hash, |&pos| self.buckets[pos as usize].key() == key)
        {
            return pos as usize;
        }
        let pos = self.buckets.len();
        self.buckets.push(new());
        let (hasher, buckets) = (&self.hasher, &self.buckets);
        let stored = u32::try_from(pos).expect("fewer than 2^32 live buckets in one scenario");
        self.index.insert_unique(hash, stored, |&p| {
            hash_key(hasher, buckets[p as usize].key())
        });
        pos
    }

    pub fn position(&self, key: &str) -> Option<usize> {
        let hash = hash_key(&self.hasher, key);
        self.index
            .find(hash, |&pos| self.buckets[pos as usize].key() == key)
            .map(|&pos| pos as usize)
    }

    pub fn get(&self, pos: usize) -> &Bucket {
        &self.buckets[pos]
    }

    pub fn get_mut(&mut self, pos: usize) -> &mut Bucket {
        &mut self.buckets[pos]
    }

    /// Remove the bucket at `pos`; the last bucket moves to its position.
    pub fn remove(&mut self, pos: usize) -> Bucket {
        let hash = hash_key(&self.hasher, self.buckets[pos].key());
        match self.index.find_entry(hash, |&p| p as usize == pos) {
            Ok(entry) => drop(entry.remove()),
            Err(_) => unreachable!("every bucket is indexed"),
        }
        let last = self.buckets.len() - 1;
        if pos != last {
            let hash = hash_key(&self.hasher, self.buckets[last].key());
            *self
                .index
                .find_mut(hash, |&p| p as usize == last)
                .expect("every bucket is indexed") = pos as u32;
        }
        self.buckets.swap_remove(pos)
    }

    /// Keep the buckets `keep` accepts, then give memory back when most of it is unused.
    pub fn retain(&mut self, mut keep: impl FnMut(&Bucket) -> bool) {
        // From the end, so that the bucket moved into a removed one's place was already kept.
        for pos in (0..self.buckets.len()).rev() {
            if !keep(&self.buckets[pos]) {
                self.remove(pos);
            }
        }
        self.shrink();
    }

    /// Shrink to twice the live buckets once three quarters of the room is unused: memory
    /// returns after an attack, and a steady load does not resize back and forth.
    fn shrink(&mut self) {
        let len = self.buckets.len();
        if self.buckets.capacity() > MIN_SHRINK_CAPACITY && len < self.buckets.capacity() / 4 {
            self.buckets.shrink_to(len * 2);
        }
        if self.index.capacity() > MIN_SHRINK_CAPACITY && len < self.index.capacity() / 4 {
            let (hasher, buckets) = (&self.hasher, &self.buckets);
            self.index
                .shrink_to(len * 2, |&p| hash_key(hasher, buckets[p as usize].key()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crowdwatch_time::Timestamp;

    #[test]
    fn positions_follow_removals_and_memory_shrinks() {
        let mut t = BucketTable::default();
        let key = |i: usize| format!("10.0.{}.{}", i / 256, i % 256);
        for i in 0..10_000 {
            assert_eq!(
                t.position_or_insert(&key(i), || Bucket::new(&key(i), Timestamp::default())),
                i
            );
        }
        t.get_mut(5).total = 5;
        let removed = t.remove(3);
        assert_eq!(
            (removed.key(), t.position(&key(9_999))),
            (key(3).as_str(), Some(3))
        );
        t.retain(|b| b.key().ends_with(".7") || b.total == 5);
        assert_eq!(t.len(), 41);
        for i in 0..10_000 {
            let pos = t.position(&key(i));
            assert_eq!(pos.is_some(), i % 256 == 7 || i == 5, "{}", key(i));
            if let Some(p) = pos {
                assert_eq!(t.get(p).key(), key(i));
            }
        }
        assert!(t.buckets.capacity() <= 82 && t.index.capacity() < 1000);
        assert_eq!(
            t.position_or_insert(&key(5), || unreachable!()),
            t.position(&key(5)).unwrap()
        );
    }
}
