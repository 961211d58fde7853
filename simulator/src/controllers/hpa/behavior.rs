//! From a raw recommendation to the replicas the HPA actually sets
//! (`pkg/controller/podautoscaler/horizontal.go`: `normalizeDesiredReplicas`,
//! `normalizeDesiredReplicasWithBehaviors`, `stabilizeRecommendation[WithBehaviors]`,
//! `convertDesiredReplicasWithRules`, `convertDesiredReplicasWithBehaviorRate`,
//! `calculateScale{Up,Down}Limit*`, `storeScaleEvent`; defaults from
//! `pkg/apis/autoscaling/v2/defaults.go GenerateHPAScale{Up,Down}Rules`).

use crate::time::{SimDuration, SimTime};
use serde::{Deserialize, Serialize};

/// Condition reason: the rate limit of a scale-up behavior (or the legacy 2×/4 limit) bit.
pub const REASON_SCALE_UP_LIMIT: &str = "ScaleUpLimit";
/// Condition reason: the rate limit of a scale-down behavior bit.
pub const REASON_SCALE_DOWN_LIMIT: &str = "ScaleDownLimit";
/// Condition reason: clamped to maxReplicas.
pub const REASON_TOO_MANY_REPLICAS: &str = "TooManyReplicas";
/// Condition reason: clamped to minReplicas.
pub const REASON_TOO_FEW_REPLICAS: &str = "TooFewReplicas";
/// Condition reason: nothing limited the recommendation.
pub const REASON_DESIRED_WITHIN_RANGE: &str = "DesiredWithinRange";
/// AbleToScale reason: a scale-up was held back by the stabilization window.
pub const REASON_SCALE_UP_STABILIZED: &str = "ScaleUpStabilized";
/// AbleToScale reason: a scale-down was held back by the stabilization window.
pub const REASON_SCALE_DOWN_STABILIZED: &str = "ScaleDownStabilized";
/// AbleToScale reason: the recommendation was not changed by stabilization.
pub const REASON_READY_FOR_NEW_SCALE: &str = "ReadyForNewScale";

/// Legacy path: scale up at most by this factor per sync…
pub const SCALE_UP_LIMIT_FACTOR: f64 = 2.0;
/// …or to at least this many replicas.
pub const SCALE_UP_LIMIT_MINIMUM: f64 = 4.0;
/// `--horizontal-pod-autoscaler-downscale-stabilization` default (seconds).
pub const DEFAULT_DOWNSCALE_STABILIZATION_SECONDS: i32 = 300;

/// `HPAScalingPolicyType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolicyType {
    /// Change by a number of pods per period.
    Pods,
    /// Change by a percentage of the replicas at the start of the period.
    Percent,
}

/// `HPAScalingPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScalingPolicy {
    /// Pods or Percent.
    pub policy_type: PolicyType,
    /// How many pods / what percentage.
    pub value: i32,
    /// The window the change is measured over.
    pub period_seconds: i32,
}

/// `ScalingPolicySelect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SelectPolicy {
    /// The policy allowing the biggest change (default).
    Max,
    /// The policy allowing the smallest change.
    Min,
    /// No scaling in this direction.
    Disabled,
}

impl SelectPolicy {
    /// Parses the API spelling.
    pub fn parse(s: &str) -> Result<SelectPolicy, String> {
        match s {
            "Max" => Ok(SelectPolicy::Max),
            "Min" => Ok(SelectPolicy::Min),
            "Disabled" => Ok(SelectPolicy::Disabled),
            other => Err(format!("unsupported selectPolicy \"{other}\"")),
        }
    }
}

/// `HPAScalingRules` as written in the spec (every field optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScalingRules {
    /// `stabilizationWindowSeconds`.
    pub stabilization_window_seconds: Option<i32>,
    /// `selectPolicy`.
    pub select_policy: Option<SelectPolicy>,
    /// `policies`.
    pub policies: Option<Vec<ScalingPolicy>>,
}

