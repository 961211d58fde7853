//! NodeUnschedulable (`pkg/scheduler/framework/plugins/nodeunschedulable`).

use crate::kube::taint::{
    TAINT_NODE_UNSCHEDULABLE, Taint, TaintEffect, tolerations_tolerate_taint,
};
use crate::scheduler::framework::{Code, NodeInfo, PodInfo, Status};

/// Plugin name.
pub const NAME: &str = "NodeUnschedulable";
/// `ErrReasonUnschedulable`.
pub const REASON: &str = "node(s) were unschedulable";

/// Filter: a cordoned node (`spec.unschedulable`) rejects the pod unless it tolerates the
/// `node.kubernetes.io/unschedulable:NoSchedule` taint.
pub fn filter(pod: &PodInfo, node: &NodeInfo) -> Status {
    if !node.unschedulable {
        return Status::success();
    }
    let taint = Taint::new(TAINT_NODE_UNSCHEDULABLE, "", TaintEffect::NoSchedule);
    if !tolerations_tolerate_taint(&pod.tolerations, &taint, false) {
        return Status::new(
            Code::UnschedulableAndUnresolvable,
            NAME,
            vec![REASON.to_string()],
        );
    }
    Status::success()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::taint::Toleration;

    #[test]
    fn cordoned_nodes_need_the_toleration() {
        let node = NodeInfo {
            unschedulable: true,
            ..NodeInfo::default()
        };
        let mut pod = PodInfo::default();
        assert_eq!(filter(&pod, &node).code, Code::UnschedulableAndUnresolvable);
        pod.tolerations = vec![Toleration::exists(
            TAINT_NODE_UNSCHEDULABLE,
            Some(TaintEffect::NoSchedule),
            None,
        )];
        assert!(filter(&pod, &node).is_success());
        assert!(filter(&PodInfo::default(), &NodeInfo::default()).is_success());
    }
}
