//! Virtual time. The simulator never reads a clock: time only moves when the engine
//! processes the next scheduled task or a command advances it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A point in simulated time, in milliseconds since the scenario started.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct SimTime(pub u64);

/// A length of simulated time, in milliseconds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct SimDuration(pub u64);

impl SimTime {
    /// The start of every scenario.
    pub const ZERO: SimTime = SimTime(0);

    /// Milliseconds since the start.
    pub fn as_millis(self) -> u64 {
        self.0
    }

    /// This time plus a duration (saturating: time never wraps).
    pub fn after(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }

    /// The duration from `earlier` to `self` (zero if `earlier` is later).
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// Zero length.
    pub const ZERO: SimDuration = SimDuration(0);

    /// A duration of `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms)
    }

    /// A duration of `s` seconds.
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s * 1000)
    }

    /// A duration of `m` minutes.
    pub const fn from_mins(m: u64) -> Self {
        SimDuration(m * 60_000)
    }

    /// Milliseconds in this duration.
    pub fn as_millis(self) -> u64 {
        self.0
    }

    /// Parses a duration the way learners type it and kubectl prints it: `500ms`, `30s`,
    /// `5m`, `1h`, `2d`, and compounds such as `1m30s` or `1h5m`. A bare number is rejected
    /// because `sim advance 10` is ambiguous.
    pub fn parse(text: &str) -> Result<SimDuration, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("empty duration".into());
        }
        let bytes = t.as_bytes();
        let mut i = 0;
        let mut total: u64 = 0;
        while i < bytes.len() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if start == i {
                return Err(format!(
                    "invalid duration {text:?}: expected a number followed by a unit (ms, s, m, h, d), e.g. 30s"
                ));
            }
            let n: u64 = t[start..i]
                .parse()
                .map_err(|_| format!("invalid duration {text:?}: number too large"))?;
            let ustart = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            let unit_ms: u64 = match &t[ustart..i] {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                "" => {
                    return Err(format!(
                        "invalid duration {text:?}: missing unit (ms, s, m, h, d), e.g. {n}s"
                    ));
                }
                other => {
                    return Err(format!(
                        "invalid duration {text:?}: unknown unit {other:?} (use ms, s, m, h or d)"
                    ));
                }
            };
            total = n
                .checked_mul(unit_ms)
                .and_then(|v| total.checked_add(v))
                .ok_or_else(|| format!("invalid duration {text:?}: too long"))?;
        }
        Ok(SimDuration(total))
    }
}

impl fmt::Display for SimTime {
    /// `HH:MM:SS`, with `.mmm` only when the milliseconds are not zero. Hours keep
    /// counting past 24 so times sort as text within a day-long scenario.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0 % 1000;
        let s = self.0 / 1000;
        write!(f, "{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)?;
        if ms != 0 {
            write!(f, ".{ms:03}")?;
        }
        Ok(())
    }
}

impl fmt::Display for SimDuration {
    /// The shortest compound form: `500ms`, `30s`, `1m30s`, `2h`, `1d3h`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.0;
        for (unit, ms) in [
            ("d", 86_400_000),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1000),
            ("ms", 1),
        ] {
            if rest >= ms {
                write!(f, "{}{unit}", rest / ms)?;
                rest %= ms;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_learner_durations() {
        for (text, ms) in [
            ("500ms", 500),
            ("30s", 30_000),
            ("5m", 300_000),
            ("1h", 3_600_000),
            ("1m30s", 90_000),
            ("2d", 172_800_000),
        ] {
            assert_eq!(SimDuration::parse(text), Ok(SimDuration(ms)), "{text}");
        }
    }

    #[test]
    fn rejects_bad_durations_with_reasons() {
        assert!(
            SimDuration::parse("10")
                .unwrap_err()
                .contains("missing unit")
        );
        assert!(
            SimDuration::parse("10x")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(
            SimDuration::parse("s")
                .unwrap_err()
                .contains("expected a number")
        );
        assert!(SimDuration::parse("").is_err());
        assert!(SimDuration::parse("99999999999999999999d").is_err());
    }

    #[test]
    fn displays_round_trip() {
        for ms in [0, 1, 500, 1000, 90_000, 3_600_000, 90_061_001] {
            let d = SimDuration(ms);
            assert_eq!(SimDuration::parse(&d.to_string()).unwrap(), d);
        }
        assert_eq!(SimTime(3_723_004).to_string(), "01:02:03.004");
        assert_eq!(SimTime(10_000).to_string(), "00:00:10");
    }
}
