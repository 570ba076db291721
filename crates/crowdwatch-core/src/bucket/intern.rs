//! Small ids for the strings queued events repeat: meta key names, the key sets of events, and
//! the common values of each key (`ssh_failed-auth`, a host name, a datasource path...).
//!
//! Every interner is capped, and ids are never freed: memory stays bounded whatever the input,
//! and values past the cap (IPs, user names, URLs under attack) are stored inline instead.
use ahash::AHashMap;

/// Strings to dense ids, up to `cap` of them, each at most `max_len` bytes long.
pub struct Interner {
    ids: AHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    cap: usize,
    max_len: usize,
}

impl Interner {
    pub fn new(cap: usize, max_len: usize) -> Interner {
        Interner {
            ids: AHashMap::default(),
            names: Vec::new(),
            cap,
            max_len,
        }
    }

    /// The id of `s`, interning it while there is room.
    pub fn intern(&mut self, s: &str) -> Option<u32> {
        if let Some(&id) = self.ids.get(s) {
            return Some(id);
        }
        if self.names.len() >= self.cap || s.len() > self.max_len {
            return None;
        }
        let id = self.names.len() as u32;
        self.names.push(s.into());
        self.ids.insert(s.into(), id);
        Some(id)
    }

    /// The id of `s`, if it was interned.
    pub fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    /// The string of an id handed out by `intern`.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }
}

#[cfg(test)]
mod tests {
    use super::Interner;

    #[test]
    fn interns_up_to_the_cap_and_the_length_limit() {
        let mut i = Interner::new(2, 5);
        assert_eq!(i.intern("a"), Some(0));
        assert_eq!(i.intern("toolong"), None);
        assert_eq!(i.intern("b"), Some(1));
        assert_eq!(i.intern("a"), Some(0));
        assert_eq!(i.intern("c"), None, "full");
        assert_eq!((i.name(1), i.len()), ("b", 2));
    }
}
