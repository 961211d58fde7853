//! Runner for `vectors/rolling.json`.

use super::{Outcome, Report, j, run_cases};
use crate::controllers::deployment::progress::{
    ProgressingCondition, StatusCounts, deployment_complete, deployment_progressing,
    deployment_timed_out,
};
use crate::controllers::deployment::rolling::{
    DeploymentView, ReplicaSetView, StrategyType, cleanup_unhealthy_replicas, max_surge,
    max_unavailable, new_rs_new_replicas, reconcile_new_replica_set, reconcile_old_replica_sets,
    resolve_fenceposts, scale_down_old_replica_sets_for_rolling_update,
};
use crate::kube::intstr::{IntOrString, get_scaled_value_from_int_or_percent};
use crate::time::SimTime;
use serde_json::{Value, json};

/// Runs every case; unknown kinds are skipped.
pub fn run_vectors(json: &str) -> Result<Report, String> {
    run_cases(json, adapt)
}

fn int_or_string(v: &Value, k: &str) -> Result<Option<IntOrString>, String> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(|i| Some(IntOrString::Int(i)))
            .ok_or_else(|| format!("{k}: not an integer")),
        Some(Value::String(s)) => Ok(Some(IntOrString::Str(s.clone()))),
        Some(other) => Err(format!("{k}: unexpected {other}")),
    }
}

/// The deployment of a case: `replicas` from `deploymentReplicas`/`replicas`/`desired`
/// (default 1), `strategy` (default RollingUpdate), fenceposts as given (unset = 0, as
/// the upstream test fixtures build them).
fn deployment(v: &Value) -> Result<DeploymentView, String> {
    let replicas = j::opt_i64(v, "deploymentReplicas")?
        .or(j::opt_i64(v, "replicas")?)
        .or(j::opt_i64(v, "desired")?)
        .unwrap_or(1);
    Ok(DeploymentView {
        replicas: i32::try_from(replicas).map_err(|_| "replicas out of range")?,
        strategy: StrategyType::parse(j::opt_str(v, "strategy")?.unwrap_or("RollingUpdate")),
        max_surge: int_or_string(v, "maxSurge")?,
        max_unavailable: int_or_string(v, "maxUnavailable")?,
    })
}

fn rs(name: &str, created: u64, replicas: i64, available: i64) -> ReplicaSetView {
    ReplicaSetView::new(name, SimTime(created), replicas as i32, available as i32)
}

/// `HH:MM:SS` (or plain seconds) → simulated time.
fn clock(v: &Value, k: &str) -> Result<Option<SimTime>, String> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_u64().map(|s| SimTime(s * 1000))),
        Some(Value::String(s)) => {
            let mut secs = 0u64;
            for part in s.split(':') {
                let p: u64 = part.parse().map_err(|_| format!("{k}: bad time {s:?}"))?;
                secs = secs * 60 + p;
            }
            Ok(Some(SimTime(secs * 1000)))
        }
        Some(other) => Err(format!("{k}: unexpected {other}")),
    }
}

fn status(v: &Value) -> Result<StatusCounts, String> {
    let g = |k: &str| -> Result<i32, String> {
        Ok(j::opt_i64(v, k)?
            .or(j::opt_i64(v, &format!("{k}Replicas"))?)
            .unwrap_or(0) as i32)
    };
    Ok(StatusCounts {
        replicas: g("replicas")?,
        updated: g("updated")?,
        ready: g("ready")?,
        available: g("available")?,
    })
}

