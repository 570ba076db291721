#![forbid(unsafe_code)]
//! Time as CrowdSec content sees it, without a calendar dependency.
//!
//! - `Timestamp`: nanoseconds since the Unix epoch (UTC), plus the UTC offset it was written in.
//! - `parse_date`: CrowdSec's ParseDate enricher (an optional Go layout, then its fixed list of
//!   Go layouts; syslog dates without a year take the current year of a reference clock).
//! - `parse_go_duration` / `format_go_duration`: Go's `time.ParseDuration` / `Duration.String()`.
//! - `format_rfc3339`: what CrowdSec writes as `MarshaledTime` and alert timestamps.

/// An instant: nanoseconds since 1970-01-01T00:00:00Z, and the offset (seconds east of UTC)
/// the source text was written in, so formatting can reproduce it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    pub unix_nanos: i64,
    pub offset_secs: i32,
}
