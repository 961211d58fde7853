//! Rolling-update arithmetic of the deployment controller
//! (`pkg/controller/deployment/rolling.go`, `util/deployment_util.go`).
//!
//! Every function works on plain views of the Deployment and its ReplicaSets and returns
//! the replica counts to set; the controller turns those into scale events.

use crate::kube::intstr::{IntOrString, IntOrStringError, get_scaled_value_from_int_or_percent};
use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// `spec.strategy.type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StrategyType {
    /// Replace pods gradually within maxSurge / maxUnavailable (the default).
    RollingUpdate,
    /// Kill all old pods, then create the new ones.
    Recreate,
    /// Anything else (rejected by validation; `NewRSNewReplicas` errors on it).
    Other(String),
}

impl StrategyType {
    /// Parses the API spelling (empty = RollingUpdate, the default).
    pub fn parse(s: &str) -> StrategyType {
        match s {
            "" | "RollingUpdate" => StrategyType::RollingUpdate,
            "Recreate" => StrategyType::Recreate,
            other => StrategyType::Other(other.to_string()),
        }
    }
}

/// The parts of a Deployment the rollout math reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentView {
    /// `spec.replicas` (default 1).
    pub replicas: i32,
    /// `spec.strategy.type`.
    pub strategy: StrategyType,
    /// `spec.strategy.rollingUpdate.maxSurge` (default 25%).
    pub max_surge: Option<IntOrString>,
    /// `spec.strategy.rollingUpdate.maxUnavailable` (default 25%).
    pub max_unavailable: Option<IntOrString>,
}

impl DeploymentView {
    /// A RollingUpdate deployment with the given fenceposts.
    pub fn rolling(replicas: i32, max_surge: IntOrString, max_unavailable: IntOrString) -> Self {
        DeploymentView {
            replicas,
            strategy: StrategyType::RollingUpdate,
            max_surge: Some(max_surge),
            max_unavailable: Some(max_unavailable),
        }
    }
}

/// The apps/v1 default for both maxSurge and maxUnavailable (`25%`).
pub fn default_fencepost() -> IntOrString {
    IntOrString::string("25%")
}

/// A ReplicaSet as the rollout sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaSetView {
    /// Name (tie-breaker for ordering).
    pub name: String,
    /// `metadata.creationTimestamp` (oldest first when scaling down).
    pub created: SimTime,
    /// `spec.replicas`.
    pub replicas: i32,
    /// `status.availableReplicas`.
    pub available_replicas: i32,
}

impl ReplicaSetView {
    /// A view from parts.
    pub fn new(name: &str, created: SimTime, replicas: i32, available: i32) -> ReplicaSetView {
        ReplicaSetView {
            name: name.to_string(),
            created,
            replicas,
            available_replicas: available,
        }
    }
}

/// `GetReplicaCountForReplicaSets`: Σ spec.replicas.
pub fn replica_count(rss: &[ReplicaSetView]) -> i32 {
    rss.iter().map(|r| r.replicas).sum()
}

/// `GetAvailableReplicaCountForReplicaSets`: Σ status.availableReplicas.
pub fn available_count(rss: &[ReplicaSetView]) -> i32 {
    rss.iter().map(|r| r.available_replicas).sum()
}

/// `ReplicaSetsByCreationTimestamp`: oldest first, then by name.
pub fn sort_oldest_first(rss: &mut [ReplicaSetView]) {
    rss.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.name.cmp(&b.name)));
}

/// `ResolveFenceposts(maxSurge, maxUnavailable, desired)`: surge rounds up, unavailable
/// rounds down (unset = 0); if both resolve to 0, unavailable becomes 1 so a rollout can
/// always make progress.
pub fn resolve_fenceposts(
    max_surge: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    desired: i32,
) -> Result<(i32, i32), IntOrStringError> {
    let zero = IntOrString::Int(0);
    let surge = get_scaled_value_from_int_or_percent(
        Some(max_surge.unwrap_or(&zero)),
        i64::from(desired),
        true,
    )?;
    let mut unavailable = get_scaled_value_from_int_or_percent(
        Some(max_unavailable.unwrap_or(&zero)),
        i64::from(desired),
        false,
    )?;
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    Ok((surge as i32, unavailable as i32))
}

/// `MaxUnavailable(d)`: 0 unless RollingUpdate with replicas > 0; never above replicas.
/// (Resolution errors are caught by validation; they count as 0 here.)
pub fn max_unavailable(d: &DeploymentView) -> i32 {
    if d.strategy != StrategyType::RollingUpdate || d.replicas == 0 {
        return 0;
    }
    let (_, unavailable) =
        resolve_fenceposts(d.max_surge.as_ref(), d.max_unavailable.as_ref(), d.replicas)
            .unwrap_or((0, 0));
    unavailable.min(d.replicas)
}