/// Rules with every default filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedRules {
    /// Stabilization window, seconds.
    pub stabilization_window_seconds: i32,
    /// Policy selection.
    pub select_policy: SelectPolicy,
    /// Policies.
    pub policies: Vec<ScalingPolicy>,
}

fn copy_rules(from: Option<&ScalingRules>, mut to: ResolvedRules) -> ResolvedRules {
    if let Some(f) = from {
        if let Some(p) = f.select_policy {
            to.select_policy = p;
        }
        if let Some(w) = f.stabilization_window_seconds {
            to.stabilization_window_seconds = w;
        }
        if let Some(ps) = &f.policies {
            to.policies = ps.clone();
        }
    }
    to
}

/// `GenerateHPAScaleUpRules`: window 0, Max of Pods 4 / 15 s and Percent 100 / 15 s.
pub fn generate_scale_up_rules(rules: Option<&ScalingRules>) -> ResolvedRules {
    copy_rules(
        rules,
        ResolvedRules {
            stabilization_window_seconds: 0,
            select_policy: SelectPolicy::Max,
            policies: vec![
                ScalingPolicy {
                    policy_type: PolicyType::Pods,
                    value: 4,
                    period_seconds: 15,
                },
                ScalingPolicy {
                    policy_type: PolicyType::Percent,
                    value: 100,
                    period_seconds: 15,
                },
            ],
        },
    )
}

/// `GenerateHPAScaleDownRules` + `maybeInitScaleDownStabilizationWindow`: Max of Percent
/// 100 / 15 s; an unset window takes the controller's downscale stabilization flag.
pub fn generate_scale_down_rules(
    rules: Option<&ScalingRules>,
    default_window_seconds: i32,
) -> ResolvedRules {
    copy_rules(
        rules,
        ResolvedRules {
            stabilization_window_seconds: default_window_seconds,
            select_policy: SelectPolicy::Max,
            policies: vec![ScalingPolicy {
                policy_type: PolicyType::Percent,
                value: 100,
                period_seconds: 15,
            }],
        },
    )
}

/// A stored raw recommendation (`timestampedRecommendation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    /// Recommended replicas.
    pub replicas: i32,
    /// When.
    pub timestamp: SimTime,
}

/// A past scale event (`timestampedScaleEvent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleEvent {
    /// How many replicas were added (up events) or removed (down events).
    pub replica_change: i32,
    /// When.
    pub timestamp: SimTime,
    /// Older than the longest policy period; the slot may be reused.
    pub outdated: bool,
}

/// `now − seconds` as signed milliseconds (times before the scenario start are fine).
fn cutoff(now: SimTime, seconds: i32) -> i64 {
    now.0 as i64 - i64::from(seconds) * 1000
}

fn ms(t: SimTime) -> i64 {
    t.0 as i64
}

/// The outcome of normalisation, with the condition reasons upstream sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Normalized {
    /// Replicas to set.
    pub replicas: i32,
    /// The stabilized recommendation (before rate limits / clamping).
    pub stabilized: i32,
    /// AbleToScale reason (ScaleUpStabilized, ScaleDownStabilized, ReadyForNewScale).
    pub able_to_scale_reason: String,
    /// ScalingLimited is True (the limit changed the recommendation).
    pub scaling_limited: bool,
    /// ScalingLimited reason (ScaleUpLimit, TooManyReplicas, …, DesiredWithinRange).
    pub limit_reason: String,
    /// ScalingLimited message.
    pub limit_message: String,
}

/// `stabilizeRecommendation` (legacy, no behavior): the max of `desired` and every stored
/// recommendation not older than the window; the new recommendation is stored, reusing
/// the slot of an older one.
pub fn stabilize_recommendation(
    recs: &mut Vec<Recommendation>,
    desired: i32,
    window_seconds: i32,
    now: SimTime,
) -> i32 {
    let cut = cutoff(now, window_seconds);
    let mut max = desired;
    let mut old = None;
    for (i, r) in recs.iter().enumerate() {
        if ms(r.timestamp) < cut {
            old = Some(i);
        } else if r.replicas > max {
            max = r.replicas;
        }
    }
    let rec = Recommendation {
        replicas: desired,
        timestamp: now,
    };
    match old {
        Some(i) => recs[i] = rec,
        None => recs.push(rec),
    }
    max
}

