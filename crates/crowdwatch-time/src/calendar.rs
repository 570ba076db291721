//! The proleptic Gregorian calendar, as Go's `time` package uses it (year 0 exists and is a leap
//! year; there is no year-zero gap), with day counts relative to 1970-01-01.
//!
//! The day/civil conversions are Howard Hinnant's era-based algorithms: branch-light, exact over
//! the whole `i64` range we use, and linear in the day of month, which gives Go's `time.Date`
//! normalisation for free (February 29 in a common year lands on March 1).

pub const SECONDS_PER_DAY: i64 = 86_400;
pub const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// Go's `shortMonthNames`, index 0 = January.
pub const SHORT_MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
/// Go's `longMonthNames`, index 0 = January.
pub const LONG_MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// Go's `shortDayNames`, index 0 = Sunday (Go's `time.Weekday` numbering).
pub const SHORT_DAY_NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
/// Go's `longDayNames`, index 0 = Sunday.
pub const LONG_DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

pub fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Number of days in `month` (1..=12) of `year`; 0 for an invalid month.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of the civil date `year-month-day`.
///
/// `month` must be 1..=12. `day` may exceed the month's length (or be 0): the result then
/// spills into the next (previous) month exactly as Go's `time.Date` normalises it.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    debug_assert!((1..=12).contains(&month));
    // Shift the year so it starts in March: the leap day becomes the last day of the year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let m = i64::from(month);
    let mp = (m + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096] for in-range days
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month 1..=12, day 1..=31)` of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Day of the week of a day count since 1970-01-01, 0 = Sunday (Go's numbering).
pub fn weekday_from_days(days: i64) -> u32 {
    // 1970-01-01 was a Thursday (4).
    (days + 4).rem_euclid(7) as u32
}

/// A wall-clock reading: what a clock at some UTC offset shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CivilDateTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanos: u32,
}

impl CivilDateTime {
    /// The reading at `secs` seconds (+ `nanos`) after the epoch, both already shifted by any
    /// UTC offset.
    pub fn from_unix(secs: i64, nanos: u32) -> CivilDateTime {
        let days = secs.div_euclid(SECONDS_PER_DAY);
        let sod = secs.rem_euclid(SECONDS_PER_DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        CivilDateTime {
            year,
            month,
            day,
            hour: sod / 3600,
            minute: sod / 60 % 60,
            second: sod % 60,
            nanos,
        }
    }

    /// Seconds since the epoch if this reading were UTC. Days past the month's end normalise
    /// forward (as Go's `time.Date`).
    pub fn to_unix_secs(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * SECONDS_PER_DAY
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    pub fn weekday(&self) -> u32 {
        weekday_from_days(days_from_civil(self.year, self.month, self.day))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2000, 1, 1), 10_957);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2100, 3, 1), 47_541);
        assert_eq!(days_from_civil(1, 1, 1), -719_162); // Go's zero Time
        assert_eq!(days_from_civil(0, 3, 1), -719_468);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(47_540), (2100, 2, 28)); // 2100 is not a leap year
        assert_eq!(civil_from_days(-719_162), (1, 1, 1));
        assert_eq!(civil_from_days(-719_469), (0, 2, 29)); // year 0 is a leap year
    }

    #[test]
    fn round_trip_wide_range() {
        // Every day from 1600-01-01 to 2400-12-31 (covers 1700/1800/1900/2100 non-leap
        // centuries and the 1600/2000/2400 leap ones) plus a sparse sweep far beyond.
        let start = days_from_civil(1600, 1, 1);
        let end = days_from_civil(2400, 12, 31);
        let mut expected = (1600, 1, 1);
        for d in start..=end {
            let civil = civil_from_days(d);
            assert_eq!(civil, expected, "day {d}");
            assert_eq!(days_from_civil(civil.0, civil.1, civil.2), d);
            let (y, m, dd) = expected;
            expected = if dd < days_in_month(y, m) {
                (y, m, dd + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
        let mut d = -100_000_000;
        while d < 100_000_000 {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
            d += 9_973;
        }
    }

    #[test]
    fn leap_years_and_lengths() {
        assert!(is_leap_year(2000));
        assert!(is_leap_year(2024));
        assert!(is_leap_year(0));
        assert!(!is_leap_year(1900));
        assert!(!is_leap_year(2100));
        assert!(!is_leap_year(2026));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2026, 4), 30);
        assert_eq!(days_in_month(2026, 13), 0);
        // Day overflow normalises like Go's time.Date.
        assert_eq!(days_from_civil(2026, 2, 29), days_from_civil(2026, 3, 1));
        assert_eq!(days_from_civil(2026, 12, 32), days_from_civil(2027, 1, 1));
    }

    #[test]
    fn weekdays() {
        assert_eq!(weekday_from_days(0), 4); // Thursday 1970-01-01
        assert_eq!(weekday_from_days(-1), 3);
        assert_eq!(weekday_from_days(days_from_civil(2000, 1, 1)), 6); // Saturday
        assert_eq!(weekday_from_days(days_from_civil(2006, 1, 2)), 1); // Go's reference Monday
        assert_eq!(weekday_from_days(days_from_civil(2100, 1, 1)), 5); // Friday
        assert_eq!(weekday_from_days(days_from_civil(1, 1, 1)), 1); // Go: Monday
        assert_eq!(
            SHORT_DAY_NAMES[weekday_from_days(days_from_civil(2026, 11, 24)) as usize],
            "Tue"
        );
    }

    #[test]
    fn civil_datetime() {
        let c = CivilDateTime::from_unix(-1, 5);
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.second),
            (1969, 12, 31, 23, 59, 59)
        );
        let c = CivilDateTime::from_unix(1_136_239_445, 0); // Go's reference time, as UTC
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.second),
            (2006, 1, 2, 22, 4, 5)
        );
        assert_eq!(c.to_unix_secs(), 1_136_239_445);
        assert_eq!(c.weekday(), 1);
        assert_eq!(LONG_MONTH_NAMES[c.month as usize - 1], "January");
    }
}
