//! One scheduling cycle (`pkg/scheduler/schedule_one.go`): Filter on a rotating window of
//! nodes until enough feasible ones are found, Score them with every default plugin,
//! normalise, weight, sum, and pick the best, breaking ties with the seeded RNG.
//!
//! The cycle is a pure function of the pod, the node views, where the last cycle stopped,
//! and the RNG. It returns a [`CycleRecord`]: every plugin's verdict and score for every
//! node it evaluated, which the UI shows as the explanation of the decision. Both the
//! simulation's kube-scheduler and `shipshape bench scheduler` run this same code.

use super::feasible::num_feasible_nodes_to_find;
use super::framework::{
    Code, NodeInfo, NodeName, PodInfo, Status, default_weight, fit_error_message,
};
use super::plugins::{
    balanced_allocation, image_locality, node_affinity, node_name, node_resources_fit,
    node_unschedulable, taint_toleration,
};
use crate::kube::resources::Resource;
use crate::rng::SimRng;
use serde::Serialize;
use std::borrow::Borrow;
use std::sync::Arc;

/// The scheduler's configuration that affects decisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
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
    pub node: NodeName,
    /// Passed every filter.
    pub feasible: bool,
    /// The first plugin that rejected it (filters stop at the first failure).
    pub plugin: Option<String>,
    /// That plugin's reasons (`Insufficient cpu`, `node(s) had untolerated taint(s)`).
    pub reasons: Vec<String>,
}

/// The nodes a cycle filtered, kept compactly: the cluster's node names (shared, one
/// reference per cycle), where the visit started, how many nodes it visited, and the
/// verdicts of the rejected ones. [`Filtered::iter`] gives a [`FilterVerdict`] per
/// visited node, and the record serialises them as that list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filtered {
    names: Arc<[NodeName]>,
    start: usize,
    visited: usize,
    /// (visit position, plugin, reasons) of each rejected node.
    rejected: Vec<(usize, String, Vec<String>)>,
}

impl Filtered {
    /// How many nodes were visited.
    pub fn len(&self) -> usize {
        self.visited
    }

    /// No node was visited (an empty cluster).
    pub fn is_empty(&self) -> bool {
        self.visited == 0
    }

    /// How many visited nodes were rejected.
    pub fn rejected(&self) -> usize {
        self.rejected.len()
    }

    /// The name of the node visited at `position`.
    pub fn name(&self, position: usize) -> &NodeName {
        &self.names[(self.start + position) % self.names.len()]
    }

    /// Every visited node's verdict, in visit order.
    pub fn iter(&self) -> impl Iterator<Item = FilterVerdict> + '_ {
        let mut rejected = self.rejected.iter().peekable();
        (0..self.visited).map(move |pos| match rejected.next_if(|(p, ..)| *p == pos) {
            Some((_, plugin, reasons)) => FilterVerdict {
                node: self.name(pos).clone(),
                feasible: false,
                plugin: Some(plugin.clone()),
                reasons: reasons.clone(),
            },
            None => FilterVerdict {
                node: self.name(pos).clone(),
                feasible: true,
                plugin: None,
                reasons: Vec::new(),
            },
        })
    }
}

impl Serialize for Filtered {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// One plugin's contribution to a node's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PluginScore {
    /// Plugin name.
    pub plugin: &'static str,
    /// Score before normalisation.
    pub raw: i64,
    /// Score after NormalizeScore (0..=100).
    pub normalized: i64,
    /// Plugin weight.
    pub weight: i64,
}

/// The scores of a cycle's feasible nodes, kept as one column per plugin (a cycle scores
/// hundreds of nodes; this is what the plugins compute anyway, so recording it copies
/// nothing per node). Nodes are named by their place in [`CycleRecord::filtered`];
/// [`CycleRecord::node_scores`] gives them node by node, and the record serialises them
/// as a list of [`NodeScore`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scores {
    positions: Vec<usize>,
    totals: Vec<i64>,
    plugins: Vec<PluginColumn>,
}

/// One plugin's scores for every scored node.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PluginColumn {
    plugin: &'static str,
    weight: i64,
    raw: Vec<i64>,
    normalized: Vec<i64>,
}

impl Scores {
    /// How many nodes were scored.
    pub fn len(&self) -> usize {
        self.totals.len()
    }

    /// No node was scored.
    pub fn is_empty(&self) -> bool {
        self.totals.is_empty()
    }

    /// The totals, in the order the nodes were scored.
    pub fn totals(&self) -> &[i64] {
        &self.totals
    }

