//! `kubectl taint nodes NAME key=value:Effect ... [key:Effect-] [key-] [--overwrite]`.
//!
//! Parsing and the update rules copy kubectl (`k8s.io/kubectl/pkg/cmd/taint/taint.go`,
//! `utils.go`): new taints go first, then the old ones they do not replace; removal by
//! `key:Effect-` drops that taint, `key-` every taint with the key; a taint already on the
//! node with the same key and effect is refused unless `--overwrite`.

use super::flags::{FlagSpec, Flags, switch, value};
use crate::api::Object;
use crate::api::meta::Timestamp;
use crate::api::node::Node;
use crate::api::scheduling::Taint;
use crate::command::CommandError;
use crate::simulation::{Simulation, Write};

/// Flags of `kubectl taint`.
pub const FLAGS: [FlagSpec; 3] = [
    switch("overwrite", None),
    switch("all", None),
    value("selector", Some('l')),
];

/// Arguments of `kubectl taint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaintArgs {
    /// Node names (empty with `--all` or `-l`).
    pub nodes: Vec<String>,
    /// `--all`.
    pub all: bool,
    /// `-l`.
    pub selector: Option<String>,
    /// Taints to add (effect always set).
    pub add: Vec<Taint>,
    /// Taints to remove (empty effect = every effect of the key).
    pub remove: Vec<Taint>,
    /// `--overwrite`.
    pub overwrite: bool,
}

/// `taint.ToString()`: `key=value:Effect`, `key:Effect`, `key=value` or `key`.
fn taint_string(t: &Taint) -> String {
    let mut s = t.key.clone();
    if !t.value.is_empty() {
        s.push('=');
        s.push_str(&t.value);
    }
    if !t.effect.is_empty() {
        s.push(':');
        s.push_str(&t.effect);
    }
    s
}

/// kubectl's `parseTaint`: `key=value:Effect`, `key:Effect` or `key`. The effect may be
/// empty (only for removals, which the caller checks).
pub fn parse_taint_spec(st: &str) -> Result<Taint, String> {
    let parts: Vec<&str> = st.split(':').collect();
    let (key, value, effect) = match parts.as_slice() {
        [key] => (key.to_string(), String::new(), String::new()),
        [kv, effect] => {
            if !matches!(*effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
                return Err(format!(
                    "invalid taint effect: {effect}, unsupported taint effect"
                ));
            }
            let kv: Vec<&str> = kv.split('=').collect();
            let (key, value) = match kv.as_slice() {
                [k] => (k.to_string(), String::new()),
                [k, v] => {
                    crate::kube::label_selector::validate_label_value(v)
                        .map_err(|e| format!("invalid taint spec: {st}, {e}"))?;
                    (k.to_string(), v.to_string())
                }
                _ => return Err(format!("invalid taint spec: {st}")),
            };
            (key, value, effect.to_string())
        }
        _ => return Err(format!("invalid taint spec: {st}")),
    };
    crate::kube::label_selector::validate_label_key(&key)
        .map_err(|e| format!("invalid taint spec: {st}, {e}"))?;
    Ok(Taint {
        key,
        value,
        effect,
        time_added: None,
    })
}

/// Parses `taint` arguments: resources first, then taint changes.
pub fn parse(pos: &[String], f: &Flags) -> Result<TaintArgs, CommandError> {
    let mut resources: Vec<&str> = Vec::new();
    let mut specs: Vec<&str> = Vec::new();
    for s in pos {
        let is_taint = s.contains('=') || s.contains(':') || s.ends_with('-');
        match (specs.is_empty(), is_taint) {
            (_, true) => specs.push(s),
            (true, false) => resources.push(s),
            (false, false) => {
                return Err(CommandError::new(format!(
                    "error: all resources must be specified before taint changes: {s}"
                )));
            }
        }
    }
    let all = f.on("all");
    let selector = f.get("selector").map(String::from);
    let mut nodes = Vec::new();
    let mut kind_given = false;
    for r in &resources {
        let (ty, name) = match r.split_once('/') {
            Some((t, n)) => (t, Some(n)),
            None if !kind_given => (*r, None),
            None => {
                nodes.push(r.to_string());
                continue;
            }
        };
        if !matches!(ty, "node" | "nodes" | "no") {
            return Err(CommandError::new(format!(
                "error: invalid resource type {ty}, only \"node\" are supported"
            )));
        }
        match name {
            Some(n) => nodes.push(n.to_string()),
            None => kind_given = true,
        }
    }
    if resources.is_empty() || (nodes.is_empty() && !all && selector.is_none()) {
        return Err(CommandError::new(
            "error: one or more resources must be specified as <resource> <name>",
        ));
    }
    let mut add: Vec<Taint> = Vec::new();
    let mut remove: Vec<Taint> = Vec::new();
    for s in specs {
        if let Some(r) = s.strip_suffix('-') {
            let t = parse_taint_spec(r).map_err(|e| CommandError::new(format!("error: {e}")))?;
            remove.push(Taint {
                value: String::new(),
                ..t
            });
        } else {
            let t = parse_taint_spec(s).map_err(|e| CommandError::new(format!("error: {e}")))?;
            if t.effect.is_empty() {
                return Err(CommandError::new(format!("error: invalid taint spec: {s}")));
            }
            if add.iter().any(|a| a.key == t.key && a.effect == t.effect) {
                return Err(CommandError::new(format!(
                    "error: duplicated taints with the same key and effect: {}",
                    taint_string(&t)
                )));
            }
            add.push(t);
        }
    }
    if add.is_empty() && remove.is_empty() {
        return Err(CommandError::new(
            "error: at least one taint update is required",
        ));
    }
    let conflicts: Vec<String> = remove
        .iter()
        .filter(|r| {
            add.iter()
                .any(|a| a.key == r.key && (r.effect.is_empty() || a.effect == r.effect))
        })
        .map(taint_string)
        .collect();
    if !conflicts.is_empty() {
        return Err(CommandError::new(format!(
            "error: can not both modify and remove the following taint(s) in the same command: {}",
            conflicts.join(", ")
        )));
    }
    Ok(TaintArgs {
        nodes,
        all,
        selector,
        add,
        remove,
        overwrite: f.on("overwrite"),
    })
}

