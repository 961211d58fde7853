//! How many replicas each metric asks for
//! (`pkg/controller/podautoscaler/replica_calculator.go`,
//! `pkg/controller/podautoscaler/metrics/utilization.go`).
//!
//! Metric values are in *milli*-units, as upstream's metrics client returns them
//! (`MilliValue()`): millicores for cpu, milli-bytes for memory, milli-units for custom
//! metrics. Ratios use float64 exactly where upstream does.

use crate::kube::resources::{CPU, ContainerResources};
use crate::time::{SimDuration, SimTime};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// `--horizontal-pod-autoscaler-tolerance` default.
pub const DEFAULT_TOLERANCE: f64 = 0.1;
/// `--horizontal-pod-autoscaler-cpu-initialization-period` default (5 min).
pub const DEFAULT_CPU_INITIALIZATION_PERIOD: SimDuration = SimDuration::from_mins(5);
/// `--horizontal-pod-autoscaler-initial-readiness-delay` default (30 s).
pub const DEFAULT_INITIAL_READINESS_DELAY: SimDuration = SimDuration::from_secs(30);

/// Per-direction tolerances (`Tolerances`); both default to 0.1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tolerances {
    /// How far below 1.0 the ratio may fall without scaling down.
    pub scale_down: f64,
    /// How far above 1.0 the ratio may rise without scaling up.
    pub scale_up: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances {
            scale_down: DEFAULT_TOLERANCE,
            scale_up: DEFAULT_TOLERANCE,
        }
    }
}

impl Tolerances {
    /// `isWithin`: `1 − down ≤ ratio ≤ 1 + up` (no change).
    pub fn is_within(&self, ratio: f64) -> bool {
        (1.0 - self.scale_down) <= ratio && ratio <= (1.0 + self.scale_up)
    }
}

/// The replica calculator's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CalculatorConfig {
    /// Tolerances.
    pub tolerances: Tolerances,
    /// While a pod is younger than this, its CPU samples are distrusted.
    pub cpu_initialization_period: SimDuration,
    /// A pod that turned unready within this delay of starting has "never been ready".
    pub delay_of_initial_readiness_status: SimDuration,
}

impl Default for CalculatorConfig {
    fn default() -> Self {
        CalculatorConfig {
            tolerances: Tolerances::default(),
            cpu_initialization_period: DEFAULT_CPU_INITIALIZATION_PERIOD,
            delay_of_initial_readiness_status: DEFAULT_INITIAL_READINESS_DELAY,
        }
    }
}

/// A pod's phase as the HPA reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PodPhase {
    /// Pending.
    Pending,
    /// Running.
    Running,
    /// Succeeded.
    Succeeded,
    /// Failed.
    Failed,
}

/// The pod's `Ready` condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadyCondition {
    /// `status == "True"`; `None` for `Unknown`.
    pub status: Option<bool>,
    /// `lastTransitionTime`.
    pub last_transition: SimTime,
}

/// A pod selected by the HPA's target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodView {
    /// Pod name (metrics are keyed by it).
    pub name: String,
    /// `status.phase`.
    pub phase: PodPhase,
    /// `metadata.deletionTimestamp` is set.
    pub deleting: bool,
    /// The `Ready` condition, if present.
    pub ready: Option<ReadyCondition>,
    /// `status.startTime`, if set.
    pub start_time: Option<SimTime>,
    /// Regular containers (with their requests).
    pub containers: Vec<ContainerResources>,
    /// Init containers (only restartable ones — sidecars — count for requests).
    pub init_containers: Vec<ContainerResources>,
}

impl PodView {
    /// `podutil.IsPodReady`.
    pub fn is_ready(&self) -> bool {
        self.ready.is_some_and(|c| c.status == Some(true))
    }
}

/// One pod's sample (`PodMetric`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodMetric {
    /// Value in milli-units.
    pub value: i64,
    /// When it was sampled.
    pub timestamp: SimTime,
    /// Over what window.
    pub window: SimDuration,
}

