//! Rollout progress (`pkg/controller/deployment/util/deployment_util.go`
//! `DeploymentComplete`, `DeploymentProgressing`, `DeploymentTimedOut`; `progress.go`).

use crate::time::{SimDuration, SimTime};
use serde::{Deserialize, Serialize};

/// `NewReplicaSetCreated`: the Progressing reason when a new RS was created.
pub const REASON_NEW_RS_CREATED: &str = "NewReplicaSetCreated";
/// `FoundNewReplicaSet`: the Progressing reason when an existing RS matches the template.
pub const REASON_FOUND_NEW_RS: &str = "FoundNewReplicaSet";
/// `ReplicaSetUpdated`: the Progressing reason while the rollout makes progress.
pub const REASON_RS_UPDATED: &str = "ReplicaSetUpdated";
/// `NewReplicaSetAvailable`: the rollout is complete.
pub const REASON_NEW_RS_AVAILABLE: &str = "NewReplicaSetAvailable";
/// `ProgressDeadlineExceeded`: Progressing=False, the rollout timed out.
pub const REASON_TIMED_OUT: &str = "ProgressDeadlineExceeded";
/// `DeploymentPaused`.
pub const REASON_PAUSED: &str = "DeploymentPaused";
/// `DeploymentResumed`.
pub const REASON_RESUMED: &str = "DeploymentResumed";
/// `progressDeadlineSeconds` default.
pub const DEFAULT_PROGRESS_DEADLINE_SECONDS: i32 = 600;
/// `progressDeadlineSeconds` value that disables the check (`math.MaxInt32`).
pub const NO_PROGRESS_DEADLINE: i32 = i32::MAX;

/// The status counters progress is judged by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    /// `status.replicas`.
    pub replicas: i32,
    /// `status.updatedReplicas`.
    pub updated: i32,
    /// `status.readyReplicas`.
    pub ready: i32,
    /// `status.availableReplicas`.
    pub available: i32,
}

/// `DeploymentComplete`: updated == replicas == available == desired, and the
/// controller has observed the latest generation.
pub fn deployment_complete(
    desired: i32,
    status: &StatusCounts,
    generation: i64,
    observed_generation: i64,
) -> bool {
    status.updated == desired
        && status.replicas == desired
        && status.available == desired
        && observed_generation >= generation
}

/// `DeploymentProgressing`: more updated pods, fewer old pods, more ready or more
/// available pods than before.
pub fn deployment_progressing(old: &StatusCounts, new: &StatusCounts) -> bool {
    let old_old = old.replicas - old.updated;
    let new_old = new.replicas - new.updated;
    new.updated > old.updated
        || new_old < old_old
        || new.ready > old.ready
        || new.available > old.available
}

/// The Deployment's `Progressing` condition, as far as timing goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressingCondition {
    /// `reason`.
    pub reason: String,
    /// `lastUpdateTime`.
    pub last_update_time: SimTime,
}

/// `HasProgressDeadline`: set and not `MaxInt32`.
pub fn has_progress_deadline(progress_deadline_seconds: Option<i32>) -> bool {
    progress_deadline_seconds.is_some_and(|s| s != NO_PROGRESS_DEADLINE)
}

/// `DeploymentTimedOut`: no deadline or no condition → false; a completed rollout
/// (`NewReplicaSetAvailable`) never times out; an already timed-out condition stays timed
/// out; else `lastUpdateTime + deadline` strictly before `now`.
pub fn deployment_timed_out(
    progress_deadline_seconds: Option<i32>,
    condition: Option<&ProgressingCondition>,
    now: SimTime,
) -> bool {
    if !has_progress_deadline(progress_deadline_seconds) {
        return false;
    }
    let Some(c) = condition else {
        return false;
    };
    if c.reason == REASON_NEW_RS_AVAILABLE {
        return false;
    }
    if c.reason == REASON_TIMED_OUT {
        return true;
    }
    let secs = u64::try_from(progress_deadline_seconds.unwrap_or(0)).unwrap_or(0);
    c.last_update_time.after(SimDuration::from_secs(secs)) < now
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(replicas: i32, updated: i32, ready: i32, available: i32) -> StatusCounts {
        StatusCounts {
            replicas,
            updated,
            ready,
            available,
        }
    }

    #[test]
    fn complete() {
        assert!(!deployment_complete(5, &st(5, 5, 5, 4), 1, 1));
        assert!(deployment_complete(5, &st(5, 5, 5, 5), 1, 1));
        assert!(!deployment_complete(1, &st(2, 1, 1, 1), 1, 1));
        assert!(
            !deployment_complete(1, &st(1, 1, 1, 1), 2, 1),
            "generation not observed"
        );
        assert!(!deployment_complete(5, &st(5, 4, 5, 5), 1, 1));
    }

    #[test]
    fn progressing() {
        assert!(deployment_progressing(&st(10, 4, 4, 4), &st(10, 6, 4, 4)));
        assert!(deployment_progressing(&st(10, 4, 6, 6), &st(8, 4, 6, 6)));
        assert!(deployment_progressing(&st(10, 4, 7, 7), &st(8, 8, 5, 5)));
        assert!(deployment_progressing(
            &st(10, 10, 10, 9),
            &st(10, 10, 10, 10)
        ));
        assert!(deployment_progressing(
            &st(10, 10, 9, 8),
            &st(10, 10, 10, 8)
        ));
        assert!(!deployment_progressing(&st(10, 4, 5, 5), &st(10, 4, 5, 5)));
        assert!(!deployment_progressing(
            &st(10, 10, 10, 10),
            &st(10, 10, 10, 9)
        ));
        assert!(
            !deployment_progressing(&st(10, 10, 10, 10), &st(11, 10, 10, 10)),
            "more old pods"
        );
    }

    #[test]
    fn timed_out() {
        let c = |reason: &str, t: u64| ProgressingCondition {
            reason: reason.into(),
            last_update_time: SimTime(t * 1000),
        };
        let now = SimTime(80_000);
        assert!(!deployment_timed_out(None, Some(&c("", 69)), now));
        assert!(deployment_timed_out(Some(10), Some(&c("", 69)), now));
        assert!(!deployment_timed_out(Some(10), Some(&c("", 71)), now));
        assert!(
            !deployment_timed_out(Some(10), Some(&c("", 70)), now),
            "strictly before"
        );
        assert!(!deployment_timed_out(
            Some(10),
            Some(&c(REASON_NEW_RS_AVAILABLE, 10)),
            now
        ));
        assert!(deployment_timed_out(
            Some(10),
            Some(&c(REASON_TIMED_OUT, 79)),
            now
        ));
        assert!(!deployment_timed_out(Some(10), None, now));
        assert!(!deployment_timed_out(
            Some(NO_PROGRESS_DEADLINE),
            Some(&c("", 0)),
            now
        ));
    }
}
