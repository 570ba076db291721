#![forbid(unsafe_code)]
//! Time as CrowdSec content sees it, without a calendar dependency.
//!
//! - `Timestamp`: nanoseconds since the Unix epoch (UTC), plus the UTC offset it was written in.
//! - `calendar`: proleptic Gregorian day arithmetic (Go's calendar, year 0 included).
//! - `parse_go_layout`: Go's `time.Parse` with a Go reference layout.
//! - `parse_date`: CrowdSec's ParseDate enricher (an optional Go layout, then its fixed list of Go
//!   layouts: 1.4.6's and 1.6.5's zone-less ISO 8601; syslog dates without a year take the current
//!   year of a reference clock); `parse_unix_time`, the unix-time fallback CrowdSec 1.5+ adds.
//! - `format_rfc3339_nano` (`MarshaledTime`, alert `start_at`/`stop_at`), `format_rfc3339`,
//!   `format_go_utc` (alert times as the Local API prints them on GET).
//! - `parse_go_duration` / `format_go_duration`: Go's `time.ParseDuration` / `Duration.String()`;
//!   `parse_day_duration`: CrowdSec's `7d` extension for `since`/`until` filters.
//!
//! Written by hand rather than on chrono: the behaviour to match is Go's (layout vocabulary,
//! normalisation, text of durations), which no Rust calendar crate reproduces.

pub mod calendar;
mod duration;
mod format;
mod layout;
mod parse_date;

pub use duration::{format_go_duration, parse_day_duration, parse_go_duration};
pub use format::{format_go_time, format_go_utc, format_rfc3339, format_rfc3339_nano};
pub use layout::parse_go_layout;
pub use parse_date::{parse_date, parse_unix_time, CROWDSEC_DATE_LAYOUTS};

/// Parse RFC3339 with optional fractional seconds (Go's `UnmarshalText`), as `MarshaledTime`
/// is read back by time-machine buckets.
pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    parse_go_layout(text, "2006-01-02T15:04:05Z07:00", 1)
}

use calendar::{CivilDateTime, NANOS_PER_SECOND};

/// An instant: nanoseconds since 1970-01-01T00:00:00Z, and the offset (seconds east of UTC)
/// the source text was written in, so formatting can reproduce it.
///
/// `i64` nanoseconds cover 1677-09-21 to 2262-04-11; parsers return `None` outside that.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    pub unix_nanos: i64,
    pub offset_secs: i32,
}

impl Timestamp {
    /// The current time, in UTC. A clock set before 1970 gives negative nanoseconds.
    pub fn now() -> Timestamp {
        let unix_nanos = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_nanos()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_nanos()).map_or(i64::MIN, |n| -n),
        };
        Timestamp {
            unix_nanos,
            offset_secs: 0,
        }
    }

    /// A UTC instant from seconds and nanoseconds since the epoch; `None` if out of range.
    pub fn from_unix(secs: i64, nanos: u32) -> Option<Timestamp> {
        let unix_nanos = secs
            .checked_mul(NANOS_PER_SECOND)?
            .checked_add(i64::from(nanos))?;
        Some(Timestamp {
            unix_nanos,
            offset_secs: 0,
        })
    }

    /// Whole seconds since the epoch (floored, so instants before 1970 round down).
    pub fn unix_secs(&self) -> i64 {
        self.unix_nanos.div_euclid(NANOS_PER_SECOND)
    }

    /// The nanoseconds within the second, 0..1e9.
    pub fn subsec_nanos(&self) -> u32 {
        self.unix_nanos.rem_euclid(NANOS_PER_SECOND) as u32
    }

    /// The same instant with a zero offset.
    pub fn to_utc(self) -> Timestamp {
        Timestamp {
            offset_secs: 0,
            ..self
        }
    }

    /// The wall-clock reading at this timestamp's own offset.
    pub fn wall_clock(&self) -> CivilDateTime {
        CivilDateTime::from_unix(
            self.unix_secs() + i64::from(self.offset_secs),
            self.subsec_nanos(),
        )
    }

    /// The calendar year of this instant in UTC (what Go's `t.UTC().Year()` gives).
    pub fn utc_year(&self) -> i32 {
        self.to_utc().wall_clock().year as i32
    }
}
