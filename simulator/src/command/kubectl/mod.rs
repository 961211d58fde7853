//! `kubectl`: the learner's client for the simulated API server.
//!
//! Parsing turns words into a [`KubectlCommand`]; running it reads the store or asks the
//! engine to write through the API server. Output and errors follow kubectl's wording so
//! what learners see here transfers to a real cluster. One file per verb.

pub mod apply;
pub mod autoscale;
pub mod cordon;
pub mod delete;
pub mod drain;
pub mod flags;
pub mod get;
pub mod printers;
pub mod taint;
pub mod top;
// Workload verbs.
pub mod create;
pub mod describe;
pub mod events;
pub mod label;
pub mod logs;
pub mod resource;
pub mod rollout;
pub mod scale;
pub mod set;
pub mod wait;

use crate::api::{KINDS, KindInfo, kind_by_name};
use crate::command::{CommandError, unknown_subcommand};
use crate::simulation::Simulation;
use flags::{switch, value};

/// A resource type plus optional names (`pods`, `deploy/web`, `nodes a b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The kind.
    pub kind: &'static KindInfo,
    /// Names; empty = every object of the kind.
    pub names: Vec<String>,
}

/// A parsed kubectl command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KubectlCommand {
    /// `kubectl get`.
    Get(get::GetArgs),
    /// `kubectl apply -f`.
    Apply(apply::ApplyArgs),
    /// `kubectl delete`.
    Delete(delete::DeleteArgs),
    /// `kubectl cluster-info`.
    ClusterInfo,
    /// `kubectl version`.
    Version,
    /// `kubectl api-resources`.
    ApiResources,
    /// `kubectl autoscale`.
    Autoscale(autoscale::AutoscaleArgs),
    /// `kubectl top nodes|pods`.
    Top(top::TopArgs),
    /// `kubectl taint nodes NAME key=value:Effect`.
    Taint(taint::TaintArgs),
    /// `kubectl cordon NODE` / `kubectl uncordon NODE`.
    Cordon(cordon::CordonArgs),
    /// `kubectl drain NODE`.
    Drain(drain::DrainArgs),
    /// `kubectl create`.
    Create(create::CreateArgs),
    /// `kubectl scale`.
    Scale(scale::ScaleArgs),
    /// `kubectl set image`.
    SetImage(set::SetImageArgs),
    /// `kubectl rollout …`.
    Rollout(rollout::RolloutArgs),
    /// `kubectl label` / `kubectl annotate`.
    Label(label::LabelArgs),
    /// `kubectl describe`.
    Describe(describe::DescribeArgs),
    /// `kubectl get events`.
    Events(events::EventsArgs),
    /// `kubectl logs`.
    Logs(logs::LogsArgs),
    /// `kubectl wait`.
    Wait(wait::WaitArgs),
}

/// kubectl verbs, for suggestions and completion.
pub const VERBS: [&str; 21] = [
    "get",
    "apply",
    "delete",
    "cluster-info",
    "version",
    "api-resources",
    "autoscale",
    "top",
    "taint",
    "cordon",
    "uncordon",
    "drain",
    "create",
    "scale",
    "set",
    "rollout",
    "label",
    "annotate",
    "describe",
    "logs",
    "wait",
];

/// Parses a `-l` label selector, if given, with kubectl's error wording.
pub fn parse_selector(
    selector: Option<&str>,
) -> Result<Option<crate::kube::Selector>, CommandError> {
    selector
        .map(crate::kube::label_selector::Selector::parse)
        .transpose()
        .map_err(|e| CommandError::new(format!("error: {e}")))
}

/// Resolves a resource type name the way kubectl does, or errors like the server.
pub fn resolve_kind(name: &str) -> Result<&'static KindInfo, CommandError> {
    kind_by_name(name).ok_or_else(|| {
        CommandError::new(format!(
            "error: the server doesn't have a resource type \"{name}\""
        ))
    })
}

