//! One scheduling cycle (`pkg/scheduler/schedule_one.go`): Filter on a rotating window of
//! nodes until enough feasible ones are found, Score them with every default plugin,
//! normalise, weight, sum, and pick the best, breaking ties with the seeded RNG.
//!
//! The cycle is a pure function of the pod, the node views, where the last cycle stopped,
//! and the RNG. It returns a [`CycleRecord`]: every plugin's verdict and score for every
//! node it evaluated, which the UI shows as the explanation of the decision. Both the
//! simulation's kube-scheduler and `shipshape bench scheduler` run this same code.

use super::feasible::num_feasible_nodes_to_find;
use super::framework::{Code, NodeInfo, PodInfo, Status, default_weight, fit_error_message};
use super::plugins::{
    balanced_allocation, image_locality, node_affinity, node_name, node_resources_fit,
    node_unschedulable, taint_toleration,
};
use crate::rng::SimRng;
use serde::Serialize;

/// The scheduler's configuration that affects decisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[derive(Default)]
pub struct Config {
    /// `percentageOfNodesToScore`; 0 means upstream's adaptive default.
    pub percentage_of_nodes_to_score: i64,
    /// The TaintTolerationComparisonOperators feature gate (Lt/Gt tolerations).
    pub taint_comparison_operators: bool,
}


/// Why a node was rejected, or that it passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilterVerdict {
    /// Node name.
    pub node: String,
    /// Passed every filter.
    pub feasible: bool,
    /// The first plugin that rejected it (filters stop at the first failure).
    pub plugin: Option<String>,
    /// That plugin's reasons (`Insufficient cpu`, `node(s) had untolerated taint(s)`).
    pub reasons: Vec<String>,
}

/// One plugin's contribution to a node's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PluginScore {
    /// Plugin name.
    pub plugin: String,
    /// Score before normalisation.
    pub raw: i64,
    /// Score after NormalizeScore (0..=100).
    pub normalized: i64,
    /// Plugin weight.
    pub weight: i64,
}

/// A feasible node's total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeScore {
    /// Node name.
    pub node: String,
    /// Per-plugin scores (skipped plugins absent).
    pub plugins: Vec<PluginScore>,
    /// Σ normalized × weight.
    pub total: i64,
}

/// Everything one cycle decided, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleRecord {
    /// Pod name.
    pub pod: String,
    /// Nodes in the cluster.
    pub nodes_total: usize,
    /// How many feasible nodes the cycle looked for (`numFeasibleNodesToFind`).
    pub nodes_to_find: usize,
    /// Nodes it filtered, in the order it visited them.
    pub filtered: Vec<FilterVerdict>,
    /// Scores of the feasible nodes (empty when only one was feasible: upstream skips
    /// scoring then).
    pub scores: Vec<NodeScore>,
    /// The chosen node.
    pub chosen: Option<String>,
    /// Nodes tied at the top score (the RNG picked among them).
    pub tied: Vec<String>,
    /// `0/3 nodes are available: …` when nothing fit.
    pub failure: Option<String>,
    /// Where the next cycle starts (`nextStartNodeIndex`).
    pub next_start: usize,
}

fn run_filters(pod: &PodInfo, node: &NodeInfo, cfg: &Config) -> Status {
    let checks: [&dyn Fn() -> Status; 5] = [
        &|| node_unschedulable::filter(pod, node),
        &|| node_name::filter(pod, node),
        &|| taint_toleration::filter(pod, node, cfg.taint_comparison_operators),
        &|| node_affinity::filter(pod, node),
        &|| node_resources_fit::filter(pod, node).0,
    ];
    for check in checks {
        let st = check();
        if !st.is_success() {
            return st;
        }
    }
    Status::success()
}

