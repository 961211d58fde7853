//! NodeResourcesBalancedAllocation
//! (`pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go`).
//!
//! Favors nodes whose resource fractions stay close to each other after placing the pod.
//! Uses *actual* requests (no non-zero defaults) and float64 math as upstream does.

use super::node_resources_fit::{ResourceSpec, pod_request_list, requested_and_allocatable_iter};
use crate::scheduler::framework::{Code, MAX_NODE_SCORE, NodeInfo, PodInfo, Status};

/// Plugin name.
pub const NAME: &str = "NodeResourcesBalancedAllocation";

/// PreScore: a best-effort pod (every scored request 0) makes the plugin `Skip`
/// (kubernetes/kubernetes#129138: otherwise every such pod piles onto one node).
pub fn pre_score(pod: &PodInfo, resources: &[ResourceSpec]) -> Status {
    if pod_request_list(pod, resources, true)
        .iter()
        .all(|r| *r == 0)
    {
        Status::new(Code::Skip, NAME, Vec::new())
    } else {
        Status::success()
    }
}

/// `balancedResourceScorer`: fractions `min(requested/allocatable, 1)` over resources the
/// node has; std-dev = `|f1 − f2| / 2` for two, population std-dev for more, 0 for one;
/// score = `int64((1 − std) × 100)`.
pub fn balanced_resource_score(requested: &[i64], allocatable: &[i64]) -> i64 {
    balanced_score_iter(requested.iter().copied().zip(allocatable.iter().copied()))
}

/// [`balanced_resource_score`] over `(requested, allocatable)` pairs, without collecting
/// (the pairs are walked twice when more than two resources count).
pub fn balanced_score_iter(pairs: impl Iterator<Item = (i64, i64)> + Clone) -> i64 {
    let fractions = pairs
        .filter(|(_, a)| *a != 0)
        .map(|(r, a)| (r as f64 / a as f64).min(1.0));
    let (mut n, mut total, mut first, mut second) = (0usize, 0.0f64, 0.0f64, 0.0f64);
    for f in fractions.clone() {
        match n {
            0 => first = f,
            1 => second = f,
            _ => {}
        }
        total += f;
        n += 1;
    }
    let std = match n {
        2 => ((first - second) / 2.0).abs(),
        n if n > 2 => {
            let mean = total / n as f64;
            let sum: f64 = fractions.map(|f| (f - mean) * (f - mean)).sum();
            (sum / n as f64).sqrt()
        }
        _ => 0.0,
    };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

/// Score for one node.
pub fn score(pod: &PodInfo, node: &NodeInfo, resources: &[ResourceSpec]) -> i64 {
    let pod_requests = pod_request_list(pod, resources, true);
    score_requests(&pod_requests, node, resources)
}

/// [`score`] with the pod's actual requests per resource already computed
/// ([`pod_request_list`] with `use_requested`, upstream's PreScore state).
pub fn score_requests(pod_requests: &[i64], node: &NodeInfo, resources: &[ResourceSpec]) -> i64 {
    balanced_score_iter(requested_and_allocatable_iter(
        node,
        resources,
        pod_requests,
        true,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::resources::{
        CPU, ContainerResources, MEMORY, PodResources, Resource, ResourceList,
    };
    use crate::scheduler::plugins::node_resources_fit::default_resources;

    fn node(cpu: i64, mem: i64, used_cpu: i64, used_mem: i64) -> NodeInfo {
        NodeInfo {
            allocatable: Resource::from_list(&ResourceList::new().with(CPU, cpu).with(MEMORY, mem)),
            requested: Resource::from_list(
                &ResourceList::new()
                    .with(CPU, used_cpu)
                    .with(MEMORY, used_mem),
            ),
            ..NodeInfo::default()
        }
    }

    fn pod(reqs: &[ResourceList]) -> PodInfo {
        PodInfo {
            resources: PodResources {
                containers: reqs
                    .iter()
                    .map(|r| ContainerResources::new("c", r.clone()))
                    .collect(),
                ..PodResources::default()
            },
            ..PodInfo::default()
        }
    }

    #[test]
    fn two_resources() {
        let p = pod(&[ResourceList::new().with(CPU, 3000).with(MEMORY, 5000)]);
        assert_eq!(
            score(&p, &node(4000, 10000, 0, 0), &default_resources()),
            87
        );
        assert_eq!(
            score(&p, &node(6000, 10000, 3000, 5000), &default_resources()),
            100
        );
        // Over capacity: fractions capped at 1.
        assert_eq!(
            score(&p, &node(1000, 5000, 0, 0), &default_resources()),
            100
        );
    }

    #[test]
    fn three_resources_use_population_std_dev() {
        // Fractions 0.5, 0.5, 1.0: mean 2/3, std = sqrt((1/36+1/36+4/36)/3) = 0.2357.
        assert_eq!(balanced_resource_score(&[1, 1, 2], &[2, 2, 2]), 76);
        // A resource the node lacks (allocatable 0) is skipped.
        assert_eq!(balanced_resource_score(&[3, 5, 9], &[4, 10, 0]), 87);
        // A single resource has no deviation.
        assert_eq!(balanced_resource_score(&[1], &[4]), 100);
    }

    #[test]
    fn gpu_node_with_extended_resource() {
        let mut n = node(4000, 10000, 0, 0);
        n.allocatable
            .scalar_resources
            .insert("nvidia.com/gpu".into(), 4);
        let res = vec![
            ResourceSpec {
                name: CPU.into(),
                weight: 1,
            },
            ResourceSpec {
                name: MEMORY.into(),
                weight: 1,
            },
            ResourceSpec {
                name: "nvidia.com/gpu".into(),
                weight: 1,
            },
        ];
        let p = pod(&[ResourceList::new()
            .with(CPU, 2000)
            .with(MEMORY, 5000)
            .with("nvidia.com/gpu", 4)]);
        // 0.5, 0.5, 1.0 → 76.
        assert_eq!(score(&p, &n, &res), 76);
        // Not requested → skipped → 100.
        let p2 = pod(&[ResourceList::new().with(CPU, 2000).with(MEMORY, 5000)]);
        assert_eq!(score(&p2, &n, &res), 100);
    }

    #[test]
    fn best_effort_pods_skip() {
        assert_eq!(pre_score(&pod(&[]), &default_resources()).code, Code::Skip);
        assert_eq!(
            pre_score(&pod(&[ResourceList::new()]), &default_resources()).code,
            Code::Skip
        );
        assert!(
            pre_score(
                &pod(&[ResourceList::new().with(CPU, 1)]),
                &default_resources()
            )
            .is_success()
        );
    }
}