/// Parses `TYPE[,TYPE] [NAME...]` or `TYPE/NAME...` into targets.
pub fn parse_targets(pos: &[String]) -> Result<Vec<Target>, CommandError> {
    if pos.iter().any(|p| p.contains('/')) {
        if !pos.iter().all(|p| p.contains('/')) {
            return Err(CommandError::new(
                "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'",
            ));
        }
        let mut out: Vec<Target> = Vec::new();
        for p in pos {
            let (t, n) = p.split_once('/').unwrap_or((p, ""));
            let kind = resolve_kind(t)?;
            match out.iter_mut().find(|x| x.kind == kind) {
                Some(x) => x.names.push(n.to_string()),
                None => out.push(Target {
                    kind,
                    names: vec![n.to_string()],
                }),
            }
        }
        return Ok(out);
    }
    let (types, names) = pos
        .split_first()
        .map(|(t, n)| (t.as_str(), n.to_vec()))
        .unwrap_or(("", Vec::new()));
    let kinds: Vec<&'static KindInfo> = types
        .split(',')
        .map(resolve_kind)
        .collect::<Result<_, _>>()?;
    if kinds.len() > 1 && !names.is_empty() {
        return Err(CommandError::new(
            "error: arguments in resource/name form must have a single resource and name",
        ));
    }
    Ok(kinds
        .into_iter()
        .map(|kind| Target {
            kind,
            names: names.clone(),
        })
        .collect())
}

/// Parses the words after `kubectl`.
pub fn parse(args: &[String]) -> Result<KubectlCommand, CommandError> {
    let Some(verb) = args.iter().find(|a| !a.starts_with('-')) else {
        return Err(CommandError::new(
            "kubectl controls the Kubernetes cluster manager.\n\nUsage:\n  kubectl [command] [TYPE] [NAME] [flags]\n\nType `help kubectl` for the commands this simulator supports.",
        ));
    };
    let rest: Vec<String> = {
        let i = args.iter().position(|a| a == verb).unwrap_or(0);
        args[..i]
            .iter()
            .chain(args[i + 1..].iter())
            .cloned()
            .collect()
    };
    match verb.as_str() {
        "get" => {
            let (pos, f) = flags::parse(
                &rest,
                &[
                    value("output", Some('o')),
                    switch("all-namespaces", Some('A')),
                    switch("show-labels", None),
                    value("selector", Some('l')),
                    switch("watch", Some('w')),
                    value("field-selector", None),
                ],
            )?;
            if pos
                .first()
                .is_some_and(|t| matches!(t.as_str(), "events" | "event" | "ev"))
            {
                return events::parse(&pos, &f).map(KubectlCommand::Events);
            }
            if f.get("field-selector").is_some() {
                return Err(CommandError::new(
                    "error: --field-selector is simulated for `kubectl get events` only; use -l for labels",
                ));
            }
            if f.on("watch") {
                return Err(CommandError::new(
                    "error: --watch streams forever, which a turn-based terminal cannot show; use `sim advance` and get again",
                ));
            }
            get::parse(&pos, &f).map(KubectlCommand::Get)
        }
        "apply" => {
            let (pos, f) = flags::parse(&rest, &apply::FLAGS)?;
            apply::parse(&pos, &f).map(KubectlCommand::Apply)
        }
        "delete" => {
            let (pos, f) = flags::parse(&rest, &delete::FLAGS)?;
            delete::parse(&pos, &f).map(KubectlCommand::Delete)
        }
        "cluster-info" => Ok(KubectlCommand::ClusterInfo),
        "version" => Ok(KubectlCommand::Version),
        "api-resources" => Ok(KubectlCommand::ApiResources),
        "autoscale" => {
            let (pos, f) = flags::parse(&rest, &autoscale::FLAGS)?;
            autoscale::parse(&pos, &f).map(KubectlCommand::Autoscale)
        }
        "top" => {
            let (pos, f) = flags::parse(&rest, &top::FLAGS)?;
            top::parse(&pos, &f).map(KubectlCommand::Top)
        }
        "taint" => {
            let (pos, f) = flags::parse(&rest, &taint::FLAGS)?;
            taint::parse(&pos, &f).map(KubectlCommand::Taint)
        }
        "cordon" | "uncordon" => {
            let (pos, f) = flags::parse(&rest, &cordon::FLAGS)?;
            cordon::parse(&pos, &f, verb == "cordon").map(KubectlCommand::Cordon)
        }
        "drain" => {
            let (pos, f) = flags::parse(&rest, &drain::FLAGS)?;
            drain::parse(&pos, &f).map(KubectlCommand::Drain)
        }
        "create" => {
            let (pos, f) = flags::parse(&rest, &create::FLAGS)?;
            create::parse(&pos, &f).map(KubectlCommand::Create)
        }
        "scale" => {
            let (pos, f) = flags::parse(&rest, &scale::FLAGS)?;
            scale::parse(&pos, &f).map(KubectlCommand::Scale)
        }
        "set" => {
            let (pos, f) = flags::parse(&rest, &set::FLAGS)?;
            set::parse(&pos, &f).map(KubectlCommand::SetImage)
        }
        "rollout" => {
            let (pos, f) = flags::parse(&rest, &rollout::FLAGS)?;
            rollout::parse(&pos, &f).map(KubectlCommand::Rollout)
        }
        "label" | "annotate" => {
            let (pos, f) = flags::parse(&rest, &label::FLAGS)?;
            let which = if verb == "label" {
                label::Which::Labels
            } else {
                label::Which::Annotations
            };
            label::parse(which, &pos, &f).map(KubectlCommand::Label)
        }
        "describe" => {
            let (pos, f) = flags::parse(
                &rest,
                &[
                    switch("all-namespaces", Some('A')),
                    value("selector", Some('l')),
                ],
            )?;
            describe::parse(&pos, &f).map(KubectlCommand::Describe)
        }
        "logs" => {
            let (pos, f) = flags::parse(&rest, &logs::FLAGS)?;
            logs::parse(&pos, &f).map(KubectlCommand::Logs)
        }
        "wait" => {
            let (pos, f) = flags::parse(&rest, &wait::FLAGS)?;
            wait::parse(&pos, &f).map(KubectlCommand::Wait)
        }
        other => Err(unknown_subcommand("kubectl", other, &VERBS)),
    }
}

