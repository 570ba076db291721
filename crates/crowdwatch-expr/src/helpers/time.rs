//! CrowdSec's helpers over times and places: `MedianInterval` and `Distance`.
use crate::value::Val;
use crate::EvalError;

fn fail<T>(message: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError {
        message: message.into(),
    })
}

/// An event time as the expressions hold it: RFC 3339 text (a queued event's `Time`).
fn instant(v: &Val<'_>, i: usize) -> Result<i64, EvalError> {
    match v {
        Val::Str(s) => match crowdwatch_time::parse_rfc3339(s) {
            Some(t) => Ok(t.unix_nanos),
            None => fail(format!("element at index {i} is not a time")),
        },
        _ => fail(format!("element at index {i} is not a time.Time")),
    }
}

/// `MedianInterval(times)`: the median gap between consecutive times once sorted, in
/// nanoseconds (Go's time.Duration); an even count averages the two middle gaps.
pub(crate) fn median_interval(list: &Val<'_>) -> Result<i64, EvalError> {
    let items = match list {
        Val::List(l) => l.items(),
        _ => return fail("MedianInterval expects a slice of times"),
    };
    let mut times = items
        .iter()
        .enumerate()
        .map(|(i, v)| instant(v, i))
        .collect::<Result<Vec<_>, _>>()?;
    if times.len() < 2 {
        return fail("need at least two times to calculate a median");
    }
    times.sort_unstable();
    let mut gaps: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort_unstable();
    let n = gaps.len();
    Ok(if n % 2 == 1 {
        gaps[n / 2]
    } else {
        (gaps[n / 2 - 1] + gaps[n / 2]) / 2
    })
}

/// `Distance(lat1, lon1, lat2, lon2)`: great-circle distance in km (haversine, Earth radius
/// 6371 km, as the haversine package CrowdSec uses); 0 when either point is 0,0.
pub(crate) fn distance_km([lat1, lon1, lat2, lon2]: [f64; 4]) -> f64 {
    if (lat1 == 0.0 && lon1 == 0.0) || (lat2 == 0.0 && lon2 == 0.0) {
        return 0.0;
    }
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let (dp, dl) = ((lat2 - lat1).to_radians(), (lon2 - lon1).to_radians());
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().atan2((1.0 - a).sqrt())
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::value::List;

    fn times(ts: &[&str]) -> Val<'static> {
        Val::List(List::Owned(
            ts.iter()
                .map(|t| Val::Str(Cow::Owned(t.to_string())))
                .collect(),
        ))
    }

    #[test]
    fn median_interval_sorts_then_takes_the_middle_gap() {
        let min = 60_000_000_000;
        let odd = times(&[
            "2024-01-01T00:20:00Z",
            "2024-01-01T00:00:00Z",
            "2024-01-01T00:30:00Z",
            "2024-01-01T01:30:00Z",
        ]);
        assert_eq!(median_interval(&odd).unwrap(), 20 * min);
        let even = times(&[
            "2024-01-01T00:00:00Z",
            "2024-01-01T00:10:00Z",
            "2024-01-01T00:40:00Z",
        ]);
        assert_eq!(median_interval(&even).unwrap(), 20 * min);
        assert!(median_interval(&times(&["2024-01-01T00:00:00Z"])).is_err());
        assert!(median_interval(&times(&["yesterday", "today"])).is_err());
    }

    #[test]
    fn distance_is_haversine_in_km() {
        let paris_newyork = distance_km([48.8566, 2.3522, 40.7128, -74.0060]);
        assert!((paris_newyork - 5837.0).abs() < 5.0, "{paris_newyork}");
        assert_eq!(distance_km([0.0, 0.0, 40.0, 2.0]), 0.0);
    }
}
