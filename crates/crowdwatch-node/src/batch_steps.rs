//! An async batch in steps: on the engine thread a batch runs a slice of lines at a time (a
//! "quantum", as in deficit round robin), and between two slices the other sources' calls have
//! their turn (`lanes.rs`). Without it a quiet source's line waited for the whole batch of a
//! busy source in the engine (256 KiB of nginx lines, ~11 ms of engine time here, several times
//! that when the machine is busy); now it waits for one slice at most.
//!
//! The slices are cut right after a newline, so the engine sees exactly the lines, empty lines
//! and unterminated last line the whole batch would have given it, in the same order; their
//! outputs are added up into the one answer the whole batch would have had. Each slice is
//! processed "as of" the time it starts, as a later batch would be.
use crowdwatch_core::engine::BatchOutput;
use crowdwatch_core::{Engine, Timestamp};

use crate::engine::{json, known_source, BatchAnswer};
use crate::engine_thread::Step;

/// The largest slice run in one turn: ~2.8 ms of nginx lines at ~23 MB/s of engine throughput.
/// A line longer than this is one slice of its own.
pub const SLICE_BYTES: usize = 64 * 1024;
/// In the parallel mode a slice must be large enough for the pipeline (64 KiB and more are
/// parsed on a second thread), and the same engine time covers twice the lines there.
pub const PARALLEL_SLICE_BYTES: usize = 2 * SLICE_BYTES;

/// A batch's lines, how far the engine got through them, and what the slices so far produced.
pub struct BatchInSteps {
    source_id: usize,
    lines: Vec<u8>,
    done: usize,
    output: BatchOutput,
    engine_ms: f64,
}

impl BatchInSteps {
    pub fn new(source_id: usize, lines: Vec<u8>) -> Self {
        BatchInSteps {
            source_id,
            lines,
            done: 0,
            output: BatchOutput::default(),
            engine_ms: 0.0,
        }
    }

    /// Runs the next slice; the batch's JSON once the last one has run.
    pub fn step(&mut self, engine: &mut Engine) -> Step {
        if let Err(unknown) = known_source(engine, self.source_id) {
            return Step::Done(Err(unknown));
        }
        let limit = if engine.parallel() {
            PARALLEL_SLICE_BYTES
        } else {
            SLICE_BYTES
        };
        let end = slice_end(&self.lines, self.done, limit);
        let started = std::time::Instant::now();
        let out = engine.process_batch(
            self.source_id,
            &self.lines[self.done..end],
            Timestamp::now(),
        );
        self.engine_ms += started.elapsed().as_secs_f64() * 1e3;
        self.output.alerts.extend(out.alerts);
        self.output.counters.add(&out.counters);
        self.done = end;
        if self.done < self.lines.len() {
            return Step::More;
        }
        Step::Done(json(&BatchAnswer {
            output: std::mem::take(&mut self.output),
            engine_ms: self.engine_ms,
        }))
    }
}

/// Where the slice starting at `from` ends: right after the last newline within `limit` bytes,
/// or after the first one past it when a line is longer, or at the end of the lines.
pub fn slice_end(lines: &[u8], from: usize, limit: usize) -> usize {
    let rest = &lines[from..];
    if rest.len() <= limit {
        return lines.len();
    }
    if let Some(i) = memchr::memrchr(b'\n', &rest[..limit]) {
        return from + i + 1;
    }
    memchr::memchr(b'\n', &rest[limit..]).map_or(lines.len(), |i| from + limit + i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every slice boundary for `lines` with `limit`.
    fn slices(lines: &[u8], limit: usize) -> Vec<&[u8]> {
        let mut out = Vec::new();
        let mut from = 0;
        while from < lines.len() {
            let end = slice_end(lines, from, limit);
            assert!(end > from, "no progress at {from}");
            out.push(&lines[from..end]);
            from = end;
        }
        out
    }

    #[test]
    fn slices_end_after_a_newline_and_cover_every_byte_once() {
        let lines = b"aaaa\nbb\n\ncccccccccc\ndd\r\ne";
        for limit in 1..=lines.len() + 1 {
            let parts = slices(lines, limit);
            assert_eq!(parts.concat(), lines.to_vec(), "limit {limit}");
            for part in &parts[..parts.len() - 1] {
                assert_eq!(part.last(), Some(&b'\n'), "limit {limit}: {parts:?}");
            }
            for part in &parts {
                // A slice is over the limit only when it is one line that is.
                if part.len() > limit {
                    assert_eq!(part.iter().filter(|&&b| b == b'\n').count(), 1, "{part:?}");
                }
            }
        }
        assert_eq!(
            slices(lines, 9),
            [&b"aaaa\nbb\n\n"[..], b"cccccccccc\n", b"dd\r\ne"]
        );
    }

    #[test]
    fn a_batch_within_the_limit_is_one_slice() {
        assert_eq!(slice_end(b"a\nb\n", 0, 4), 4);
        assert_eq!(slice_end(b"", 0, 4), 0);
    }
}