    fn node_score(&self, k: usize, filtered: &Filtered) -> NodeScore {
        NodeScore {
            node: filtered.name(self.positions[k]).clone(),
            plugins: self
                .plugins
                .iter()
                .map(|c| PluginScore {
                    plugin: c.plugin,
                    raw: c.raw[k],
                    normalized: c.normalized[k],
                    weight: c.weight,
                })
                .collect(),
            total: self.totals[k],
        }
    }
}

/// Serialises [`Scores`] with the node names from the record's `filtered`.
struct ScoresView<'a>(&'a CycleRecord);

impl Serialize for ScoresView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.node_scores())
    }
}

/// A feasible node's total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NodeScore {
    /// Node name.
    pub node: NodeName,
    /// Per-plugin scores (skipped plugins absent).
    pub plugins: Vec<PluginScore>,
    /// Σ normalized × weight.
    pub total: i64,
}

/// Everything one cycle decided, and why. Serialises as its fields, in order, with
/// `scores` as a list of [`NodeScore`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleRecord {
    /// Pod name.
    pub pod: String,
    /// Nodes in the cluster.
    pub nodes_total: usize,
    /// How many feasible nodes the cycle looked for (`numFeasibleNodesToFind`).
    pub nodes_to_find: usize,
    /// Nodes it filtered, in the order it visited them.
    pub filtered: Filtered,
    /// Scores of the feasible nodes (empty when only one was feasible: upstream skips
    /// scoring then).
    pub scores: Scores,
    /// The chosen node.
    pub chosen: Option<NodeName>,
    /// Nodes tied at the top score (the RNG picked among them).
    pub tied: Vec<NodeName>,
    /// `0/3 nodes are available: …` when nothing fit.
    pub failure: Option<String>,
    /// Where the next cycle starts (`nextStartNodeIndex`).
    pub next_start: usize,
}

impl CycleRecord {
    /// The scored nodes, one [`NodeScore`] each, in the order they were scored.
    pub fn node_scores(&self) -> impl ExactSizeIterator<Item = NodeScore> + '_ {
        (0..self.scores.len()).map(|k| self.scores.node_score(k, &self.filtered))
    }
}

impl Serialize for CycleRecord {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = serializer.serialize_struct("CycleRecord", 9)?;
        st.serialize_field("pod", &self.pod)?;
        st.serialize_field("nodes_total", &self.nodes_total)?;
        st.serialize_field("nodes_to_find", &self.nodes_to_find)?;
        st.serialize_field("filtered", &self.filtered)?;
        st.serialize_field("scores", &ScoresView(self))?;
        st.serialize_field("chosen", &self.chosen)?;
        st.serialize_field("tied", &self.tied)?;
        st.serialize_field("failure", &self.failure)?;
        st.serialize_field("next_start", &self.next_start)?;
        st.end()
    }
}

/// Filter plugins in upstream's order; the first failure stops the chain. `request` is
/// NodeResourcesFit's PreFilter state (the pod's requests), computed once per cycle.
fn run_filters(pod: &PodInfo, request: &Resource, node: &NodeInfo, cfg: &Config) -> Status {
    let st = node_unschedulable::filter(pod, node);
    if !st.is_success() {
        return st;
    }
    let st = node_name::filter(pod, node);
    if !st.is_success() {
        return st;
    }
    let st = taint_toleration::filter(pod, node, cfg.taint_comparison_operators);
    if !st.is_success() {
        return st;
    }
    let st = node_affinity::filter(pod, node);
    if !st.is_success() {
        return st;
    }
    node_resources_fit::filter_request(request, node).0
}