impl PodMetric {
    /// A value with no timing (for plain metrics and computed fill-ins).
    pub fn value(value: i64) -> PodMetric {
        PodMetric {
            value,
            timestamp: SimTime::ZERO,
            window: SimDuration::ZERO,
        }
    }
}

/// Samples by pod name (`PodMetricsInfo`).
pub type PodMetrics = BTreeMap<String, PodMetric>;

/// How `groupPods` sorted the pods.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodGroups {
    /// Pods whose samples count.
    pub ready_pod_count: i64,
    /// Pending pods, and (for cpu) pods whose samples are not trusted yet.
    pub unready: BTreeSet<String>,
    /// Pods without a sample.
    pub missing: BTreeSet<String>,
    /// Deleting or Failed pods.
    pub ignored: BTreeSet<String>,
}

/// `groupPods`: deleting/Failed → ignored; Pending → unready; no sample → missing; for
/// cpu only, a pod is unready if it has no Ready condition or start time, or — within
/// the cpu initialization period — if it is not Ready or its sample predates one window
/// after the last readiness transition, or — after it — if it is not Ready and never was
/// (turned unready within the initial readiness delay of starting).
pub fn group_pods(
    pods: &[PodView],
    metrics: &PodMetrics,
    resource: Option<&str>,
    config: &CalculatorConfig,
    now: SimTime,
) -> PodGroups {
    let mut g = PodGroups::default();
    for pod in pods {
        if pod.deleting || pod.phase == PodPhase::Failed {
            g.ignored.insert(pod.name.clone());
            continue;
        }
        if pod.phase == PodPhase::Pending {
            g.unready.insert(pod.name.clone());
            continue;
        }
        let Some(metric) = metrics.get(&pod.name) else {
            g.missing.insert(pod.name.clone());
            continue;
        };
        if resource == Some(CPU) {
            let unready = match (pod.ready, pod.start_time) {
                (Some(cond), Some(start)) => {
                    let not_ready = cond.status == Some(false);
                    if start.after(config.cpu_initialization_period) > now {
                        not_ready || metric.timestamp < cond.last_transition.after(metric.window)
                    } else {
                        not_ready
                            && start.after(config.delay_of_initial_readiness_status)
                                > cond.last_transition
                    }
                }
                _ => true,
            };
            if unready {
                g.unready.insert(pod.name.clone());
                continue;
            }
        }
        g.ready_pod_count += 1;
    }
    g
}

/// The milli-value of a request stored in canonical units (cpu is already milli).
fn milli(resource: &str, amount: i64) -> i64 {
    if resource == CPU {
        amount
    } else {
        amount.saturating_mul(1000)
    }
}

/// `calculatePodRequests`: Σ requests of regular containers and sidecars (restartable
/// init containers), optionally of one named container; a container without a request for
/// the resource is an error.
pub fn calculate_pod_requests(
    pods: &[PodView],
    container: Option<&str>,
    resource: &str,
) -> Result<BTreeMap<String, i64>, String> {
    let mut out = BTreeMap::new();
    for pod in pods {
        let mut sum = 0i64;
        let sidecars = pod.init_containers.iter().filter(|c| c.restartable);
        for c in pod.containers.iter().chain(sidecars) {
            if container.is_none_or(|name| name == c.name) {
                match c.requests.0.get(resource) {
                    Some(r) => sum += milli(resource, *r),
                    None => {
                        return Err(format!(
                            "missing request for {resource} in container {} of Pod {}",
                            c.name, pod.name
                        ));
                    }
                }
            }
        }
        out.insert(pod.name.clone(), sum);
    }
    Ok(out)
}