/// `calculateScaleUpLimit`: `max(2 × current, 4)`.
pub fn calculate_scale_up_limit(current: i32) -> i32 {
    (SCALE_UP_LIMIT_FACTOR * f64::from(current)).max(SCALE_UP_LIMIT_MINIMUM) as i32
}

/// `convertDesiredReplicasWithRules` (legacy): clamp to
/// `[min, min(max, scaleUpLimit)]` with the reason that bit.
pub fn convert_desired_replicas_with_rules(
    current: i32,
    desired: i32,
    min_replicas: i32,
    max_replicas: i32,
) -> (i32, &'static str, &'static str) {
    let scale_up_limit = calculate_scale_up_limit(current);
    let (maximum, reason, message) = if max_replicas > scale_up_limit {
        (
            scale_up_limit,
            REASON_SCALE_UP_LIMIT,
            "the desired replica count is increasing faster than the maximum scale rate",
        )
    } else {
        (
            max_replicas,
            REASON_TOO_MANY_REPLICAS,
            "the desired replica count is more than the maximum replica count",
        )
    };
    if desired < min_replicas {
        return (
            min_replicas,
            REASON_TOO_FEW_REPLICAS,
            "the desired replica count is less than the minimum replica count",
        );
    }
    if desired > maximum {
        return (maximum, reason, message);
    }
    (
        desired,
        REASON_DESIRED_WITHIN_RANGE,
        "the desired count is within the acceptable range",
    )
}

/// `normalizeDesiredReplicas` (no `spec.behavior`): downscale stabilization, then the
/// legacy clamp.
pub fn normalize_desired_replicas(
    recs: &mut Vec<Recommendation>,
    current: i32,
    desired: i32,
    min_replicas: i32,
    max_replicas: i32,
    downscale_window_seconds: i32,
    now: SimTime,
) -> Normalized {
    let stabilized = stabilize_recommendation(recs, desired, downscale_window_seconds, now);
    let able = if stabilized != desired {
        REASON_SCALE_DOWN_STABILIZED
    } else {
        REASON_READY_FOR_NEW_SCALE
    };
    let (replicas, reason, message) =
        convert_desired_replicas_with_rules(current, stabilized, min_replicas, max_replicas);
    Normalized {
        replicas,
        stabilized,
        able_to_scale_reason: able.to_string(),
        scaling_limited: replicas != stabilized,
        limit_reason: reason.to_string(),
        limit_message: message.to_string(),
    }
}

/// `NormalizationArg`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalizationArg {
    /// Resolved scale-up rules.
    pub scale_up: ResolvedRules,
    /// Resolved scale-down rules.
    pub scale_down: ResolvedRules,
    /// `spec.minReplicas`.
    pub min_replicas: i32,
    /// `spec.maxReplicas`.
    pub max_replicas: i32,
    /// Current replicas.
    pub current_replicas: i32,
    /// The recommendation being normalised.
    pub desired_replicas: i32,
}

