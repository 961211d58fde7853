//! Runner for `vectors/hpa.json`.
//!
//! The replica-calculator cases describe upstream's test harness
//! (`replica_calculator_test.go prepareTestClientSet`): pod `i` has `containersPerPod`
//! containers each requesting `requestsPerContainer[i]` (pods past the list request
//! nothing for the resource), readiness True and phase Running unless listed, start time
//! `hot` (now), `cool` (now − 3 min) or unset (Go's zero time, long ago), and a Ready
//! condition that last transitioned at the start time. Each container reports
//! `levels[i]` milli-units (so a pod reports `levels[i] × containers`); pods past the
//! levels list have no sample. The tests run with a 2 min cpu initialization period and a
//! 10 s initial readiness delay.

use super::{Outcome, Report, j, run_cases};
use crate::controllers::hpa::behavior::{
    DEFAULT_DOWNSCALE_STABILIZATION_SECONDS, NormalizationArg, PolicyType, Recommendation,
    ResolvedRules, ScaleEvent, ScalingPolicy, ScalingRules, SelectPolicy,
    convert_desired_replicas_with_behavior_rate, generate_scale_down_rules,
    generate_scale_up_rules, stabilize_recommendation, stabilize_recommendation_with_behaviors,
};
use crate::controllers::hpa::replica_calculator::{
    CalculatorConfig, PodMetric, PodMetrics, PodPhase, PodView, ReadyCondition, Tolerances,
    get_external_metric_replicas, get_external_per_pod_metric_replicas, get_metric_replicas,
    get_object_metric_replicas, get_per_pod_replicas, get_raw_resource_replicas,
    get_resource_replicas,
};
use crate::kube::quantity::Quantity;
use crate::kube::resources::{CPU, ContainerResources, ResourceList};
use crate::time::{SimDuration, SimTime};
use serde_json::{Value, json};

/// Runs every case; unknown kinds are skipped.
pub fn run_vectors(json: &str) -> Result<Report, String> {
    run_cases(json, adapt)
}

/// "Now" for the cases: far enough from zero that Go's zero time is long ago.
const NOW: SimTime = SimTime(1_000_000_000_000);
/// The sample window upstream's fake metrics client reports.
const WINDOW: SimDuration = SimDuration::from_secs(60);

fn test_config(input: &Value) -> Result<CalculatorConfig, String> {
    let tol = j::opt_f64(input, "tolerance")?.unwrap_or(0.1);
    Ok(CalculatorConfig {
        tolerances: Tolerances {
            scale_down: j::opt_f64(input, "scaleDownTolerance")?.unwrap_or(tol),
            scale_up: j::opt_f64(input, "scaleUpTolerance")?.unwrap_or(tol),
        },
        cpu_initialization_period: SimDuration::from_mins(2),
        delay_of_initial_readiness_status: SimDuration::from_secs(10),
    })
}

fn phase(s: &str) -> Result<PodPhase, String> {
    match s {
        "Pending" => Ok(PodPhase::Pending),
        "Running" => Ok(PodPhase::Running),
        "Succeeded" => Ok(PodPhase::Succeeded),
        "Failed" => Ok(PodPhase::Failed),
        other => Err(format!("unknown pod phase {other:?}")),
    }
}

fn nth_str(input: &Value, k: &str, i: usize) -> Result<Option<String>, String> {
    Ok(j::arr(input, k)?
        .get(i)
        .and_then(|v| v.as_str())
        .map(str::to_string))
}