/// `MaxSurge(d)`: 0 unless RollingUpdate.
pub fn max_surge(d: &DeploymentView) -> i32 {
    if d.strategy != StrategyType::RollingUpdate {
        return 0;
    }
    resolve_fenceposts(d.max_surge.as_ref(), d.max_unavailable.as_ref(), d.replicas)
        .map(|(s, _)| s)
        .unwrap_or(0)
}

/// `NewRSNewReplicas(d, allRSs, newRS)`: RollingUpdate may grow the new RS up to
/// `replicas + maxSurge` pods in total, never past `replicas`; Recreate jumps to
/// `replicas`.
pub fn new_rs_new_replicas(
    d: &DeploymentView,
    all_rss: &[ReplicaSetView],
    new_rs_replicas: i32,
) -> Result<i32, String> {
    match &d.strategy {
        StrategyType::RollingUpdate => {
            let surge = get_scaled_value_from_int_or_percent(
                Some(d.max_surge.as_ref().unwrap_or(&IntOrString::Int(0))),
                i64::from(d.replicas),
                true,
            )
            .map_err(|e| e.to_string())? as i32;
            let current = replica_count(all_rss);
            let max_total = d.replicas + surge;
            if current >= max_total {
                return Ok(new_rs_replicas);
            }
            let scale_up = (max_total - current).min(d.replicas - new_rs_replicas);
            Ok(new_rs_replicas + scale_up)
        }
        StrategyType::Recreate => Ok(d.replicas),
        StrategyType::Other(t) => Err(format!("deployment type {t} isn't supported")),
    }
}

/// `reconcileNewReplicaSet`: `Some(new count)` if the new RS must be scaled — down to
/// `replicas` if above it, else to [`new_rs_new_replicas`] — `None` if it stays.
/// `all_rss` includes the new RS.
pub fn reconcile_new_replica_set(
    d: &DeploymentView,
    all_rss: &[ReplicaSetView],
    new_rs: &ReplicaSetView,
) -> Result<Option<i32>, String> {
    if new_rs.replicas == d.replicas {
        return Ok(None);
    }
    let target = if new_rs.replicas > d.replicas {
        d.replicas
    } else {
        new_rs_new_replicas(d, all_rss, new_rs.replicas)?
    };
    Ok((target != new_rs.replicas).then_some(target))
}

/// `cleanupUnhealthyReplicas`: oldest RS first, scale each down by
/// `min(remaining budget, replicas − available)` (its unavailable pods), until
/// `max_cleanup` pods are gone. Mutates `old_rss` (re-sorted oldest first) and returns how
/// many pods were removed.
pub fn cleanup_unhealthy_replicas(old_rss: &mut [ReplicaSetView], max_cleanup: i32) -> i32 {
    sort_oldest_first(old_rss);
    let mut total = 0;
    for rs in old_rss.iter_mut() {
        if total >= max_cleanup {
            break;
        }
        if rs.replicas == 0 || rs.replicas == rs.available_replicas {
            continue;
        }
        let n = (max_cleanup - total).min(rs.replicas - rs.available_replicas);
        rs.replicas -= n;
        total += n;
    }
    total
}

/// `scaleDownOldReplicaSetsForRollingUpdate`: if the available pods across all RSs exceed
/// `replicas − maxUnavailable`, remove the excess from old RSs, oldest first. Mutates
/// `old_rss`; `new_rs_available` is the new RS's available count. Returns pods removed.
pub fn scale_down_old_replica_sets_for_rolling_update(
    d: &DeploymentView,
    old_rss: &mut [ReplicaSetView],
    new_rs_available: i32,
) -> i32 {
    let min_available = d.replicas - max_unavailable(d);
    let available = available_count(old_rss) + new_rs_available;
    if available <= min_available {
        return 0;
    }
    sort_oldest_first(old_rss);
    let want = available - min_available;
    let mut total = 0;
    for rs in old_rss.iter_mut() {
        if total >= want {
            break;
        }
        if rs.replicas == 0 {
            continue;
        }
        let n = rs.replicas.min(want - total);
        rs.replicas -= n;
        total += n;
    }
    total
}

