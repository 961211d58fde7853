//! `kubectl rollout status|history|undo|restart|pause|resume` for Deployments.
//!
//! `status` blocks like the real command: it lets simulated time pass
//! ([`Simulation::advance_until`]) until the rollout completes, the Deployment reports
//! `ProgressDeadlineExceeded`, or `--timeout` elapses, printing each new status line
//! (`polymorphichelpers/rollout_status.go`). `undo` is client side, as upstream
//! (`polymorphichelpers/rollback.go`): it copies the chosen ReplicaSet's template,
//! minus `pod-template-hash`, back into the Deployment.

use super::flags::{FlagSpec, Flags, value};
use super::resource::{api, get, one, printed};
use crate::api::Object;
use crate::api::meta::Timestamp;
use crate::api::workloads::{Deployment, ReplicaSet};
use crate::command::CommandError;
use crate::components::controller_manager::deployment::{
    POD_TEMPLATE_HASH, RESTARTED_AT, REVISION, REVISION_HISTORY,
};
use crate::controllers::deployment::progress::REASON_TIMED_OUT;
use crate::simulation::{Simulation, Write};
use crate::time::{SimDuration, SimTime};

/// Flags of `kubectl rollout …`.
pub const FLAGS: [FlagSpec; 4] = [
    value("timeout", None),
    value("revision", None),
    value("to-revision", None),
    value("watch", Some('w')),
];

/// Annotation `kubectl rollout history` shows as CHANGE-CAUSE.
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// How long `rollout status` and `wait` let time pass when the learner gave no
/// `--timeout` and nothing else ends the wait (kubectl would wait forever).
pub const MAX_WAIT: SimDuration = SimDuration::from_mins(60);

/// The `rollout` subcommands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RolloutAction {
    /// `status [--timeout=D] [--watch=false]`.
    Status {
        /// `--timeout` (None or 0 = until done).
        timeout: Option<SimDuration>,
        /// `--watch` (default true).
        watch: bool,
    },
    /// `history [--revision=N]`.
    History {
        /// `--revision` (0 = table of all).
        revision: i64,
    },
    /// `undo [--to-revision=N]`.
    Undo {
        /// `--to-revision` (0 = previous).
        to_revision: i64,
    },
    /// `restart`.
    Restart,
    /// `pause`.
    Pause,
    /// `resume`.
    Resume,
}

/// Arguments of `kubectl rollout`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutArgs {
    /// Subcommand.
    pub action: RolloutAction,
    /// Deployment name.
    pub name: String,
    /// `-n`.
    pub namespace: String,
}

/// Subcommands, for suggestions.
pub const SUBCOMMANDS: [&str; 6] = ["history", "pause", "restart", "resume", "status", "undo"];

/// Parses a Go-style duration flag (`2m`, `30s`, `1h30m`; `0` = none).
pub fn parse_timeout(f: &Flags) -> Result<Option<SimDuration>, CommandError> {
    match f.get("timeout") {
        None | Some("0") | Some("0s") => Ok(None),
        Some(v) => SimDuration::parse(v).map(Some).map_err(|_| {
            CommandError::new(format!(
                "error: invalid argument \"{v}\" for \"--timeout\" flag: time: invalid duration \"{v}\""
            ))
        }),
    }
}

fn int(f: &Flags, flag: &str) -> Result<i64, CommandError> {
    match f.get(flag) {
        None => Ok(0),
        Some(v) => v.parse().map_err(|_| {
            CommandError::new(format!(
                "error: invalid argument \"{v}\" for \"--{flag}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"
            ))
        }),
    }
}

/// Parses `rollout …`.
pub fn parse(pos: &[String], f: &Flags) -> Result<RolloutArgs, CommandError> {
    let Some((sub, rest)) = pos.split_first() else {
        return Err(CommandError::new(
            "Manage the rollout of one or many resources.\n\nAvailable Commands:\n  history       View rollout history\n  pause         Mark the provided resource as paused\n  restart       Restart a resource\n  resume        Resume a paused resource\n  status        Show the status of the rollout\n  undo          Undo a previous rollout\n\nUsage:\n  kubectl rollout SUBCOMMAND [options]",
        ));
    };
    let action = match sub.as_str() {
        "status" => RolloutAction::Status {
            timeout: parse_timeout(f)?,
            watch: f.get("watch") != Some("false"),
        },
        "history" => RolloutAction::History {
            revision: int(f, "revision")?,
        },
        "undo" => RolloutAction::Undo {
            to_revision: int(f, "to-revision")?,
        },
        "restart" => RolloutAction::Restart,
        "pause" => RolloutAction::Pause,
        "resume" => RolloutAction::Resume,
        other => {
            return Err(crate::command::unknown_subcommand(
                "kubectl rollout",
                other,
                &SUBCOMMANDS,
            ));
        }
    };
    let (kind, name) = one(
        rest,
        "You must provide one or more resources by argument or filename.",
    )?;
    if kind.kind != "Deployment" {
        return Err(CommandError::new(match sub.as_str() {
            "status" => format!(
                "error: no status viewer has been implemented for {}",
                kind.kind
            ),
            "history" | "undo" => format!(
                "error: no history viewer has been implemented for {}",
                kind.kind
            ),
            _ => format!(
                "error: {} {:?} {sub} is not supported here (only deployments)",
                kind.plural, name
            ),
        }));
    }
    Ok(RolloutArgs {
        action,
        name,
        namespace: f.get("namespace").unwrap_or("default").to_string(),
    })
}

