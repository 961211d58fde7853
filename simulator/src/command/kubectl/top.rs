//! `kubectl top nodes|pods`: the latest metrics-server samples
//! (`metrics.k8s.io`), printed as kubectl's `top` printers do. metrics-server always runs
//! here; before its first samples the answer is `error: metrics not available yet`.

use super::flags::{FlagSpec, Flags, switch, value};
use crate::apiserver::ApiError;
use crate::command::CommandError;
use crate::format::table;
use crate::kube::label_selector::Selector;
use crate::kube::quantity::parse_for_resource;
use crate::simulation::Simulation;

/// Flags of `kubectl top`.
pub const FLAGS: [FlagSpec; 5] = [
    switch("all-namespaces", Some('A')),
    switch("containers", None),
    value("selector", Some('l')),
    value("sort-by", None),
    switch("no-headers", None),
];

/// `top nodes` or `top pods`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopWhat {
    /// `kubectl top nodes`.
    Nodes,
    /// `kubectl top pods`.
    Pods,
}

/// Arguments of `kubectl top`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopArgs {
    /// Nodes or pods.
    pub what: TopWhat,
    /// One object.
    pub name: Option<String>,
    /// `-n`.
    pub namespace: String,
    /// `-A`.
    pub all_namespaces: bool,
    /// `--containers`.
    pub containers: bool,
    /// `-l`.
    pub selector: Option<String>,
    /// `--sort-by=cpu|memory`.
    pub sort_by: Option<String>,
    /// `--no-headers`.
    pub no_headers: bool,
}

const USAGE: &str = "Display resource (CPU/memory) usage.\n\nAvailable Commands:\n  node          Display resource (CPU/memory) usage of nodes\n  pod           Display resource (CPU/memory) usage of pods\n\nUsage:\n  kubectl top [flags] [options]";

/// Parses `top` arguments.
pub fn parse(pos: &[String], f: &Flags) -> Result<TopArgs, CommandError> {
    let Some((sub, rest)) = pos.split_first() else {
        return Err(CommandError::new(USAGE));
    };
    let what = match sub.as_str() {
        "node" | "nodes" | "no" => TopWhat::Nodes,
        "pod" | "pods" | "po" => TopWhat::Pods,
        other => {
            return Err(crate::command::unknown_subcommand(
                "kubectl top",
                other,
                &["node", "pod"],
            ));
        }
    };
    if rest.len() > 1 {
        return Err(CommandError::new(format!(
            "error: one or more {} names expected, got {}: top takes at most one NAME",
            if what == TopWhat::Nodes {
                "node"
            } else {
                "pod"
            },
            rest.len()
        )));
    }
    let sort_by = f.get("sort-by").map(String::from);
    if let Some(s) = &sort_by
        && s != "cpu"
        && s != "memory"
    {
        return Err(CommandError::new(
            "error: --sort-by accepts only cpu or memory",
        ));
    }
    if what == TopWhat::Nodes && f.on("containers") {
        return Err(CommandError::new("error: unknown flag: --containers"));
    }
    Ok(TopArgs {
        what,
        name: rest.first().cloned(),
        namespace: f.get("namespace").unwrap_or("default").to_string(),
        all_namespaces: f.on("all-namespaces"),
        containers: f.on("containers"),
        selector: f.get("selector").map(String::from),
        sort_by,
        no_headers: f.on("no-headers"),
    })
}

fn cpu(m: i64) -> String {
    format!("{m}m")
}

fn mem(bytes: i64) -> String {
    format!("{}Mi", bytes / (1024 * 1024))
}

fn not_yet() -> CommandError {
    CommandError::new("error: metrics not available yet")
}

fn render(header: &[&str], rows: &[Vec<String>], no_headers: bool) -> String {
    let t = table(header, rows);
    if no_headers {
        t.split_once('\n')
            .map_or(String::new(), |(_, r)| r.to_string())
    } else {
        t
    }
}

/// Runs `kubectl top`.
pub fn run(sim: &Simulation, args: &TopArgs) -> Result<String, CommandError> {
    let selector = super::parse_selector(args.selector.as_deref())?;
    match args.what {
        TopWhat::Nodes => nodes(sim, args, selector.as_ref()),
        TopWhat::Pods => pods(sim, args, selector.as_ref()),
    }
}

fn sort<T>(rows: &mut [(T, i64, i64)], by: Option<&str>) {
    match by {
        Some("cpu") => rows.sort_by_key(|r| std::cmp::Reverse(r.1)),
        Some("memory") => rows.sort_by_key(|r| std::cmp::Reverse(r.2)),
        _ => {}
    }
}

