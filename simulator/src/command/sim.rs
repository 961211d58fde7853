//! `sim …`: the things a real cluster does to you, made explicit (time, seed, reset,
//! nodes joining and failing, containers crashing).

use super::kubectl::flags::{self, switch, value};
use super::{CommandError, unknown_subcommand};
use crate::scenario::NodeSpec;
use crate::time::SimDuration;

/// A parsed `sim` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimCommand {
    /// `sim advance DURATION`: let simulated time pass, running everything due.
    Advance(SimDuration),
    /// `sim seed` prints the seed; `sim seed N` reseeds the RNG (and later resets).
    Seed(Option<u64>),
    /// `sim reset`: back to the scenario's start with the current seed.
    Reset,
    /// `sim node add|fail|recover`: machines joining and failing.
    Node(NodeCommand),
    /// `sim pod crash|unready|heal`: what a container's process does.
    Pod(PodCommand),
    /// `sim traffic …` / `sim usage …`: the load model (`crate::load`).
    Load(crate::load::LoadCommand),
    /// `sim cost`: what the cloud resources have cost so far (`crate::cost`).
    Cost,
    /// `sim price` lists prices; `sim price NAME DOLLARS` changes one (per hour).
    Price(Option<(String, i64)>),
    /// `sim compare PLATFORM…`: the same app on ECS-Fargate, ECS-EC2 and EKS
    /// (`crate::compare`).
    Compare(crate::compare::CompareArgs),
}

/// `sim node …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeCommand {
    /// `sim node add NAME [--cpu N] [--memory Q] [--pods N] [--label k=v]... [--taint k=v:E]...`.
    Add(NodeSpec),
    /// `sim node fail NAME`: the kubelet stops posting status (containers keep running).
    Fail(String),
    /// `sim node recover NAME`: the kubelet comes back and resyncs its pods.
    Recover(String),
}

/// What happens to a pod's container in `sim pod …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodAction {
    /// `sim pod crash`: the process exits (or, with `hang`, stops responding).
    Crash {
        /// `--exit-code N` (default 1).
        exit_code: i64,
        /// `--hang`: stop responding instead of exiting (liveness probes fail).
        hang: bool,
        /// `--loop`: do it again every time the container starts, until `sim pod heal`.
        repeat: bool,
    },
    /// `sim pod unready`: the readiness probe starts failing.
    Unready,
    /// `sim pod heal`: the process behaves again (probes pass, no more crashes).
    Heal,
}

/// `sim pod ACTION POD [-n NS] [-c CONTAINER]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodCommand {
    /// What happens.
    pub action: PodAction,
    /// Pod name.
    pub pod: String,
    /// Namespace (default `default`).
    pub namespace: String,
    /// Container name (default: the first container).
    pub container: Option<String>,
}

/// `sim` subcommands, for suggestions and completion.
pub const SUBCOMMANDS: [&str; 10] = [
    "advance", "seed", "reset", "node", "pod", "traffic", "usage", "cost", "price", "compare",
];

/// `sim node` subcommands.
pub const NODE_SUBCOMMANDS: [&str; 3] = ["add", "fail", "recover"];

/// `sim pod` subcommands.
pub const POD_SUBCOMMANDS: [&str; 3] = ["crash", "unready", "heal"];

/// The longest single `sim advance`: a week is plenty for any lesson and bounds the work
/// one command can queue up.
pub const MAX_ADVANCE: SimDuration = SimDuration::from_mins(7 * 24 * 60);

/// Parses the words after `sim`.
pub fn parse(args: &[String]) -> Result<SimCommand, CommandError> {
    let Some((sub, rest)) = args.split_first() else {
        return Err(CommandError::new(
            "error: missing subcommand for \"sim\"\n\nAvailable: sim advance DURATION | sim seed [N] | sim reset | sim node add|fail|recover NAME | sim pod crash|unready|heal POD | sim traffic TARGET RPS | sim usage TARGET cpu=Q",
        ));
    };
    match sub.as_str() {
        "advance" => {
            let [d] = rest else {
                return Err(CommandError::new(
                    "error: sim advance takes exactly one DURATION, e.g. `sim advance 30s` (units: ms, s, m, h, d)",
                ));
            };
            let d = SimDuration::parse(d).map_err(|e| CommandError::new(format!("error: {e}")))?;
            if d > MAX_ADVANCE {
                return Err(CommandError::new(format!(
                    "error: sim advance is limited to {MAX_ADVANCE} at a time"
                )));
            }
            Ok(SimCommand::Advance(d))
        }
        "seed" => match rest {
            [] => Ok(SimCommand::Seed(None)),
            [n] => n
                .parse::<u64>()
                .map(|n| SimCommand::Seed(Some(n)))
                .map_err(|_| {
                    CommandError::new(format!(
                        "error: invalid seed {n:?}: expected a whole number between 0 and {}",
                        u64::MAX
                    ))
                }),
            _ => Err(CommandError::new(
                "error: sim seed takes at most one number",
            )),
        },
        "reset" => {
            if rest.is_empty() {
                Ok(SimCommand::Reset)
            } else {
                Err(CommandError::new("error: sim reset takes no arguments"))
            }
        }
        "node" => parse_node(rest).map(SimCommand::Node),
        "pod" => parse_pod(rest).map(SimCommand::Pod),
        "traffic" => crate::load::parse_traffic(rest).map(SimCommand::Load),
        "usage" => crate::load::parse_usage(rest).map(SimCommand::Load),
        "cost" => {
            if rest.is_empty() {
                Ok(SimCommand::Cost)
            } else {
                Err(CommandError::new("error: sim cost takes no arguments"))
            }
        }
        "price" => match rest {
            [] => Ok(SimCommand::Price(None)),
            [name, dollars] => {
                let nano = crate::cost::parse_dollars(dollars).ok_or_else(|| {
                    CommandError::new(format!(
                        "error: invalid price {dollars:?}: expected dollars per hour, e.g. 0.04048"
                    ))
                })?;
                let known = crate::cost::PriceList::default();
                if !known.entries().iter().any(|(n, _)| n == name) {
                    let names: Vec<String> = known.entries().into_iter().map(|(n, _)| n).collect();
                    return Err(CommandError::new(format!(
                        "error: unknown price {name:?}; known: {}",
                        names.join(", ")
                    )));
                }
                Ok(SimCommand::Price(Some((name.clone(), nano))))
            }
            _ => Err(CommandError::new(
                "error: usage: sim price [NAME DOLLARS_PER_HOUR], e.g. sim price fargate-vcpu-hour 0.05",
            )),
        },
        "compare" => crate::compare::parse(rest).map(SimCommand::Compare),
        other => Err(unknown_subcommand("sim", other, &SUBCOMMANDS)),
    }
}

