//! A pod's phase from its container statuses (`pkg/kubelet/kubelet_pods.go getPhase`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// `PodPhase` (Unknown is deprecated and never set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PodPhase {
    /// Accepted, but some container has not started (pulling images, init containers…).
    Pending,
    /// Bound, all containers created, at least one running (or restarting).
    Running,
    /// All containers terminated successfully and will not restart.
    Succeeded,
    /// All containers terminated, at least one in failure, and none will restart.
    Failed,
}

impl PodPhase {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
        }
    }

    /// Succeeded and Failed never transition back.
    pub fn is_terminal(self) -> bool {
        matches!(self, PodPhase::Succeeded | PodPhase::Failed)
    }
}

impl fmt::Display for PodPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `spec.restartPolicy` (pod default Always).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub enum RestartPolicy {
    /// Always restart.
    #[default]
    Always,
    /// Restart only after a non-zero exit.
    OnFailure,
    /// Never restart.
    Never,
}

impl RestartPolicy {
    /// Parses the API spelling (empty = Always).
    pub fn parse(s: &str) -> Result<RestartPolicy, String> {
        match s {
            "" | "Always" => Ok(RestartPolicy::Always),
            "OnFailure" => Ok(RestartPolicy::OnFailure),
            "Never" => Ok(RestartPolicy::Never),
            other => Err(format!("unsupported restartPolicy \"{other}\"")),
        }
    }

    /// Whether a container that exited with `exit_code` is restarted.
    pub fn restarts(self, exit_code: i32) -> bool {
        match self {
            RestartPolicy::Always => true,
            RestartPolicy::OnFailure => exit_code != 0,
            RestartPolicy::Never => false,
        }
    }
}

/// One container's reported state (`ContainerStatus.State` + `LastTerminationState`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContainerState {
    /// A status exists but no state is set (counts as unknown / pending).
    Unset,
    /// Waiting; `last_exit_code` is the last termination's exit code, if it ever ran.
    Waiting {
        /// Why (ContainerCreating, ErrImagePull, ImagePullBackOff, CrashLoopBackOff…).
        reason: String,
        /// Exit code of the last termination, if any.
        last_exit_code: Option<i32>,
    },
    /// Running; `started` is the startup-probe result (`ContainerStatus.Started`).
    Running {
        /// Whether the container has passed its startup probe (true without one).
        started: bool,
    },
    /// Terminated with this exit code.
    Terminated {
        /// Exit code.
        exit_code: i32,
    },
}

/// A container of the spec with its status, if the kubelet reported one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerPhaseInput {
    /// Container name.
    pub name: String,
    /// Init containers only: `restartPolicy: Always` (a sidecar).
    pub restartable: bool,
    /// The reported state; `None` = no status for this container.
    pub state: Option<ContainerState>,
}

impl ContainerPhaseInput {
    /// A container with a state.
    pub fn new(name: &str, state: Option<ContainerState>) -> ContainerPhaseInput {
        ContainerPhaseInput {
            name: name.to_string(),
            restartable: false,
            state,
        }
    }
}

/// `HasAnyRegularContainerStarted`: some regular container is running or terminated.
pub fn has_any_regular_container_started(containers: &[ContainerPhaseInput]) -> bool {
    containers.iter().any(|c| {
        matches!(
            c.state,
            Some(ContainerState::Running { .. }) | Some(ContainerState::Terminated { .. })
        )
    })
}

