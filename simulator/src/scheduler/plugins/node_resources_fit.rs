//! NodeResourcesFit (`pkg/scheduler/framework/plugins/noderesources/fit.go`,
//! `resource_allocation.go`, `least_allocated.go`, `most_allocated.go`).
//!
//! Filter compares the pod's *actual* requests with `allocatable − requested`; Score uses
//! the *non-zero* view (100m cpu / 200Mi memory for containers that request nothing) so
//! best-effort pods still spread.

use crate::kube::resources::{
    CPU, DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, EPHEMERAL_STORAGE, MEMORY, Resource,
    ResourceList, is_extended_resource_name, is_scalar_resource_name,
};
use crate::scheduler::framework::{Code, MAX_NODE_SCORE, NodeInfo, PodInfo, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Plugin name.
pub const NAME: &str = "NodeResourcesFit";
/// Reason when the node has no pod slot left.
pub const REASON_TOO_MANY_PODS: &str = "Too many pods";
/// Reason prefix for a resource that does not fit: `Insufficient <resource>`.
pub const REASON_INSUFFICIENT_PREFIX: &str = "Insufficient ";

/// One resource that does not fit (`InsufficientResource`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsufficientResource {
    /// The resource (`cpu`, `memory`, `pods`, `example.com/foo` …).
    pub resource_name: String,
    /// `Too many pods` or `Insufficient <resource>`.
    pub reason: String,
    /// What the pod asks for.
    pub requested: i64,
    /// What the node's pods already request.
    pub used: i64,
    /// The node's allocatable amount.
    pub capacity: i64,
    /// The pod asks for more than the whole node has: preemption cannot help.
    pub unresolvable: bool,
}

/// `computePodResourceRequest`: `PodRequests` (containers, init containers, sidecars,
/// overhead) as a [`Resource`].
pub fn compute_pod_resource_request(pod: &PodInfo) -> Resource {
    Resource::from_list(&pod.resources.requests(None))
}

/// `fitsRequest`: pods slot first; a pod requesting nothing then fits; then cpu, memory,
/// ephemeral-storage and every non-zero scalar (ignored extended resources and resource
/// groups skipped). Equality fits.
pub fn fits_request(
    pod_request: &Resource,
    node: &NodeInfo,
    ignored_resources: &BTreeSet<String>,
    ignored_resource_groups: &BTreeSet<String>,
) -> Vec<InsufficientResource> {
    let mut out = Vec::new();
    let alloc = &node.allocatable;
    let req = &node.requested;
    if node.pod_count + 1 > alloc.allowed_pod_number {
        out.push(InsufficientResource {
            resource_name: "pods".to_string(),
            reason: REASON_TOO_MANY_PODS.to_string(),
            requested: 1,
            used: node.pod_count,
            capacity: alloc.allowed_pod_number,
            unresolvable: false,
        });
    }
    if pod_request.milli_cpu == 0
        && pod_request.memory == 0
        && pod_request.ephemeral_storage == 0
        && pod_request.scalar_resources.is_empty()
    {
        return out;
    }
    let mut check = |name: &str, want: i64, used: i64, cap: i64| {
        if want > 0 && want > cap - used {
            out.push(InsufficientResource {
                resource_name: name.to_string(),
                reason: format!("{REASON_INSUFFICIENT_PREFIX}{name}"),
                requested: want,
                used,
                capacity: cap,
                unresolvable: want > cap,
            });
        }
    };
    check(CPU, pod_request.milli_cpu, req.milli_cpu, alloc.milli_cpu);
    check(MEMORY, pod_request.memory, req.memory, alloc.memory);
    check(
        EPHEMERAL_STORAGE,
        pod_request.ephemeral_storage,
        req.ephemeral_storage,
        alloc.ephemeral_storage,
    );
    for (name, want) in &pod_request.scalar_resources {
        if *want == 0 {
            continue;
        }
        if is_extended_resource_name(name) {
            let prefix = name.split('/').next().unwrap_or("");
            if ignored_resources.contains(name) || ignored_resource_groups.contains(prefix) {
                continue;
            }
        }
        check(name, *want, req.get(name), alloc.get(name));
    }
    out
}

