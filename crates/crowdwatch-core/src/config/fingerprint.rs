//! What a reload compares to decide whether a scenario is unchanged, so that its live buckets,
//! blackhole and counters may carry over (`Engine::reload`).
//!
//! A scenario's fingerprint is a SHA-256 over:
//! - its YAML document as decoded: every key and value, in order. Comments, indentation,
//!   quoting and the other documents of a multi-document file do not count; any value does,
//!   even a description, because telling behaviour from wording field by field would be a rule
//!   to keep in step with every field CrowdSec adds, and a needless reset costs only a delay.
//! - the content of each data file its `data:` entries name, as loaded: `File()` and
//!   `RegexpInFile()` make those lists part of the filter.
//!
//! Left out on purpose: the file's path (moving a file keeps its buckets), the hub hash and
//! version (a digest of the whole file, so an edit to another document of it would reset this
//! one; alerts of kept buckets carry the new values), grok patterns (scenarios have none), and
//! the parsers (they shape events, and what a bucket already counted stays valid). The engine
//! mode is compared by the reload itself. Data files an expression reads without naming them in
//! `data:` are not followed.
use serde_yaml::Value;
use sha2::{Digest, Sha256};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// The digest's bytes (bucket snapshots name scenarios by them).
    pub fn bytes(&self) -> [u8; 32] {
        self.0
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Fingerprint {
        Fingerprint(bytes)
    }

    /// The digest of a decoded YAML document.
    pub fn of_document(doc: &Value) -> Fingerprint {
        let mut h = Sha256::new();
        feed(&mut h, doc);
        Fingerprint(h.finalize().into())
    }

    /// The digest of a file's bytes.
    pub fn of_bytes(bytes: &[u8]) -> Fingerprint {
        Fingerprint(Sha256::digest(bytes).into())
    }

    /// This fingerprint extended with data files, by name and content digest (`None` for a file
    /// that was not found).
    pub fn with_data<'a>(
        self,
        files: impl IntoIterator<Item = (&'a str, Option<Fingerprint>)>,
    ) -> Fingerprint {
        let mut h = Sha256::new();
        h.update(self.0);
        for (name, digest) in files {
            put_text(&mut h, name);
            match digest {
                Some(d) => h.update(d.0),
                None => h.update([0]),
            }
        }
        Fingerprint(h.finalize().into())
    }
}

/// Each value as a type byte and its content; texts and collections with their lengths, so
/// that no two different documents feed the same bytes.
fn feed(h: &mut Sha256, v: &Value) {
    match v {
        Value::Null => h.update([0]),
        Value::Bool(b) => h.update([1, u8::from(*b)]),
        Value::Number(n) => {
            h.update([2]);
            put_text(h, &n.to_string());
        }
        Value::String(s) => {
            h.update([3]);
            put_text(h, s);
        }
        Value::Sequence(items) => {
            h.update([4]);
            h.update((items.len() as u64).to_le_bytes());
            items.iter().for_each(|item| feed(h, item));
        }
        Value::Tagged(tagged) => {
            h.update([6]);
            put_text(h, &tagged.tag.to_string());
            feed(h, &tagged.value);
        }
        Value::Mapping(map) => {
            h.update([5]);
            h.update((map.len() as u64).to_le_bytes());
            for (k, v) in map {
                feed(h, k);
                feed(h, v);
            }
        }
    }
}

fn put_text(h: &mut Sha256, s: &str) {
    h.update((s.len() as u64).to_le_bytes());
    h.update(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(text: &str) -> Fingerprint {
        Fingerprint::of_document(&serde_yaml::from_str(text).unwrap())
    }

    #[test]
    fn layout_and_comments_do_not_count_values_do() {
        let base = of("name: a\ncapacity: 5\nlabels:\n  type: bf\n");
        assert_eq!(
            base,
            of("# a comment\nname: 'a'\ncapacity:   5\nlabels: {type: bf}\n")
        );
        assert_ne!(base, of("name: a\ncapacity: 6\nlabels:\n  type: bf\n"));
        assert_ne!(
            base,
            of("name: a\ncapacity: '5'\nlabels:\n  type: bf\n"),
            "a string is not a number"
        );
        assert_ne!(of("a: [x, y]\n"), of("a: [xy]\n"));
        assert_ne!(of("a: x\nb: ''\n"), of("a: ''\nb: x\n"));
    }

    #[test]
    fn data_files_extend_the_fingerprint() {
        let base = of("name: a\n");
        let list = Fingerprint::of_bytes(b"curl\nwget\n");
        assert_ne!(base.with_data([("agents.txt", Some(list))]), base);
        assert_ne!(
            base.with_data([("agents.txt", Some(list))]),
            base.with_data([("agents.txt", Some(Fingerprint::of_bytes(b"curl\n")))])
        );
        assert_ne!(
            base.with_data([("agents.txt", Some(list))]),
            base.with_data([("agents.txt", None)])
        );
        assert_eq!(
            base.with_data([("agents.txt", Some(list))]),
            base.with_data([("agents.txt", Some(list))])
        );
    }
}