/// `reconcileOldReplicaSets`: with `minAvailable = replicas − maxUnavailable` and
/// `maxScaledDown = Σ replicas − minAvailable − (newRS unavailable)`, first clean up
/// unhealthy old pods within that budget, then scale old RSs down by the available
/// excess. Mutates `old_rss`; returns whether anything was scaled.
pub fn reconcile_old_replica_sets(
    d: &DeploymentView,
    old_rss: &mut [ReplicaSetView],
    new_rs: &ReplicaSetView,
) -> bool {
    if replica_count(old_rss) == 0 {
        return false;
    }
    let all_pods = replica_count(old_rss) + new_rs.replicas;
    let min_available = d.replicas - max_unavailable(d);
    let new_rs_unavailable = new_rs.replicas - new_rs.available_replicas;
    let max_scaled_down = all_pods - min_available - new_rs_unavailable;
    if max_scaled_down <= 0 {
        return false;
    }
    let cleaned = cleanup_unhealthy_replicas(old_rss, max_scaled_down);
    let scaled =
        scale_down_old_replica_sets_for_rolling_update(d, old_rss, new_rs.available_replicas);
    cleaned + scaled > 0
}

/// What one `rolloutRolling` sync decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutStep {
    /// The new RS's replicas after this sync.
    pub new_rs_replicas: i32,
    /// The old RSs after this sync (oldest first).
    pub old_rss: Vec<ReplicaSetView>,
    /// Whether the new RS was scaled (then old RSs are left for the next sync).
    pub scaled_up: bool,
    /// Whether any old RS was scaled down.
    pub scaled_down: bool,
}