/// `stabilizeRecommendationWithBehaviors`: `upRec = min(desired, recs newer than the up
/// window)`, `downRec = max(desired, recs newer than the down window)`, result
/// `min(max(current, upRec), downRec)`. Stores the raw recommendation (reusing a slot
/// older than both windows). Returns `(stabilized, AbleToScale reason)`.
pub fn stabilize_recommendation_with_behaviors(
    recs: &mut Vec<Recommendation>,
    args: &NormalizationArg,
    now: SimTime,
) -> (i32, &'static str) {
    let up_cut = cutoff(now, args.scale_up.stabilization_window_seconds);
    let down_cut = cutoff(now, args.scale_down.stabilization_window_seconds);
    let mut up_rec = args.desired_replicas;
    let mut down_rec = args.desired_replicas;
    let mut old = None;
    for (i, r) in recs.iter().enumerate() {
        let t = ms(r.timestamp);
        if t > up_cut {
            up_rec = up_rec.min(r.replicas);
        }
        if t > down_cut {
            down_rec = down_rec.max(r.replicas);
        }
        if t < up_cut && t < down_cut {
            old = Some(i);
        }
    }
    let recommendation = args.current_replicas.max(up_rec).min(down_rec);
    let rec = Recommendation {
        replicas: args.desired_replicas,
        timestamp: now,
    };
    match old {
        Some(i) => recs[i] = rec,
        None => recs.push(rec),
    }
    let reason = if args.desired_replicas >= args.current_replicas {
        REASON_SCALE_UP_STABILIZED
    } else {
        REASON_SCALE_DOWN_STABILIZED
    };
    (recommendation, reason)
}

/// `getReplicasChangePerPeriod`: Σ changes of events strictly newer than `now − period`.
pub fn get_replicas_change_per_period(
    period_seconds: i32,
    events: &[ScaleEvent],
    now: SimTime,
) -> i32 {
    let cut = cutoff(now, period_seconds);
    events
        .iter()
        .filter(|e| ms(e.timestamp) > cut)
        .map(|e| e.replica_change)
        .sum()
}

/// `calculateScaleUpLimitWithScalingRules`: per policy, `periodStart = current − added +
/// removed` within its period; Pods → `start + value`, Percent → `ceil(start × (1 +
/// value/100))`; Max takes the largest, Min the smallest, Disabled keeps `current`.
pub fn calculate_scale_up_limit_with_scaling_rules(
    current: i32,
    up_events: &[ScaleEvent],
    down_events: &[ScaleEvent],
    rules: &ResolvedRules,
    now: SimTime,
) -> i32 {
    let (mut result, pick): (i32, fn(i32, i32) -> i32) = match rules.select_policy {
        SelectPolicy::Disabled => return current,
        SelectPolicy::Min => (i32::MAX, std::cmp::min),
        SelectPolicy::Max => (i32::MIN, std::cmp::max),
    };
    for p in &rules.policies {
        let added = get_replicas_change_per_period(p.period_seconds, up_events, now);
        let removed = get_replicas_change_per_period(p.period_seconds, down_events, now);
        let start = current - added + removed;
        let proposed = match p.policy_type {
            PolicyType::Pods => start + p.value,
            PolicyType::Percent => {
                (f64::from(start) * (1.0 + f64::from(p.value) / 100.0)).ceil() as i32
            }
        };
        result = pick(result, proposed);
    }
    result
}

/// `calculateScaleDownLimitWithBehaviors`: Pods → `start − value`, Percent →
/// `int32(start × (1 − value/100))` (truncation); Max takes the smallest (biggest
/// change), Min the largest, Disabled keeps `current`.
pub fn calculate_scale_down_limit_with_behaviors(
    current: i32,
    up_events: &[ScaleEvent],
    down_events: &[ScaleEvent],
    rules: &ResolvedRules,
    now: SimTime,
) -> i32 {
    let (mut result, pick): (i32, fn(i32, i32) -> i32) = match rules.select_policy {
        SelectPolicy::Disabled => return current,
        SelectPolicy::Min => (i32::MIN, std::cmp::max),
        SelectPolicy::Max => (i32::MAX, std::cmp::min),
    };
    for p in &rules.policies {
        let added = get_replicas_change_per_period(p.period_seconds, up_events, now);
        let removed = get_replicas_change_per_period(p.period_seconds, down_events, now);
        let start = current - added + removed;
        let proposed = match p.policy_type {
            PolicyType::Pods => start - p.value,
            PolicyType::Percent => (f64::from(start) * (1.0 - f64::from(p.value) / 100.0)) as i32,
        };
        result = pick(result, proposed);
    }
    result
}

