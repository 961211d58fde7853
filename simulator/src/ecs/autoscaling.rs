//! Application Auto Scaling for ECS services: target tracking.
//!
//! A target-tracking policy keeps a metric (average CPU or memory utilisation of the
//! service's tasks, or ALB requests per target) near a target value. AWS implements it
//! with two CloudWatch alarms on one-minute datapoints: a high alarm after 3 consecutive
//! datapoints above the target, and a low alarm after 15 consecutive datapoints below 90%
//! of it. Scale-out is proportional, `ceil(capacity × metric / target)`; scale-in uses the
//! same formula but only after the longer low alarm, so it is gradual. With several
//! policies the service scales out if any policy says so and in only if all do.
//! Cooldowns default to 300 s each (CDK `BaseTargetTrackingProps`), and scale-in is
//! suspended while a deployment is in progress.

use crate::time::{SimDuration, SimTime};
use serde::Serialize;

/// Default scale-in and scale-out cooldown, seconds.
pub const DEFAULT_COOLDOWN_SECS: u32 = 300;
/// Datapoints above target that fire the high alarm.
pub const HIGH_ALARM_DATAPOINTS: usize = 3;
/// Datapoints below 90% of target that fire the low alarm.
pub const LOW_ALARM_DATAPOINTS: usize = 15;
/// How often the metric is published (CloudWatch, ECS service metrics).
pub const METRIC_PERIOD: SimDuration = SimDuration::from_secs(60);

/// A target-tracking scaling policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetTrackingPolicy {
    /// Policy name.
    pub name: String,
    /// `ECSServiceAverageCPUUtilization`, `ECSServiceAverageMemoryUtilization` or
    /// `ALBRequestCountPerTarget`.
    pub metric: String,
    /// Target value in thousandths (50% = 50 000).
    pub target_milli: i64,
    /// Seconds after a scale-in before another scale-in.
    pub scale_in_cooldown: u32,
    /// Seconds after a scale-out before another scale-out.
    pub scale_out_cooldown: u32,
    /// Never scale in.
    pub disable_scale_in: bool,
}

/// A scalable target: an ECS service's desired count with its bounds and policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalableTarget {
    /// `service/CLUSTER/SERVICE`.
    pub resource_id: String,
    /// Lower bound.
    pub min_capacity: u32,
    /// Upper bound.
    pub max_capacity: u32,
    /// Policies.
    pub policies: Vec<TargetTrackingPolicy>,
    /// Recent datapoints per policy metric: (time, value in thousandths), oldest first,
    /// at most [`LOW_ALARM_DATAPOINTS`] kept.
    pub datapoints: Vec<(SimTime, Vec<i64>)>,
    /// Last scale-out.
    pub last_scale_out: Option<SimTime>,
    /// Last scale-in.
    pub last_scale_in: Option<SimTime>,
}

impl ScalableTarget {
    /// The (cluster, service) this target scales.
    pub fn service(&self) -> Option<(&str, &str)> {
        let rest = self.resource_id.strip_prefix("service/")?;
        rest.split_once('/')
    }
}

/// A scaling decision with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// New desired count.
    pub desired: u32,
    /// The formula with its numbers, for the learner.
    pub reason: String,
}

fn proportional(current: u32, metric: i64, target: i64) -> u32 {
    if target <= 0 {
        return current;
    }
    let v = (i128::from(current) * i128::from(metric)).div_euclid(i128::from(target));
    let exact = i128::from(current) * i128::from(metric) % i128::from(target) == 0;
    (if exact { v } else { v + 1 }).clamp(0, i128::from(u32::MAX)) as u32
}

fn pct(milli: i64) -> String {
    crate::load::fmt_milli(milli) + "%"
}