/// Filter: every insufficient resource becomes a reason; the status is Unschedulable, or
/// UnschedulableAndUnresolvable if any of them is larger than the whole node.
pub fn filter(pod: &PodInfo, node: &NodeInfo) -> (Status, Vec<InsufficientResource>) {
    filter_request(&compute_pod_resource_request(pod), node)
}

/// The default plugin args ignore no extended resources or resource groups.
static NONE_IGNORED: BTreeSet<String> = BTreeSet::new();

/// [`filter`] with the pod's request already computed (upstream's PreFilter state, so a
/// cycle computes it once rather than per node).
pub fn filter_request(
    pod_request: &Resource,
    node: &NodeInfo,
) -> (Status, Vec<InsufficientResource>) {
    let insufficient = fits_request(pod_request, node, &NONE_IGNORED, &NONE_IGNORED);
    (status_for(&insufficient), insufficient)
}

/// The Filter status for a list of insufficient resources.
pub fn status_for(insufficient: &[InsufficientResource]) -> Status {
    if insufficient.is_empty() {
        return Status::success();
    }
    let code = if insufficient.iter().any(|r| r.unresolvable) {
        Code::UnschedulableAndUnresolvable
    } else {
        Code::Unschedulable
    };
    Status::new(
        code,
        NAME,
        insufficient.iter().map(|r| r.reason.clone()).collect(),
    )
}

/// A scored resource and its weight (`config.ResourceSpec`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceSpec {
    /// Resource name.
    pub name: String,
    /// Weight, 1..=100.
    pub weight: i64,
}

/// The default scored resources: cpu and memory, weight 1 each.
pub fn default_resources() -> Vec<ResourceSpec> {
    vec![
        ResourceSpec {
            name: CPU.to_string(),
            weight: 1,
        },
        ResourceSpec {
            name: MEMORY.to_string(),
            weight: 1,
        },
    ]
}

/// `validateResources`: each weight must be in (0, 100].
pub fn validate_resources(resources: &[ResourceSpec]) -> Result<(), String> {
    for (i, r) in resources.iter().enumerate() {
        if r.weight <= 0 || r.weight > 100 {
            return Err(format!(
                "resources[{i}].weight: Invalid value: {}: resource weight of {} not in valid range (0, 100]",
                r.weight, r.name
            ));
        }
    }
    Ok(())
}

/// The scoring strategy (`config.ScoringStrategyType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScoringStrategy {
    /// Prefer emptier nodes (the default).
    LeastAllocated,
    /// Prefer fuller nodes (bin packing).
    MostAllocated,
}

/// `calculatePodResourceRequestList`: the pod's request per scored resource, with the
/// non-zero defaults unless `use_requested` (BalancedAllocation uses actual requests).
pub fn pod_request_list(
    pod: &PodInfo,
    resources: &[ResourceSpec],
    use_requested: bool,
) -> Vec<i64> {
    let list: ResourceList = if use_requested {
        pod.resources.requests(None)
    } else {
        let defaults = ResourceList::new()
            .with(CPU, DEFAULT_MILLI_CPU_REQUEST)
            .with(MEMORY, DEFAULT_MEMORY_REQUEST);
        pod.resources.requests(Some(&defaults))
    };
    resources.iter().map(|r| list.get(&r.name)).collect()
}

/// `calculateResourceAllocatableRequest`: `(allocatable, node requested + pod request)`
/// for one resource; `(0, 0)` to skip it (scalar the pod does not request, or a resource
/// the node does not have). cpu/memory use the non-zero node totals unless `use_requested`.
pub fn allocatable_and_request(
    node: &NodeInfo,
    resource: &str,
    pod_request: i64,
    use_requested: bool,
) -> (i64, i64) {
    let requested = if use_requested {
        &node.requested
    } else {
        &node.non_zero_requested
    };
    if pod_request == 0 && is_scalar_resource_name(resource) {
        return (0, 0);
    }
    match resource {
        CPU => (
            node.allocatable.milli_cpu,
            requested.milli_cpu + pod_request,
        ),
        MEMORY => (node.allocatable.memory, requested.memory + pod_request),
        EPHEMERAL_STORAGE => (
            node.allocatable.ephemeral_storage,
            node.requested.ephemeral_storage + pod_request,
        ),
        other => match node.allocatable.scalar_resources.get(other) {
            Some(a) => (*a, node.requested.get(other) + pod_request),
            None => (0, 0),
        },
    }
}