/// `GetResourceUtilizationRatio`: `utilization = int32(Σ usage × 100 / Σ request)` over
/// pods that have both (integer math), `ratio = utilization / target` (float64), and the
/// raw average usage.
pub fn get_resource_utilization_ratio(
    metrics: &PodMetrics,
    requests: &BTreeMap<String, i64>,
    target_utilization: i32,
) -> Result<(f64, i32, i64), String> {
    let (mut metrics_total, mut requests_total, mut n) = (0i64, 0i64, 0i64);
    for (pod, m) in metrics {
        let Some(r) = requests.get(pod) else {
            continue;
        };
        metrics_total += m.value;
        requests_total += r;
        n += 1;
    }
    if requests_total == 0 {
        return Err("no metrics returned matched known pods".to_string());
    }
    let utilization = (metrics_total * 100 / requests_total) as i32;
    Ok((
        f64::from(utilization) / f64::from(target_utilization),
        utilization,
        metrics_total / n,
    ))
}

/// `GetMetricUsageRatio`: `usage = Σ / count` (integer), `ratio = usage / target`.
pub fn get_metric_usage_ratio(metrics: &PodMetrics, target_usage: i64) -> (f64, i64) {
    let total: i64 = metrics.values().map(|m| m.value).sum();
    let usage = if metrics.is_empty() {
        0
    } else {
        total / metrics.len() as i64
    };
    (usage as f64 / target_usage as f64, usage)
}

/// The result of a resource-utilization calculation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ResourceReplicas {
    /// Proposed replicas.
    pub replicas: i32,
    /// Current utilization, percent of requests (integer).
    pub utilization: i32,
    /// Average raw usage per pod, milli-units.
    pub raw_utilization: i64,
}

fn remove(metrics: &mut PodMetrics, names: &BTreeSet<String>) {
    for n in names {
        metrics.remove(n);
    }
}

/// `GetResourceReplicas`: Utilization targets for a resource (e.g. cpu 50%).
///
/// Without unready-pods-during-scale-up or missing pods: `current` if within tolerance,
/// else `ceil(ratio × readyPods)`. Otherwise missing pods count as using 100% of request
/// (or the target, if above 100%) on a scale-down and 0 on a scale-up; unready pods count
/// as 0 on a scale-up; the ratio is recomputed and the scale is kept if it is now within
/// tolerance, flips direction, or the new count would move against the ratio.
#[allow(clippy::too_many_arguments)]
pub fn get_resource_replicas(
    current_replicas: i32,
    target_utilization: i32,
    resource: &str,
    pods: &[PodView],
    metrics: &PodMetrics,
    container: Option<&str>,
    config: &CalculatorConfig,
    now: SimTime,
) -> Result<ResourceReplicas, String> {
    if metrics.is_empty() {
        return Err(format!(
            "unable to get metrics for resource {resource}: no metrics returned from resource metrics API"
        ));
    }
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".to_string());
    }
    let mut metrics = metrics.clone();
    let g = group_pods(pods, &metrics, Some(resource), config, now);
    remove(&mut metrics, &g.ignored);
    remove(&mut metrics, &g.unready);
    if metrics.is_empty() {
        return Err(
            "did not receive metrics for targeted pods (pods might be unready)".to_string(),
        );
    }
    let requests = calculate_pod_requests(pods, container, resource)?;
    let (ratio, utilization, raw) =
        get_resource_utilization_ratio(&metrics, &requests, target_utilization)?;
    let keep = ResourceReplicas {
        replicas: current_replicas,
        utilization,
        raw_utilization: raw,
    };
    let scale_up_with_unready = !g.unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && g.missing.is_empty() {
        if config.tolerances.is_within(ratio) {
            return Ok(keep);
        }
        return Ok(ResourceReplicas {
            replicas: (ratio * g.ready_pod_count as f64).ceil() as i32,
            ..keep
        });
    }
    if !g.missing.is_empty() {
        if ratio < 1.0 {
            let fallback = i64::from(target_utilization.max(100));
            for name in &g.missing {
                let req = requests.get(name).copied().unwrap_or(0);
                metrics.insert(name.clone(), PodMetric::value(req * fallback / 100));
            }
        } else if ratio > 1.0 {
            for name in &g.missing {
                metrics.insert(name.clone(), PodMetric::value(0));
            }
        }
    }
    if scale_up_with_unready {
        for name in &g.unready {
            metrics.insert(name.clone(), PodMetric::value(0));
        }
    }
    let (new_ratio, _, _) =
        get_resource_utilization_ratio(&metrics, &requests, target_utilization)?;
    if config.tolerances.is_within(new_ratio)
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return Ok(keep);
    }
    let new_replicas = (new_ratio * metrics.len() as f64).ceil() as i32;
    if (new_ratio < 1.0 && new_replicas > current_replicas)
        || (new_ratio > 1.0 && new_replicas < current_replicas)
    {
        return Ok(keep);
    }
    Ok(ResourceReplicas {
        replicas: new_replicas,
        ..keep
    })
}