/// Evaluates the policies of `target` for a service at `current` desired tasks.
/// `deploying` suspends scale-in. Returns `None` when nothing should change.
pub fn evaluate(
    target: &ScalableTarget,
    current: u32,
    deploying: bool,
    now: SimTime,
) -> Option<Decision> {
    let mut out: Option<Decision> = None;
    let mut all_in: Vec<(u32, String)> = Vec::new();
    for (i, p) in target.policies.iter().enumerate() {
        let series: Vec<i64> = target
            .datapoints
            .iter()
            .filter_map(|(_, v)| v.get(i).copied())
            .collect();
        let Some(&latest) = series.last() else {
            // No data: no action (insufficient data).
            return None;
        };
        let high = series.len() >= HIGH_ALARM_DATAPOINTS
            && series[series.len() - HIGH_ALARM_DATAPOINTS..]
                .iter()
                .all(|v| *v > p.target_milli);
        let low_line = p.target_milli * 9 / 10;
        let low = series.len() >= LOW_ALARM_DATAPOINTS
            && series[series.len() - LOW_ALARM_DATAPOINTS..]
                .iter()
                .all(|v| *v < low_line);
        let want = proportional(current, latest, p.target_milli)
            .clamp(target.min_capacity, target.max_capacity);
        if high && want > current {
            let cooling = target.last_scale_out.is_some_and(|t| {
                now < t.after(SimDuration::from_secs(u64::from(p.scale_out_cooldown)))
            });
            if !cooling && out.as_ref().is_none_or(|d| want > d.desired) {
                out = Some(Decision {
                    desired: want,
                    reason: format!(
                        "policy {}: {} {} above target {} for {} minutes: desired = ceil({current} × {} / {}) = {want} (max {})",
                        p.name,
                        p.metric,
                        pct(latest),
                        pct(p.target_milli),
                        HIGH_ALARM_DATAPOINTS,
                        pct(latest),
                        pct(p.target_milli),
                        target.max_capacity
                    ),
                });
            }
        }
        if low && want < current && !p.disable_scale_in {
            all_in.push((
                want,
                format!(
                    "policy {}: {} {} below 90% of target {} for {} minutes: desired = ceil({current} × {} / {}) = {want} (min {})",
                    p.name,
                    p.metric,
                    pct(latest),
                    pct(p.target_milli),
                    LOW_ALARM_DATAPOINTS,
                    pct(latest),
                    pct(p.target_milli),
                    target.min_capacity
                ),
            ));
        }
    }
    if out.is_some() {
        return out;
    }
    if deploying || all_in.len() != target.policies.len() || all_in.is_empty() {
        return None;
    }
    let cooldown = target
        .policies
        .iter()
        .map(|p| p.scale_in_cooldown)
        .max()
        .unwrap_or(DEFAULT_COOLDOWN_SECS);
    if target
        .last_scale_in
        .is_some_and(|t| now < t.after(SimDuration::from_secs(u64::from(cooldown))))
    {
        return None;
    }
    // In only if all agree: the largest of their proposals.
    all_in
        .into_iter()
        .max_by_key(|(w, _)| *w)
        .map(|(desired, reason)| Decision { desired, reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(points: &[i64]) -> ScalableTarget {
        ScalableTarget {
            resource_id: "service/demo/web".into(),
            min_capacity: 2,
            max_capacity: 20,
            policies: vec![TargetTrackingPolicy {
                name: "cpu50".into(),
                metric: "ECSServiceAverageCPUUtilization".into(),
                target_milli: 50_000,
                scale_in_cooldown: DEFAULT_COOLDOWN_SECS,
                scale_out_cooldown: DEFAULT_COOLDOWN_SECS,
                disable_scale_in: false,
            }],
            datapoints: points
                .iter()
                .enumerate()
                .map(|(i, v)| (SimTime(i as u64 * 60_000), vec![*v]))
                .collect(),
            last_scale_out: None,
            last_scale_in: None,
        }
    }

    #[test]
    fn three_high_minutes_scale_out_proportionally() {
        let t = target(&[90_000, 95_000, 100_000]);
        let d = evaluate(&t, 2, false, SimTime(180_000)).unwrap();
        assert_eq!(d.desired, 4);
        assert!(evaluate(&target(&[40_000, 95_000, 100_000]), 2, false, SimTime(0)).is_none());
    }

    #[test]
    fn scale_in_needs_fifteen_low_minutes_and_no_deployment() {
        let t = target(&[10_000; 15]);
        assert_eq!(evaluate(&t, 8, false, SimTime(900_000)).unwrap().desired, 2);
        assert!(evaluate(&t, 8, true, SimTime(900_000)).is_none());
        assert!(evaluate(&target(&[10_000; 14]), 8, false, SimTime(0)).is_none());
    }

    #[test]
    fn cooldown_blocks_a_second_scale_out() {
        let mut t = target(&[90_000, 95_000, 100_000]);
        t.last_scale_out = Some(SimTime(100_000));
        assert!(evaluate(&t, 2, false, SimTime(180_000)).is_none());
        assert!(evaluate(&t, 2, false, SimTime(400_000)).is_some());
    }
}
