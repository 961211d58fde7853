//! NodeAffinity (`pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go`).

use crate::kube::node_affinity::{NodeFacts, preferred_score, required_node_affinity_matches};
use crate::scheduler::framework::{
    Code, MAX_NODE_SCORE, NodeInfo, PodInfo, Status, default_normalize_score,
};

/// Plugin name.
pub const NAME: &str = "NodeAffinity";
/// `ErrReasonPod`.
pub const REASON: &str = "node(s) didn't match Pod's node affinity/selector";

fn facts(node: &NodeInfo) -> NodeFacts<'_> {
    NodeFacts {
        name: &node.name,
        labels: &node.labels,
    }
}

/// Filter: `spec.nodeSelector` AND required node affinity must match; otherwise
/// UnschedulableAndUnresolvable.
pub fn filter(pod: &PodInfo, node: &NodeInfo) -> Status {
    if required_node_affinity_matches(
        &pod.node_selector,
        pod.node_affinity.required.as_ref(),
        facts(node),
    ) {
        Status::success()
    } else {
        Status::new(
            Code::UnschedulableAndUnresolvable,
            NAME,
            vec![REASON.to_string()],
        )
    }
}

/// Score (raw): Σ weights of the matching preferred terms.
pub fn score(pod: &PodInfo, node: &NodeInfo) -> Result<i64, String> {
    preferred_score(&pod.node_affinity.preferred, facts(node))
}

/// NormalizeScore: `DefaultNormalizeScore(100, reverse=false)`.
pub fn normalize(scores: &mut [i64]) {
    default_normalize_score(MAX_NODE_SCORE, false, scores);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::node_affinity::{
        NodeSelectorRequirement, NodeSelectorTerm, PreferredSchedulingTerm,
    };

    #[test]
    fn preferred_terms_normalise() {
        let mut pod = PodInfo::default();
        pod.node_affinity.preferred = vec![PreferredSchedulingTerm {
            weight: 2,
            preference: NodeSelectorTerm {
                match_expressions: vec![NodeSelectorRequirement::new("zone", "In", &["a"])],
                match_fields: vec![],
            },
        }];
        let mut a = NodeInfo::default();
        a.labels.insert("zone".into(), "a".into());
        let b = NodeInfo::default();
        let mut s = vec![score(&pod, &a).unwrap(), score(&pod, &b).unwrap()];
        normalize(&mut s);
        assert_eq!(s, vec![100, 0]);
        assert!(filter(&pod, &b).is_success());
        pod.node_selector.insert("zone".into(), "a".into());
        assert_eq!(filter(&pod, &b).message(), REASON);
    }
}