/// `rolloutRolling`: reconcile the new RS; if it scaled, stop there; otherwise reconcile
/// the old RSs.
pub fn rollout_rolling(
    d: &DeploymentView,
    old_rss: &[ReplicaSetView],
    new_rs: &ReplicaSetView,
) -> Result<RolloutStep, String> {
    let mut all: Vec<ReplicaSetView> = old_rss.to_vec();
    all.push(new_rs.clone());
    let mut old = old_rss.to_vec();
    sort_oldest_first(&mut old);
    if let Some(n) = reconcile_new_replica_set(d, &all, new_rs)? {
        return Ok(RolloutStep {
            new_rs_replicas: n,
            old_rss: old,
            scaled_up: true,
            scaled_down: false,
        });
    }
    let scaled_down = reconcile_old_replica_sets(d, &mut old, new_rs);
    Ok(RolloutStep {
        new_rs_replicas: new_rs.replicas,
        old_rss: old,
        scaled_up: false,
        scaled_down,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(s: &str) -> IntOrString {
        IntOrString::string(s)
    }
    fn int(i: i64) -> IntOrString {
        IntOrString::Int(i)
    }
    fn rs(name: &str, t: u64, replicas: i32, available: i32) -> ReplicaSetView {
        ReplicaSetView::new(name, SimTime(t), replicas, available)
    }

    #[test]
    fn fenceposts() {
        let f = |s: &str, u: &str, d| resolve_fenceposts(Some(&pct(s)), Some(&pct(u)), d);
        assert_eq!(f("0%", "0%", 0), Ok((0, 1)));
        assert_eq!(f("39%", "39%", 10), Ok((4, 3)));
        assert!(f("oops", "39%", 10).is_err());
        assert!(f("39%", "oops", 10).is_err());
        assert_eq!(f("25%", "25%", 10), Ok((3, 2)));
        assert_eq!(f("25%", "25%", 1), Ok((1, 0)));
        assert_eq!(f("0%", "10%", 5), Ok((0, 1)));
        assert_eq!(resolve_fenceposts(None, None, 10), Ok((0, 1)));
    }

    #[test]
    fn max_unavailable_and_surge() {
        assert_eq!(
            max_unavailable(&DeploymentView::rolling(10, int(1), int(5))),
            5
        );
        assert_eq!(
            max_unavailable(&DeploymentView::rolling(5, int(1), int(10))),
            5
        );
        assert_eq!(
            max_unavailable(&DeploymentView::rolling(10, int(1), pct("100%"))),
            10
        );
        assert_eq!(
            max_unavailable(&DeploymentView::rolling(0, int(1), int(5))),
            0
        );
        assert_eq!(
            max_unavailable(&DeploymentView::rolling(10, int(0), int(0))),
            1
        );
        let recreate = DeploymentView {
            strategy: StrategyType::Recreate,
            ..DeploymentView::rolling(10, int(1), int(5))
        };
        assert_eq!(max_unavailable(&recreate), 0);
        assert_eq!(max_surge(&recreate), 0);
        assert_eq!(
            max_surge(&DeploymentView::rolling(10, pct("25%"), pct("25%"))),
            3
        );
    }

    #[test]
    fn new_rs_replicas() {
        let all = [rs("rs5", 0, 5, 5)];
        let d = |r, s| DeploymentView::rolling(r, int(s), int(1));
        assert_eq!(new_rs_new_replicas(&d(1, 1), &all, 5), Ok(5));
        assert_eq!(new_rs_new_replicas(&d(6, 10), &all, 2), Ok(6));
        let recreate = DeploymentView {
            strategy: StrategyType::Recreate,
            ..d(3, 1)
        };
        assert_eq!(new_rs_new_replicas(&recreate, &all, 1), Ok(3));
        let other = DeploymentView {
            strategy: StrategyType::Other("Blue".into()),
            ..d(3, 1)
        };
        assert!(new_rs_new_replicas(&other, &all, 1).is_err());
    }

    #[test]
    fn reconcile_new_table() {
        // (replicas, surge, old, new) -> expected
        let cases = [
            (10, 0, 10, 0, None),
            (10, 2, 10, 0, Some(2)),
            (10, 2, 5, 0, Some(7)),
            (10, 2, 10, 2, None),
            (10, 2, 2, 11, Some(10)),
        ];
        for (replicas, surge, old, new, want) in cases {
            let d = DeploymentView::rolling(replicas, int(surge), int(0));
            let new_rs = rs("new", 2, new, 0);
            let all = [rs("old", 1, old, old), new_rs.clone()];
            assert_eq!(
                reconcile_new_replica_set(&d, &all, &new_rs),
                Ok(want),
                "{replicas} {surge} {old} {new}"
            );
        }
    }

    #[test]
    fn reconcile_old_table() {
        // (replicas, maxUnavailable, old, new, oldReady, newReady) -> (scaled, old after)
        let cases = [
            (10, 0, 10, 0, 10, 0, true, 9),
            (10, 2, 10, 0, 10, 0, true, 8),
            (10, 2, 10, 0, 8, 0, true, 8),
            (10, 2, 10, 0, 9, 0, true, 8),
            (10, 2, 8, 2, 8, 0, false, 8),
        ];
        for (replicas, unavail, old, new, old_ready, new_ready, scaled, after) in cases {
            let d = DeploymentView::rolling(replicas, int(0), int(unavail));
            let mut olds = vec![rs("old", 1, old, old_ready)];
            let new_rs = rs("new", 2, new, new_ready);
            assert_eq!(reconcile_old_replica_sets(&d, &mut olds, &new_rs), scaled);
            assert_eq!(olds[0].replicas, after);
        }
    }

    #[test]
    fn cleanup_table() {
        for (max, want) in [(1, 1), (3, 2), (0, 0)] {
            let mut olds = vec![rs("old", 1, 10, 8)];
            assert_eq!(cleanup_unhealthy_replicas(&mut olds, max), want);
            assert_eq!(olds[0].replicas, 10 - want);
        }
        // Oldest first across several RSs.
        let mut olds = vec![rs("b", 2, 3, 1), rs("a", 1, 3, 2)];
        assert_eq!(cleanup_unhealthy_replicas(&mut olds, 2), 2);
        assert_eq!((olds[0].name.as_str(), olds[0].replicas), ("a", 2));
        assert_eq!((olds[1].name.as_str(), olds[1].replicas), ("b", 2));
    }

    #[test]
    fn scale_down_old_table() {
        let cases = [
            (0, 10, 10, true, 9),
            (2, 10, 10, true, 8),
            (2, 8, 10, false, 10),
            (2, 0, 0, false, 0),
        ];
        for (unavail, ready, old, scaled, after) in cases {
            let d = DeploymentView::rolling(10, int(0), int(unavail));
            let mut olds = vec![rs("old", 1, old, ready)];
            let n = scale_down_old_replica_sets_for_rolling_update(&d, &mut olds, 0);
            assert_eq!(n > 0, scaled);
            assert_eq!(olds[0].replicas, after);
        }
    }

    #[test]
    fn a_whole_rollout_converges() {
        // 10 replicas at 25%/25%: ≤ 13 pods, ≥ 8 available, every pod becomes available
        // at the next sync.
        let d = DeploymentView::rolling(10, pct("25%"), pct("25%"));
        let mut old = vec![rs("old", 1, 10, 10)];
        let mut new_rs = rs("new", 2, 0, 0);
        for _ in 0..20 {
            let step = rollout_rolling(&d, &old, &new_rs).unwrap();
            new_rs.replicas = step.new_rs_replicas;
            old = step.old_rss;
            let total = replica_count(&old) + new_rs.replicas;
            assert!(total <= 13, "surge bound: {total}");
            // Pods become available before the next sync.
            new_rs.available_replicas = new_rs.replicas;
            for o in old.iter_mut() {
                o.available_replicas = o.available_replicas.min(o.replicas);
            }
            assert!(available_count(&old) + new_rs.available_replicas >= 8);
        }
        assert_eq!(new_rs.replicas, 10);
        assert_eq!(replica_count(&old), 0);
    }
}
