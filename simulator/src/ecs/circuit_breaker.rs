//! The deployment circuit breaker's failure threshold (`deploymentCircuitBreaker`).
//!
//! The threshold is `ceil(0.5 × desiredCount)` clamped to a minimum and 200. The 2023 ECS
//! developer guide (`deployment-circuit-breaker.md`) gives a minimum of 10; the current
//! API reference (`API_ServiceDeploymentCircuitBreaker`) gives 3. The simulator follows
//! the current API ([`RULE_IN_USE`]); both are kept so conformance can check either.

/// Which published rule to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleVersion {
    /// The 2023 developer guide: minimum 10.
    Guide2023,
    /// The current API reference: minimum 3.
    Current,
}

/// The rule the simulator's services use.
pub const RULE_IN_USE: RuleVersion = RuleVersion::Current;

/// The largest threshold.
pub const MAX_THRESHOLD: u32 = 200;

/// Failed tasks that trip the breaker for a deployment of `desired` tasks.
pub fn threshold(desired: u32, rule: RuleVersion) -> u32 {
    let min = match rule {
        RuleVersion::Guide2023 => 10,
        RuleVersion::Current => 3,
    };
    desired.div_ceil(2).clamp(min, MAX_THRESHOLD)
}
