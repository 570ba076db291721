//! The token limiter of a leaky bucket: golang.org/x/time/rate's arithmetic, which CrowdSec uses
//! with `burst = capacity` and one token per `leakspeed`. Reproduced step for step (including the
//! float operations' order) so overflow decisions match CrowdSec to the event.

const NANOS_PER_SEC: i64 = 1_000_000_000;

#[derive(Clone, Copy, Debug)]
pub struct Limiter {
    tokens: f64,
    /// Time of the last accepted event (ns); `None` before the first one: the bucket starts full.
    last: Option<i64>,
}

impl Limiter {
    pub fn new() -> Limiter {
        Limiter {
            tokens: 0.0,
            last: None,
        }
    }

    /// A limiter as stored by a bucket: its tokens, and the time of its last accepted event.
    pub fn resume(tokens: f64, last: Option<i64>) -> Limiter {
        Limiter { tokens, last }
    }

    pub fn tokens(&self) -> f64 {
        self.tokens
    }

    /// Take one token at `now`; false when none is left (the bucket overflows).
    pub fn allow(&mut self, now: i64, leakspeed: i64, burst: i64) -> bool {
        let tokens = self.tokens_at(now, leakspeed, burst) - 1.0;
        // Go refuses only when the wait for the missing fraction is at least one whole
        // nanosecond: float residue (11 events spaced at exactly the leak rate end at about
        // -2e-15 tokens) is accepted, and CrowdSec's buckets depend on that.
        if tokens < 0.0 && duration_from_tokens(-tokens, limit(leakspeed)) > 0 {
            return false;
        }
        self.tokens = tokens;
        self.last = Some(now);
        true
    }

    /// Tokens available at `now` (x/time/rate `advance`).
    pub fn tokens_at(&self, now: i64, leakspeed: i64, burst: i64) -> f64 {
        let burst = burst as f64;
        let Some(last) = self.last else { return burst };
        let last = last.min(now);
        let rate = limit(leakspeed);
        let max_elapsed = duration_from_tokens(burst - self.tokens, rate);
        let elapsed = (now - last).min(max_elapsed);
        let tokens = self.tokens + tokens_from_duration(elapsed, rate);
        tokens.min(burst)
    }
}

impl Default for Limiter {
    fn default() -> Self {
        Limiter::new()
    }
}

/// `rate.Every(leakspeed)`: tokens per second.
fn limit(leakspeed: i64) -> f64 {
    1.0 / (leakspeed as f64 / NANOS_PER_SEC as f64)
}

fn duration_from_tokens(tokens: f64, limit: f64) -> i64 {
    let seconds = tokens / limit;
    (1e9 * seconds) as i64
}

fn tokens_from_duration(d: i64, limit: f64) -> f64 {
    // Integer and fractional seconds apart, as Go does to limit rounding error.
    let sec = (d / NANOS_PER_SEC) as f64 * limit;
    let nsec = (d % NANOS_PER_SEC) as f64 * limit;
    sec + nsec / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;
    const S: i64 = NANOS_PER_SEC;

    #[test]
    fn capacity_plus_one_quick_events_overflow() {
        let mut l = Limiter::new();
        for i in 0..5 {
            assert!(l.allow(i * S / 10, 10 * S, 5), "event {i} should pass");
        }
        assert!(!l.allow(S / 2, 10 * S, 5), "6th quick event overflows");
    }

    #[test]
    fn events_spaced_at_the_leak_rate_never_overflow() {
        // http-probing style: capacity 10, leakspeed 10s, 11 events 1 s apart.
        let mut l = Limiter::new();
        for i in 0..11 {
            assert!(l.allow(i * S, 10 * S, 10), "event {i} should pass");
        }
    }

    #[test]
    fn eleven_events_in_one_second_overflow_at_the_eleventh() {
        let mut l = Limiter::new();
        for i in 0..10 {
            assert!(l.allow(i * S / 20, 10 * S, 10));
        }
        assert!(!l.allow(S / 2, 10 * S, 10));
    }

    #[test]
    fn refill_is_continuous_and_capped_at_burst() {
        let mut l = Limiter::new();
        assert!(l.allow(0, 10 * S, 5));
        assert!((l.tokens_at(0, 10 * S, 5) - 4.0).abs() < 1e-9);
        assert!((l.tokens_at(5 * S, 10 * S, 5) - 4.5).abs() < 1e-9);
        assert!((l.tokens_at(1000 * S, 10 * S, 5) - 5.0).abs() < 1e-9);
    }
}