/// `resourceAllocationScorer.score` inputs: `(requested, allocatable)` per resource, with
/// zeroes for skipped resources.
pub fn requested_and_allocatable(
    node: &NodeInfo,
    resources: &[ResourceSpec],
    pod_requests: &[i64],
    use_requested: bool,
) -> (Vec<i64>, Vec<i64>) {
    requested_and_allocatable_iter(node, resources, pod_requests, use_requested).unzip()
}

/// [`requested_and_allocatable`] without collecting: `(requested, allocatable)` per
/// resource, `(0, 0)` for skipped ones.
pub fn requested_and_allocatable_iter<'a>(
    node: &'a NodeInfo,
    resources: &'a [ResourceSpec],
    pod_requests: &'a [i64],
    use_requested: bool,
) -> impl Iterator<Item = (i64, i64)> + Clone + 'a {
    resources
        .iter()
        .zip(pod_requests)
        .map(move |(r, &pod_request)| {
            let (alloc, req) = allocatable_and_request(node, &r.name, pod_request, use_requested);
            if alloc == 0 { (0, 0) } else { (req, alloc) }
        })
}

/// `leastRequestedScore`: `(capacity − requested) * 100 / capacity`, 0 when over capacity.
pub fn least_requested_score(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    (capacity - requested) * MAX_NODE_SCORE / capacity
}

/// `mostRequestedScore`: `min(requested, capacity) * 100 / capacity`.
pub fn most_requested_score(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 {
        return 0;
    }
    requested.min(capacity) * MAX_NODE_SCORE / capacity
}

/// The weighted mean of per-resource scores (integer division), skipping resources the
/// node does not have (`leastResourceScorer`/`mostResourceScorer`).
pub fn weighted_score(
    strategy: ScoringStrategy,
    resources: &[ResourceSpec],
    requested: &[i64],
    allocatable: &[i64],
) -> i64 {
    weighted_score_iter(
        strategy,
        resources,
        requested.iter().copied().zip(allocatable.iter().copied()),
    )
}

/// [`weighted_score`] over `(requested, allocatable)` pairs, one per resource.
pub fn weighted_score_iter(
    strategy: ScoringStrategy,
    resources: &[ResourceSpec],
    pairs: impl Iterator<Item = (i64, i64)>,
) -> i64 {
    let (mut node_score, mut weight_sum) = (0i64, 0i64);
    for (r, (requested, allocatable)) in resources.iter().zip(pairs) {
        if allocatable == 0 {
            continue;
        }
        let s = match strategy {
            ScoringStrategy::LeastAllocated => least_requested_score(requested, allocatable),
            ScoringStrategy::MostAllocated => most_requested_score(requested, allocatable),
        };
        node_score += s * r.weight;
        weight_sum += r.weight;
    }
    if weight_sum == 0 {
        0
    } else {
        node_score / weight_sum
    }
}

/// Score: the strategy's weighted score over the non-zero requests. Errors mirror
/// upstream ("resources not found" with no resources; invalid weights).
pub fn score(
    pod: &PodInfo,
    node: &NodeInfo,
    strategy: ScoringStrategy,
    resources: &[ResourceSpec],
) -> Result<i64, String> {
    validate_resources(resources)?;
    if resources.is_empty() {
        return Err("resources not found".to_string());
    }
    let pod_requests = pod_request_list(pod, resources, false);
    Ok(score_requests(&pod_requests, node, strategy, resources))
}