/// `calcPlainMetricReplicas`: AverageValue targets (pods metrics, raw resource values).
/// Same shape as [`get_resource_replicas`] but over the average value; missing pods count
/// as exactly the target on a scale-down and 0 otherwise. Returns `(replicas, usage)`.
#[allow(clippy::too_many_arguments)]
pub fn calc_plain_metric_replicas(
    metrics: &PodMetrics,
    current_replicas: i32,
    target_usage: i64,
    pods: &[PodView],
    resource: Option<&str>,
    config: &CalculatorConfig,
    now: SimTime,
) -> Result<(i32, i64), String> {
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".to_string());
    }
    let mut metrics = metrics.clone();
    let g = group_pods(pods, &metrics, resource, config, now);
    remove(&mut metrics, &g.ignored);
    remove(&mut metrics, &g.unready);
    if metrics.is_empty() {
        return Err(
            "did not receive metrics for targeted pods (pods might be unready)".to_string(),
        );
    }
    let (ratio, usage) = get_metric_usage_ratio(&metrics, target_usage);
    let scale_up_with_unready = !g.unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && g.missing.is_empty() {
        if config.tolerances.is_within(ratio) {
            return Ok((current_replicas, usage));
        }
        return Ok(((ratio * g.ready_pod_count as f64).ceil() as i32, usage));
    }
    if !g.missing.is_empty() {
        let fill = if ratio < 1.0 { target_usage } else { 0 };
        for name in &g.missing {
            metrics.insert(name.clone(), PodMetric::value(fill));
        }
    }
    if scale_up_with_unready {
        for name in &g.unready {
            metrics.insert(name.clone(), PodMetric::value(0));
        }
    }
    let (new_ratio, _) = get_metric_usage_ratio(&metrics, target_usage);
    if config.tolerances.is_within(new_ratio)
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return Ok((current_replicas, usage));
    }
    let new_replicas = (new_ratio * metrics.len() as f64).ceil() as i32;
    if (new_ratio < 1.0 && new_replicas > current_replicas)
        || (new_ratio > 1.0 && new_replicas < current_replicas)
    {
        return Ok((current_replicas, usage));
    }
    Ok((new_replicas, usage))
}

/// `GetRawResourceReplicas`: a resource with an AverageValue target.
#[allow(clippy::too_many_arguments)]
pub fn get_raw_resource_replicas(
    current_replicas: i32,
    target_usage: i64,
    resource: &str,
    pods: &[PodView],
    metrics: &PodMetrics,
    config: &CalculatorConfig,
    now: SimTime,
) -> Result<(i32, i64), String> {
    if metrics.is_empty() {
        return Err(format!(
            "unable to get metrics for resource {resource}: no metrics returned from resource metrics API"
        ));
    }
    calc_plain_metric_replicas(
        metrics,
        current_replicas,
        target_usage,
        pods,
        Some(resource),
        config,
        now,
    )
}

