//! A per-client token bucket. Two uses:
//!
//! - *failed* join attempts, so join codes can't be guessed by brute force while a whole
//!   classroom behind one address can still join: a join takes a token up front and
//!   gives it back if the code was right;
//! - workshop creation, the one write anyone may make without a credential, so a script
//!   can't fill the database (an instructor makes a few a day).
//!
//! With an empty bucket every attempt is refused (429) until it refills. Buckets live in memory: a
//! restart forgives everyone, which is fine for a limit meant to make guessing slow.
//! IPv6 clients are grouped by /64, the block one subscriber normally gets.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Buckets kept before full (idle) ones are dropped.
const MAX_TRACKED: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// A rate limiter keyed by client address.
#[derive(Debug)]
pub struct RateLimiter {
    capacity: f64,
    per_second: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

fn key(ip: Option<IpAddr>) -> IpAddr {
    match ip {
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
        Some(v4) => v4,
        // No peer address (in-process tests): one shared bucket.
        None => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
    }
}

impl RateLimiter {
    /// Allows `per_minute` attempts a minute per client, in bursts of as many.
    pub fn per_minute(per_minute: u32) -> Self {
        Self::per_period(per_minute, 60.0)
    }

    /// Allows `per_hour` attempts an hour per client, in bursts of as many.
    pub fn per_hour(per_hour: u32) -> Self {
        Self::per_period(per_hour, 3600.0)
    }

    fn per_period(count: u32, seconds: f64) -> Self {
        Self {
            capacity: f64::from(count),
            per_second: f64::from(count) / seconds,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn refill(&self, bucket: &mut Bucket, now: Instant) {
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.capacity);
        bucket.updated = now;
    }

    /// Takes one attempt from `ip`'s bucket, or returns the whole seconds until one is
    /// available.
    pub fn take(&self, ip: Option<IpAddr>, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_TRACKED {
            let (capacity, per_second) = (self.capacity, self.per_second);
            buckets.retain(|_, b| {
                let elapsed = now.saturating_duration_since(b.updated).as_secs_f64();
                b.tokens + elapsed * per_second < capacity
            });
        }
        let bucket = buckets.entry(key(ip)).or_insert(Bucket {
            tokens: self.capacity,
            updated: now,
        });
        self.refill(bucket, now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.per_second;
            // Whole seconds, rounded up; the float is small and positive.
            Err(wait.ceil().max(1.0) as u64)
        }
    }

    /// Gives back the attempt taken by [`Self::take`] (the code was right).
    pub fn refund(&self, ip: Option<IpAddr>, now: Instant) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(bucket) = buckets.get_mut(&key(ip)) {
            self.refill(bucket, now);
            bucket.tokens = (bucket.tokens + 1.0).min(self.capacity);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn failures_drain_the_bucket_and_time_refills_it() {
        let limiter = RateLimiter::per_minute(10);
        let ip = Some("192.0.2.7".parse().unwrap());
        let start = Instant::now();
        for _ in 0..10 {
            assert!(limiter.take(ip, start).is_ok());
        }
        assert_eq!(limiter.take(ip, start), Err(6));
        // Another client is unaffected.
        assert!(
            limiter
                .take(Some("192.0.2.8".parse().unwrap()), start)
                .is_ok()
        );
        // One attempt comes back every 6 seconds.
        assert!(limiter.take(ip, start + Duration::from_secs(6)).is_ok());
        assert!(limiter.take(ip, start + Duration::from_secs(6)).is_err());
    }

    #[test]
    fn successes_are_refunded() {
        let limiter = RateLimiter::per_minute(2);
        let now = Instant::now();
        for _ in 0..50 {
            assert!(limiter.take(None, now).is_ok());
            limiter.refund(None, now);
        }
    }

    #[test]
    fn an_hourly_budget_refills_over_the_hour() {
        let limiter = RateLimiter::per_hour(30);
        let now = Instant::now();
        for _ in 0..30 {
            assert!(limiter.take(None, now).is_ok());
        }
        assert_eq!(limiter.take(None, now), Err(120));
        assert!(limiter.take(None, now + Duration::from_secs(120)).is_ok());
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        let limiter = RateLimiter::per_minute(1);
        let now = Instant::now();
        assert!(
            limiter
                .take(Some("2001:db8::1".parse().unwrap()), now)
                .is_ok()
        );
        assert!(
            limiter
                .take(Some("2001:db8::2".parse().unwrap()), now)
                .is_err()
        );
        assert!(
            limiter
                .take(Some("2001:db8:0:1::1".parse().unwrap()), now)
                .is_ok()
        );
    }
}