pub(crate) fn adapt(kind: &str, input: &Value) -> Result<Outcome, String> {
    let out = match kind {
        "scaledIntOrPercent" => {
            let v = int_or_string(input, "value")?;
            let total = j::opt_i64(input, "total")?.unwrap_or(0);
            let up = j::opt_bool(input, "roundUp")?.unwrap_or(false);
            match get_scaled_value_from_int_or_percent(v.as_ref(), total, up) {
                Ok(x) => json!({ "error": false, "value": x }),
                Err(e) => json!({ "error": true, "value": 0, "message": e.to_string() }),
            }
        }
        "resolveFenceposts" => {
            let d = deployment(input)?;
            match resolve_fenceposts(d.max_surge.as_ref(), d.max_unavailable.as_ref(), d.replicas) {
                Ok((s, u)) => json!({ "surge": s, "unavailable": u, "error": false }),
                Err(e) => {
                    json!({ "surge": 0, "unavailable": 0, "error": true, "message": e.to_string() })
                }
            }
        }
        "maxUnavailable" => json!({ "maxUnavailable": max_unavailable(&deployment(input)?) }),
        "maxSurge" => json!({ "maxSurge": max_surge(&deployment(input)?) }),
        "newRSNewReplicas" => {
            let d = deployment(input)?;
            let all: Vec<ReplicaSetView> = j::arr(input, "allRSsReplicas")?
                .iter()
                .enumerate()
                .map(|(i, r)| rs(&format!("rs{i}"), i as u64, r.as_i64().unwrap_or(0), 0))
                .collect();
            let new = j::i32_(input, "newRSReplicas")?;
            match new_rs_new_replicas(&d, &all, new) {
                Ok(n) => json!({ "newReplicas": n }),
                Err(e) => return Ok(Outcome::Error(e)),
            }
        }
        "reconcileNewReplicaSet" => {
            let d = deployment(input)?;
            let old = j::i64_(input, "oldRSReplicas")?;
            let new = j::i64_(input, "newRSReplicas")?;
            let new_rs = rs("new", 2, new, 0);
            let all = [rs("old", 1, old, old), new_rs.clone()];
            match reconcile_new_replica_set(&d, &all, &new_rs) {
                Ok(Some(n)) => json!({ "scaled": true, "newRSReplicas": n }),
                Ok(None) => json!({ "scaled": false, "newRSReplicas": new }),
                Err(e) => return Ok(Outcome::Error(e)),
            }
        }
        "reconcileOldReplicaSets" => {
            let d = deployment(input)?;
            let mut old = vec![rs(
                "old",
                1,
                j::i64_(input, "oldRSReplicas")?,
                j::i64_(input, "availableOldPods")?,
            )];
            let new_rs = rs(
                "new",
                2,
                j::i64_(input, "newRSReplicas")?,
                j::i64_(input, "availableNewPods")?,
            );
            let scaled = reconcile_old_replica_sets(&d, &mut old, &new_rs);
            json!({ "scaled": scaled, "expectedOldReplicas": old[0].replicas })
        }
        "cleanupUnhealthyReplicas" => {
            let replicas = j::i64_(input, "oldRSReplicas")?;
            let available = j::opt_i64(input, "readyPods")?
                .or(j::opt_i64(input, "availablePods")?)
                .unwrap_or(0);
            let mut old = vec![rs("old", 1, replicas, available)];
            let n = cleanup_unhealthy_replicas(&mut old, j::i32_(input, "maxCleanupCount")?);
            json!({ "cleanedUp": n, "oldRSReplicas": old[0].replicas })
        }
        "scaleDownOldReplicaSetsForRollingUpdate" => {
            let d = deployment(input)?;
            let replicas = j::i64_(input, "oldRSReplicas")?;
            let available = j::opt_i64(input, "availablePods")?
                .or(j::opt_i64(input, "readyPods")?)
                .unwrap_or(0);
            let mut old = vec![rs("old", 1, replicas, available)];
            let n = scale_down_old_replica_sets_for_rolling_update(&d, &mut old, 0);
            json!({ "scaled": n > 0, "scaledDown": n, "oldRSReplicas": old[0].replicas })
        }
        "deploymentComplete" => {
            let desired = j::i32_(input, "desired")?;
            let st = StatusCounts {
                replicas: j::i32_(input, "statusReplicas")?,
                updated: j::i32_(input, "updatedReplicas")?,
                ready: j::opt_i64(input, "readyReplicas")?.unwrap_or(0) as i32,
                available: j::i32_(input, "availableReplicas")?,
            };
            let generation = j::opt_i64(input, "generation")?.unwrap_or(0);
            let observed = j::opt_i64(input, "observedGeneration")?.unwrap_or(generation);
            json!({ "complete": deployment_complete(desired, &st, generation, observed) })
        }
        "deploymentProgressing" => {
            let old = status(input.get("oldStatus").unwrap_or(&Value::Null))?;
            let new = status(input.get("newStatus").unwrap_or(&Value::Null))?;
            json!({ "progressing": deployment_progressing(&old, &new) })
        }
        "deploymentTimedOut" => {
            let deadline = j::opt_i64(input, "progressDeadlineSeconds")?.map(|d| d as i32);
            let now = clock(input, "now")?.ok_or("missing now")?;
            let condition =
                clock(input, "progressingConditionLastUpdate")?.map(|t| ProgressingCondition {
                    reason: j::opt_str(input, "conditionReason")
                        .ok()
                        .flatten()
                        .unwrap_or("")
                        .to_string(),
                    last_update_time: t,
                });
            json!({ "timedOut": deployment_timed_out(deadline, condition.as_ref(), now) })
        }
        _ => return Ok(Outcome::Unknown),
    };
    Ok(Outcome::Value(out))
}