/// kubectl's `DeploymentStatusViewer.Status`: the line to print, whether the rollout is
/// done, or the error that ends the wait.
pub fn status_line(d: &Deployment) -> Result<(String, bool), String> {
    let name = &d.metadata.name;
    if d.metadata.generation > d.status.observed_generation {
        return Ok((
            "Waiting for deployment spec update to be observed...".into(),
            false,
        ));
    }
    let timed_out = d
        .status
        .conditions
        .iter()
        .any(|c| c.type_ == "Progressing" && c.reason.as_deref() == Some(REASON_TIMED_OUT));
    if timed_out {
        return Err(format!(
            "error: deployment \"{name}\" exceeded its progress deadline"
        ));
    }
    let s = &d.status;
    let want = d.spec.replicas.unwrap_or(1);
    if s.updated_replicas < want {
        return Ok((
            format!(
                "Waiting for deployment \"{name}\" rollout to finish: {} out of {want} new replicas have been updated...",
                s.updated_replicas
            ),
            false,
        ));
    }
    if s.replicas > s.updated_replicas {
        return Ok((
            format!(
                "Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...",
                s.replicas - s.updated_replicas
            ),
            false,
        ));
    }
    if s.available_replicas < s.updated_replicas {
        return Ok((
            format!(
                "Waiting for deployment \"{name}\" rollout to finish: {} of {} updated replicas are available...",
                s.available_replicas, s.updated_replicas
            ),
            false,
        ));
    }
    Ok((
        format!("deployment \"{name}\" successfully rolled out"),
        true,
    ))
}

/// How a blocking wait ended.
pub enum WaitEnd {
    /// The condition held.
    Done,
    /// The watched thing reported an error (or vanished).
    Failed(String),
    /// The deadline passed.
    TimedOut,
}

/// Lets time pass until `check` says done or failed, or `timeout` (default
/// [`MAX_WAIT`]) elapses. `check` returns `Ok(Some(line))` for progress to print
/// (printed only when it changes, and not for the state before any time passed),
/// `Ok(None)` for done, `Err` to stop with an error. Returns the printed lines, how it
/// ended, and whether anything ran.
pub fn block(
    sim: &mut Simulation,
    timeout: Option<SimDuration>,
    mut check: impl FnMut(&Simulation) -> Result<Option<String>, String>,
) -> (Vec<String>, WaitEnd, bool) {
    let deadline: SimTime = sim.now().after(timeout.unwrap_or(MAX_WAIT));
    let mut lines: Vec<String> = Vec::new();
    let mut calls = 0;
    let mut end = WaitEnd::TimedOut;
    sim.advance_until(deadline, |s| {
        calls += 1;
        match check(s) {
            Ok(None) => {
                end = WaitEnd::Done;
                true
            }
            Err(e) => {
                end = WaitEnd::Failed(e);
                true
            }
            Ok(Some(line)) => {
                if calls > 1 && lines.last() != Some(&line) {
                    lines.push(line);
                }
                false
            }
        }
    });
    (lines, end, calls > 1)
}

fn owned<'a>(sim: &'a Simulation, d: &Deployment) -> Vec<&'a ReplicaSet> {
    crate::components::controller_manager::deployment::owned_replicasets(sim.state(), d)
}

fn revision(rs: &ReplicaSet) -> i64 {
    rs.metadata
        .annotations
        .get(REVISION)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn deployment<'a>(sim: &'a Simulation, args: &RolloutArgs) -> Result<&'a Deployment, CommandError> {
    let info = crate::api::kind_info("Deployment").unwrap_or(&crate::api::KINDS[0]);
    match get(sim, info, &args.namespace, &args.name)? {
        Object::Deployment(d) => Ok(d),
        _ => Err(super::resource::not_found(info, &args.name)),
    }
}

