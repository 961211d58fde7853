//! `kubectl`: parsing and the read side (get, cluster-info, version).
//!
//! Output and errors follow kubectl's wording so what learners see here transfers to a
//! real cluster.

use super::{CommandError, unknown_subcommand};
use crate::format::{human_duration, table};
use crate::time::SimTime;
use crate::world::{Node, Pod, World, pod_key};

/// A parsed kubectl command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KubectlCommand {
    /// `kubectl get TYPE [NAME…]`.
    Get(GetArgs),
    /// `kubectl cluster-info`.
    ClusterInfo,
    /// `kubectl version`.
    Version,
}

/// Resource types `kubectl get` knows here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// `nodes`, `node`, `no`.
    Nodes,
    /// `pods`, `pod`, `po`.
    Pods,
    /// `namespaces`, `namespace`, `ns`.
    Namespaces,
}

impl Resource {
    fn parse(s: &str) -> Option<Resource> {
        match s.to_ascii_lowercase().as_str() {
            "nodes" | "node" | "no" => Some(Resource::Nodes),
            "pods" | "pod" | "po" => Some(Resource::Pods),
            "namespaces" | "namespace" | "ns" => Some(Resource::Namespaces),
            _ => None,
        }
    }

    /// The plural name kubectl uses in messages.
    pub fn plural(self) -> &'static str {
        match self {
            Resource::Nodes => "nodes",
            Resource::Pods => "pods",
            Resource::Namespaces => "namespaces",
        }
    }

    fn singular(self) -> &'static str {
        match self {
            Resource::Nodes => "node",
            Resource::Pods => "pod",
            Resource::Namespaces => "namespace",
        }
    }
}

/// Output format (`-o`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Output {
    /// The default table.
    #[default]
    Table,
    /// `-o wide`: more columns.
    Wide,
    /// `-o name`: `TYPE/NAME` lines.
    Name,
}

/// Arguments of `kubectl get`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetArgs {
    /// What to list.
    pub resource: Resource,
    /// Specific objects; empty = all.
    pub names: Vec<String>,
    /// `-n`; `None` = the context's namespace (`default`).
    pub namespace: Option<String>,
    /// `-A`.
    pub all_namespaces: bool,
    /// `-o`.
    pub output: Output,
    /// `--show-labels`.
    pub show_labels: bool,
}

/// kubectl verbs, for suggestions and completion.
pub const VERBS: [&str; 3] = ["get", "cluster-info", "version"];

/// Flags common to kubectl commands, split off the positional words.
#[derive(Default)]
struct Flags {
    namespace: Option<String>,
    all_namespaces: bool,
    output: Option<String>,
    show_labels: bool,
}

fn take_value(
    flag: &str,
    inline: Option<&str>,
    it: &mut std::slice::Iter<'_, String>,
) -> Result<String, CommandError> {
    match inline {
        Some(v) => Ok(v.to_string()),
        None => it
            .next()
            .cloned()
            .ok_or_else(|| CommandError::new(format!("error: flag needs an argument: {flag}"))),
    }
}

fn split_flags(args: &[String]) -> Result<(Vec<String>, Flags), CommandError> {
    let mut flags = Flags::default();
    let mut positional = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            match name {
                "namespace" => flags.namespace = Some(take_value("--namespace", inline, &mut it)?),
                "output" => flags.output = Some(take_value("--output", inline, &mut it)?),
                "all-namespaces" => flags.all_namespaces = true,
                "show-labels" => flags.show_labels = true,
                _ => return Err(CommandError::new(format!("error: unknown flag: --{name}"))),
            }
        } else if a.len() > 1 && a.starts_with('-') {
            let short = &a[1..];
            let (name, inline) = match short.split_at(1) {
                (n, "") => (n, None),
                (n, rest) => (n, Some(rest.strip_prefix('=').unwrap_or(rest))),
            };
            match name {
                "n" => flags.namespace = Some(take_value("-n", inline, &mut it)?),
                "o" => flags.output = Some(take_value("-o", inline, &mut it)?),
                "A" if inline.is_none() => flags.all_namespaces = true,
                "l" => {
                    return Err(CommandError::new(
                        "error: label selectors (-l) are not available in this version of the simulator",
                    ));
                }
                _ => {
                    return Err(CommandError::new(format!(
                        "error: unknown shorthand flag: '{}' in {a}",
                        &short[..1]
                    )));
                }
            }
        } else {
            positional.push(a.clone());
        }
    }
    Ok((positional, flags))
}

