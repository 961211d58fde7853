//! Per-key exponential back-off (`kubernetes/client-go util/flowcontrol/backoff.go`), as
//! the kubelet uses it for CrashLoopBackOff and ImagePullBackOff (`pkg/kubelet/kubelet.go`).
//!
//! `next` starts an entry at `initial` and then doubles it, capped at `max` (jitter 0);
//! `get` is the current delay (0 for an unknown key). An entry *expires* — and `next`
//! restarts it at `initial` — when the event comes more than `2 × max` after the entry's
//! last update (client-go's default), or more than 600 s after it for the kubelet's
//! container back-off (its `HasExpiredFunc` override).

use crate::time::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// `backOffPeriod`: the kubelet's initial back-off (10 s).
pub const KUBELET_BACKOFF_INITIAL: SimDuration = SimDuration::from_secs(10);
/// `MaxContainerBackOff`: the kubelet's back-off cap (300 s).
pub const KUBELET_BACKOFF_MAX: SimDuration = SimDuration::from_secs(300);
/// The kubelet's container back-off expiry: 10 minutes without a new back-off step.
pub const KUBELET_CONTAINER_BACKOFF_EXPIRY: SimDuration = SimDuration::from_secs(600);

/// When an entry is considered stale (`HasExpiredFunc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Expiry {
    /// client-go default: `eventTime − lastUpdate > 2 × max`.
    TwiceMax,
    /// A fixed window: `eventTime − lastUpdate > d`.
    After(SimDuration),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
struct Entry {
    backoff: SimDuration,
    last_update: SimTime,
}

/// A set of back-off entries keyed by id (e.g. `pod-uid/container`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Backoff {
    initial: SimDuration,
    max: SimDuration,
    expiry: Expiry,
    entries: BTreeMap<String, Entry>,
}

impl Backoff {
    /// `NewBackOff(initial, max)` with client-go's default expiry.
    pub fn new(initial: SimDuration, max: SimDuration) -> Backoff {
        Backoff {
            initial,
            max,
            expiry: Expiry::TwiceMax,
            entries: BTreeMap::new(),
        }
    }

    /// The kubelet's container restart back-off: 10 s → 300 s, reset after 600 s.
    pub fn kubelet_container() -> Backoff {
        Backoff {
            expiry: Expiry::After(KUBELET_CONTAINER_BACKOFF_EXPIRY),
            ..Backoff::new(KUBELET_BACKOFF_INITIAL, KUBELET_BACKOFF_MAX)
        }
    }

    /// The kubelet's image pull back-off: 10 s → 300 s, client-go's default expiry.
    pub fn kubelet_image_pull() -> Backoff {
        Backoff::new(KUBELET_BACKOFF_INITIAL, KUBELET_BACKOFF_MAX)
    }

    /// Replaces the expiry rule.
    pub fn with_expiry(mut self, expiry: Expiry) -> Backoff {
        self.expiry = expiry;
        self
    }

    fn has_expired(&self, event_time: SimTime, last_update: SimTime) -> bool {
        let age = event_time.since(last_update);
        match self.expiry {
            Expiry::TwiceMax => age.0 > self.max.0.saturating_mul(2),
            Expiry::After(d) => age > d,
        }
    }

    /// `Get(id)`: the current delay, zero if there is no entry.
    pub fn get(&self, id: &str) -> SimDuration {
        self.entries
            .get(id)
            .map_or(SimDuration::ZERO, |e| e.backoff)
    }

    /// `Next(id, eventTime)`: start at `initial` (new or expired entry) or double, capped
    /// at `max`; the entry's last update becomes `now`.
    pub fn next(&mut self, id: &str, event_time: SimTime, now: SimTime) {
        let backoff = match self.entries.get(id) {
            Some(e) if !self.has_expired(event_time, e.last_update) => {
                SimDuration(e.backoff.0.saturating_mul(2).min(self.max.0))
            }
            _ => self.initial,
        };
        self.entries.insert(
            id.to_string(),
            Entry {
                backoff,
                last_update: now,
            },
        );
    }

    /// `Reset(id)`: forget the entry.
    pub fn reset(&mut self, id: &str) {
        self.entries.remove(id);
    }

