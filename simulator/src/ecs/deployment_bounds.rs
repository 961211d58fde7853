//! The rolling-deployment bounds of an ECS service (ECS developer guide,
//! `deployment-type-ecs.md`): `minimumHealthyPercent` is a lower bound on healthy tasks,
//! rounded **up**; `maximumPercent` an upper bound on tasks running or starting, rounded
//! **down**. With the REPLICA defaults (100/200) ECS starts the whole new set before
//! stopping the old; desired 4 at 50% may stop 2 tasks first.

/// The default `(minimumHealthyPercent, maximumPercent)` for a scheduling strategy:
/// REPLICA 100/200, DAEMON 0/100.
pub fn defaults(scheduling_strategy: &str) -> (u32, u32) {
    if scheduling_strategy.eq_ignore_ascii_case("DAEMON") {
        (0, 100)
    } else {
        (100, 200)
    }
}

/// Healthy tasks the deployment must keep: `ceil(desired × pct / 100)`.
pub fn min_healthy(desired: u32, minimum_healthy_percent: u32) -> u32 {
    (u64::from(desired) * u64::from(minimum_healthy_percent)).div_ceil(100) as u32
}

/// Tasks (running, pending or stopping) the deployment may have at once:
/// `floor(desired × pct / 100)`.
pub fn max_tasks(desired: u32, maximum_percent: u32) -> u32 {
    (u64::from(desired) * u64::from(maximum_percent) / 100) as u32
}

/// How many tasks the scheduler may stop before starting replacements.
pub fn may_stop_first(desired: u32, minimum_healthy_percent: u32) -> u32 {
    desired.saturating_sub(min_healthy(desired, minimum_healthy_percent))
}

/// How many replacements the scheduler may start before stopping old tasks.
pub fn may_start_first(desired: u32, maximum_percent: u32) -> u32 {
    max_tasks(desired, maximum_percent).saturating_sub(desired)
}