/// Parses the words after `kubectl`.
pub fn parse(args: &[String]) -> Result<KubectlCommand, CommandError> {
    let (pos, flags) = split_flags(args)?;
    let Some((verb, rest)) = pos.split_first() else {
        return Err(CommandError::new(
            "kubectl controls the Kubernetes cluster manager.\n\nUsage:\n  kubectl [command] [TYPE] [NAME] [flags]\n\nCommands here: get, cluster-info, version",
        ));
    };
    match verb.as_str() {
        "get" => {
            let Some((ty, names)) = rest.split_first() else {
                return Err(CommandError::new(
                    "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.",
                ));
            };
            let (ty, names) = match ty.split_once('/') {
                Some((t, n)) if names.is_empty() => (t.to_string(), vec![n.to_string()]),
                Some(_) => {
                    return Err(CommandError::new(
                        "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'",
                    ));
                }
                None => (ty.clone(), names.to_vec()),
            };
            let resource = Resource::parse(&ty).ok_or_else(|| {
                CommandError::new(format!(
                    "error: the server doesn't have a resource type \"{ty}\""
                ))
            })?;
            let output = match flags.output.as_deref() {
                None | Some("") => Output::Table,
                Some("wide") => Output::Wide,
                Some("name") => Output::Name,
                Some(other) => {
                    return Err(CommandError::new(format!(
                        "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: name,wide"
                    )));
                }
            };
            Ok(KubectlCommand::Get(GetArgs {
                resource,
                names,
                namespace: flags.namespace,
                all_namespaces: flags.all_namespaces,
                output,
                show_labels: flags.show_labels,
            }))
        }
        "cluster-info" => Ok(KubectlCommand::ClusterInfo),
        "version" => Ok(KubectlCommand::Version),
        other => Err(unknown_subcommand("kubectl", other, &VERBS)),
    }
}