    /// `IsInBackOffSince(id, eventTime)`: not expired and `now − eventTime < backoff`.
    pub fn is_in_backoff_since(&self, id: &str, event_time: SimTime, now: SimTime) -> bool {
        match self.entries.get(id) {
            None => false,
            Some(e) if self.has_expired(event_time, e.last_update) => false,
            Some(e) => now.since(event_time) < e.backoff,
        }
    }

    /// `IsInBackOffSinceUpdate(id, eventTime)`: not expired and
    /// `eventTime − lastUpdate < backoff` (what the kubelet asks before restarting).
    pub fn is_in_backoff_since_update(&self, id: &str, event_time: SimTime) -> bool {
        match self.entries.get(id) {
            None => false,
            Some(e) if self.has_expired(event_time, e.last_update) => false,
            Some(e) => event_time.since(e.last_update) < e.backoff,
        }
    }

    /// When the current back-off window of `id` ends (last update + backoff).
    pub fn ready_at(&self, id: &str) -> Option<SimTime> {
        self.entries.get(id).map(|e| e.last_update.after(e.backoff))
    }

    /// `GC()`: drop entries that have expired at `now`.
    pub fn gc(&mut self, now: SimTime) {
        let stale: Vec<String> = self
            .entries
            .iter()
            .filter(|(_, e)| self.has_expired(now, e.last_update))
            .map(|(k, _)| k.clone())
            .collect();
        for k in stale {
            self.entries.remove(&k);
        }
    }

    /// How many entries are tracked.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entries are tracked.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u64) -> SimDuration {
        SimDuration::from_secs(n)
    }

    #[test]
    fn slow_backoff_sequence() {
        let mut b = Backoff::new(s(1), s(50));
        let mut now = SimTime::ZERO;
        let mut seen = Vec::new();
        for _ in 0..10 {
            now = now.after(s(1));
            seen.push(b.get("id").0 / 1000);
            b.next("id", now, now);
        }
        assert_eq!(seen, vec![0, 1, 2, 4, 8, 16, 32, 50, 50, 50]);
        b.reset("id");
        assert_eq!(b.get("id"), SimDuration::ZERO);
    }

    #[test]
    fn kubelet_sequence() {
        let mut b = Backoff::kubelet_container();
        let mut now = SimTime::ZERO;
        let mut seen = Vec::new();
        let mut last = now;
        for _ in 0..8 {
            b.next("c", now, now);
            last = now;
            seen.push(b.get("c").0 / 1000);
            now = now.after(b.get("c"));
        }
        assert_eq!(seen, vec![10, 20, 40, 80, 160, 300, 300, 300]);
        // 600 s is not "more than 600 s": still at the cap.
        b.next("c", last.after(s(600)), last.after(s(600)));
        assert_eq!(b.get("c"), s(300));
        // 601 s without a step resets it.
        let t = last.after(s(600)).after(s(601));
        assert_eq!(b.get("c"), s(300));
        b.next("c", t, t);
        assert_eq!(b.get("c"), s(10));
    }

    #[test]
    fn reset_after_twice_max() {
        let mut b = Backoff::new(s(1), s(5));
        let mut now = SimTime::ZERO;
        for _ in 0..=5 {
            now = now.after(s(1));
            b.next("id", now, now);
        }
        assert!(b.is_in_backoff_since("id", now, now));
        let last = now;
        now = now.after(s(11));
        assert!(!b.is_in_backoff_since("id", last, now));
        // High-water mark: after max+1 s (< 2×max) a further Next stays at max.
        let mut h = Backoff::new(s(1), s(5));
        let mut t = SimTime::ZERO;
        for _ in 0..=5 {
            t = t.after(s(1));
            h.next("id", t, t);
        }
        t = t.after(s(6));
        h.next("id", t, t);
        assert_eq!(h.get("id"), s(5));
        // After more than 2×max it starts over.
        t = t.after(s(11));
        h.next("id", t, t);
        assert_eq!(h.get("id"), s(1));
    }

    #[test]
    fn since_update_and_gc() {
        let mut b = Backoff::new(s(1), s(5));
        let t0 = SimTime::ZERO.after(s(1));
        b.next("id", t0, t0);
        assert!(b.is_in_backoff_since_update("id", t0));
        assert!(!b.is_in_backoff_since_update("id", t0.after(s(1))));
        assert_eq!(b.ready_at("id"), Some(t0.after(s(1))));
        b.gc(t0.after(s(10)));
        assert_eq!(b.len(), 1);
        b.gc(t0.after(s(11)));
        assert!(b.is_empty());
    }
}