fn nodes(sim: &Simulation, args: &TopArgs, sel: Option<&Selector>) -> Result<String, CommandError> {
    let world = sim.state();
    let store = &world.api.store;
    if let Some(n) = &args.name
        && store.node_named(n).is_none()
    {
        return Err(CommandError::new(
            ApiError::NotFound {
                resource: "nodes".into(),
                name: n.clone(),
            }
            .to_string(),
        ));
    }
    let nodes: Vec<_> = store
        .nodes()
        .filter(|n| args.name.as_ref().is_none_or(|x| *x == n.metadata.name))
        .filter(|n| sel.is_none_or(|s| s.matches(&n.metadata.labels)))
        .collect();
    let mut rows: Vec<(Vec<String>, i64, i64)> = Vec::new();
    let mut missing = Vec::new();
    for n in &nodes {
        let Some(s) = world.metrics.nodes.get(&n.metadata.name) else {
            missing.push(n.metadata.name.clone());
            continue;
        };
        let alloc = |r: &str| {
            n.status
                .allocatable
                .get(r)
                .and_then(|q| parse_for_resource(r, &q.0).ok())
                .unwrap_or(0)
        };
        let pct = |used: i64, total: i64| {
            if total > 0 {
                format!("{}%", (used as f64 / total as f64 * 100.0) as i64)
            } else {
                "<unknown>".into()
            }
        };
        rows.push((
            vec![
                n.metadata.name.clone(),
                cpu(s.cpu),
                pct(s.cpu, alloc("cpu")),
                mem(s.memory),
                pct(s.memory, alloc("memory")),
            ],
            s.cpu,
            s.memory,
        ));
    }
    if rows.is_empty() {
        return Err(not_yet());
    }
    sort(&mut rows, args.sort_by.as_deref());
    let mut cells: Vec<Vec<String>> = rows.into_iter().map(|r| r.0).collect();
    for m in missing {
        cells.push(vec![
            m,
            "<unknown>".into(),
            "<unknown>".into(),
            "<unknown>".into(),
            "<unknown>".into(),
        ]);
    }
    Ok(render(
        &["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"],
        &cells,
        args.no_headers,
    ))
}

fn pods(sim: &Simulation, args: &TopArgs, sel: Option<&Selector>) -> Result<String, CommandError> {
    let world = sim.state();
    let store = &world.api.store;
    let ns = args.namespace.as_str();
    if let Some(n) = &args.name
        && store.pod(ns, n).is_none()
    {
        return Err(CommandError::new(
            ApiError::NotFound {
                resource: "pods".into(),
                name: n.clone(),
            }
            .to_string(),
        ));
    }
    let pods: Vec<_> = store
        .pods()
        .filter(|p| args.all_namespaces || p.metadata.namespace_or_default() == ns)
        .filter(|p| args.name.as_ref().is_none_or(|x| *x == p.metadata.name))
        .filter(|p| sel.is_none_or(|s| s.matches(&p.metadata.labels)))
        .collect();
    if pods.is_empty() {
        return Ok(if args.all_namespaces {
            "No resources found\n".to_string()
        } else {
            format!("No resources found in {ns} namespace.\n")
        });
    }
    let mut rows: Vec<(Vec<String>, i64, i64)> = Vec::new();
    for p in &pods {
        let key = crate::apiserver::ObjKey::new(
            "Pod",
            p.metadata.namespace_or_default(),
            &p.metadata.name,
        );
        let Some(s) = world.metrics.pods.get(&key) else {
            continue;
        };
        let mut prefix = Vec::new();
        if args.all_namespaces {
            prefix.push(p.metadata.namespace_or_default().to_string());
        }
        if args.containers {
            for c in &s.containers {
                let mut r = prefix.clone();
                r.extend([
                    p.metadata.name.clone(),
                    c.name.clone(),
                    cpu(c.cpu),
                    mem(c.memory),
                ]);
                rows.push((r, c.cpu, c.memory));
            }
        } else {
            let mut r = prefix;
            r.extend([p.metadata.name.clone(), cpu(s.cpu()), mem(s.memory())]);
            rows.push((r, s.cpu(), s.memory()));
        }
    }
    if rows.is_empty() {
        return Err(not_yet());
    }
    sort(&mut rows, args.sort_by.as_deref());
    let mut header = Vec::new();
    if args.all_namespaces {
        header.push("NAMESPACE");
    }
    if args.containers {
        header.extend(["POD", "NAME"]);
    } else {
        header.push("NAME");
    }
    header.extend(["CPU(cores)", "MEMORY(bytes)"]);
    let cells: Vec<Vec<String>> = rows.into_iter().map(|r| r.0).collect();
    Ok(render(&header, &cells, args.no_headers))
}
