//! `kubectl drain NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force]
//! [--timeout D] [--disable-eviction]` (`k8s.io/kubectl/pkg/drain`).
//!
//! Cordons the node, then evicts every pod on it through the Eviction API, which
//! honours PodDisruptionBudgets: a refused eviction (429) is retried every 5 s, and each
//! evicted pod is waited for until it is gone. Like the real command it blocks, so
//! simulated time advances while it runs — replacements get scheduled and become
//! ready elsewhere, which is what lets a budget allow the next eviction.
//!
//! Pods kubectl refuses to touch without a flag: DaemonSet pods (here: owned by a
//! DaemonSet, or kube-proxy, which kubeadm runs as one) need `--ignore-daemonsets`
//! (they are then left alone); pods with no controller need `--force` (they would not
//! come back); pods with `emptyDir` volumes need `--delete-emptydir-data`. Static
//! (mirror) control-plane pods are skipped.

use super::cordon::set_unschedulable;
use super::flags::{FlagSpec, Flags, switch, value};
use crate::api::pod::Pod;
use crate::apiserver::{ApiError, ObjKey};
use crate::command::CommandError;
use crate::simulation::{Simulation, Write};
use crate::time::{SimDuration, SimTime};

/// Flags of `kubectl drain`.
pub const FLAGS: [FlagSpec; 6] = [
    switch("ignore-daemonsets", None),
    switch("delete-emptydir-data", None),
    switch("force", None),
    value("timeout", None),
    switch("disable-eviction", None),
    value("selector", Some('l')),
];

/// How long kubectl waits before retrying a refused eviction.
pub const EVICTION_RETRY: SimDuration = SimDuration::from_secs(5);

/// How often kubectl checks whether an evicted pod is gone.
pub const DELETE_POLL: SimDuration = SimDuration::from_secs(1);

/// Without `--timeout` kubectl waits forever; the simulator gives up after an hour of
/// simulated time so a blocked drain cannot run away.
pub const MAX_DRAIN: SimDuration = SimDuration::from_mins(60);

/// Arguments of `kubectl drain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrainArgs {
    /// The node.
    pub node: String,
    /// `--ignore-daemonsets`.
    pub ignore_daemonsets: bool,
    /// `--delete-emptydir-data`.
    pub delete_emptydir_data: bool,
    /// `--force`.
    pub force: bool,
    /// `--timeout` (none or 0 = wait "forever").
    pub timeout: Option<SimDuration>,
    /// `--disable-eviction`: delete instead of evict (bypasses budgets).
    pub disable_eviction: bool,
}

/// Parses `drain` arguments.
pub fn parse(pos: &[String], f: &Flags) -> Result<DrainArgs, CommandError> {
    if f.get("selector").is_some() {
        return Err(CommandError::new(
            "error: drain -l is not supported by the simulator; name the node",
        ));
    }
    let node = match pos {
        [n] => match n.split_once('/') {
            Some(("node" | "nodes" | "no", name)) => name.to_string(),
            Some((t, _)) => {
                return Err(CommandError::new(format!(
                    "error: the server doesn't have a resource type \"{t}\"; drain works on nodes"
                )));
            }
            None => n.clone(),
        },
        _ => {
            return Err(CommandError::new(
                "error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples",
            ));
        }
    };
    let timeout = match f.get("timeout") {
        None => None,
        Some(t) => {
            let d = SimDuration::parse(t).map_err(|e| {
                CommandError::new(format!(
                    "error: invalid argument \"{t}\" for \"--timeout\" flag: {e}"
                ))
            })?;
            (d > SimDuration::ZERO).then_some(d)
        }
    };
    Ok(DrainArgs {
        node,
        ignore_daemonsets: f.on("ignore-daemonsets"),
        delete_emptydir_data: f.on("delete-emptydir-data"),
        force: f.on("force"),
        timeout,
        disable_eviction: f.on("disable-eviction"),
    })
}