/// Runs one scheduling cycle for `pod` over `nodes` (in a stable order), starting at
/// `start`. Ties among top-scoring nodes are broken uniformly with `rng` (upstream uses
/// reservoir sampling with a process RNG; a seeded one keeps replays exact).
pub fn schedule_one(
    pod: &PodInfo,
    nodes: &[NodeInfo],
    start: usize,
    cfg: &Config,
    rng: &mut SimRng,
) -> CycleRecord {
    let n = nodes.len();
    let to_find =
        num_feasible_nodes_to_find(cfg.percentage_of_nodes_to_score, n as i64).max(0) as usize;
    let mut filtered = Vec::new();
    let mut feasible: Vec<usize> = Vec::new();
    let mut failed: Vec<Status> = Vec::new();
    let mut processed = 0;
    for i in 0..n {
        if feasible.len() >= to_find {
            break;
        }
        let idx = (start + i) % n;
        processed += 1;
        let st = run_filters(pod, &nodes[idx], cfg);
        filtered.push(FilterVerdict {
            node: nodes[idx].name.clone(),
            feasible: st.is_success(),
            plugin: (!st.is_success()).then(|| st.plugin.clone()),
            reasons: st.reasons.clone(),
        });
        if st.is_success() {
            feasible.push(idx);
        } else {
            failed.push(st);
        }
    }
    let next_start = if n == 0 { 0 } else { (start + processed) % n };
    let mut record = CycleRecord {
        pod: pod.name.clone(),
        nodes_total: n,
        nodes_to_find: to_find,
        filtered,
        scores: Vec::new(),
        chosen: None,
        tied: Vec::new(),
        failure: None,
        next_start,
    };
    match feasible.len() {
        0 => {
            record.failure = Some(fit_error_message(n, failed.iter()));
            return record;
        }
        1 => {
            // schedule_one.go: "When only one node after predicate, just use it."
            record.chosen = Some(nodes[feasible[0]].name.clone());
            return record;
        }
        _ => {}
    }
    let views: Vec<&NodeInfo> = feasible.iter().map(|&i| &nodes[i]).collect();
    let resources = node_resources_fit::default_resources();
    let prefer = taint_toleration::prefer_no_schedule_tolerations(pod);
    let mut per_plugin: Vec<(&str, Vec<i64>, Vec<i64>)> = Vec::new();
    // TaintToleration (3)
    let raw: Vec<i64> = views
        .iter()
        .map(|v| taint_toleration::score(&prefer, v, cfg.taint_comparison_operators))
        .collect();
    let mut norm = raw.clone();
    taint_toleration::normalize(&mut norm);
    per_plugin.push((taint_toleration::NAME, raw, norm));
    // NodeAffinity (2): invalid preferred terms score 0.
    let raw: Vec<i64> = views
        .iter()
        .map(|v| node_affinity::score(pod, v).unwrap_or(0))
        .collect();
    let mut norm = raw.clone();
    node_affinity::normalize(&mut norm);
    per_plugin.push((node_affinity::NAME, raw, norm));
    // NodeResourcesFit LeastAllocated (1): already 0..100, no normalisation.
    let raw: Vec<i64> = views
        .iter()
        .map(|v| {
            node_resources_fit::score(
                pod,
                v,
                node_resources_fit::ScoringStrategy::LeastAllocated,
                &resources,
            )
            .unwrap_or(0)
        })
        .collect();
    per_plugin.push((node_resources_fit::NAME, raw.clone(), raw));
    // NodeResourcesBalancedAllocation (1), skipped for best-effort pods.
    if balanced_allocation::pre_score(pod, &resources).code != Code::Skip {
        let raw: Vec<i64> = views
            .iter()
            .map(|v| balanced_allocation::score(pod, v, &resources))
            .collect();
        per_plugin.push((balanced_allocation::NAME, raw.clone(), raw));
    }
    // ImageLocality (1).
    let raw: Vec<i64> = views
        .iter()
        .map(|v| image_locality::score(pod, v, n as i64))
        .collect();
    per_plugin.push((image_locality::NAME, raw.clone(), raw));

    let mut best = i64::MIN;
    let mut tied: Vec<usize> = Vec::new();
    for (k, v) in views.iter().enumerate() {
        let plugins: Vec<PluginScore> = per_plugin
            .iter()
            .map(|(name, raw, norm)| PluginScore {
                plugin: name.to_string(),
                raw: raw[k],
                normalized: norm[k],
                weight: default_weight(name),
            })
            .collect();
        let total = plugins.iter().map(|p| p.normalized * p.weight).sum();
        if total > best {
            best = total;
            tied.clear();
        }
        if total == best {
            tied.push(k);
        }
        record.scores.push(NodeScore {
            node: v.name.clone(),
            plugins,
            total,
        });
    }
    let pick = tied[rng.below(tied.len() as u64) as usize];
    record.chosen = Some(views[pick].name.clone());
    if tied.len() > 1 {
        record.tied = tied.iter().map(|&k| views[k].name.clone()).collect();
    }
    record
}