/// `convertDesiredReplicasWithBehaviorRate`: scaling up is capped by the scale-up limit
/// (never below current) and maxReplicas; scaling down by the scale-down limit (never
/// above current) and minReplicas. Returns `(replicas, reason, message)`.
pub fn convert_desired_replicas_with_behavior_rate(
    args: &NormalizationArg,
    up_events: &[ScaleEvent],
    down_events: &[ScaleEvent],
    now: SimTime,
) -> (i32, &'static str, &'static str) {
    let cur = args.current_replicas;
    if args.desired_replicas > cur {
        let limit = calculate_scale_up_limit_with_scaling_rules(
            cur,
            up_events,
            down_events,
            &args.scale_up,
            now,
        )
        .max(cur);
        let (maximum, reason, message) = if args.max_replicas > limit {
            (
                limit,
                REASON_SCALE_UP_LIMIT,
                "the desired replica count is increasing faster than the maximum scale rate",
            )
        } else {
            (
                args.max_replicas,
                REASON_TOO_MANY_REPLICAS,
                "the desired replica count is more than the maximum replica count",
            )
        };
        if args.desired_replicas > maximum {
            return (maximum, reason, message);
        }
    } else if args.desired_replicas < cur {
        let limit = calculate_scale_down_limit_with_behaviors(
            cur,
            up_events,
            down_events,
            &args.scale_down,
            now,
        )
        .min(cur);
        let (minimum, reason, message) = if args.min_replicas < limit {
            (
                limit,
                REASON_SCALE_DOWN_LIMIT,
                "the desired replica count is decreasing faster than the maximum scale rate",
            )
        } else {
            (
                args.min_replicas,
                REASON_TOO_FEW_REPLICAS,
                "the desired replica count is less than the minimum replica count",
            )
        };
        if args.desired_replicas < minimum {
            return (minimum, reason, message);
        }
    }
    (
        args.desired_replicas,
        REASON_DESIRED_WITHIN_RANGE,
        "the desired count is within the acceptable range",
    )
}

/// `normalizeDesiredReplicasWithBehaviors`: stabilize, then rate-limit and clamp.
pub fn normalize_desired_replicas_with_behaviors(
    recs: &mut Vec<Recommendation>,
    up_events: &[ScaleEvent],
    down_events: &[ScaleEvent],
    args: &NormalizationArg,
    now: SimTime,
) -> Normalized {
    let (stabilized, reason) = stabilize_recommendation_with_behaviors(recs, args, now);
    let able = if stabilized != args.desired_replicas {
        reason
    } else {
        REASON_READY_FOR_NEW_SCALE
    };
    let limited_args = NormalizationArg {
        desired_replicas: stabilized,
        ..args.clone()
    };
    let (replicas, reason, message) =
        convert_desired_replicas_with_behavior_rate(&limited_args, up_events, down_events, now);
    Normalized {
        replicas,
        stabilized,
        able_to_scale_reason: able.to_string(),
        scaling_limited: replicas != stabilized,
        limit_reason: reason.to_string(),
        limit_message: message.to_string(),
    }
}

/// `getLongestPolicyPeriod`.
pub fn longest_policy_period(rules: &ResolvedRules) -> i32 {
    rules
        .policies
        .iter()
        .map(|p| p.period_seconds)
        .max()
        .unwrap_or(0)
}

/// `storeScaleEvent` (only with `spec.behavior`): mark events older than the direction's
/// longest policy period outdated, and record the change reusing an outdated slot.
pub fn store_scale_event(
    up_events: &mut Vec<ScaleEvent>,
    down_events: &mut Vec<ScaleEvent>,
    scale_up: &ResolvedRules,
    scale_down: &ResolvedRules,
    prev: i32,
    new: i32,
    now: SimTime,
) {
    let (events, rules, change) = if new > prev {
        (up_events, scale_up, new - prev)
    } else {
        (down_events, scale_down, prev - new)
    };
    let cut = cutoff(now, longest_policy_period(rules));
    let mut slot = None;
    for (i, e) in events.iter_mut().enumerate() {
        if ms(e.timestamp) < cut {
            e.outdated = true;
        }
        if e.outdated {
            slot = Some(i);
        }
    }
    let ev = ScaleEvent {
        replica_change: change,
        timestamp: now,
        outdated: false,
    };
    match slot {
        Some(i) => events[i] = ev,
        None => events.push(ev),
    }
}

