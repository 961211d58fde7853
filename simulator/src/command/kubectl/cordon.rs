//! `kubectl cordon NODE` / `kubectl uncordon NODE`: set or clear `spec.unschedulable`.
//!
//! The scheduler's NodeUnschedulable filter then keeps new pods off the node, and the
//! node lifecycle controller adds the `node.kubernetes.io/unschedulable:NoSchedule` taint
//! (taint-nodes-by-condition). Pods already running stay.

use super::flags::{FlagSpec, Flags, value};
use crate::api::Object;
use crate::command::CommandError;
use crate::simulation::{Simulation, Write};

/// Flags of `kubectl cordon` and `uncordon`.
pub const FLAGS: [FlagSpec; 1] = [value("selector", Some('l'))];

/// Arguments of `kubectl cordon` / `uncordon`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CordonArgs {
    /// Node names.
    pub nodes: Vec<String>,
    /// `-l`.
    pub selector: Option<String>,
    /// `true` for cordon, `false` for uncordon.
    pub cordon: bool,
}

/// Parses `cordon` / `uncordon` arguments.
pub fn parse(pos: &[String], f: &Flags, cordon: bool) -> Result<CordonArgs, CommandError> {
    let verb = if cordon { "cordon" } else { "uncordon" };
    let selector = f.get("selector").map(String::from);
    if pos.is_empty() && selector.is_none() {
        return Err(CommandError::new(format!(
            "error: USAGE: {verb} NODE [flags]\nSee 'kubectl {verb} -h' for help and examples"
        )));
    }
    let nodes = pos
        .iter()
        .map(|p| match p.split_once('/') {
            Some(("node" | "nodes" | "no", n)) => Ok(n.to_string()),
            Some((t, _)) => Err(CommandError::new(format!(
                "error: the server doesn't have a resource type \"{t}\"; {verb} works on nodes"
            ))),
            None => Ok(p.clone()),
        })
        .collect::<Result<_, _>>()?;
    Ok(CordonArgs {
        nodes,
        selector,
        cordon,
    })
}

/// Sets `spec.unschedulable` of `name` to `cordon`; returns kubectl's line
/// (`node/worker-1 cordoned`, `node/worker-1 already cordoned`).
pub fn set_unschedulable(
    sim: &mut Simulation,
    name: &str,
    cordon: bool,
) -> Result<String, CommandError> {
    let node = sim.state().api.store.node_named(name).ok_or_else(|| {
        CommandError::new(format!(
            "Error from server (NotFound): nodes \"{name}\" not found"
        ))
    })?;
    let verb = if cordon { "cordoned" } else { "uncordoned" };
    if node.spec.unschedulable == cordon {
        return Ok(format!("node/{name} already {verb}\n"));
    }
    let mut next = node.clone();
    next.spec.unschedulable = cordon;
    sim.submit(vec![Write::Update(Box::new(Object::Node(next)))])
        .map_err(|e| CommandError::new(e.to_string()))?;
    Ok(format!("node/{name} {verb}\n"))
}

/// Runs `kubectl cordon` / `uncordon`.
pub fn run(sim: &mut Simulation, args: &CordonArgs) -> Result<String, CommandError> {
    let mut names: Vec<String> = Vec::new();
    if let Some(sel) = super::parse_selector(args.selector.as_deref())? {
        names.extend(
            sim.state()
                .api
                .store
                .nodes()
                .filter(|n| sel.matches(&n.metadata.labels))
                .map(|n| n.metadata.name.clone()),
        );
    }
    names.extend(args.nodes.iter().cloned());
    // Check every name first so a typo changes nothing.
    for n in &names {
        if sim.state().api.store.node_named(n).is_none() {
            return Err(CommandError::new(format!(
                "Error from server (NotFound): nodes \"{n}\" not found"
            )));
        }
    }
    let mut out = String::new();
    for n in &names {
        out.push_str(&set_unschedulable(sim, n, args.cordon)?);
    }
    Ok(out)
}