/// The pods of a case, named `test-pod-<i>`.
fn pods(input: &Value, resource: Option<&str>) -> Result<Vec<PodView>, String> {
    let current = j::opt_i64(input, "currentReplicas")?.unwrap_or(0) as usize;
    let count = current
        .max(j::arr(input, "podPhase")?.len())
        .max(j::arr(input, "podReadiness")?.len());
    let per_pod = j::opt_i64(input, "containersPerPod")?.unwrap_or(2) as usize;
    let requests = j::arr(input, "requestsPerContainer")?;
    let mut out = Vec::new();
    for i in 0..count {
        let start = match nth_str(input, "podStartTime", i)?.as_deref() {
            Some("hot") => NOW,
            Some("cool") => SimTime(NOW.0 - 180_000),
            Some(other) => return Err(format!("unknown start time {other:?}")),
            None => SimTime::ZERO,
        };
        let ready = match nth_str(input, "podReadiness", i)?.as_deref() {
            None | Some("True") => Some(true),
            Some("False") => Some(false),
            Some("Unknown") => None,
            Some(other) => return Err(format!("unknown readiness {other:?}")),
        };
        let deleting = j::arr(input, "podDeletionTimestamp")?
            .get(i)
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let req = match (resource, requests.get(i)) {
            (Some(r), Some(Value::String(q))) => {
                let q = Quantity::parse(q).map_err(|e| e.to_string())?;
                // Requests are stored in canonical units (cpu milli, else whole units).
                let v = if r == CPU { q.milli_value() } else { q.value() };
                Some(v.map_err(|e| e.to_string())?)
            }
            (Some(_), Some(Value::Number(n))) => n.as_i64(),
            _ => None,
        };
        let containers = (0..per_pod)
            .map(|c| {
                let mut requests = ResourceList::new();
                if let (Some(r), Some(v)) = (resource, req) {
                    requests = requests.with(r, v);
                }
                ContainerResources::new(&format!("container{}", c + 1), requests)
            })
            .collect();
        out.push(PodView {
            name: format!("test-pod-{i}"),
            phase: match nth_str(input, "podPhase", i)? {
                Some(p) => phase(&p)?,
                None => PodPhase::Running,
            },
            deleting,
            ready: Some(ReadyCondition {
                status: ready,
                last_transition: start,
            }),
            start_time: Some(start),
            containers,
            init_containers: Vec::new(),
        });
    }
    Ok(out)
}

/// Samples `levels[i] × multiplier` for `test-pod-<i>`.
fn metrics(input: &Value, key: &str, multiplier: i64) -> Result<PodMetrics, String> {
    j::arr(input, key)?
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let v = l.as_i64().ok_or_else(|| format!("{key}: not an integer"))?;
            Ok((
                format!("test-pod-{i}"),
                PodMetric {
                    value: v * multiplier,
                    timestamp: NOW,
                    window: WINDOW,
                },
            ))
        })
        .collect()
}

fn values(input: &Value, single: &str, many: &str) -> Result<Vec<i64>, String> {
    if let Some(v) = j::opt_i64(input, single)? {
        return Ok(vec![v]);
    }
    j::arr(input, many)?
        .iter()
        .map(|v| v.as_i64().ok_or_else(|| format!("{many}: not an integer")))
        .collect()
}

