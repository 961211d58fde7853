//! A scheduling cycle explained: one row per node the scheduler looked at, with each
//! filter plugin's verdict (and its reason when it rejected the node), each score
//! plugin's normalised score, the weighted total, and which node won — or the
//! `0/N nodes are available: …` sentence when none fit and the pod stays Pending.

use leptos::prelude::*;
use simulator::scheduler::cycle::{CycleRecord, FilterVerdict};
use simulator::scheduler::plugins::{
    node_affinity, node_name, node_resources_fit, node_unschedulable, taint_toleration,
};

/// The filter plugins, in the order the scheduler runs them (the first failure stops
/// the chain, so later ones do not run on a rejected node).
pub const FILTER_PLUGINS: [&str; 5] = [
    node_unschedulable::NAME,
    node_name::NAME,
    taint_toleration::NAME,
    node_affinity::NAME,
    node_resources_fit::NAME,
];

/// Nodes shown in the table at most (a benchmark-sized cluster would be unreadable).
pub const MAX_TABLE_ROWS: usize = 100;

/// One filter plugin's verdict on one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterCell {
    /// The plugin let the node through.
    Passed,
    /// The plugin rejected the node, for these reasons.
    Failed(String),
    /// An earlier plugin had already rejected the node.
    NotRun,
}

impl FilterCell {
    /// The cell's text (words, not symbols or colour alone).
    pub fn text(&self) -> String {
        match self {
            FilterCell::Passed => "pass".into(),
            FilterCell::Failed(why) => format!("fail: {why}"),
            FilterCell::NotRun => "not run".into(),
        }
    }
}

/// One node's row of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeRow {
    /// The node.
    pub node: String,
    /// One verdict per filter column.
    pub filters: Vec<FilterCell>,
    /// One normalised score per score column (`None`: not scored).
    pub scores: Vec<Option<i64>>,
    /// Σ normalised × weight, when the node was scored.
    pub total: Option<i64>,
    /// The scheduler bound the pod here.
    pub chosen: bool,
    /// It tied for the top score (the seeded RNG picked among the tied).
    pub tied: bool,
}

/// The whole table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedulingTable {
    /// Filter plugin columns, in run order.
    pub filter_columns: Vec<String>,
    /// Score plugin columns: (plugin, weight).
    pub score_columns: Vec<(String, i64)>,
    /// The nodes, in the order the scheduler visited them.
    pub rows: Vec<NodeRow>,
    /// Visited nodes left out of `rows` (beyond [`MAX_TABLE_ROWS`]).
    pub hidden: usize,
}

/// The filter cells of one node: passes up to the plugin that rejected it, then "not
/// run"; every cell a pass for a feasible node.
pub fn filter_cells(columns: &[String], verdict: &FilterVerdict) -> Vec<FilterCell> {
    let failed_at = verdict
        .plugin
        .as_deref()
        .filter(|_| !verdict.feasible)
        .and_then(|p| columns.iter().position(|c| c == p));
    columns
        .iter()
        .enumerate()
        .map(|(i, _)| match failed_at {
            Some(f) if i == f => FilterCell::Failed(verdict.reasons.join(", ")),
            Some(f) if i > f => FilterCell::NotRun,
            _ => FilterCell::Passed,
        })
        .collect()
}

/// The table of a cycle, at most `max_rows` nodes.
pub fn table(record: &CycleRecord, max_rows: usize) -> SchedulingTable {
    let mut filter_columns: Vec<String> = FILTER_PLUGINS.iter().map(|p| p.to_string()).collect();
    // A plugin this list does not know still gets its own column.
    for v in record.filtered.iter() {
        if let Some(p) = v.plugin.filter(|p| !filter_columns.contains(p)) {
            filter_columns.push(p);
        }
    }
    let scores: Vec<_> = record.node_scores().collect();
    let mut score_columns: Vec<(String, i64)> = Vec::new();
    for s in &scores {
        for p in &s.plugins {
            if !score_columns.iter().any(|(name, _)| name == p.plugin) {
                score_columns.push((p.plugin.to_string(), p.weight));
            }
        }
    }
    let chosen = record.chosen.as_ref().map(|c| c.as_str());
    let tied = |n: &str| record.tied.len() > 1 && record.tied.iter().any(|t| t.as_str() == n);
    let rows: Vec<NodeRow> = record
        .filtered
        .iter()
        .take(max_rows)
        .map(|v| {
            let name = v.node.as_str();
            let score = scores.iter().find(|s| s.node.as_str() == name);
            NodeRow {
                node: name.to_string(),
                filters: filter_cells(&filter_columns, &v),
                scores: score_columns
                    .iter()
                    .map(|(col, _)| {
                        score.and_then(|s| {
                            s.plugins
                                .iter()
                                .find(|p| p.plugin == col)
                                .map(|p| p.normalized)
                        })
                    })
                    .collect(),
                total: score.map(|s| s.total),
                chosen: chosen == Some(name),
                tied: tied(name),
            }
        })
        .collect();
    SchedulingTable {
        filter_columns,
        score_columns,
        hidden: record.filtered.len().saturating_sub(rows.len()),
        rows,
    }
}

