//! TaintToleration (`pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go`).

use crate::kube::taint::{
    TaintEffect, Toleration, do_not_schedule_taints, find_matching_untolerated_taint,
    tolerations_tolerate_taint,
};
use crate::scheduler::framework::{
    Code, MAX_NODE_SCORE, NodeInfo, PodInfo, Status, default_normalize_score,
};

/// Plugin name.
pub const NAME: &str = "TaintToleration";
/// `ErrReasonNotMatch` (current upstream wording; older releases named the taint).
pub const REASON: &str = "node(s) had untolerated taint(s)";

/// Filter: the first NoSchedule/NoExecute taint no toleration tolerates makes the node
/// UnschedulableAndUnresolvable (preemption cannot remove taints).
pub fn filter(pod: &PodInfo, node: &NodeInfo, comparison_enabled: bool) -> Status {
    match find_matching_untolerated_taint(
        &node.taints,
        &pod.tolerations,
        do_not_schedule_taints,
        comparison_enabled,
    ) {
        None => Status::success(),
        Some(_) => Status::new(
            Code::UnschedulableAndUnresolvable,
            NAME,
            vec![REASON.to_string()],
        ),
    }
}

/// PreScore: the pod tolerations that matter for scoring — effect empty or
/// PreferNoSchedule (`getAllTolerationPreferNoSchedule`).
pub fn prefer_no_schedule_tolerations(pod: &PodInfo) -> Vec<Toleration> {
    pod.tolerations
        .iter()
        .filter(|t| matches!(t.effect, None | Some(TaintEffect::PreferNoSchedule)))
        .cloned()
        .collect()
}

/// Score (raw): how many PreferNoSchedule taints of the node the PreScore tolerations do
/// not tolerate (`countIntolerableTaintsPreferNoSchedule`).
pub fn score(tolerations: &[Toleration], node: &NodeInfo, comparison_enabled: bool) -> i64 {
    node.taints
        .iter()
        .filter(|t| t.effect == TaintEffect::PreferNoSchedule)
        .filter(|t| !tolerations_tolerate_taint(tolerations, t, comparison_enabled))
        .count() as i64
}

/// NormalizeScore: `DefaultNormalizeScore(100, reverse=true)` — fewer intolerable taints,
/// higher score.
pub fn normalize(scores: &mut [i64]) {
    default_normalize_score(MAX_NODE_SCORE, true, scores);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::taint::{Taint, TolerationOperator};

    fn node(taints: Vec<Taint>) -> NodeInfo {
        NodeInfo {
            taints,
            ..NodeInfo::default()
        }
    }

    #[test]
    fn filter_ignores_prefer_no_schedule_but_not_no_execute() {
        let pod = PodInfo::default();
        assert!(
            filter(
                &pod,
                &node(vec![Taint::new("a", "b", TaintEffect::PreferNoSchedule)]),
                false
            )
            .is_success()
        );
        let st = filter(
            &pod,
            &node(vec![Taint::new("a", "b", TaintEffect::NoExecute)]),
            false,
        );
        assert_eq!(st.code, Code::UnschedulableAndUnresolvable);
        assert_eq!(st.message(), REASON);
    }

    #[test]
    fn score_uses_only_prefer_tolerations() {
        // A NoSchedule toleration does not help with PreferNoSchedule taints.
        let pod = PodInfo {
            tolerations: vec![
                Toleration::new(
                    "foo",
                    TolerationOperator::Equal,
                    "bar",
                    Some(TaintEffect::NoSchedule),
                ),
                Toleration::new("cpu", TolerationOperator::Exists, "", None),
            ],
            ..PodInfo::default()
        };
        let tols = prefer_no_schedule_tolerations(&pod);
        let n = node(vec![
            Taint::new("foo", "bar", TaintEffect::PreferNoSchedule),
            Taint::new("cpu", "arm", TaintEffect::PreferNoSchedule),
            Taint::new("x", "y", TaintEffect::NoSchedule),
        ]);
        assert_eq!(score(&tols, &n, false), 1);
        let mut s = vec![0, 1, 2];
        normalize(&mut s);
        assert_eq!(s, vec![100, 50, 0]);
    }
}