/// Runs a kubectl command.
pub fn run(sim: &mut Simulation, cmd: &KubectlCommand) -> Result<String, CommandError> {
    match cmd {
        KubectlCommand::Get(a) => get::run(sim, a),
        KubectlCommand::Apply(a) => apply::run(sim, a),
        KubectlCommand::Delete(a) => delete::run(sim, a),
        KubectlCommand::ClusterInfo => Ok(format!(
            "Kubernetes control plane is running at {url}\nCoreDNS is running at {url}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n",
            url = "https://127.0.0.1:6443"
        )),
        KubectlCommand::Version => Ok(format!(
            "Client Version: {v}\nKustomize Version: v5.4.2\nServer Version: {v}\n",
            v = crate::components::bootstrap::KUBERNETES_VERSION
        )),
        KubectlCommand::Autoscale(a) => autoscale::run(sim, a),
        KubectlCommand::Top(a) => top::run(sim, a),
        KubectlCommand::Taint(a) => taint::run(sim, a),
        KubectlCommand::Cordon(a) => cordon::run(sim, a),
        KubectlCommand::Drain(a) => drain::run(sim, a),
        KubectlCommand::Create(a) => create::run(sim, a),
        KubectlCommand::Scale(a) => scale::run(sim, a),
        KubectlCommand::SetImage(a) => set::run(sim, a),
        KubectlCommand::Rollout(a) => rollout::run(sim, a),
        KubectlCommand::Label(a) => label::run(sim, a),
        KubectlCommand::Describe(a) => describe::run(sim, a),
        KubectlCommand::Events(a) => events::run(sim, a),
        KubectlCommand::Logs(a) => logs::run(sim, a),
        KubectlCommand::Wait(a) => wait::run(sim, a),
        KubectlCommand::ApiResources => {
            let rows: Vec<Vec<String>> = KINDS
                .iter()
                .map(|k| {
                    vec![
                        k.plural.to_string(),
                        k.short.join(","),
                        k.api_version.to_string(),
                        k.namespaced.to_string(),
                        k.kind.to_string(),
                    ]
                })
                .collect();
            Ok(crate::format::table(
                &["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"],
                &rows,
            ))
        }
    }
}