fn is_mirror(p: &Pod) -> bool {
    p.metadata.labels.get("tier").map(String::as_str) == Some("control-plane")
        || p.metadata
            .annotations
            .contains_key("kubernetes.io/config.mirror")
}

fn is_daemonset(p: &Pod) -> bool {
    p.metadata
        .controller()
        .is_some_and(|o| o.kind == "DaemonSet")
        || p.metadata.labels.get("k8s-app").map(String::as_str) == Some("kube-proxy")
}

fn has_local_storage(p: &Pod) -> bool {
    p.spec
        .volumes
        .as_ref()
        .and_then(|v| v.as_array())
        .is_some_and(|vs| vs.iter().any(|v| v.get("emptyDir").is_some()))
}

fn finished(p: &Pod) -> bool {
    matches!(
        p.status.phase.as_deref(),
        Some("Succeeded") | Some("Failed")
    )
}

fn nsname(p: &Pod) -> String {
    format!("{}/{}", p.metadata.namespace_or_default(), p.metadata.name)
}

/// One pod being drained.
struct Eviction {
    key: ObjKey,
    uid: String,
    /// When the next eviction attempt is due (`None` once accepted).
    next_attempt: Option<SimTime>,
    done: bool,
}

fn pending_error(node: &str, err: &str) -> String {
    format!(
        "error: unable to drain node \"{node}\" due to error: {err}, continuing command...\nThere are pending nodes to be drained:\n {node}\n{err}\n"
    )
}

