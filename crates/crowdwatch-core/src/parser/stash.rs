//! CrowdSec's parser stash: a node stores `value` under `key` in a named cache (bounded, entries
//! expire after `ttl`), and any expression reads it back with `GetFromStash(name, key)`
//! (auditd remembers a pid's program, charon-ipsec a connection's peer).
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::Mutex;

use crowdwatch_expr::Program;
use crowdwatch_time::Timestamp;
use lru::LruCache;

/// One `stash:` entry of a node, compiled.
pub struct Stash {
    pub name: String,
    pub key: Program,
    pub value: Program,
    pub ttl_ns: i64,
    /// Most entries the cache keeps (CrowdSec's default: 100).
    pub size: NonZeroUsize,
}

struct Entry {
    value: String,
    expires_ns: i64,
}

/// The engine's caches, by name; created by the first node that stores into one. CrowdSec's
/// strategies (LRU, LFU, ARC) all evict here least recently used first.
#[derive(Default)]
pub struct StashStore {
    caches: Mutex<HashMap<String, LruCache<String, Entry>>>,
}

impl std::fmt::Debug for StashStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StashStore")
    }
}

impl StashStore {
    pub fn set(&self, stash: &Stash, key: String, value: String, now: Timestamp) {
        let mut caches = self.caches.lock().unwrap_or_else(|p| p.into_inner());
        let cache = caches
            .entry(stash.name.clone())
            .or_insert_with(|| LruCache::new(stash.size));
        let expires_ns = now.unix_nanos.saturating_add(stash.ttl_ns);
        cache.put(key, Entry { value, expires_ns });
    }

    /// The value under `key`, "" when absent or expired (as `GetFromStash` answers).
    pub fn get(&self, name: &str, key: &str, now: Timestamp) -> String {
        let mut caches = self.caches.lock().unwrap_or_else(|p| p.into_inner());
        let Some(cache) = caches.get_mut(name) else {
            return String::new();
        };
        match cache.get(key) {
            Some(e) if e.expires_ns > now.unix_nanos => e.value.clone(),
            Some(_) => {
                cache.pop(key);
                String::new()
            }
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::EventSchema;
    use crowdwatch_expr::{compile, DataFiles};

    fn stash(size: usize, ttl_ns: i64) -> Stash {
        let p = || {
            compile("'x'", &EventSchema, &DataFiles::default())
                .unwrap()
                .program
        };
        Stash {
            name: "pids".into(),
            key: p(),
            value: p(),
            ttl_ns,
            size: NonZeroUsize::new(size).unwrap(),
        }
    }

    #[test]
    fn entries_expire_and_the_least_recently_used_goes_first() {
        let store = StashStore::default();
        let st = stash(2, 10);
        let at = |ns| Timestamp::from_unix(0, ns).unwrap();
        store.set(&st, "1".into(), "sshd".into(), at(0));
        store.set(&st, "2".into(), "cron".into(), at(1));
        assert_eq!(store.get("pids", "1", at(5)), "sshd");
        // "2" is now the least recently used: a third key evicts it.
        store.set(&st, "3".into(), "bash".into(), at(5));
        assert_eq!(store.get("pids", "2", at(6)), "");
        assert_eq!(store.get("pids", "1", at(9)), "sshd");
        assert_eq!(store.get("pids", "1", at(10)), "", "expired at ttl");
        assert_eq!(store.get("other", "1", at(0)), "");
    }
}