fn bad(msg: impl Into<String>) -> CommandError {
    CommandError::new(msg)
}

fn one_name<'a>(pos: &'a [String], usage: &str) -> Result<&'a str, CommandError> {
    match pos {
        [name] => Ok(name),
        [] => Err(bad(format!(
            "error: {usage} needs a name\n\nUsage: {usage}"
        ))),
        _ => Err(bad(format!(
            "error: {usage} takes exactly one name, got {}: {}",
            pos.len(),
            pos.join(" ")
        ))),
    }
}

/// Flags of `sim node add`.
const NODE_ADD_FLAGS: [flags::FlagSpec; 5] = [
    value("cpu", None),
    value("memory", None),
    value("pods", None),
    value("label", None),
    value("taint", None),
];

fn parse_node(args: &[String]) -> Result<NodeCommand, CommandError> {
    let Some((sub, rest)) = args.split_first() else {
        return Err(bad(
            "error: missing subcommand for \"sim node\"\n\nAvailable: sim node add NAME [--cpu 4] [--memory 8Gi] [--pods 110] [--label k=v]... [--taint k=v:Effect]... | sim node fail NAME | sim node recover NAME",
        ));
    };
    let specs: &[flags::FlagSpec] = if sub == "add" { &NODE_ADD_FLAGS } else { &[] };
    let (pos, f) = flags::parse(rest, specs)?;
    if f.get("namespace").is_some() {
        return Err(bad(
            "error: nodes are cluster-scoped: --namespace does not apply to sim node",
        ));
    }
    match sub.as_str() {
        "add" => {
            let name = one_name(&pos, "sim node add NAME")?;
            if !crate::apiserver::validation::is_dns1123_subdomain(name) {
                return Err(bad(format!(
                    "error: invalid node name \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
                )));
            }
            let mut spec = NodeSpec::worker(name);
            if let Some(cpu) = f.get("cpu") {
                let m = crate::kube::quantity::parse_for_resource("cpu", cpu)
                    .ok()
                    .filter(|m| *m > 0)
                    .ok_or_else(|| {
                        bad(format!(
                            "error: invalid --cpu \"{cpu}\": expected a positive quantity such as 4, 2.5 or 500m"
                        ))
                    })?;
                spec.cpu_millis = m as u64;
            }
            if let Some(mem) = f.get("memory") {
                let b = crate::kube::quantity::parse_for_resource("memory", mem)
                    .ok()
                    .filter(|b| *b >= 1024 * 1024)
                    .ok_or_else(|| {
                        bad(format!(
                            "error: invalid --memory \"{mem}\": expected a quantity of at least 1Mi such as 8Gi or 512Mi"
                        ))
                    })?;
                spec.memory_bytes = b as u64;
            }
            if let Some(p) = f.get("pods") {
                let n = p.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    bad(format!(
                        "error: invalid --pods \"{p}\": expected a whole number greater than 0"
                    ))
                })?;
                spec.max_pods = n;
            }
            for l in f.all("label") {
                let (k, v) = l.split_once('=').ok_or_else(|| {
                    bad(format!(
                        "error: invalid --label \"{l}\": expected key=value"
                    ))
                })?;
                crate::kube::label_selector::validate_label_key(k)
                    .and_then(|_| crate::kube::label_selector::validate_label_value(v))
                    .map_err(|e| bad(format!("error: invalid --label \"{l}\": {e}")))?;
                spec.labels.insert(k.to_string(), v.to_string());
            }
            for t in f.all("taint") {
                let parsed = crate::command::kubectl::taint::parse_taint_spec(t)
                    .map_err(|e| bad(format!("error: {e}")))?;
                if parsed.effect.is_empty() {
                    return Err(bad(format!(
                        "error: invalid taint spec: {t}, a taint needs an effect (key=value:NoSchedule, PreferNoSchedule or NoExecute)"
                    )));
                }
                spec.taints.push(parsed);
            }
            Ok(NodeCommand::Add(spec))
        }
        "fail" => Ok(NodeCommand::Fail(
            one_name(&pos, "sim node fail NAME")?.to_string(),
        )),
        "recover" => Ok(NodeCommand::Recover(
            one_name(&pos, "sim node recover NAME")?.to_string(),
        )),
        other => Err(unknown_subcommand("sim node", other, &NODE_SUBCOMMANDS)),
    }
}