/// Runs one scheduling cycle for `pod` over `nodes` (in a stable order), starting at
/// `start`. Ties among top-scoring nodes are broken uniformly with `rng` (upstream uses
/// reservoir sampling with a process RNG; a seeded one keeps replays exact).
///
/// What depends only on the pod (its requests, tolerations, normalised image names) is
/// computed once per cycle, like upstream's PreFilter/PreScore `CycleState`; the per-node
/// work allocates nothing but the record's entries.
///
/// `names` are the nodes' names in the same order as `nodes` (callers keep them, so a
/// cycle shares them instead of copying a name per visited node).
pub fn schedule_one<N: Borrow<NodeInfo>>(
    pod: &PodInfo,
    nodes: &[N],
    names: &Arc<[NodeName]>,
    start: usize,
    cfg: &Config,
    rng: &mut SimRng,
) -> CycleRecord {
    let n = nodes.len();
    debug_assert_eq!(names.len(), n, "one name per node");
    let to_find =
        num_feasible_nodes_to_find(cfg.percentage_of_nodes_to_score, n as i64).max(0) as usize;
    let request = node_resources_fit::compute_pod_resource_request(pod);
    let mut rejected = Vec::new();
    let mut feasible: Vec<usize> = Vec::with_capacity(to_find.min(n));
    // Each feasible node's visit position.
    let mut positions: Vec<usize> = Vec::with_capacity(to_find.min(n));
    let mut failed: Vec<Status> = Vec::new();
    let mut processed = 0;
    for i in 0..n {
        if feasible.len() >= to_find {
            break;
        }
        let idx = (start + i) % n;
        processed += 1;
        let node = nodes[idx].borrow();
        let st = run_filters(pod, &request, node, cfg);
        if st.is_success() {
            feasible.push(idx);
            positions.push(i);
        } else {
            rejected.push((i, st.plugin.clone(), st.reasons.clone()));
            failed.push(st);
        }
    }
    let next_start = if n == 0 { 0 } else { (start + processed) % n };
    let mut record = CycleRecord {
        pod: pod.name.clone(),
        nodes_total: n,
        nodes_to_find: to_find,
        filtered: Filtered {
            names: names.clone(),
            start,
            visited: processed,
            rejected,
        },
        scores: Scores::default(),
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
            record.chosen = Some(nodes[feasible[0]].borrow().name.clone());
            return record;
        }
        _ => {}
    }
    let views: Vec<&NodeInfo> = feasible.iter().map(|&i| nodes[i].borrow()).collect();
    // PreScore: everything that depends only on the pod.
    let resources = node_resources_fit::default_resources();
    let resources_valid =
        !resources.is_empty() && node_resources_fit::validate_resources(&resources).is_ok();
    let prefer = taint_toleration::prefer_no_schedule_tolerations(pod);
    let fit_requests = node_resources_fit::pod_request_list(pod, &resources, false);
    let images = image_locality::normalized_images(pod);
    let mut per_plugin: Vec<(&'static str, Vec<i64>, Vec<i64>)> = Vec::with_capacity(5);
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
    // NodeResourcesFit LeastAllocated (1): already 0..100, no normalisation; a scoring
    // error (invalid resources) scores 0.
    let raw: Vec<i64> = views
        .iter()
        .map(|v| {
            if resources_valid {
                node_resources_fit::score_requests(
                    &fit_requests,
                    v,
                    node_resources_fit::ScoringStrategy::LeastAllocated,
                    &resources,
                )
            } else {
                0
            }
        })
        .collect();
    per_plugin.push((node_resources_fit::NAME, raw.clone(), raw));
    // NodeResourcesBalancedAllocation (1), skipped for best-effort pods.
    if balanced_allocation::pre_score(pod, &resources).code != Code::Skip {
        let requests = node_resources_fit::pod_request_list(pod, &resources, true);
        let raw: Vec<i64> = views
            .iter()
            .map(|v| balanced_allocation::score_requests(&requests, v, &resources))
            .collect();
        per_plugin.push((balanced_allocation::NAME, raw.clone(), raw));
    }
    // ImageLocality (1).
    let raw: Vec<i64> = views
        .iter()
        .map(|v| image_locality::score_normalized(&images, v, n as i64))
        .collect();
    per_plugin.push((image_locality::NAME, raw.clone(), raw));

    let mut totals = vec![0i64; views.len()];
    let mut columns = Vec::with_capacity(per_plugin.len());
    for (plugin, raw, normalized) in per_plugin {
        let weight = default_weight(plugin);
        for (t, s) in totals.iter_mut().zip(&normalized) {
            *t += s * weight;
        }
        columns.push(PluginColumn {
            plugin,
            weight,
            raw,
            normalized,
        });
    }
    let mut best = i64::MIN;
    let mut tied: Vec<usize> = Vec::new();
    for (k, &total) in totals.iter().enumerate() {
        if total > best {
            best = total;
            tied.clear();
        }
        if total == best {
            tied.push(k);
        }
    }
    record.scores = Scores {
        positions,
        totals,
        plugins: columns,
    };
    let pick = tied[rng.below(tied.len() as u64) as usize];
    record.chosen = Some(views[pick].name.clone());
    if tied.len() > 1 {
        record.tied = tied.iter().map(|&k| views[k].name.clone()).collect();
    }
    record
}
