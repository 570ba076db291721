//! Giving freed heap back to the system. glibc keeps the chunks a program frees for reuse and
//! returns only a large free top of its main heap on its own, so after buckets underflow the
//! engine's heap is back to its baseline while the pages under it stay resident (4 failures from
//! each of 75,000 addresses, whose bucket records outgrow their inline room: the main arena grows
//! from ~6 to ~33 MiB and stays there; trimmed, ~10). `malloc_trim(0)` gives back every whole free
//! page of every arena. It walks the arenas' free lists, so it runs after a call only once the live
//! heap has fallen well below its high-water mark since the last trim, never per batch. Elsewhere
//! than on glibc it is a no-op (other allocators return memory their own way).
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::heap::live_bytes;

/// How far the live heap must fall below its high-water mark before a trim is worth its cost.
const TRIM_AFTER_FREED_BYTES: usize = 8 << 20;

/// The live heap's highest value seen at a call's end since the last trim.
static HIGH_WATER: AtomicUsize = AtomicUsize::new(0);
static TRIMS: AtomicU64 = AtomicU64::new(0);

/// Called at the end of every exported call (JS calls come from one thread; the atomics only make
/// a concurrent misuse harmless): trim once the calls so far freed enough since the last trim.
pub fn after_call() {
    let live = live_bytes();
    let high = HIGH_WATER.fetch_max(live, Ordering::Relaxed).max(live);
    if high - live > TRIM_AFTER_FREED_BYTES {
        trim();
    }
}

/// Return free heap pages to the system now; whether any were returned.
pub fn trim() -> bool {
    HIGH_WATER.store(live_bytes(), Ordering::Relaxed);
    release_free_pages()
}

/// How many times this process asked the allocator to give memory back (automatically or
/// through `trimMemory()`); always 0 where there is nothing to ask.
pub fn trims() -> u64 {
    TRIMS.load(Ordering::Relaxed)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_free_pages() -> bool {
    TRIMS.fetch_add(1, Ordering::Relaxed);
    // SAFETY: malloc_trim takes no pointers and only rearranges glibc's own free lists under
    // each arena's lock, so it is sound at any time from any thread; live allocations are
    // untouched (a pad of 0 keeps nothing extra at the top of the heap).
    unsafe { libc::malloc_trim(0) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_pages() -> bool {
    false
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    #[test]
    fn trims_once_after_the_heap_falls_well_below_its_high_water_mark() {
        after_call();
        let held: Vec<Vec<u8>> = (0..4096).map(|i| vec![i as u8; 4096]).collect();
        after_call();
        let before = trims();
        drop(held);
        after_call();
        assert_eq!(
            trims(),
            before + 1,
            "16 MiB freed since the high-water mark"
        );
        after_call();
        assert_eq!(trims(), before + 1, "nothing freed since the trim");
        trim();
        assert_eq!(trims(), before + 2, "an explicit trim always runs");
    }
}