/// What the cycle decided, in a sentence or two.
pub fn outcome(record: &CycleRecord) -> String {
    let feasible = record.filtered.len() - record.filtered.rejected();
    let mut out = match (&record.failure, &record.chosen) {
        (Some(failure), _) => {
            format!("No node fits, so {} stays Pending. {failure}", record.pod)
        }
        (None, Some(node)) if record.scores.is_empty() => format!(
            "Only {node} passed every filter, so {} was bound there without scoring.",
            record.pod
        ),
        (None, Some(node)) => {
            let total = record
                .node_scores()
                .find(|s| s.node == *node)
                .map_or(0, |s| s.total);
            let mut s = format!(
                "{} was bound to {node}: the highest weighted total ({total}) of the {feasible} feasible nodes.",
                record.pod
            );
            if record.tied.len() > 1 {
                let names: Vec<&str> = record.tied.iter().map(|t| t.as_str()).collect();
                s.push_str(&format!(
                    " {} tied at the top; the scheduler picked one at random (seeded, so replays agree).",
                    names.join(", ")
                ));
            }
            s
        }
        (None, None) => format!("{} was not placed.", record.pod),
    };
    let unvisited = record.nodes_total.saturating_sub(record.filtered.len());
    if unvisited > 0 && record.failure.is_none() {
        out.push_str(&format!(
            " The scheduler stopped once it had found {} feasible node(s) (percentageOfNodesToScore): {unvisited} of {} nodes were not evaluated.",
            record.nodes_to_find, record.nodes_total
        ));
    }
    out
}

