//! The rolling-deployment bounds of an ECS service (ECS developer guide,
//! `deployment-type-ecs.md`): `minimumHealthyPercent` is a lower bound on healthy tasks,
//! rounded **up**; `maximumPercent` an upper bound on tasks running or starting, rounded
//! **down**. With the REPLICA defaults (100/200) ECS starts the whole new set before
//! stopping the old; desired 4 at 50% may stop 2 tasks first, desired 2 at 75% none;
//! desired 4 at 200% may start 4 first, desired 3 at 125% none.

/// The default `(minimumHealthyPercent, maximumPercent)` for a scheduling strategy:
/// REPLICA 100/200, DAEMON 0/100 (`service_definition_parameters.md`,
/// "deploymentConfiguration"). Anything but DAEMON is treated as REPLICA, the API's
/// default strategy.
pub fn defaults(scheduling_strategy: &str) -> (u32, u32) {
    if scheduling_strategy.eq_ignore_ascii_case("DAEMON") {
        (0, 100)
    } else {
        (100, 200)
    }
}

/// Healthy tasks the deployment must keep: `ceil(desired × pct / 100)`.
pub fn min_healthy(desired: u32, minimum_healthy_percent: u32) -> u32 {
    let v = (u64::from(desired) * u64::from(minimum_healthy_percent)).div_ceil(100);
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Tasks (running, pending or stopping) the deployment may have at once:
/// `floor(desired × pct / 100)`.
pub fn max_tasks(desired: u32, maximum_percent: u32) -> u32 {
    let v = u64::from(desired) * u64::from(maximum_percent) / 100;
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// How many tasks the scheduler may stop before starting replacements.
pub fn may_stop_first(desired: u32, minimum_healthy_percent: u32) -> u32 {
    desired.saturating_sub(min_healthy(desired, minimum_healthy_percent))
}

/// How many replacements the scheduler may start before stopping old tasks.
pub fn may_start_first(desired: u32, maximum_percent: u32) -> u32 {
    max_tasks(desired, maximum_percent).saturating_sub(desired)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guide_examples() {
        // deployment-type-ecs.md: desired 4 at 50% → may stop 2 first.
        assert_eq!(min_healthy(4, 50), 2);
        assert_eq!(may_stop_first(4, 50), 2);
        // Desired 2 at 75% → 1.5 rounds up to 2: cannot stop any first.
        assert_eq!(min_healthy(2, 75), 2);
        assert_eq!(may_stop_first(2, 75), 0);
        // Desired 4 at 200% → may start 4 first.
        assert_eq!(max_tasks(4, 200), 8);
        assert_eq!(may_start_first(4, 200), 4);
        // Desired 3 at 125% → 3.75 rounds down to 3: cannot start any first.
        assert_eq!(max_tasks(3, 125), 3);
        assert_eq!(may_start_first(3, 125), 0);
    }

    #[test]
    fn defaults_by_strategy() {
        assert_eq!(defaults("REPLICA"), (100, 200));
        assert_eq!(defaults("daemon"), (0, 100));
        assert_eq!(defaults(""), (100, 200));
    }

    #[test]
    fn edges() {
        assert_eq!(min_healthy(0, 100), 0);
        assert_eq!(max_tasks(0, 200), 0);
        assert_eq!(min_healthy(1, 1), 1);
        assert_eq!(max_tasks(1, 199), 1);
        assert_eq!(may_stop_first(5, 0), 5);
        assert_eq!(may_start_first(5, 100), 0);
        // A maximum below 100% (allowed for DAEMON-like setups) never goes negative.
        assert_eq!(may_start_first(5, 50), 0);
        assert_eq!(max_tasks(u32::MAX, u32::MAX), u32::MAX);
        assert_eq!(min_healthy(u32::MAX, 200), u32::MAX);
    }
}