/// `getPhase(pod, statuses, podIsTerminal, podHasInitialized)`.
///
/// Init containers: a regular one is pending unless terminated (non-zero exit, or a
/// waiting one whose last exit was non-zero, counts as failed initialization); a sidecar is
/// pending until it runs and has started (terminated sidecars are ignored). Regular
/// containers are counted as running, waiting (never ran), stopped (terminated, or
/// waiting after a termination), succeeded (terminated with 0) and unknown (no status).
/// Then: failed init with restartPolicy Never → Failed; pending regular init, or pending
/// sidecar before the pod initialized → Pending; any waiting → Pending; running and no
/// unknown → Running; all stopped → Running (Always), Succeeded (all 0), Failed (Never),
/// Running (OnFailure); else Pending. A terminal pod (`pod_is_terminal`) with all
/// containers stopped is Succeeded or Failed regardless of the restart policy.
pub fn get_phase(
    restart_policy: RestartPolicy,
    init_containers: &[ContainerPhaseInput],
    containers: &[ContainerPhaseInput],
    pod_is_terminal: bool,
    pod_has_initialized: bool,
) -> PodPhase {
    let (mut pending_restartable, mut pending_regular_init, mut failed_init) = (0, 0, 0);
    for c in init_containers {
        if c.restartable {
            match &c.state {
                None | Some(ContainerState::Unset) => pending_restartable += 1,
                Some(ContainerState::Running { started }) => {
                    if !started {
                        pending_restartable += 1;
                    }
                }
                Some(ContainerState::Terminated { .. }) => {}
                Some(ContainerState::Waiting { last_exit_code, .. }) => {
                    if last_exit_code.is_none() {
                        pending_restartable += 1;
                    }
                }
            }
            continue;
        }
        match &c.state {
            None | Some(ContainerState::Unset) | Some(ContainerState::Running { .. }) => {
                pending_regular_init += 1
            }
            Some(ContainerState::Terminated { exit_code }) => {
                if *exit_code != 0 {
                    failed_init += 1;
                }
            }
            Some(ContainerState::Waiting { last_exit_code, .. }) => match last_exit_code {
                Some(code) if *code != 0 => failed_init += 1,
                Some(_) => {}
                None => pending_regular_init += 1,
            },
        }
    }

    let (mut unknown, mut running, mut waiting, mut stopped, mut succeeded) = (0, 0, 0, 0, 0);
    for c in containers {
        match &c.state {
            None | Some(ContainerState::Unset) => unknown += 1,
            Some(ContainerState::Running { .. }) => running += 1,
            Some(ContainerState::Terminated { exit_code }) => {
                stopped += 1;
                if *exit_code == 0 {
                    succeeded += 1;
                }
            }
            Some(ContainerState::Waiting { last_exit_code, .. }) => {
                if last_exit_code.is_some() {
                    stopped += 1;
                } else {
                    waiting += 1;
                }
            }
        }
    }

    if failed_init > 0 && restart_policy == RestartPolicy::Never {
        return PodPhase::Failed;
    }
    if pending_regular_init > 0 || (pending_restartable > 0 && !pod_has_initialized) {
        return PodPhase::Pending;
    }
    if waiting > 0 {
        return PodPhase::Pending;
    }
    if running > 0 && unknown == 0 {
        return PodPhase::Running;
    }
    if running == 0 && stopped > 0 && unknown == 0 {
        if pod_is_terminal {
            return if stopped == succeeded {
                PodPhase::Succeeded
            } else {
                PodPhase::Failed
            };
        }
        if restart_policy == RestartPolicy::Always {
            return PodPhase::Running;
        }
        if stopped == succeeded {
            return PodPhase::Succeeded;
        }
        if restart_policy == RestartPolicy::Never {
            return PodPhase::Failed;
        }
        return PodPhase::Running;
    }
    PodPhase::Pending
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running() -> Option<ContainerState> {
        Some(ContainerState::Running { started: true })
    }
    fn term(code: i32) -> Option<ContainerState> {
        Some(ContainerState::Terminated { exit_code: code })
    }
    fn waiting(last: Option<i32>) -> Option<ContainerState> {
        Some(ContainerState::Waiting {
            reason: "CrashLoopBackOff".into(),
            last_exit_code: last,
        })
    }
    fn pod(states: Vec<Option<ContainerState>>) -> Vec<ContainerPhaseInput> {
        states
            .into_iter()
            .enumerate()
            .map(|(i, s)| ContainerPhaseInput::new(&format!("c{i}"), s))
            .collect()
    }
    fn phase(
        p: RestartPolicy,
        init: &[ContainerPhaseInput],
        c: &[ContainerPhaseInput],
    ) -> PodPhase {
        get_phase(p, init, c, false, has_any_regular_container_started(c))
    }

    #[test]
    fn restart_always() {
        let a = RestartPolicy::Always;
        assert_eq!(phase(a, &[], &pod(vec![None, None])), PodPhase::Pending);
        assert_eq!(
            phase(a, &[], &pod(vec![running(), running()])),
            PodPhase::Running
        );
        assert_eq!(
            phase(a, &[], &pod(vec![term(0), term(0)])),
            PodPhase::Running
        );
        assert_eq!(
            phase(a, &[], &pod(vec![running(), term(0)])),
            PodPhase::Running
        );
        assert_eq!(
            phase(a, &[], &pod(vec![running(), None])),
            PodPhase::Pending
        );
        assert_eq!(
            phase(a, &[], &pod(vec![running(), waiting(Some(0))])),
            PodPhase::Running
        );
    }

    #[test]
    fn restart_never_and_on_failure() {
        let n = RestartPolicy::Never;
        assert_eq!(
            phase(n, &[], &pod(vec![term(0), term(0)])),
            PodPhase::Succeeded
        );
        assert_eq!(
            phase(n, &[], &pod(vec![term(-1), term(-1)])),
            PodPhase::Failed
        );
        assert_eq!(
            phase(n, &[], &pod(vec![running(), term(-1)])),
            PodPhase::Running
        );
        let o = RestartPolicy::OnFailure;
        assert_eq!(
            phase(o, &[], &pod(vec![term(0), term(-1)])),
            PodPhase::Running
        );
        assert_eq!(
            phase(o, &[], &pod(vec![running(), waiting(None)])),
            PodPhase::Pending
        );
        assert_eq!(
            phase(o, &[], &pod(vec![term(0), term(0)])),
            PodPhase::Succeeded
        );
    }

    #[test]
    fn init_containers() {
        let a = RestartPolicy::Always;
        let c = pod(vec![None]);
        assert_eq!(phase(a, &pod(vec![running()]), &c), PodPhase::Pending);
        assert_eq!(phase(a, &pod(vec![term(1)]), &c), PodPhase::Pending);
        assert_eq!(
            phase(RestartPolicy::Never, &pod(vec![term(1)]), &c),
            PodPhase::Failed
        );
        assert_eq!(
            phase(RestartPolicy::Never, &pod(vec![waiting(Some(2))]), &c),
            PodPhase::Failed
        );
        assert_eq!(
            phase(a, &pod(vec![term(0)]), &pod(vec![running()])),
            PodPhase::Running
        );
    }

    #[test]
    fn sidecars() {
        let a = RestartPolicy::Always;
        let mut sidecar =
            ContainerPhaseInput::new("s", Some(ContainerState::Running { started: false }));
        sidecar.restartable = true;
        // Sidecar not started yet, regular containers not started: Pending.
        assert_eq!(
            phase(a, std::slice::from_ref(&sidecar), &pod(vec![None])),
            PodPhase::Pending
        );
        // Sidecar restarting after the pod initialized: stays Running.
        assert_eq!(
            phase(a, std::slice::from_ref(&sidecar), &pod(vec![running()])),
            PodPhase::Running
        );
        // A terminal pod reports Succeeded/Failed whatever the policy.
        assert_eq!(
            get_phase(a, &[], &pod(vec![term(0), term(1)]), true, true),
            PodPhase::Failed
        );
    }

    #[test]
    fn restart_policy_rules() {
        assert!(RestartPolicy::OnFailure.restarts(1));
        assert!(!RestartPolicy::OnFailure.restarts(0));
        assert!(!RestartPolicy::Never.restarts(1));
        assert_eq!(RestartPolicy::parse(""), Ok(RestartPolicy::Always));
        assert!(RestartPolicy::parse("Sometimes").is_err());
    }
}