fn without_hash(
    t: &crate::api::workloads::PodTemplateSpec,
) -> crate::api::workloads::PodTemplateSpec {
    let mut t = t.clone();
    t.metadata.labels.remove(POD_TEMPLATE_HASH);
    t
}

/// Annotations `kubectl rollout undo` never copies between ReplicaSet and Deployment.
const SKIPPED_ANNOTATIONS: [&str; 6] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// Runs `kubectl rollout`.
pub fn run(sim: &mut Simulation, args: &RolloutArgs) -> Result<String, CommandError> {
    let d = deployment(sim, args)?.clone();
    let name = printed(
        crate::api::kind_info("Deployment").unwrap_or(&crate::api::KINDS[0]),
        &d.metadata.name,
    );
    let resource = "deployments.apps";
    match &args.action {
        RolloutAction::Status { timeout, watch } => {
            let (ns, n) = (args.namespace.clone(), args.name.clone());
            if !watch {
                return match status_line(&d) {
                    Ok((line, _)) => Ok(format!("{line}\n")),
                    Err(e) => Err(CommandError::new(e)),
                };
            }
            let mut final_line = String::new();
            let (mut lines, end, waited) = block(sim, *timeout, |s| {
                let Some(d) = s.state().api.store.deployment(&ns, &n) else {
                    return Err(format!(
                        "Error from server (NotFound): deployments.apps \"{n}\" not found"
                    ));
                };
                match status_line(d)? {
                    (line, true) => {
                        final_line = line;
                        Ok(None)
                    }
                    (line, false) => Ok(Some(line)),
                }
            });
            let fail = |msg: String| {
                if waited {
                    CommandError::after_waiting(msg)
                } else {
                    CommandError::new(msg)
                }
            };
            match end {
                WaitEnd::Done => {
                    lines.push(final_line);
                    Ok(lines.iter().map(|l| format!("{l}\n")).collect())
                }
                WaitEnd::Failed(e) => {
                    lines.push(e);
                    Err(fail(lines.join("\n")))
                }
                WaitEnd::TimedOut => {
                    lines.push(if timeout.is_some() {
                        "error: timed out waiting for the condition".to_string()
                    } else {
                        format!(
                            "error: timed out waiting for the condition (this simulator stops waiting after {MAX_WAIT} of simulated time; pass --timeout to choose)"
                        )
                    });
                    Err(fail(lines.join("\n")))
                }
            }
        }
        RolloutAction::History { revision: want } => {
            let mut rss: Vec<&ReplicaSet> = owned(sim, &d);
            rss.sort_by_key(|rs| revision(rs));
            if *want > 0 {
                let Some(rs) = rss.iter().find(|rs| revision(rs) == *want) else {
                    return Err(CommandError::new(
                        "error: unable to find the specified revision",
                    ));
                };
                let body = super::describe::pod_template(&rs.spec.template);
                return Ok(format!("{name} with revision #{want}\n{body}\n"));
            }
            if rss.is_empty() {
                return Ok(format!("{name} \nNo rollout history found.\n"));
            }
            let mut t = String::from("REVISION\tCHANGE-CAUSE\n");
            for rs in rss.iter().filter(|rs| revision(rs) > 0) {
                let cause = rs
                    .metadata
                    .annotations
                    .get(CHANGE_CAUSE)
                    .filter(|c| !c.is_empty())
                    .map(String::as_str)
                    .unwrap_or("<none>");
                t.push_str(&format!("{}\t{cause}\n", revision(rs)));
            }
            Ok(format!("{name} \n{}\n", super::describe::tabwriter(&t, 2)))
        }
        RolloutAction::Undo { to_revision } => {
            if d.spec.paused {
                return Err(CommandError::new(format!(
                    "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/{}' and try again",
                    d.metadata.name
                )));
            }
            let rss = owned(sim, &d);
            let target = if *to_revision > 0 {
                rss.iter()
                    .find(|rs| revision(rs) == *to_revision)
                    .copied()
                    .ok_or_else(|| {
                        CommandError::new(format!(
                            "error: unable to find specified revision {to_revision} in history"
                        ))
                    })?
            } else {
                let mut by_rev: Vec<&ReplicaSet> =
                    rss.iter().copied().filter(|rs| revision(rs) > 0).collect();
                by_rev.sort_by_key(|rs| std::cmp::Reverse(revision(rs)));
                by_rev.get(1).copied().ok_or_else(|| {
                    CommandError::new(format!(
                        "error: no rollout history found for deployment \"{}\"",
                        d.metadata.name
                    ))
                })?
            };
            let template = without_hash(&target.spec.template);
            if template == without_hash(&d.spec.template) {
                return Ok(format!(
                    "{name} skipped rollback (current template already matches revision {})\n",
                    revision(target)
                ));
            }
            let mut next = d.clone();
            next.spec.template = template;
            let mut annotations: std::collections::BTreeMap<String, String> = d
                .metadata
                .annotations
                .iter()
                .filter(|(k, _)| SKIPPED_ANNOTATIONS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (k, v) in &target.metadata.annotations {
                if !SKIPPED_ANNOTATIONS.contains(&k.as_str()) {
                    annotations.insert(k.clone(), v.clone());
                }
            }
            next.metadata.annotations = annotations;
            sim.submit(vec![Write::Update(Box::new(Object::Deployment(next)))])
                .map_err(api)?;
            Ok(format!("{name} rolled back\n"))
        }
        RolloutAction::Restart => {
            if d.spec.paused {
                return Err(CommandError::new(format!(
                    "error: {resource} \"{}\" can't restart paused deployment (run rollout resume first)",
                    d.metadata.name
                )));
            }
            let mut next = d.clone();
            next.spec
                .template
                .metadata
                .annotations
                .insert(RESTARTED_AT.into(), Timestamp(sim.now()).rfc3339());
            sim.submit(vec![Write::Update(Box::new(Object::Deployment(next)))])
                .map_err(api)?;
            Ok(format!("{name} restarted\n"))
        }
        RolloutAction::Pause | RolloutAction::Resume => {
            let pause = args.action == RolloutAction::Pause;
            if d.spec.paused == pause {
                return Err(CommandError::new(format!(
                    "error: {resource} \"{}\" is {}",
                    d.metadata.name,
                    if pause {
                        "already paused"
                    } else {
                        "not paused"
                    }
                )));
            }
            let mut next = d.clone();
            next.spec.paused = pause;
            sim.submit(vec![Write::Update(Box::new(Object::Deployment(next)))])
                .map_err(api)?;
            Ok(format!(
                "{name} {}\n",
                if pause { "paused" } else { "resumed" }
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::kubectl::flags;

    fn parse_line(s: &str) -> Result<RolloutArgs, CommandError> {
        let words: Vec<String> = s.split_whitespace().map(String::from).collect();
        let (pos, f) = flags::parse(&words, &FLAGS)?;
        parse(&pos, &f)
    }

    #[test]
    fn parses_subcommands() {
        let a = parse_line("status deployment/web --timeout=2m").unwrap();
        assert_eq!(
            a.action,
            RolloutAction::Status {
                timeout: Some(SimDuration::from_mins(2)),
                watch: true
            }
        );
        assert_eq!(
            parse_line("undo deploy web --to-revision=3")
                .unwrap()
                .action,
            RolloutAction::Undo { to_revision: 3 }
        );
        assert_eq!(
            parse_line("status pod/x").unwrap_err().to_string(),
            "error: no status viewer has been implemented for Pod"
        );
        assert!(
            parse_line("stats deploy/web")
                .unwrap_err()
                .to_string()
                .contains("Did you mean this?\n\tstatus")
        );
        assert!(
            parse_line("status deploy/web --timeout=soon")
                .unwrap_err()
                .to_string()
                .contains("invalid argument \"soon\" for \"--timeout\" flag")
        );
        assert_eq!(
            parse_line("status deploy/web --x").unwrap_err().to_string(),
            "error: unknown flag: --x"
        );
    }

    #[test]
    fn status_lines_follow_kubectl() {
        let mut d: Deployment = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "generation": 2},
            "spec": {"replicas": 3},
            "status": {"observedGeneration": 2, "replicas": 4, "updatedReplicas": 1}
        }))
        .unwrap();
        assert_eq!(
            status_line(&d).unwrap().0,
            "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated..."
        );
        d.status.updated_replicas = 3;
        d.status.replicas = 5;
        assert!(
            status_line(&d)
                .unwrap()
                .0
                .contains("2 old replicas are pending termination...")
        );
        d.status.replicas = 3;
        d.status.available_replicas = 1;
        assert!(
            status_line(&d)
                .unwrap()
                .0
                .contains("1 of 3 updated replicas are available...")
        );
        d.status.available_replicas = 3;
        assert_eq!(
            status_line(&d).unwrap(),
            (
                "deployment \"web\" successfully rolled out".to_string(),
                true
            )
        );
        d.metadata.generation = 3;
        assert_eq!(
            status_line(&d).unwrap().0,
            "Waiting for deployment spec update to be observed..."
        );
    }
}