/// A recommendation or event `secs_ago` seconds before `now` (saturating at 0).
pub fn ago(now: SimTime, secs_ago: SimDuration) -> SimTime {
    SimTime(now.0.saturating_sub(secs_ago.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: SimTime = SimTime(10_000_000);

    fn at(secs: u64) -> SimTime {
        ago(NOW, SimDuration::from_secs(secs))
    }
    fn ev(change: i32, secs: u64) -> ScaleEvent {
        ScaleEvent {
            replica_change: change,
            timestamp: at(secs),
            outdated: false,
        }
    }
    fn rules(select: SelectPolicy, policies: &[(PolicyType, i32, i32)]) -> ScalingRules {
        ScalingRules {
            stabilization_window_seconds: Some(0),
            select_policy: Some(select),
            policies: Some(
                policies
                    .iter()
                    .map(|(t, v, p)| ScalingPolicy {
                        policy_type: *t,
                        value: *v,
                        period_seconds: *p,
                    })
                    .collect(),
            ),
        }
    }
    fn arg(
        cur: i32,
        desired: i32,
        min: i32,
        max: i32,
        up: Option<&ScalingRules>,
        down: Option<&ScalingRules>,
    ) -> NormalizationArg {
        NormalizationArg {
            scale_up: generate_scale_up_rules(up),
            scale_down: generate_scale_down_rules(down, 300),
            min_replicas: min,
            max_replicas: max,
            current_replicas: cur,
            desired_replicas: desired,
        }
    }
    fn rate(a: &NormalizationArg, up: &[ScaleEvent], down: &[ScaleEvent]) -> (i32, &'static str) {
        let (r, reason, _) = convert_desired_replicas_with_behavior_rate(a, up, down, NOW);
        (r, reason)
    }

    #[test]
    fn default_rules() {
        assert_eq!(
            rate(&arg(5, 7, 3, 8, None, None), &[], &[]),
            (7, REASON_DESIRED_WITHIN_RANGE)
        );
        assert_eq!(
            rate(&arg(1, 0, 0, 10, None, None), &[], &[]),
            (0, REASON_DESIRED_WITHIN_RANGE)
        );
        assert_eq!(
            rate(&arg(100, 1000, 100, 150, None, None), &[], &[]),
            (150, REASON_TOO_MANY_REPLICAS)
        );
        assert_eq!(
            rate(&arg(10, 50, 1, 1000, None, None), &[], &[]),
            (20, REASON_SCALE_UP_LIMIT)
        );
        // Small counts: Pods 4 beats Percent 100.
        assert_eq!(
            rate(&arg(1, 50, 1, 1000, None, None), &[], &[]),
            (5, REASON_SCALE_UP_LIMIT)
        );
        assert_eq!(
            rate(&arg(10, 1, 3, 1000, None, None), &[], &[]),
            (3, REASON_TOO_FEW_REPLICAS)
        );
    }

    #[test]
    fn select_policies() {
        use PolicyType::*;
        let up_min = rules(SelectPolicy::Min, &[(Pods, 2, 60), (Percent, 100, 60)]);
        assert_eq!(
            rate(&arg(10, 500, 1, 1000, Some(&up_min), None), &[], &[]),
            (12, REASON_SCALE_UP_LIMIT)
        );
        let up_off = rules(SelectPolicy::Disabled, &[(Pods, 2, 60)]);
        assert_eq!(
            rate(&arg(10, 500, 1, 1000, Some(&up_off), None), &[], &[]),
            (10, REASON_SCALE_UP_LIMIT)
        );
        let down_min = rules(SelectPolicy::Min, &[(Pods, 2, 60), (Percent, 50, 60)]);
        assert_eq!(
            rate(&arg(100, 2, 1, 1000, None, Some(&down_min)), &[], &[]),
            (98, REASON_SCALE_DOWN_LIMIT)
        );
        let down_max = rules(SelectPolicy::Max, &[(Pods, 2, 60), (Percent, 50, 60)]);
        assert_eq!(
            rate(&arg(100, 2, 1, 1000, None, Some(&down_max)), &[], &[]),
            (50, REASON_SCALE_DOWN_LIMIT)
        );
        let down_off = rules(SelectPolicy::Disabled, &[(Pods, 2, 60)]);
        assert_eq!(
            rate(&arg(100, 2, 1, 1000, None, Some(&down_off)), &[], &[]),
            (100, REASON_SCALE_DOWN_LIMIT)
        );
        // Percent down truncates: 7 × 0.5 = 3.5 → 3.
        let half = rules(SelectPolicy::Max, &[(Percent, 50, 60)]);
        assert_eq!(
            rate(&arg(7, 1, 1, 1000, None, Some(&half)), &[], &[]),
            (3, REASON_SCALE_DOWN_LIMIT)
        );
        // Percent up rounds up: 7 × 1.1 = 7.7 → 8.
        let ten = rules(SelectPolicy::Max, &[(Percent, 10, 60)]);
        assert_eq!(
            rate(&arg(7, 100, 1, 1000, Some(&ten), None), &[], &[]),
            (8, REASON_SCALE_UP_LIMIT)
        );
    }

    #[test]
    fn periods_and_events() {
        use PolicyType::*;
        let pods150 = rules(SelectPolicy::Max, &[(Pods, 150, 120)]);
        let up = [ev(1, 100), ev(5, 60), ev(9, 20)];
        assert_eq!(
            rate(&arg(100, 500, 1, 1000, Some(&pods150), None), &up, &[]),
            (235, REASON_SCALE_UP_LIMIT)
        );
        // An event exactly one period ago no longer counts (strictly newer only).
        let edge = [ev(50, 120)];
        assert_eq!(
            rate(&arg(100, 500, 1, 1000, Some(&pods150), None), &edge, &[]),
            (250, REASON_SCALE_UP_LIMIT)
        );
        // The limit never goes below current: we scaled up a lot recently.
        let many = [ev(200, 10)];
        assert_eq!(
            rate(&arg(100, 500, 1, 1000, Some(&pods150), None), &many, &[]),
            (100, REASON_SCALE_UP_LIMIT)
        );
        let pct300 = rules(SelectPolicy::Max, &[(Percent, 300, 300)]);
        assert_eq!(
            rate(
                &arg(6, 24, 1, 1000, Some(&pct300), None),
                &[ev(4, 60)],
                &[ev(2, 60)]
            ),
            (16, REASON_SCALE_UP_LIMIT)
        );
        let pods5 = rules(SelectPolicy::Max, &[(Pods, 5, 120)]);
        let down = [ev(1, 100), ev(5, 60), ev(9, 20)];
        assert_eq!(
            rate(&arg(100, 2, 1, 1000, None, Some(&pods5)), &[], &down),
            (100, REASON_SCALE_DOWN_LIMIT)
        );
        let pct50 = rules(SelectPolicy::Max, &[(Percent, 50, 180)]);
        assert_eq!(
            rate(
                &arg(10, 1, 1, 1000, None, Some(&pct50)),
                &[ev(2, 60)],
                &[ev(4, 60)]
            ),
            (6, REASON_SCALE_DOWN_LIMIT)
        );
    }

    #[test]
    fn stabilization_with_behaviors() {
        let rec = |r: i32, s: u64| Recommendation {
            replicas: r,
            timestamp: at(s),
        };
        let run = |recs: &[Recommendation], cur, desired, up_w, down_w| {
            let mut v = recs.to_vec();
            let a = NormalizationArg {
                scale_up: ResolvedRules {
                    stabilization_window_seconds: up_w,
                    ..generate_scale_up_rules(None)
                },
                scale_down: ResolvedRules {
                    stabilization_window_seconds: down_w,
                    ..generate_scale_down_rules(None, 300)
                },
                min_replicas: 1,
                max_replicas: 1000,
                current_replicas: cur,
                desired_replicas: desired,
            };
            let (r, _) = stabilize_recommendation_with_behaviors(&mut v, &a, NOW);
            (r, v)
        };
        assert_eq!(run(&[rec(4, 120), rec(5, 60)], 1, 7, 300, 0).0, 4);
        assert_eq!(run(&[rec(4, 120), rec(5, 60)], 1, 3, 0, 300).0, 3);
        let (r, v) = run(&[rec(10, 600), rec(9, 540)], 1, 100, 0, 0);
        assert_eq!(r, 100);
        assert_eq!(v.len(), 2, "an obsolete slot is reused");
        assert_eq!(v[1].replicas, 100);
        let (r, v) = run(
            &[rec(10, 6000), rec(6, 60), rec(5, 120), rec(9, 180)],
            1,
            100,
            300,
            0,
        );
        assert_eq!(r, 5);
        assert_eq!(v[0].replicas, 100);
        assert_eq!(run(&[rec(2, 6000), rec(1, 180)], 2, 3, 300, 300).0, 2);
        // Scale down held by the down window.
        assert_eq!(run(&[rec(8, 60)], 8, 3, 0, 300).0, 8);
    }

    #[test]
    fn legacy_path() {
        let rec = |r: i32, s: u64| Recommendation {
            replicas: r,
            timestamp: at(s),
        };
        let mut v = vec![rec(10, 600), rec(4, 60), rec(5, 120), rec(9, 540)];
        assert_eq!(stabilize_recommendation(&mut v, 3, 300, NOW), 5);
        assert_eq!(stabilize_recommendation(&mut vec![], 5, 300, NOW), 5);
        // A recommendation exactly at the window edge still counts (Before, not After).
        assert_eq!(
            stabilize_recommendation(&mut vec![rec(9, 300)], 5, 300, NOW),
            9
        );
        assert_eq!(calculate_scale_up_limit(1), 4);
        assert_eq!(calculate_scale_up_limit(3), 6);
        assert_eq!(convert_desired_replicas_with_rules(3, 100, 1, 50).0, 6);
        assert_eq!(
            convert_desired_replicas_with_rules(3, 100, 1, 50).1,
            REASON_SCALE_UP_LIMIT
        );
        assert_eq!(
            convert_desired_replicas_with_rules(3, 100, 1, 5).1,
            REASON_TOO_MANY_REPLICAS
        );
        assert_eq!(
            convert_desired_replicas_with_rules(3, 0, 1, 5),
            (
                1,
                REASON_TOO_FEW_REPLICAS,
                "the desired replica count is less than the minimum replica count"
            )
        );
        let mut recs = vec![rec(8, 60)];
        let n = normalize_desired_replicas(&mut recs, 8, 2, 1, 10, 300, NOW);
        assert_eq!(
            (n.replicas, n.able_to_scale_reason.as_str()),
            (8, REASON_SCALE_DOWN_STABILIZED)
        );
    }

    #[test]
    fn scale_events_reuse_outdated_slots() {
        let up_rules = generate_scale_up_rules(None);
        let down_rules = generate_scale_down_rules(None, 300);
        let mut up = vec![ev(3, 100)];
        let mut down = vec![];
        store_scale_event(&mut up, &mut down, &up_rules, &down_rules, 5, 9, NOW);
        assert_eq!(up.len(), 1);
        assert_eq!(up[0].replica_change, 4);
        store_scale_event(&mut up, &mut down, &up_rules, &down_rules, 9, 7, NOW);
        assert_eq!(down.len(), 1);
        assert_eq!(down[0].replica_change, 2);
        store_scale_event(&mut up, &mut down, &up_rules, &down_rules, 7, 8, NOW);
        assert_eq!(up.len(), 2);
    }
}