fn rules(v: Option<&Value>) -> Result<Option<ScalingRules>, String> {
    let Some(v) = v else { return Ok(None) };
    if v.is_null() || v.as_str() == Some("default") {
        return Ok(None);
    }
    let policies = match v.get("policies") {
        None | Some(Value::Null) => None,
        Some(_) => Some(
            j::arr(v, "policies")?
                .iter()
                .map(|p| {
                    let t = match j::opt_str(p, "type")? {
                        Some("Pods") => PolicyType::Pods,
                        Some("Percent") => PolicyType::Percent,
                        other => return Err(format!("unknown policy type {other:?}")),
                    };
                    Ok(ScalingPolicy {
                        policy_type: t,
                        value: j::i32_(p, "value")?,
                        period_seconds: j::i32_(p, "periodSeconds")?,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?,
        ),
    };
    Ok(Some(ScalingRules {
        stabilization_window_seconds: j::opt_i64(v, "stabilizationWindowSeconds")?
            .map(|w| w as i32),
        select_policy: j::opt_str(v, "selectPolicy")?
            .map(SelectPolicy::parse)
            .transpose()?,
        policies,
    }))
}

fn events(input: &Value, k: &str) -> Result<Vec<ScaleEvent>, String> {
    j::arr(input, k)?
        .iter()
        .map(|e| {
            let ago = j::opt_f64(e, "secondsAgo")?.unwrap_or(0.0);
            Ok(ScaleEvent {
                replica_change: j::i32_(e, "replicaChange")?,
                timestamp: SimTime(NOW.0 - (ago * 1000.0).round() as u64),
                outdated: j::opt_bool(e, "outdated")?.unwrap_or(false),
            })
        })
        .collect()
}

fn recommendations(input: &Value) -> Result<Vec<Recommendation>, String> {
    j::arr(input, "recommendations")?
        .iter()
        .map(|r| {
            let ago = j::opt_f64(r, "secondsAgo")?.unwrap_or(0.0);
            Ok(Recommendation {
                replicas: j::i32_(r, "replicas")?,
                timestamp: SimTime(NOW.0 - (ago * 1000.0).round() as u64),
            })
        })
        .collect()
}

fn recs_json(recs: &[Recommendation]) -> Value {
    json!(
        recs.iter()
            .map(|r| json!({
                "replicas": r.replicas,
                "secondsAgo": (NOW.0 - r.timestamp.0) / 1000,
            }))
            .collect::<Vec<_>>()
    )
}

pub(crate) fn adapt(kind: &str, input: &Value) -> Result<Outcome, String> {
    let cfg = test_config(input)?;
    let tol = cfg.tolerances;
    let current = j::opt_i64(input, "currentReplicas")?.unwrap_or(0) as i32;
    let out = match kind {
        "resourceReplicas" => {
            let resource = j::opt_str(input, "metric")?.unwrap_or(CPU);
            let container = j::opt_str(input, "container")?;
            let per_pod = j::opt_i64(input, "containersPerPod")?.unwrap_or(2);
            let mult = if container.is_some() { 1 } else { per_pod };
            let pods = pods(input, Some(resource))?;
            let m = metrics(input, "levelsMilliPerContainer", mult)?;
            if let Some(target) = j::opt_i64(input, "targetAverageValueMilli")? {
                match get_raw_resource_replicas(current, target, resource, &pods, &m, &cfg, NOW) {
                    Ok((r, usage)) => json!({ "replicas": r, "usageMilli": usage }),
                    Err(e) => return Ok(Outcome::Error(e)),
                }
            } else {
                let target = j::i32_(input, "targetUtilizationPercent")?;
                match get_resource_replicas(
                    current, target, resource, &pods, &m, container, &cfg, NOW,
                ) {
                    // Upstream's tables call the raw average "expectedValue"; the
                    // aliases let a case name it any of these ways.
                    Ok(r) => json!({
                        "replicas": r.replicas,
                        "utilizationPercent": r.utilization,
                        "rawUtilizationMilli": r.raw_utilization,
                        "rawValueMilli": r.raw_utilization,
                        "valueMilli": r.raw_utilization,
                        "expectedValue": r.raw_utilization,
                    }),
                    Err(e) => return Ok(Outcome::Error(e)),
                }
            }
        }
        "podsMetricReplicas" => {
            let metric = j::opt_str(input, "metric")?.unwrap_or("pods:qps");
            let name = metric.strip_prefix("pods:").unwrap_or(metric);
            let pods = pods(input, None)?;
            let m = metrics(input, "levelsMilliPerPod", 1)?;
            let target = j::i64_(input, "targetAverageValueMilli")?;
            match get_metric_replicas(current, target, name, &pods, &m, &cfg, NOW) {
                Ok((r, usage)) => json!({ "replicas": r, "usageMilli": usage }),
                Err(e) => return Ok(Outcome::Error(e)),
            }
        }
        "objectMetricReplicas" => {
            let pods = pods(input, None)?;
            let value = j::i64_(input, "objectValueMilli")?;
            let target = j::i64_(input, "targetValueMilli")?;
            match get_object_metric_replicas(current, value, target, &pods, &tol) {
                Ok((r, usage)) => json!({ "replicas": r, "usageMilli": usage }),
                Err(e) => return Ok(Outcome::Error(e)),
            }
        }
        "objectPerPodMetricReplicas" => {
            let value = j::i64_(input, "objectValueMilli")?;
            let target = j::i64_(input, "targetAverageValueMilli")?;
            let status = j::opt_i64(input, "statusReplicas")?.map_or(current, |s| s as i32);
            let (r, usage) = get_per_pod_replicas(status, value, target, &tol);
            json!({ "replicas": r, "usageMilli": usage })
        }
        "externalMetricReplicas" => {
            let pods = pods(input, None)?;
            let vals = values(input, "externalValueMilli", "externalValuesMilli")?;
            let target = j::i64_(input, "targetValueMilli")?;
            match get_external_metric_replicas(current, &vals, target, &pods, &tol) {
                Ok((r, usage)) => json!({ "replicas": r, "usageMilli": usage }),
                Err(e) => return Ok(Outcome::Error(e)),
            }
        }
        "externalPerPodMetricReplicas" => {
            let vals = values(input, "externalValueMilli", "externalValuesMilli")?;
            let target = j::i64_(input, "targetAverageValueMilli")?;
            let status = j::opt_i64(input, "statusReplicas")?.map_or(current, |s| s as i32);
            let (r, usage) = get_external_per_pod_metric_replicas(status, &vals, target, &tol);
            json!({ "replicas": r, "usageMilli": usage })
        }
        "behaviorRateLimit" => {
            let args = NormalizationArg {
                scale_up: generate_scale_up_rules(rules(input.get("scaleUpRules"))?.as_ref()),
                scale_down: generate_scale_down_rules(
                    rules(input.get("scaleDownRules"))?.as_ref(),
                    DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
                ),
                min_replicas: j::i32_(input, "minReplicas")?,
                max_replicas: j::i32_(input, "maxReplicas")?,
                current_replicas: current,
                desired_replicas: j::i32_(input, "prenormalizedDesiredReplicas")?,
            };
            let up = events(input, "scaleUpEvents")?;
            let down = events(input, "scaleDownEvents")?;
            let (r, condition, message) =
                convert_desired_replicas_with_behavior_rate(&args, &up, &down, NOW);
            json!({ "replicas": r, "condition": condition, "message": message })
        }
        "stabilization" => {
            let window = |k: &str| -> Result<ResolvedRules, String> {
                let w = j::opt_i64(input, k)?.map(|w| w as i32);
                Ok(ResolvedRules {
                    stabilization_window_seconds: w.unwrap_or(0),
                    ..generate_scale_up_rules(None)
                })
            };
            let args = NormalizationArg {
                scale_up: window("scaleUpStabilizationWindowSeconds")?,
                scale_down: window("scaleDownStabilizationWindowSeconds")?,
                min_replicas: j::opt_i64(input, "minReplicas")?.unwrap_or(1) as i32,
                max_replicas: j::opt_i64(input, "maxReplicas")?.unwrap_or(i64::from(i32::MAX))
                    as i32,
                current_replicas: current,
                desired_replicas: j::i32_(input, "prenormalizedDesiredReplicas")?,
            };
            let mut recs = recommendations(input)?;
            let (r, reason) = stabilize_recommendation_with_behaviors(&mut recs, &args, NOW);
            json!({ "stabilizedReplicas": r, "reason": reason, "recommendationsAfter": recs_json(&recs) })
        }
        "downscaleStabilization" => {
            let mut recs = recommendations(input)?;
            let window = j::opt_i64(input, "downscaleStabilizationWindowSeconds")?
                .map_or(DEFAULT_DOWNSCALE_STABILIZATION_SECONDS, |w| w as i32);
            let desired = j::i32_(input, "prenormalizedDesiredReplicas")?;
            let r = stabilize_recommendation(&mut recs, desired, window, NOW);
            json!({ "stabilizedReplicas": r, "recommendationsAfter": recs_json(&recs) })
        }
        _ => return Ok(Outcome::Unknown),
    };
    Ok(Outcome::Value(out))
}