/// `GetMetricReplicas`: a Pods metric with an AverageValue target.
pub fn get_metric_replicas(
    current_replicas: i32,
    target_usage: i64,
    metric_name: &str,
    pods: &[PodView],
    metrics: &PodMetrics,
    config: &CalculatorConfig,
    now: SimTime,
) -> Result<(i32, i64), String> {
    if metrics.is_empty() {
        return Err(format!(
            "unable to get metric {metric_name}: no metrics returned from custom metrics API"
        ));
    }
    calc_plain_metric_replicas(
        metrics,
        current_replicas,
        target_usage,
        pods,
        None,
        config,
        now,
    )
}

/// `getReadyPodsCount`: Running and Ready pods.
pub fn ready_pods_count(pods: &[PodView]) -> Result<i64, String> {
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".to_string());
    }
    Ok(pods
        .iter()
        .filter(|p| p.phase == PodPhase::Running && p.is_ready())
        .count() as i64)
}

/// `getUsageRatioReplicaCount`: with replicas, `current` within tolerance else
/// `ceil(ratio × readyPods)`; at zero replicas, `ceil(ratio)`.
pub fn get_usage_ratio_replica_count(
    current_replicas: i32,
    usage_ratio: f64,
    pods: &[PodView],
    tolerances: &Tolerances,
) -> Result<i32, String> {
    if current_replicas == 0 {
        return Ok(usage_ratio.ceil() as i32);
    }
    if tolerances.is_within(usage_ratio) {
        return Ok(current_replicas);
    }
    let ready =
        ready_pods_count(pods).map_err(|e| format!("unable to calculate ready pods: {e}"))?;
    Ok((usage_ratio * ready as f64).ceil() as i32)
}

/// `GetObjectMetricReplicas`: an Object metric with a Value target. Returns
/// `(replicas, usage)`.
pub fn get_object_metric_replicas(
    current_replicas: i32,
    usage: i64,
    target_usage: i64,
    pods: &[PodView],
    tolerances: &Tolerances,
) -> Result<(i32, i64), String> {
    let ratio = usage as f64 / target_usage as f64;
    Ok((
        get_usage_ratio_replica_count(current_replicas, ratio, pods, tolerances)?,
        usage,
    ))
}

/// `GetObjectPerPodMetricReplicas` / `GetExternalPerPodMetricReplicas`: an AverageValue
/// target over a total: `ceil(total / targetAverage)` if `total / (target × status
/// replicas)` is outside tolerance; usage reported as `ceil(total / statusReplicas)`.
pub fn get_per_pod_replicas(
    status_replicas: i32,
    total: i64,
    target_average: i64,
    tolerances: &Tolerances,
) -> (i32, i64) {
    let mut replicas = status_replicas;
    let ratio = total as f64 / (target_average as f64 * f64::from(status_replicas));
    if !tolerances.is_within(ratio) {
        replicas = (total as f64 / target_average as f64).ceil() as i32;
    }
    let usage = (total as f64 / f64::from(status_replicas)).ceil() as i64;
    (replicas, usage)
}

/// `GetExternalMetricReplicas`: an External metric with a Value target over Σ values.
pub fn get_external_metric_replicas(
    current_replicas: i32,
    values: &[i64],
    target_usage: i64,
    pods: &[PodView],
    tolerances: &Tolerances,
) -> Result<(i32, i64), String> {
    let usage: i64 = values.iter().sum();
    let ratio = usage as f64 / target_usage as f64;
    Ok((
        get_usage_ratio_replica_count(current_replicas, ratio, pods, tolerances)?,
        usage,
    ))
}