fn labels_column(labels: &std::collections::BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "<none>".into();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn node_row(n: &Node, now: SimTime, args: &GetArgs, version: &str) -> Vec<String> {
    let mut row = vec![
        n.name.clone(),
        if n.ready {
            "Ready".into()
        } else {
            "NotReady".into()
        },
        n.roles(),
        human_duration(now.since(n.created_at)),
        version.to_string(),
    ];
    if args.output == Output::Wide {
        row.extend([
            n.internal_ip.clone(),
            "<none>".into(),
            "Debian GNU/Linux 12 (bookworm)".into(),
            "6.1.0-shipshape".into(),
            "containerd://1.7.18".into(),
        ]);
    }
    if args.show_labels {
        row.push(labels_column(&n.labels));
    }
    row
}

fn pod_row(p: &Pod, now: SimTime, args: &GetArgs) -> Vec<String> {
    let mut row = Vec::new();
    if args.all_namespaces {
        row.push(p.namespace.clone());
    }
    row.extend([
        p.name.clone(),
        format!("{}/{}", p.ready_containers, p.images.len()),
        p.phase.as_str().to_string(),
        p.restarts.to_string(),
        human_duration(now.since(p.created_at)),
    ]);
    if args.output == Output::Wide {
        row.extend([
            p.ip.clone().unwrap_or_else(|| "<none>".into()),
            p.node.clone().unwrap_or_else(|| "<none>".into()),
            "<none>".into(),
            "<none>".into(),
        ]);
    }
    row
}

/// Runs a kubectl command against the world at time `now`.
pub fn run(world: &World, now: SimTime, cmd: &KubectlCommand) -> Result<String, CommandError> {
    let c = &world.cluster;
    match cmd {
        KubectlCommand::ClusterInfo => Ok(format!(
            "Kubernetes control plane is running at {url}\nCoreDNS is running at {url}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n",
            url = c.server_url
        )),
        KubectlCommand::Version => Ok(format!(
            "Client Version: {v}\nKustomize Version: v5.4.2\nServer Version: {v}\n",
            v = c.version
        )),
        KubectlCommand::Get(args) => get(world, now, args),
    }
}

fn not_found(args: &GetArgs, name: &str) -> CommandError {
    CommandError::new(format!(
        "Error from server (NotFound): {} \"{name}\" not found",
        args.resource.plural()
    ))
}

fn get(world: &World, now: SimTime, args: &GetArgs) -> Result<String, CommandError> {
    let c = &world.cluster;
    let ns = args.namespace.clone().unwrap_or_else(|| "default".into());
    if args.namespace.is_some()
        && !c.namespaces.contains_key(&ns)
        && args.resource == Resource::Pods
    {
        return Ok(format!("No resources found in {ns} namespace.\n"));
    }
    let (header, rows, names): (Vec<&str>, Vec<Vec<String>>, Vec<String>) = match args.resource {
        Resource::Nodes => {
            let nodes: Vec<&Node> = if args.names.is_empty() {
                c.nodes.values().collect()
            } else {
                args.names
                    .iter()
                    .map(|n| c.nodes.get(n).ok_or_else(|| not_found(args, n)))
                    .collect::<Result<_, _>>()?
            };
            let mut header = vec!["NAME", "STATUS", "ROLES", "AGE", "VERSION"];
            if args.output == Output::Wide {
                header.extend([
                    "INTERNAL-IP",
                    "EXTERNAL-IP",
                    "OS-IMAGE",
                    "KERNEL-VERSION",
                    "CONTAINER-RUNTIME",
                ]);
            }
            let rows = nodes
                .iter()
                .map(|n| node_row(n, now, args, &c.version))
                .collect();
            (header, rows, nodes.iter().map(|n| n.name.clone()).collect())
        }
        Resource::Pods => {
            let pods: Vec<&Pod> = if args.names.is_empty() {
                c.pods
                    .values()
                    .filter(|p| args.all_namespaces || p.namespace == ns)
                    .collect()
            } else {
                args.names
                    .iter()
                    .map(|n| {
                        c.pods
                            .get(&pod_key(&ns, n))
                            .ok_or_else(|| not_found(args, n))
                    })
                    .collect::<Result<_, _>>()?
            };
            if pods.is_empty() {
                return Ok(if args.all_namespaces {
                    "No resources found\n".into()
                } else {
                    format!("No resources found in {ns} namespace.\n")
                });
            }
            let mut header = Vec::new();
            if args.all_namespaces {
                header.push("NAMESPACE");
            }
            header.extend(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
            if args.output == Output::Wide {
                header.extend(["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
            }
            let rows = pods.iter().map(|p| pod_row(p, now, args)).collect();
            (header, rows, pods.iter().map(|p| p.name.clone()).collect())
        }
        Resource::Namespaces => {
            let list: Vec<(&String, &SimTime)> = if args.names.is_empty() {
                c.namespaces.iter().collect()
            } else {
                args.names
                    .iter()
                    .map(|n| {
                        c.namespaces
                            .get_key_value(n)
                            .ok_or_else(|| not_found(args, n))
                    })
                    .collect::<Result<_, _>>()?
            };
            let rows = list
                .iter()
                .map(|(n, t)| {
                    vec![
                        (*n).clone(),
                        "Active".into(),
                        human_duration(now.since(**t)),
                    ]
                })
                .collect();
            (
                vec!["NAME", "STATUS", "AGE"],
                rows,
                list.iter().map(|(n, _)| (*n).clone()).collect(),
            )
        }
    };
    if args.output == Output::Name {
        return Ok(names
            .iter()
            .map(|n| format!("{}/{n}\n", args.resource.singular()))
            .collect());
    }
    let mut header = header;
    if args.show_labels && args.resource == Resource::Nodes {
        header.push("LABELS");
    }
    Ok(table(&header, &rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<KubectlCommand, CommandError> {
        let words: Vec<String> = s.split_whitespace().map(String::from).collect();
        parse(&words)
    }

    #[test]
    fn parses_get_forms() {
        let KubectlCommand::Get(a) = p("get po -n kube-system -o wide").unwrap() else {
            panic!()
        };
        assert_eq!(
            (a.resource, a.namespace.as_deref(), a.output),
            (Resource::Pods, Some("kube-system"), Output::Wide)
        );
        let KubectlCommand::Get(a) = p("get node/worker-1").unwrap() else {
            panic!()
        };
        assert_eq!(a.names, vec!["worker-1"]);
        let KubectlCommand::Get(a) = p("get pods --namespace=kube-system -owide").unwrap() else {
            panic!()
        };
        assert_eq!(a.output, Output::Wide);
        assert!(p("get pods -A").is_ok());
    }

    #[test]
    fn errors_read_like_kubectl() {
        assert_eq!(
            p("get widgets").unwrap_err().to_string(),
            "error: the server doesn't have a resource type \"widgets\""
        );
        assert!(
            p("gte nodes")
                .unwrap_err()
                .to_string()
                .contains("Did you mean this?\n\tget")
        );
        assert_eq!(
            p("get nodes --colour").unwrap_err().to_string(),
            "error: unknown flag: --colour"
        );
        assert_eq!(
            p("get nodes -z").unwrap_err().to_string(),
            "error: unknown shorthand flag: 'z' in -z"
        );
        assert!(
            p("get")
                .unwrap_err()
                .to_string()
                .contains("Required resource not specified")
        );
        assert!(
            p("get nodes -o")
                .unwrap_err()
                .to_string()
                .contains("flag needs an argument")
        );
    }
}