/// A scheduling cycle's table and outcome.
#[component]
pub fn SchedulingExplanation(
    /// The cycle, as the scheduler recorded it.
    record: CycleRecord,
) -> impl IntoView {
    let t = table(&record, MAX_TABLE_ROWS);
    let sentence = outcome(&record);
    let failed = record.failure.is_some();
    let (filter_count, score_count) = (t.filter_columns.len(), t.score_columns.len());
    let filter_heads = t
        .filter_columns
        .iter()
        .map(|c| view! { <th scope="col">{c.clone()}</th> })
        .collect_view();
    let score_heads = t
        .score_columns
        .iter()
        .map(|(c, w)| view! { <th scope="col">{format!("{c} (×{w})")}</th> })
        .collect_view();
    let rows = t
        .rows
        .into_iter()
        .map(|row| {
            let filters = row
                .filters
                .iter()
                .map(|f| {
                    let class = match f {
                        FilterCell::Passed => "verdict pass",
                        FilterCell::Failed(_) => "verdict fail",
                        FilterCell::NotRun => "verdict skipped",
                    };
                    view! { <td class=class>{f.text()}</td> }
                })
                .collect_view();
            let scores = row
                .scores
                .iter()
                .map(|s| view! { <td class="num">{s.map_or_else(|| "–".to_string(), |s| s.to_string())}</td> })
                .collect_view();
            let result = if row.chosen {
                "chosen"
            } else if row.filters.iter().any(|f| matches!(f, FilterCell::Failed(_))) {
                "filtered out"
            } else if row.tied {
                "tied, not picked"
            } else {
                "feasible"
            };
            view! {
                <tr class:chosen=row.chosen>
                    <th scope="row" class="mono">
                        {row.chosen.then(|| view! { <span aria-hidden="true">"★ "</span> })}
                        {row.node}
                    </th>
                    {filters}
                    {scores}
                    <td class="num">{row.total.map_or_else(|| "–".to_string(), |t| t.to_string())}</td>
                    <td>{result}</td>
                </tr>
            }
        })
        .collect_view();
    let hidden = t.hidden;
    view! {
        <div class="explain explain-scheduling">
            <p class="explain-outcome" class:explain-failure=failed>
                {sentence}
            </p>
            <div class="explain-table-scroll" tabindex="0" role="region" aria-label="Per-node filter and score table">
                <table class="explain-table" data-testid="explain-scheduling-table">
                    <caption class="visually-hidden">
                        {format!("How the scheduler judged each node for {}", record.pod)}
                    </caption>
                    <thead>
                        <tr>
                            <td></td>
                            <th scope="colgroup" colspan=filter_count>
                                "Filters (in order)"
                            </th>
                            {(score_count > 0)
                                .then(|| {
                                    view! {
                                        <th scope="colgroup" colspan=score_count>
                                            "Scores (0–100, × weight)"
                                        </th>
                                    }
                                })}
                            <td colspan="2"></td>
                        </tr>
                        <tr>
                            <th scope="col">"Node"</th>
                            {filter_heads}
                            {score_heads}
                            <th scope="col">"Weighted total"</th>
                            <th scope="col">"Result"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {(hidden > 0).then(|| view! { <p class="muted">{format!("{hidden} more nodes not shown.")}</p> })}
            <p class="muted explain-help">
                "Filters run left to right and stop at the first that rejects a node. Scores are normalised to 0–100 and multiplied by the plugin's weight; the highest total wins."
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simulator::event::Detail;
    use simulator::{Scenario, Simulation};

    const BIG: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    resources:\n      requests:\n        cpu: \"64\"\n";

    fn cycles(lines: &[&str]) -> Vec<CycleRecord> {
        let mut scenario = Scenario::named("default").expect("default scenario");
        let mut ws = scenario.workspace.clone();
        ws.insert("big.yaml", BIG);
        scenario = scenario.with_workspace(ws);
        let mut sim = Simulation::new(&scenario);
        for l in lines {
            sim.run(l).expect(l);
        }
        sim.log()
            .events()
            .iter()
            .filter_map(|e| match e.detail.as_deref() {
                Some(Detail::Scheduling(r)) => Some((**r).clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn filter_cells_stop_at_the_first_failure() {
        let cols: Vec<String> = FILTER_PLUGINS.iter().map(|p| p.to_string()).collect();
        let v = FilterVerdict {
            node: Default::default(),
            feasible: false,
            plugin: Some("TaintToleration".into()),
            reasons: vec!["node(s) had untolerated taint {gpu: true}".into()],
        };
        let cells = filter_cells(&cols, &v);
        assert_eq!(cells[0], FilterCell::Passed);
        assert_eq!(cells[1], FilterCell::Passed);
        assert_eq!(
            cells[2].text(),
            "fail: node(s) had untolerated taint {gpu: true}"
        );
        assert_eq!(cells[3], FilterCell::NotRun);
        assert_eq!(cells[4], FilterCell::NotRun);
    }

    #[test]
    fn a_bound_pod_shows_every_node_and_the_winner() {
        let all = cycles(&[
            "kubectl create deployment web --image=nginx:1.27 --replicas=1",
            "sim advance 10s",
        ]);
        let record = all
            .iter()
            .find(|r| r.pod.starts_with("web-"))
            .expect("web's cycle");
        let t = table(record, MAX_TABLE_ROWS);
        assert_eq!(t.rows.len(), record.filtered.len());
        assert_eq!(t.rows.iter().filter(|r| r.chosen).count(), 1);
        // The control plane's taint keeps the pod off it.
        let cp = t
            .rows
            .iter()
            .find(|r| r.node == "control-plane")
            .expect("control plane row");
        assert!(matches!(&cp.filters[2], FilterCell::Failed(w) if w.contains("taint")));
        assert!(cp.total.is_none());
        let chosen = t.rows.iter().find(|r| r.chosen).expect("chosen");
        assert!(chosen.total.is_some());
        assert!(!t.score_columns.is_empty());
        assert!(outcome(record).contains("was bound to"));
    }

    #[test]
    fn a_pending_pod_says_why_no_node_fits() {
        let all = cycles(&["kubectl apply -f big.yaml", "sim advance 5s"]);
        let record = all.iter().find(|r| r.pod == "big").expect("big's cycle");
        let text = outcome(record);
        assert!(
            text.starts_with("No node fits, so big stays Pending. 0/4 nodes are available:"),
            "{text}"
        );
        assert!(text.contains("Insufficient cpu"), "{text}");
        let t = table(record, 2);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.hidden, record.filtered.len() - 2);
        assert!(t.rows.iter().all(|r| !r.chosen && r.total.is_none()));
    }
}