/// Flags of `sim pod crash`.
const POD_CRASH_FLAGS: [flags::FlagSpec; 4] = [
    value("exit-code", None),
    switch("hang", None),
    switch("loop", None),
    value("container", Some('c')),
];

fn parse_pod(args: &[String]) -> Result<PodCommand, CommandError> {
    let Some((sub, rest)) = args.split_first() else {
        return Err(bad(
            "error: missing subcommand for \"sim pod\"\n\nAvailable: sim pod crash POD [--exit-code N] [--hang] [--loop] | sim pod unready POD | sim pod heal POD",
        ));
    };
    let specs: &[flags::FlagSpec] = if sub == "crash" {
        &POD_CRASH_FLAGS
    } else {
        &POD_CRASH_FLAGS[3..]
    };
    let (pos, f) = flags::parse(rest, specs)?;
    let usage = format!("sim pod {sub} POD");
    let action = match sub.as_str() {
        "crash" => {
            let exit_code = match f.get("exit-code") {
                None => 1,
                Some(c) => c
                    .parse::<i64>()
                    .ok()
                    .filter(|c| (0..=255).contains(c))
                    .ok_or_else(|| {
                        bad(format!(
                            "error: invalid --exit-code \"{c}\": expected a number from 0 to 255"
                        ))
                    })?,
            };
            let hang = f.on("hang");
            if hang && f.get("exit-code").is_some() {
                return Err(bad(
                    "error: --hang and --exit-code cannot be combined: a hung process does not exit",
                ));
            }
            PodAction::Crash {
                exit_code,
                hang,
                repeat: f.on("loop"),
            }
        }
        "unready" => PodAction::Unready,
        "heal" => PodAction::Heal,
        other => return Err(unknown_subcommand("sim pod", other, &POD_SUBCOMMANDS)),
    };
    let pod = one_name(&pos, &usage)?;
    let pod = pod.strip_prefix("pod/").unwrap_or(pod);
    Ok(PodCommand {
        action,
        pod: pod.to_string(),
        namespace: f.get("namespace").unwrap_or("default").to_string(),
        container: f.get("container").map(String::from),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<SimCommand, CommandError> {
        let words: Vec<String> = s.split_whitespace().map(String::from).collect();
        parse(&words)
    }

    #[test]
    fn node_add_flags_repeat() {
        let SimCommand::Node(NodeCommand::Add(spec)) = p(
            "node add big --cpu 8 --memory 16Gi --pods 20 --label disk=ssd --label zone=a --taint gpu=true:NoSchedule --taint spot:NoExecute",
        )
        .unwrap() else {
            panic!("not a node add")
        };
        assert_eq!(spec.cpu_millis, 8000);
        assert_eq!(spec.memory_bytes, 16 * 1024 * 1024 * 1024);
        assert_eq!(spec.max_pods, 20);
        assert_eq!(spec.labels.len(), 2);
        assert_eq!(spec.taints.len(), 2);
        assert_eq!(spec.taints[1].key, "spot");
        assert_eq!(spec.taints[1].effect, "NoExecute");
    }

    #[test]
    fn node_errors_are_clear() {
        let e = p("node ad x").unwrap_err().to_string();
        assert!(e.contains("unknown command \"ad\" for \"sim node\""), "{e}");
        assert!(e.contains("\tadd"), "{e}");
        let e = p("node add x --taint a=b:Sometimes")
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid taint effect: Sometimes"), "{e}");
        assert!(p("node add X").is_err());
        assert!(p("node add x --cpu lots").is_err());
        assert!(p("node fail").is_err());
        assert!(p("node fail a b").is_err());
    }

    #[test]
    fn pod_commands() {
        assert_eq!(
            p("pod crash web-1 --exit-code 137 -n shop").unwrap(),
            SimCommand::Pod(PodCommand {
                action: PodAction::Crash {
                    exit_code: 137,
                    hang: false,
                    repeat: false
                },
                pod: "web-1".into(),
                namespace: "shop".into(),
                container: None,
            })
        );
        assert!(p("pod crash web --hang --exit-code 2").is_err());
        assert!(p("pod unready web --loop").is_err());
        let e = p("pod crsh web").unwrap_err().to_string();
        assert!(e.contains("\tcrash"), "{e}");
    }
}