/// `GetExternalPerPodMetricReplicas`: an External metric with an AverageValue target.
pub fn get_external_per_pod_metric_replicas(
    status_replicas: i32,
    values: &[i64],
    target_per_pod: i64,
    tolerances: &Tolerances,
) -> (i32, i64) {
    get_per_pod_replicas(
        status_replicas,
        values.iter().sum(),
        target_per_pod,
        tolerances,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::resources::ResourceList;

    const NOW: SimTime = SimTime(1_000_000_000);

    fn cfg() -> CalculatorConfig {
        CalculatorConfig {
            cpu_initialization_period: SimDuration::from_mins(2),
            delay_of_initial_readiness_status: SimDuration::from_secs(10),
            ..CalculatorConfig::default()
        }
    }

    /// Pods like upstream's test harness: 2 containers each requesting `req` millicores.
    fn pods(reqs: &[i64], ready: &[bool], phase: &[PodPhase], hot: &[bool]) -> Vec<PodView> {
        reqs.iter()
            .enumerate()
            .map(|(i, r)| {
                let start = if hot.get(i).copied().unwrap_or(false) {
                    NOW
                } else {
                    SimTime(NOW.0 - 180_000)
                };
                PodView {
                    name: format!("p{i}"),
                    phase: phase.get(i).copied().unwrap_or(PodPhase::Running),
                    deleting: false,
                    ready: Some(ReadyCondition {
                        status: Some(ready.get(i).copied().unwrap_or(true)),
                        last_transition: start,
                    }),
                    start_time: Some(start),
                    containers: (0..2)
                        .map(|c| {
                            ContainerResources::new(
                                &format!("c{c}"),
                                ResourceList::new().with(CPU, *r),
                            )
                        })
                        .collect(),
                    init_containers: vec![],
                }
            })
            .collect()
    }

    fn metrics(levels: &[i64]) -> PodMetrics {
        levels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                (
                    format!("p{i}"),
                    PodMetric {
                        value: l * 2,
                        timestamp: NOW,
                        window: SimDuration::from_secs(60),
                    },
                )
            })
            .collect()
    }

    fn calc(
        current: i32,
        target: i32,
        p: &[PodView],
        levels: &[i64],
    ) -> Result<(i32, i32), String> {
        get_resource_replicas(current, target, CPU, p, &metrics(levels), None, &cfg(), NOW)
            .map(|r| (r.replicas, r.utilization))
    }

    #[test]
    fn tolerance_boundaries() {
        let t = Tolerances::default();
        assert!(t.is_within(0.9));
        assert!(t.is_within(1.1));
        assert!(!t.is_within(1.1000001));
        assert!(!t.is_within(0.8999999));
        let asym = Tolerances {
            scale_down: 0.2,
            scale_up: 0.05,
        };
        assert!(asym.is_within(0.8));
        assert!(!asym.is_within(1.06));
    }

    #[test]
    fn scale_up_and_down() {
        let p = pods(&[1000, 1000, 1000], &[], &[], &[]);
        assert_eq!(calc(3, 30, &p, &[300, 500, 700]), Ok((5, 50)));
        let p5 = pods(&[1000; 5], &[], &[], &[]);
        assert_eq!(calc(5, 50, &p5, &[100, 300, 500, 250, 250]), Ok((3, 28)));
    }

    #[test]
    fn unready_pods_during_scale_up() {
        // TestReplicaCalcScaleUpUnreadyLessScale: unready pods count as 0.
        let p = pods(&[1000; 3], &[false, true, true], &[], &[]);
        assert_eq!(calc(3, 30, &p, &[300, 500, 700]), Ok((4, 60)));
        // TestReplicaCalcScaleUpUnreadyNoScale: 0-filled ratio back within tolerance.
        let p = pods(&[1000; 3], &[true, false, false], &[], &[]);
        assert_eq!(calc(3, 30, &p, &[400, 500, 700]), Ok((3, 40)));
        // Hot pods (inside the cpu initialization period) are unready for cpu.
        let p = pods(&[1000; 3], &[], &[], &[true, true, false]);
        // Only the cool pod counts (70%); filling the hot ones with 0 flips the direction.
        assert_eq!(calc(3, 30, &p, &[400, 500, 700]), Ok((3, 70)));
    }

    #[test]
    fn missing_pods() {
        // TestReplicaCalcMissingMetricsNoChangeGt: ratio up, missing as 0 → within.
        let p = pods(&[1000, 1000], &[], &[], &[]);
        assert_eq!(calc(2, 100, &p, &[1900]), Ok((2, 190)));
        // Missing pods count as 100% of their request on a scale-down: 10% → 32% → 3.
        let p4 = pods(&[1000; 4], &[], &[], &[]);
        assert_eq!(calc(4, 50, &p4, &[100, 100, 100]), Ok((3, 10)));
        // …and the new count may not move against the ratio: 18% → 39% → ceil(3.12) = 4.
        assert_eq!(calc(4, 50, &p4, &[400, 95, 65]), Ok((4, 18)));
        // With a target above 100%, missing pods count as the target: 18% → 64% of 200 → 2.
        assert_eq!(calc(4, 200, &p4, &[400, 95, 65]), Ok((2, 18)));
    }

    #[test]
    fn missing_requests_and_empty_metrics_are_errors() {
        let mut p = pods(&[1000], &[], &[], &[]);
        p[0].containers[1].requests = ResourceList::new();
        let e = calc(1, 100, &p, &[200]).unwrap_err();
        assert!(e.contains("missing request for cpu"), "{e}");
        let p = pods(&[1000], &[], &[], &[]);
        assert!(
            calc(1, 100, &p, &[])
                .unwrap_err()
                .contains("unable to get metrics")
        );
        assert!(
            calc(1, 100, &[], &[100])
                .unwrap_err()
                .contains("no pods returned")
        );
        let p = pods(&[1000], &[], &[PodPhase::Pending], &[]);
        assert!(
            calc(1, 100, &p, &[100])
                .unwrap_err()
                .contains("did not receive metrics")
        );
    }

    #[test]
    fn deleting_and_failed_pods_are_ignored() {
        let mut p = pods(&[1000; 7], &[], &[], &[]);
        p[5].phase = PodPhase::Failed;
        p[6].deleting = true;
        assert_eq!(
            calc(5, 50, &p, &[100, 300, 500, 250, 250, 1000, 1000]),
            Ok((3, 28))
        );
    }

    #[test]
    fn plain_metrics() {
        let p = pods(&[1000; 3], &[false, true, false], &[], &[true, false, true]);
        let m: PodMetrics = [50_000, 15_000, 30_000]
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("p{i}"), PodMetric::value(*v)))
            .collect();
        // Readiness is not applied to non-cpu metrics.
        assert_eq!(
            get_metric_replicas(3, 15_000, "qps", &p, &m, &cfg(), NOW),
            Ok((7, 31_666))
        );
        // Missing pods count as the target on a scale-down.
        let all = pods(&[1000; 4], &[], &[], &[]);
        let m2: PodMetrics = [1_000, 2_000]
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("p{i}"), PodMetric::value(*v)))
            .collect();
        assert_eq!(
            get_metric_replicas(4, 10_000, "qps", &all, &m2, &cfg(), NOW),
            Ok((3, 1_500))
        );
    }

    #[test]
    fn object_and_external() {
        let t = Tolerances::default();
        let p = pods(&[1000; 3], &[false, true, false], &[], &[]);
        assert_eq!(
            get_object_metric_replicas(3, 20_000, 15_000, &pods(&[1; 3], &[], &[], &[]), &t),
            Ok((4, 20_000))
        );
        assert_eq!(
            get_external_metric_replicas(3, &[8_600], 4_400, &p, &t),
            Ok((2, 8_600))
        );
        assert_eq!(
            get_external_metric_replicas(0, &[8_600], 4_400, &[], &t),
            Ok((2, 8_600))
        );
        assert_eq!(get_per_pod_replicas(3, 20_000, 5_000, &t), (4, 6_667));
        assert_eq!(get_per_pod_replicas(4, 20_166, 5_000, &t), (4, 5_042));
        assert_eq!(
            get_external_per_pod_metric_replicas(3, &[8_600], 2_150, &t),
            (4, 2_867)
        );
    }
}
