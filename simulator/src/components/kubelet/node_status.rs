//! What the kubelet writes into its Node's status (`pkg/kubelet/kubelet_node_status.go`):
//! every post refreshes each condition's `lastHeartbeatTime` and states the kubelet's own
//! view — `Ready=True` and no pressure — which is how a node the node lifecycle controller
//! marked `Unknown` becomes Ready again once its kubelet is back.

use crate::api::meta::Timestamp;
use crate::api::node::Node;
use crate::time::SimTime;

/// The kubelet's own verdict for each condition it owns: (type, status, reason, message).
const KUBELET_CONDITIONS: [(&str, &str, &str, &str); 4] = [
    (
        "MemoryPressure",
        "False",
        "KubeletHasSufficientMemory",
        "kubelet has sufficient memory available",
    ),
    (
        "DiskPressure",
        "False",
        "KubeletHasNoDiskPressure",
        "kubelet has no disk pressure",
    ),
    (
        "PIDPressure",
        "False",
        "KubeletHasSufficientPID",
        "kubelet has sufficient PID available",
    ),
    (
        "Ready",
        "True",
        "KubeletReady",
        "kubelet is posting ready status",
    ),
];

/// Applies one status post at `now` to `node`.
pub fn post(node: &mut Node, now: SimTime) {
    let ts = Some(Timestamp(now));
    for c in &mut node.status.conditions {
        c.last_heartbeat_time = ts;
        if let Some((_, status, reason, message)) =
            KUBELET_CONDITIONS.iter().find(|(t, ..)| *t == c.type_)
            && c.status != *status
        {
            c.status = status.to_string();
            c.reason = Some(reason.to_string());
            c.message = Some(message.to_string());
            c.last_transition_time = ts;
        }
    }
}