/// Runs `kubectl drain`.
pub fn run(sim: &mut Simulation, args: &DrainArgs) -> Result<String, CommandError> {
    let node = args.node.as_str();
    let mut out = set_unschedulable(sim, node, true)?;
    let pods: Vec<Pod> = sim
        .state()
        .api
        .store
        .pods()
        .filter(|p| p.spec.node_name.as_deref() == Some(node) && !is_mirror(p))
        .cloned()
        .collect();
    let mut daemonsets = Vec::new();
    let mut local = Vec::new();
    let mut unmanaged = Vec::new();
    let mut to_evict: Vec<&Pod> = Vec::new();
    for p in &pods {
        if finished(p) {
            to_evict.push(p);
            continue;
        }
        if is_daemonset(p) {
            daemonsets.push(nsname(p));
            continue;
        }
        if has_local_storage(p) {
            local.push(nsname(p));
        }
        if p.metadata.controller().is_none() {
            unmanaged.push(nsname(p));
        }
        to_evict.push(p);
    }
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    if !daemonsets.is_empty() {
        if args.ignore_daemonsets {
            warnings.push(format!(
                "ignoring DaemonSet-managed Pods: {}",
                daemonsets.join(", ")
            ));
        } else {
            errors.push(format!(
                "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {}",
                daemonsets.join(", ")
            ));
        }
    }
    if !local.is_empty() {
        if args.delete_emptydir_data {
            warnings.push(format!(
                "deleting Pods with local storage: {}",
                local.join(", ")
            ));
        } else {
            errors.push(format!(
                "cannot delete Pods with local storage (use --delete-emptydir-data to override): {}",
                local.join(", ")
            ));
        }
    }
    if !unmanaged.is_empty() {
        if args.force {
            warnings.push(format!(
                "deleting Pods that declare no controller: {}",
                unmanaged.join(", ")
            ));
        } else {
            errors.push(format!(
                "cannot delete Pods declare no controller (use --force to override): {}",
                unmanaged.join(", ")
            ));
        }
    }
    if !errors.is_empty() {
        // The node stays cordoned, as with kubectl: the command changed the cluster.
        let err = if errors.len() == 1 {
            errors.remove(0)
        } else {
            format!("[{}]", errors.join(", "))
        };
        out.push_str(&pending_error(node, &err));
        return Err(CommandError::after_waiting(out));
    }
    if !warnings.is_empty() {
        out.push_str(&format!("Warning: {}\n", warnings.join("; ")));
    }
    let start = sim.now();
    let limit = args.timeout.unwrap_or(MAX_DRAIN);
    let deadline = start.after(limit);
    let mut work: Vec<Eviction> = to_evict
        .iter()
        .map(|p| Eviction {
            key: ObjKey::new("Pod", p.metadata.namespace_or_default(), &p.metadata.name),
            uid: p.metadata.uid.clone(),
            next_attempt: Some(start),
            done: false,
        })
        .collect();
    loop {
        let now = sim.now();
        for w in work.iter_mut().filter(|w| !w.done) {
            if w.next_attempt.is_none_or(|t| t > now) {
                continue;
            }
            out.push_str(&format!(
                "evicting pod {}/{}\n",
                w.key.namespace, w.key.name
            ));
            let write = if args.disable_eviction {
                Write::Delete(w.key.clone(), None)
            } else {
                Write::Evict(w.key.clone())
            };
            match sim.submit(vec![write]) {
                Ok(_) | Err(ApiError::NotFound { .. }) => w.next_attempt = None,
                Err(ApiError::TooManyRequests { message }) => {
                    out.push_str(&format!(
                        "error when evicting pods/\"{}\" -n \"{}\" (will retry after {}): {message}\n",
                        w.key.name, w.key.namespace, EVICTION_RETRY
                    ));
                    w.next_attempt = Some(now.after(EVICTION_RETRY));
                }
                Err(e) => {
                    let msg = format!(
                        "error when evicting pods/\"{}\" -n \"{}\": {e}",
                        w.key.name, w.key.namespace
                    );
                    out.push_str(&pending_error(node, &msg));
                    return Err(CommandError::after_waiting(out));
                }
            }
        }
        // `waitForDelete`: gone, or replaced by a new pod of the same name.
        for w in work
            .iter_mut()
            .filter(|w| !w.done && w.next_attempt.is_none())
        {
            let gone = sim
                .state()
                .api
                .store
                .pod(&w.key.namespace, &w.key.name)
                .is_none_or(|p| p.metadata.uid != w.uid);
            if gone {
                w.done = true;
                out.push_str(&format!("pod/{} evicted\n", w.key.name));
            }
        }
        if work.iter().all(|w| w.done) {
            break;
        }
        if now >= deadline {
            let stuck: Vec<String> = work
                .iter()
                .filter(|w| !w.done)
                .map(|w| match w.next_attempt {
                    Some(_) => format!(
                        "error when evicting pods/\"{}\" -n \"{}\": global timeout reached: {limit}",
                        w.key.name, w.key.namespace
                    ),
                    None => format!(
                        "error when waiting for pod \"{}\" in namespace \"{}\" to terminate: global timeout reached: {limit}",
                        w.key.name, w.key.namespace
                    ),
                })
                .collect();
            let err = if stuck.len() == 1 {
                stuck[0].clone()
            } else {
                format!("[{}]", stuck.join(", "))
            };
            out.push_str(&pending_error(node, &err));
            if args.timeout.is_none() {
                out.push_str(&format!(
                    "(the simulator stops a drain without --timeout after {MAX_DRAIN} of simulated time; kubectl would keep trying until interrupted)\n"
                ));
            }
            return Err(CommandError::after_waiting(out));
        }
        let next_attempt = work
            .iter()
            .filter(|w| !w.done)
            .filter_map(|w| w.next_attempt)
            .min();
        let waiting = work.iter().any(|w| !w.done && w.next_attempt.is_none());
        let mut wake = next_attempt.unwrap_or(deadline);
        if waiting {
            wake = wake.min(now.after(DELETE_POLL));
        }
        let wake = wake
            .min(deadline)
            .max(now.after(SimDuration::from_millis(1)));
        sim.advance_until(wake, |_| false);
    }
    out.push_str(&format!("node/{node} drained\n"));
    Ok(out)
}
