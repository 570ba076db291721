//! `snapshot` and `restore`: the buckets written out and read back, so a daemon that stops or
//! checkpoints goes on counting after a restart (see `bucket/snapshot.rs` for the format).
use super::Engine;
use crate::bucket::snapshot::RestoreReport;
use crate::event::ExpectMode;

impl Engine {
    /// The live state of every scenario, as bytes for `restore`.
    pub fn snapshot(&self) -> Vec<u8> {
        self.buckets.snapshot(self.mode == ExpectMode::Live)
    }

    /// The state of `snapshot`'s scenarios that this engine has unchanged (same name and
    /// fingerprint); the others start empty. Bytes that do not read, or a snapshot of the other
    /// mode, change nothing and are an error.
    pub fn restore(&mut self, bytes: &[u8]) -> Result<RestoreReport, String> {
        self.buckets.restore(bytes, self.mode == ExpectMode::Live)
    }
}
