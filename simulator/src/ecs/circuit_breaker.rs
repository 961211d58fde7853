//! The deployment circuit breaker's failure threshold (`deploymentCircuitBreaker`).
//!
//! The threshold is `ceil(0.5 × desiredCount)` clamped to a minimum and 200. The 2023 ECS
//! developer guide (`deployment-circuit-breaker.md`, "Failure threshold") gives a minimum
//! of 10; the current API reference (`API_ServiceDeploymentCircuitBreaker`) gives 3. The
//! simulator follows the current API ([`RULE_IN_USE`]); both are kept so conformance can
//! check either.

/// Which published rule to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleVersion {
    /// The 2023 developer guide: minimum 10.
    Guide2023,
    /// The current API reference: minimum 3.
    Current,
}

impl RuleVersion {
    /// The rule a vector's `rule_version` label names: labels mentioning `current` or
    /// `min3` mean [`RuleVersion::Current`]; anything else (`2023-min10`, or no label)
    /// the 2023 guide, which the vectors were taken from.
    pub fn from_label(label: Option<&str>) -> RuleVersion {
        let l = label.unwrap_or("").to_ascii_lowercase();
        if l.contains("current") || l.contains("min3") {
            RuleVersion::Current
        } else {
            RuleVersion::Guide2023
        }
    }

    /// The smallest threshold under this rule.
    pub fn minimum(self) -> u32 {
        match self {
            RuleVersion::Guide2023 => 10,
            RuleVersion::Current => 3,
        }
    }
}

/// The rule the simulator's services use.
pub const RULE_IN_USE: RuleVersion = RuleVersion::Current;

/// The largest threshold.
pub const MAX_THRESHOLD: u32 = 200;

/// Failed tasks that trip the breaker for a deployment of `desired` tasks.
pub fn threshold(desired: u32, rule: RuleVersion) -> u32 {
    desired.div_ceil(2).clamp(rule.minimum(), MAX_THRESHOLD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guide_2023_table() {
        // clamp(ceil(0.5 × desired), 10, 200); the vectors: desired 1 → 10, 400 → 200.
        assert_eq!(threshold(0, RuleVersion::Guide2023), 10);
        assert_eq!(threshold(1, RuleVersion::Guide2023), 10);
        assert_eq!(threshold(20, RuleVersion::Guide2023), 10);
        assert_eq!(threshold(21, RuleVersion::Guide2023), 11);
        assert_eq!(threshold(25, RuleVersion::Guide2023), 13);
        assert_eq!(threshold(30, RuleVersion::Guide2023), 15);
        assert_eq!(threshold(400, RuleVersion::Guide2023), 200);
        assert_eq!(threshold(500, RuleVersion::Guide2023), 200);
        assert_eq!(threshold(u32::MAX, RuleVersion::Guide2023), 200);
    }

    #[test]
    fn current_api() {
        assert_eq!(threshold(1, RuleVersion::Current), 3);
        assert_eq!(threshold(6, RuleVersion::Current), 3);
        assert_eq!(threshold(7, RuleVersion::Current), 4);
        assert_eq!(threshold(10, RuleVersion::Current), 5);
        assert_eq!(threshold(399, RuleVersion::Current), 200);
        assert_eq!(RULE_IN_USE, RuleVersion::Current);
    }

    #[test]
    fn labels() {
        assert_eq!(
            RuleVersion::from_label(Some("2023-min10")),
            RuleVersion::Guide2023
        );
        assert_eq!(RuleVersion::from_label(None), RuleVersion::Guide2023);
        assert_eq!(
            RuleVersion::from_label(Some("current-min3")),
            RuleVersion::Current
        );
        assert_eq!(
            RuleVersion::from_label(Some("CURRENT")),
            RuleVersion::Current
        );
        assert_eq!(RuleVersion::from_label(Some("min3")), RuleVersion::Current);
    }
}