/// What a taint update did to one node.
enum Outcome {
    Tainted,
    Untainted,
    Modified,
}

/// `reorganizeTaints`: the node's new taint list, or the errors kubectl prints.
fn reorganize(
    node: &Node,
    args: &TaintArgs,
    now: Timestamp,
) -> Result<(Outcome, Vec<Taint>), String> {
    if !args.overwrite {
        let exists: Vec<&str> = args
            .add
            .iter()
            .filter(|t| {
                node.spec
                    .taints
                    .iter()
                    .any(|o| o.key == t.key && o.effect == t.effect)
            })
            .map(|t| t.key.as_str())
            .collect();
        if !exists.is_empty() {
            return Err(format!(
                "node {} already has {} taint(s) with same effect(s) and --overwrite is false",
                node.metadata.name,
                exists.join(",")
            ));
        }
    }
    let mut new: Vec<Taint> = args
        .add
        .iter()
        .map(|t| {
            let old = node
                .spec
                .taints
                .iter()
                .find(|o| o.key == t.key && o.effect == t.effect);
            Taint {
                // NoExecute taints record when they were added (the taint manager's clock).
                time_added: (t.effect == "NoExecute")
                    .then(|| old.and_then(|o| o.time_added).unwrap_or(now)),
                ..t.clone()
            }
        })
        .collect();
    for old in &node.spec.taints {
        if !new
            .iter()
            .any(|t| t.key == old.key && t.effect == old.effect)
        {
            new.push(old.clone());
        }
    }
    let added = new.len() != node.spec.taints.len();
    let mut errors = Vec::new();
    let mut removed = false;
    for r in &args.remove {
        let before = new.len();
        new.retain(|t| !(t.key == r.key && (r.effect.is_empty() || t.effect == r.effect)));
        removed = new.len() != before;
        if !removed {
            errors.push(format!("taint \"{}\" not found", taint_string(r)));
        }
    }
    if !errors.is_empty() {
        return Err(errors.join(", "));
    }
    let outcome = if (added && removed) || args.overwrite {
        Outcome::Modified
    } else if added {
        Outcome::Tainted
    } else {
        Outcome::Untainted
    };
    Ok((outcome, new))
}

/// Runs `kubectl taint`.
pub fn run(sim: &mut Simulation, args: &TaintArgs) -> Result<String, CommandError> {
    let store = &sim.state().api.store;
    let selector = super::parse_selector(args.selector.as_deref())?;
    let mut nodes: Vec<Node> = Vec::new();
    if args.all || selector.is_some() {
        nodes.extend(
            store
                .nodes()
                .filter(|n| {
                    selector
                        .as_ref()
                        .is_none_or(|s| s.matches(&n.metadata.labels))
                })
                .cloned(),
        );
    }
    for name in &args.nodes {
        let n = store.node_named(name).ok_or_else(|| {
            CommandError::new(format!(
                "Error from server (NotFound): nodes \"{name}\" not found"
            ))
        })?;
        nodes.push(n.clone());
    }
    let now = Timestamp(sim.now());
    let mut writes = Vec::new();
    let mut out = String::new();
    for n in &nodes {
        let (outcome, taints) =
            reorganize(n, args, now).map_err(|e| CommandError::new(format!("error: {e}")))?;
        let mut next = n.clone();
        next.spec.taints = taints;
        writes.push(Write::Update(Box::new(Object::Node(next))));
        let verb = match outcome {
            Outcome::Tainted => "tainted",
            Outcome::Untainted => "untainted",
            Outcome::Modified => "modified",
        };
        out.push_str(&format!("node/{} {verb}\n", n.metadata.name));
    }
    sim.submit(writes)
        .map_err(|e| CommandError::new(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kubectl_taint_specs() {
        let t = parse_taint_spec("dedicated=gpu:NoSchedule").unwrap();
        assert_eq!(
            (t.key.as_str(), t.value.as_str(), t.effect.as_str()),
            ("dedicated", "gpu", "NoSchedule")
        );
        let t = parse_taint_spec("spot:NoExecute").unwrap();
        assert_eq!((t.value.as_str(), t.effect.as_str()), ("", "NoExecute"));
        assert_eq!(parse_taint_spec("key").unwrap().effect, "");
        assert_eq!(
            parse_taint_spec("a=b:Never").unwrap_err(),
            "invalid taint effect: Never, unsupported taint effect"
        );
        assert_eq!(
            parse_taint_spec("a=b=c:NoSchedule").unwrap_err(),
            "invalid taint spec: a=b=c:NoSchedule"
        );
        assert!(parse_taint_spec("a:b:c").is_err());
    }
}
