//! What a scenario's buckets did: the numbers behind CrowdSec's `cs_bucket_*` metrics. Each is
//! one integer increment where it happens in `store.rs`; the live count is the table's length.
use serde::Serialize;

/// One scenario's counters since it was loaded (a reload that leaves the scenario unchanged
/// keeps them, with its buckets).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ScenarioCounters {
    /// Events a bucket counted: past the filter, `distinct` and `cancel_on` (cs_bucket_poured_total).
    pub poured: u64,
    /// Buckets created (cs_bucket_created_total), an idle bucket started again by a new event
    /// included.
    pub instantiated: u64,
    /// Overflows (cs_bucket_overflowed_total): those a blackhole then discards too, and the
    /// timed overflows of counters.
    pub overflowed: u64,
    /// Buckets that expired idle (cs_bucket_underflowed_total): removed by garbage collection,
    /// or found expired by their next event and started again.
    pub underflowed: u64,
}
