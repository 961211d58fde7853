//! NodeName (`pkg/scheduler/framework/plugins/nodename`).

use crate::scheduler::framework::{Code, NodeInfo, PodInfo, Status};

/// Plugin name.
pub const NAME: &str = "NodeName";
/// `ErrReason`.
pub const REASON: &str = "node(s) didn't match the requested node name";

/// `Fits`: the pod has no `spec.nodeName`, or it names this node.
pub fn fits(pod: &PodInfo, node: &NodeInfo) -> bool {
    pod.node_name.is_empty() || pod.node_name == node.name.as_str()
}

/// Filter: UnschedulableAndUnresolvable unless [`fits`].
pub fn filter(pod: &PodInfo, node: &NodeInfo) -> Status {
    if fits(pod, node) {
        Status::success()
    } else {
        Status::new(
            Code::UnschedulableAndUnresolvable,
            NAME,
            vec![REASON.to_string()],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_name() {
        let node = NodeInfo {
            name: "a".into(),
            ..NodeInfo::default()
        };
        let mut pod = PodInfo::default();
        assert!(filter(&pod, &node).is_success());
        pod.node_name = "a".into();
        assert!(filter(&pod, &node).is_success());
        pod.node_name = "b".into();
        assert_eq!(filter(&pod, &node).reasons, vec![REASON.to_string()]);
    }
}