/// [`score`] with the pod's non-zero requests per resource already computed
/// ([`pod_request_list`], upstream's PreScore state) and `resources` already validated.
pub fn score_requests(
    pod_requests: &[i64],
    node: &NodeInfo,
    strategy: ScoringStrategy,
    resources: &[ResourceSpec],
) -> i64 {
    weighted_score_iter(
        strategy,
        resources,
        requested_and_allocatable_iter(node, resources, pod_requests, false),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::resources::{ContainerResources, PodResources};

    fn node(cpu: i64, mem: i64, pods: i64, used_cpu: i64, used_mem: i64, count: i64) -> NodeInfo {
        let alloc = ResourceList::new()
            .with(CPU, cpu)
            .with(MEMORY, mem)
            .with("pods", pods);
        let used = ResourceList::new()
            .with(CPU, used_cpu)
            .with(MEMORY, used_mem);
        NodeInfo {
            name: "n".into(),
            allocatable: Resource::from_list(&alloc),
            requested: Resource::from_list(&used),
            non_zero_requested: Resource::from_list(&used),
            pod_count: count,
            ..NodeInfo::default()
        }
    }

    fn pod(containers: &[ResourceList], inits: &[ResourceList]) -> PodInfo {
        PodInfo {
            resources: PodResources {
                containers: containers
                    .iter()
                    .map(|r| ContainerResources::new("c", r.clone()))
                    .collect(),
                init_containers: inits
                    .iter()
                    .map(|r| ContainerResources::new("i", r.clone()))
                    .collect(),
                overhead: ResourceList::new(),
            },
            ..PodInfo::default()
        }
    }

    fn rl(cpu: i64, mem: i64) -> ResourceList {
        ResourceList::new().with(CPU, cpu).with(MEMORY, mem)
    }

    #[test]
    fn too_many_resources_reports_both() {
        let (st, ins) = filter(&pod(&[rl(1, 1)], &[]), &node(10, 20, 32, 10, 20, 1));
        assert_eq!(st.code, Code::Unschedulable);
        assert_eq!(st.reasons, vec!["Insufficient cpu", "Insufficient memory"]);
        assert_eq!(
            (ins[0].requested, ins[0].used, ins[0].capacity),
            (1, 10, 10)
        );
    }

    #[test]
    fn highest_init_container_counts() {
        let (st, ins) = filter(
            &pod(&[rl(1, 1)], &[rl(2, 1), rl(3, 1)]),
            &node(10, 20, 32, 8, 19, 1),
        );
        assert_eq!(st.reasons, vec!["Insufficient cpu"]);
        assert_eq!(ins[0].requested, 3);
        let (st, _) = filter(
            &pod(&[rl(1, 1)], &[rl(1, 1), rl(1, 1)]),
            &node(10, 20, 32, 9, 19, 1),
        );
        assert!(st.is_success());
    }

    #[test]
    fn too_many_pods_even_for_empty_pods() {
        let (st, ins) = filter(&pod(&[], &[]), &node(10, 20, 1, 0, 0, 1));
        assert_eq!(st.reasons, vec![REASON_TOO_MANY_PODS]);
        assert_eq!((ins[0].requested, ins[0].used, ins[0].capacity), (1, 1, 1));
        assert_eq!(st.code, Code::Unschedulable);
        let (st, _) = filter(&pod(&[rl(1, 1)], &[]), &node(10, 20, 1, 10, 20, 1));
        assert_eq!(
            st.reasons,
            vec!["Too many pods", "Insufficient cpu", "Insufficient memory"]
        );
    }

    #[test]
    fn unresolvable_when_larger_than_node() {
        let (st, ins) = filter(&pod(&[rl(11, 1)], &[]), &node(10, 20, 32, 0, 0, 0));
        assert_eq!(st.code, Code::UnschedulableAndUnresolvable);
        assert!(ins[0].unresolvable);
    }

    #[test]
    fn extended_resources_and_ignores() {
        let mut n = node(10, 20, 32, 0, 0, 0);
        n.allocatable
            .scalar_resources
            .insert("example.com/aaa".into(), 5);
        let p = pod(&[rl(1, 1).with("example.com/aaa", 10)], &[]);
        let (st, ins) = filter(&p, &n);
        assert_eq!(st.reasons, vec!["Insufficient example.com/aaa"]);
        assert_eq!((ins[0].requested, ins[0].used, ins[0].capacity), (10, 0, 5));
        assert_eq!(st.code, Code::UnschedulableAndUnresolvable);
        let req = compute_pod_resource_request(&p);
        let ignored: BTreeSet<String> = ["example.com/aaa".to_string()].into();
        assert!(fits_request(&req, &n, &ignored, &BTreeSet::new()).is_empty());
        let groups: BTreeSet<String> = ["example.com".to_string()].into();
        assert!(fits_request(&req, &n, &BTreeSet::new(), &groups).is_empty());
        // Zero scalar requests are skipped, but still make the pod "request something".
        let p0 = pod(&[ResourceList::new().with("example.com/bbb", 0)], &[]);
        assert!(filter(&p0, &n).0.is_success());
        // A node without the resource: capacity 0.
        let p1 = pod(&[ResourceList::new().with("example.com/ccc", 1)], &[]);
        assert_eq!(filter(&p1, &n).1[0].capacity, 0);
    }

    #[test]
    fn overhead_counts() {
        let mut p = pod(&[rl(1, 1)], &[]);
        p.resources.overhead = rl(3, 13);
        let (st, ins) = filter(&p, &node(10, 20, 32, 5, 7, 1));
        assert_eq!(st.reasons, vec!["Insufficient memory"]);
        assert_eq!(ins[0].requested, 14);
    }

    fn score_of(p: &PodInfo, n: &NodeInfo, s: ScoringStrategy, r: &[ResourceSpec]) -> i64 {
        score(p, n, s, r).unwrap()
    }

    #[test]
    fn least_and_most_allocated() {
        let p = pod(&[rl(1000, 2000), rl(2000, 3000)], &[]);
        let n1 = node(4000, 10000, 32, 0, 0, 0);
        let n2 = node(6000, 10000, 32, 0, 0, 0);
        let r = default_resources();
        assert_eq!(score_of(&p, &n1, ScoringStrategy::LeastAllocated, &r), 37);
        assert_eq!(score_of(&p, &n2, ScoringStrategy::LeastAllocated, &r), 50);
        assert_eq!(score_of(&p, &n1, ScoringStrategy::MostAllocated, &r), 62);
        assert_eq!(score_of(&p, &n2, ScoringStrategy::MostAllocated, &r), 50);
    }

    #[test]
    fn non_zero_defaults_in_scoring() {
        let best_effort = pod(&[ResourceList::new()], &[]);
        let n = node(1000, 2 * DEFAULT_MEMORY_REQUEST, 32, 0, 0, 0);
        // cpu: (1000-100)*100/1000 = 90; memory: 50.
        assert_eq!(
            score_of(
                &best_effort,
                &n,
                ScoringStrategy::LeastAllocated,
                &default_resources()
            ),
            70
        );
    }

    #[test]
    fn extended_resource_weights() {
        let mut n = node(4000, 10000, 32, 0, 0, 0);
        n.allocatable
            .scalar_resources
            .insert("intel.com/foo".into(), 4);
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
                name: "intel.com/foo".into(),
                weight: 3,
            },
        ];
        let plain = pod(&[rl(2000, 5000)], &[]);
        // The pod does not request intel.com/foo: skipped.
        assert_eq!(
            score_of(&plain, &n, ScoringStrategy::LeastAllocated, &res),
            50
        );
        let gpu = pod(&[rl(2000, 5000).with("intel.com/foo", 2)], &[]);
        assert_eq!(
            score_of(&gpu, &n, ScoringStrategy::LeastAllocated, &res),
            (50 + 50 + 150) / 5
        );
        assert_eq!(score_of(&gpu, &n, ScoringStrategy::MostAllocated, &res), 50);
    }

    #[test]
    fn weight_validation() {
        let p = pod(&[], &[]);
        let n = node(1, 1, 1, 0, 0, 0);
        for w in [0, -1, 101] {
            let r = vec![ResourceSpec {
                name: CPU.into(),
                weight: w,
            }];
            assert!(score(&p, &n, ScoringStrategy::LeastAllocated, &r).is_err());
        }
        assert_eq!(
            score(&p, &n, ScoringStrategy::LeastAllocated, &[]),
            Err("resources not found".into())
        );
    }
}
