//! The driver behind `shipshape bench scheduler`: upstream scheduler_perf's
//! `SchedulingBasic` workload (`test/integration/scheduler_perf/misc/performance-config.yaml`)
//! run through the simulation's own scheduling code.
//!
//! - Nodes come from `templates/node-default.yaml`: 4 cpu, 32Gi memory, 110 pods, no
//!   labels or taints (allocatable = capacity, as there is no kubelet to reserve any).
//! - Pods come from `templates/pod-default.yaml`: one `pause` container requesting 100m cpu
//!   and 500Mi memory.
//! - Each pod gets one cycle of [`cycle::schedule_one`] over every node, in name order,
//!   with the simulation's default [`Config`]; a bound pod is counted on its node with
//!   [`PodInfo::node_requests`] and [`NodeInfo::add_pod_requests`], exactly as the
//!   simulation's scheduler cache does.
//!
//! There is no clock here (the simulator has none): the caller times [`SchedulerBench::run`]
//! natively with `Instant` or in the browser with `performance.now()`.

use super::cycle::{self, Config};
use super::framework::{NodeInfo, PodInfo};
use crate::kube::resources::{ContainerResources, PodResources, Resource, ResourceList};
use crate::rng::SimRng;

/// Node template: `cpu: "4"`.
pub const NODE_CPU: &str = "4";
/// Node template: `memory: 32Gi`.
pub const NODE_MEMORY: &str = "32Gi";
/// Node template: `pods: "110"`.
pub const NODE_PODS: &str = "110";
/// Pod template: `cpu: 100m`.
pub const POD_CPU: &str = "100m";
/// Pod template: `memory: 500Mi`.
pub const POD_MEMORY: &str = "500Mi";
/// Pod template image.
pub const POD_IMAGE: &str = "registry.k8s.io/pause:3.10.1";
/// `SchedulingBasic/5000Nodes_50000Pods`: `threshold: 810` pods/s, the CI's minimum
/// average scheduling throughput for upstream kube-scheduler.
pub const UPSTREAM_THRESHOLD_5000_NODES: u32 = 810;

/// The node view for node `i` of `total` (names zero-padded so name order is index order,
/// the order the simulation's scheduler cache iterates in).
pub fn node(i: usize, total: usize) -> NodeInfo {
    let width = total.saturating_sub(1).to_string().len();
    let alloc = ResourceList::parse([
        ("cpu", NODE_CPU),
        ("memory", NODE_MEMORY),
        ("pods", NODE_PODS),
    ])
    .unwrap_or_default();
    NodeInfo {
        name: format!("scheduler-perf-{i:0width$}").into(),
        allocatable: Resource::from_list(&alloc),
        ..NodeInfo::default()
    }
}

/// The pod view for pod `i`.
pub fn pod(i: usize) -> PodInfo {
    let requests =
        ResourceList::parse([("cpu", POD_CPU), ("memory", POD_MEMORY)]).unwrap_or_default();
    PodInfo {
        name: format!("pod-{i}"),
        resources: PodResources {
            containers: vec![ContainerResources::new("pause", requests)],
            ..PodResources::default()
        },
        images: vec![POD_IMAGE.to_string()],
        ..PodInfo::default()
    }
}

/// What a run did, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Nodes in the cluster.
    pub nodes: usize,
    /// Scheduling cycles run (one per pod).
    pub cycles: usize,
    /// Pods bound to a node.
    pub scheduled: usize,
    /// Pods no node could take.
    pub unschedulable: usize,
    /// Fewest pods on a node.
    pub min_pods_per_node: i64,
    /// Most pods on a node.
    pub max_pods_per_node: i64,
    /// Nodes with at least one pod.
    pub nodes_used: usize,
    /// Σ nodes filtered over all cycles.
    pub nodes_filtered: usize,
    /// Σ nodes scored over all cycles.
    pub nodes_scored: usize,
}

/// A cluster of template nodes and the scheduler's state between cycles.
#[derive(Debug, Clone)]
pub struct SchedulerBench {
    nodes: Vec<NodeInfo>,
    names: std::sync::Arc<[crate::scheduler::framework::NodeName]>,
    config: Config,
    rng: SimRng,
    next_start: usize,
    summary: Summary,
}

