//! Time spent in a lesson, for the workshop's `time` reports: wall-clock time while the
//! lesson page is visible, measured from periodic ticks, reported in whole seconds.
//!
//! Pure logic (the page supplies the clock and the visibility), tested natively.

/// Accumulated active time at which a report is due, in milliseconds.
pub const REPORT_EVERY_MS: f64 = 60_000.0;

/// The least a flush reports, in milliseconds: less stays pending.
pub const MIN_FLUSH_MS: f64 = 1_000.0;

/// The most one report may carry (the server refuses more than an hour).
pub const MAX_REPORT_SECONDS: u32 = 3_600;

/// Counts active time from `tick`s and says when a report is due.
///
/// The time between two observations counts when the page was visible at the first of
/// them: the page observes every visibility change (a tick with the new state), so the
/// state held until the next observation. A gap far longer than the tick interval
/// means the timers did not run (a laptop asleep, a frozen tab), so it counts as one
/// interval at most.
#[derive(Clone, Debug, PartialEq)]
pub struct ActiveTime {
    tick_ms: f64,
    last_ms: f64,
    visible: bool,
    pending_ms: f64,
}

impl ActiveTime {
    /// Starts measuring at `now_ms`, ticked every `tick_ms`.
    pub fn new(now_ms: f64, visible: bool, tick_ms: f64) -> Self {
        ActiveTime {
            tick_ms,
            last_ms: now_ms,
            visible,
            pending_ms: 0.0,
        }
    }

    /// Notes the time and whether the page is visible now; returns the seconds to
    /// report if [`REPORT_EVERY_MS`] of active time has gathered.
    pub fn tick(&mut self, now_ms: f64, visible: bool) -> Option<u32> {
        // A clock that went backwards (changed by the user) counts nothing.
        let elapsed = (now_ms - self.last_ms).max(0.0);
        if self.visible {
            self.pending_ms += if elapsed > 2.0 * self.tick_ms {
                self.tick_ms
            } else {
                elapsed
            };
        }
        self.last_ms = now_ms;
        self.visible = visible;
        (self.pending_ms >= REPORT_EVERY_MS).then(|| self.take())
    }

    /// The seconds to report now (the page is hidden or left), if at least
    /// [`MIN_FLUSH_MS`] is pending. Call [`ActiveTime::tick`] first so the time since
    /// the last tick is counted.
    pub fn flush(&mut self) -> Option<u32> {
        (self.pending_ms >= MIN_FLUSH_MS).then(|| self.take())
    }

    /// Active time not yet reported, in milliseconds.
    pub fn pending_ms(&self) -> f64 {
        self.pending_ms
    }

    /// Takes the pending whole seconds (at most [`MAX_REPORT_SECONDS`]); the fraction
    /// (and anything over the cap) stays for the next report, so nothing is lost to
    /// rounding.
    fn take(&mut self) -> u32 {
        let seconds = (self.pending_ms / 1000.0)
            .floor()
            .min(f64::from(MAX_REPORT_SECONDS)) as u32;
        self.pending_ms -= f64::from(seconds) * 1000.0;
        seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TICK: f64 = 15_000.0;

    #[test]
    fn a_report_every_minute_of_visible_time() {
        let mut t = ActiveTime::new(0.0, true, TICK);
        assert_eq!(t.tick(15_000.0, true), None);
        assert_eq!(t.tick(30_000.0, true), None);
        assert_eq!(t.tick(45_000.0, true), None);
        assert_eq!(t.tick(60_000.0, true), Some(60));
        assert_eq!(t.pending_ms(), 0.0);
        assert_eq!(t.tick(75_000.0, true), None);
        assert_eq!(t.pending_ms(), 15_000.0);
    }

    #[test]
    fn hidden_time_does_not_count() {
        let mut t = ActiveTime::new(0.0, true, TICK);
        // Hidden at 10 s: the 10 s before count, the time hidden does not.
        assert_eq!(t.tick(10_000.0, false), None);
        assert_eq!(t.tick(25_000.0, false), None);
        assert_eq!(t.tick(40_000.0, false), None);
        assert_eq!(t.pending_ms(), 10_000.0);
        // Visible again at 41 s; counting resumes from there.
        assert_eq!(t.tick(41_000.0, true), None);
        assert_eq!(t.tick(56_000.0, true), None);
        assert_eq!(t.pending_ms(), 25_000.0);
        // A page that starts hidden counts nothing until it is shown.
        let mut hidden = ActiveTime::new(0.0, false, TICK);
        assert_eq!(hidden.tick(15_000.0, false), None);
        assert_eq!(hidden.flush(), None);
        assert_eq!(hidden.pending_ms(), 0.0);
    }

    #[test]
    fn long_gaps_count_as_one_interval() {
        let mut t = ActiveTime::new(0.0, true, TICK);
        // Asleep for an hour: one interval counts, not the hour.
        assert_eq!(t.tick(3_600_000.0, true), None);
        assert_eq!(t.pending_ms(), TICK);
        // Up to twice the interval is a late timer, and counts in full.
        assert_eq!(t.tick(3_630_000.0, true), None);
        assert_eq!(t.pending_ms(), TICK + 30_000.0);
        // A clock set back counts nothing.
        assert_eq!(t.tick(1_000.0, true), None);
        assert_eq!(t.pending_ms(), TICK + 30_000.0);
    }

    #[test]
    fn flush_reports_whole_seconds_and_carries_the_rest() {
        let mut t = ActiveTime::new(0.0, true, TICK);
        assert_eq!(t.tick(900.0, false), None);
        assert_eq!(t.flush(), None, "less than a second waits");
        assert_eq!(t.tick(1_000.0, true), None);
        assert_eq!(t.tick(3_500.0, false), None);
        // 0.9 s + 2.5 s pending: 3 s go out, 0.4 s carries over.
        assert_eq!(t.flush(), Some(3));
        assert!((t.pending_ms() - 400.0).abs() < 1e-9);
        assert_eq!(t.flush(), None);
        assert_eq!(t.tick(4_000.0, true), None);
        assert_eq!(t.tick(4_700.0, false), None);
        assert_eq!(t.flush(), Some(1), "the carried 0.4 s adds up");
        assert!((t.pending_ms() - 100.0).abs() < 1e-9);
        // The periodic report carries its fraction the same way.
        let mut t = ActiveTime::new(0.0, true, TICK);
        for now in [15_000.0, 30_000.0, 45_000.0] {
            assert_eq!(t.tick(now, true), None);
        }
        assert_eq!(t.tick(60_500.0, true), Some(60));
        assert!((t.pending_ms() - 500.0).abs() < 1e-9);
    }

    #[test]
    fn a_report_never_exceeds_an_hour() {
        // An interval longer than an hour (never used by the page) shows the cap.
        let hours = 2.0 * 3_600_000.0;
        let mut t = ActiveTime::new(0.0, true, hours);
        assert_eq!(t.tick(hours, true), Some(MAX_REPORT_SECONDS));
        assert_eq!(t.pending_ms(), 3_600_000.0, "the rest is kept");
        assert_eq!(t.flush(), Some(MAX_REPORT_SECONDS));
        assert_eq!(t.flush(), None);
    }
}
