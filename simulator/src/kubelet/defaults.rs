//! API defaults the kubelet depends on (`pkg/apis/core/v1/defaults.go`,
//! `kubernetes/api core/v1/types.go`, `pkg/kubelet/kuberuntime/kuberuntime_container.go`).

use crate::kube::image_ref::{PullPolicy, default_pull_policy};
use serde::{Deserialize, Serialize};

/// `DefaultTerminationGracePeriodSeconds`.
pub const TERMINATION_GRACE_PERIOD_SECONDS: i64 = 30;
/// `minimumGracePeriodInSeconds`: a container always gets at least 2 s after preStop.
pub const MINIMUM_GRACE_PERIOD_SECONDS: i64 = 2;
/// `terminationMessagePath` default.
pub const TERMINATION_MESSAGE_PATH: &str = "/dev/termination-log";
/// `terminationMessagePolicy` default.
pub const TERMINATION_MESSAGE_POLICY: &str = "File";
/// `dnsPolicy` default.
pub const DNS_POLICY: &str = "ClusterFirst";
/// `schedulerName` default.
pub const SCHEDULER_NAME: &str = "default-scheduler";
/// `restartPolicy` default.
pub const RESTART_POLICY: &str = "Always";

/// A probe's timing fields; `None` means "not set".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeTiming {
    /// Seconds after start before the first probe (no defaulter: 0).
    pub initial_delay_seconds: Option<i64>,
    /// Probe timeout.
    pub timeout_seconds: Option<i64>,
    /// Probe period.
    pub period_seconds: Option<i64>,
    /// Consecutive successes to be considered successful.
    pub success_threshold: Option<i64>,
    /// Consecutive failures to be considered failed.
    pub failure_threshold: Option<i64>,
    /// Per-probe grace period override for liveness/startup kills.
    pub termination_grace_period_seconds: Option<i64>,
}

/// A probe with every default applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    /// `initialDelaySeconds` (0).
    pub initial_delay_seconds: i64,
    /// `timeoutSeconds` (1).
    pub timeout_seconds: i64,
    /// `periodSeconds` (10).
    pub period_seconds: i64,
    /// `successThreshold` (1).
    pub success_threshold: i64,
    /// `failureThreshold` (3).
    pub failure_threshold: i64,
    /// `terminationGracePeriodSeconds` (unset: the pod's applies).
    pub termination_grace_period_seconds: Option<i64>,
}

impl ProbeTiming {
    /// `SetDefaults_Probe`: timeout 1, period 10, success 1, failure 3; zero values count as
    /// unset, as in Go. `initialDelaySeconds` has no defaulter (0).
    pub fn with_defaults(&self) -> Probe {
        let or = |v: Option<i64>, d: i64| match v {
            Some(x) if x != 0 => x,
            _ => d,
        };
        Probe {
            initial_delay_seconds: self.initial_delay_seconds.unwrap_or(0),
            timeout_seconds: or(self.timeout_seconds, 1),
            period_seconds: or(self.period_seconds, 10),
            success_threshold: or(self.success_threshold, 1),
            failure_threshold: or(self.failure_threshold, 3),
            termination_grace_period_seconds: self.termination_grace_period_seconds,
        }
    }
}

/// The grace period a kill uses: the deletion's grace period if set, else a liveness or
/// startup probe's own `terminationGracePeriodSeconds` for probe kills, else the pod's
/// (default 30).
pub fn effective_grace_period(
    deletion_grace_period: Option<i64>,
    probe_grace_period: Option<i64>,
    pod_grace_period: Option<i64>,
) -> i64 {
    deletion_grace_period
        .or(probe_grace_period)
        .or(pod_grace_period)
        .unwrap_or(TERMINATION_GRACE_PERIOD_SECONDS)
}

/// `killContainer`: the seconds left after preStop, never below
/// [`MINIMUM_GRACE_PERIOD_SECONDS`].
pub fn grace_after_pre_stop(grace: i64, pre_stop_seconds: i64) -> i64 {
    (grace - pre_stop_seconds).max(MINIMUM_GRACE_PERIOD_SECONDS)
}

/// `SetDefaults_Container`'s pull policy: explicit wins, else by tag.
pub fn image_pull_policy(explicit: Option<PullPolicy>, image: &str) -> PullPolicy {
    explicit.unwrap_or_else(|| default_pull_policy(image))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_defaults() {
        let p = ProbeTiming::default().with_defaults();
        assert_eq!(
            (
                p.initial_delay_seconds,
                p.timeout_seconds,
                p.period_seconds,
                p.success_threshold,
                p.failure_threshold
            ),
            (0, 1, 10, 1, 3)
        );
        let q = ProbeTiming {
            period_seconds: Some(5),
            failure_threshold: Some(0),
            initial_delay_seconds: Some(7),
            ..ProbeTiming::default()
        }
        .with_defaults();
        assert_eq!(
            (
                q.period_seconds,
                q.failure_threshold,
                q.initial_delay_seconds
            ),
            (5, 3, 7)
        );
    }

    #[test]
    fn grace_periods() {
        assert_eq!(effective_grace_period(None, None, None), 30);
        assert_eq!(effective_grace_period(None, Some(5), Some(60)), 5);
        assert_eq!(effective_grace_period(Some(0), Some(5), Some(60)), 0);
        assert_eq!(grace_after_pre_stop(30, 29), 2);
        assert_eq!(grace_after_pre_stop(30, 10), 20);
    }

    #[test]
    fn pull_policy() {
        assert_eq!(image_pull_policy(None, "nginx"), PullPolicy::Always);
        assert_eq!(image_pull_policy(None, "nginx:1"), PullPolicy::IfNotPresent);
        assert_eq!(
            image_pull_policy(Some(PullPolicy::Never), "nginx"),
            PullPolicy::Never
        );
    }
}