impl SchedulerBench {
    /// `nodes` template nodes, ties broken by an RNG seeded with `seed`.
    pub fn new(count: usize, seed: u64) -> SchedulerBench {
        let nodes: Vec<NodeInfo> = (0..count).map(|i| node(i, count)).collect();
        SchedulerBench {
            names: nodes.iter().map(|n| n.name.clone()).collect(),
            nodes,
            config: Config::default(),
            rng: SimRng::seeded(seed),
            next_start: 0,
            summary: Summary {
                nodes: count,
                ..Summary::default()
            },
        }
    }

    /// Creates and schedules `count` more pods, one cycle each; returns how many were
    /// bound.
    pub fn run(&mut self, count: usize) -> usize {
        let mut bound = 0;
        for _ in 0..count {
            let pod = pod(self.summary.cycles);
            let record = cycle::schedule_one(
                &pod,
                &self.nodes,
                &self.names,
                self.next_start,
                &self.config,
                &mut self.rng,
            );
            self.next_start = record.next_start;
            self.summary.cycles += 1;
            self.summary.nodes_filtered += record.filtered.len();
            self.summary.nodes_scored += record.scores.len();
            let chosen = record.chosen.as_deref().and_then(|name| {
                self.nodes
                    .binary_search_by(|n| n.name.as_str().cmp(name))
                    .ok()
            });
            match chosen {
                Some(i) => {
                    let (req, nz) = pod.node_requests();
                    self.nodes[i].add_pod_requests(&req, &nz);
                    self.summary.scheduled += 1;
                    bound += 1;
                }
                None => self.summary.unschedulable += 1,
            }
        }
        bound
    }

    /// The node views (for tests and reports).
    pub fn nodes(&self) -> &[NodeInfo] {
        &self.nodes
    }

    /// Counts so far and how the pods are spread.
    pub fn summary(&self) -> Summary {
        let counts = self.nodes.iter().map(|n| n.pod_count);
        Summary {
            min_pods_per_node: counts.clone().min().unwrap_or(0),
            max_pods_per_node: counts.clone().max().unwrap_or(0),
            nodes_used: counts.filter(|c| *c > 0).count(),
            ..self.summary.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_upstream() {
        let n = node(7, 5000);
        assert_eq!(n.name, "scheduler-perf-0007");
        assert_eq!(n.allocatable.milli_cpu, 4000);
        assert_eq!(n.allocatable.memory, 32 << 30);
        assert_eq!(n.allocatable.allowed_pod_number, 110);
        let (req, nz) = pod(0).node_requests();
        assert_eq!(req, nz);
        assert_eq!(req.get("cpu"), 100);
        assert_eq!(req.get("memory"), 500 << 20);
    }

    #[test]
    fn spreads_pods_evenly_and_deterministically() {
        let mut b = SchedulerBench::new(50, 1);
        assert_eq!(b.run(500), 500);
        let s = b.summary();
        assert_eq!((s.scheduled, s.unschedulable, s.cycles), (500, 0, 500));
        // LeastAllocated + BalancedAllocation spread identical pods over identical nodes.
        assert_eq!((s.min_pods_per_node, s.max_pods_per_node), (10, 10));
        assert_eq!(s.nodes_used, 50);
        // Under 100 nodes every node is filtered and scored in every cycle.
        assert_eq!((s.nodes_filtered, s.nodes_scored), (50 * 500, 50 * 500));
        let mut again = SchedulerBench::new(50, 1);
        again.run(500);
        assert_eq!(again.nodes(), b.nodes());
        // 5000 nodes: numFeasibleNodesToFind stops after 10% of them.
        let mut big = SchedulerBench::new(5000, 1);
        big.run(3);
        assert_eq!(big.summary().nodes_filtered, 3 * 500);
    }

    #[test]
    fn a_full_cluster_reports_unschedulable_pods() {
        // 40 pods of 100m fill a 4-cpu node.
        let mut b = SchedulerBench::new(2, 3);
        assert_eq!(b.run(85), 80);
        let s = b.summary();
        assert_eq!((s.scheduled, s.unschedulable), (80, 5));
        assert_eq!((s.min_pods_per_node, s.max_pods_per_node), (40, 40));
    }
}
