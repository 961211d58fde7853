//! `sim node …` and `sim pod …`: machines joining and failing, processes crashing,
//! hanging and failing readiness. These change what the simulated *machines* do; the
//! control plane then reacts on its own (node lifecycle, taint eviction, kubelet
//! restarts), exactly as it would to the real thing.

use super::Simulation;
use crate::api::pod::Pod;
use crate::apiserver::ObjKey;
use crate::command::CommandError;
use crate::command::sim::{NodeCommand, PodAction, PodCommand};
use crate::components::bootstrap;
use crate::components::controller_manager::node_lifecycle::NODE_MONITOR_GRACE_PERIOD;
use crate::components::kubelet::probes;
use crate::effect::{Effect, PodStep, Task};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::time::SimDuration;

fn did_you_mean(msg: String, typed: &str, known: &[&str]) -> CommandError {
    let mut msg = msg;
    if let Some(best) = crate::command::suggest::suggestions(typed, known).first() {
        msg.push_str(&format!("\n\nDid you mean this?\n\t{best}"));
    }
    CommandError::new(msg)
}

fn human_bytes(b: u64) -> String {
    const GI: u64 = 1024 * 1024 * 1024;
    const MI: u64 = 1024 * 1024;
    if b.is_multiple_of(GI) {
        format!("{}Gi", b / GI)
    } else {
        format!("{}Mi", b / MI)
    }
}

fn human_cpu(m: u64) -> String {
    if m.is_multiple_of(1000) {
        format!("{}", m / 1000)
    } else {
        format!("{m}m")
    }
}

impl Simulation {
    fn node_or_error(&self, name: &str) -> Result<(), CommandError> {
        if self.world.api.store.node_named(name).is_some() {
            return Ok(());
        }
        let names: Vec<&str> = self
            .world
            .api
            .store
            .nodes()
            .map(|n| n.metadata.name.as_str())
            .collect();
        Err(did_you_mean(
            format!("Error from server (NotFound): nodes \"{name}\" not found"),
            name,
            &names,
        ))
    }

    fn sim_event(&mut self, object: ObjectRef, kind: &str, reason: String) {
        self.emit(EventDraft::new(
            Source::of(Component::Sim),
            object,
            kind,
            reason,
        ));
    }

    /// Applies `sim node add|fail|recover`.
    pub(super) fn apply_node(&mut self, cmd: &NodeCommand) -> Result<String, CommandError> {
        match cmd {
            NodeCommand::Add(spec) => {
                let name = spec.name.as_str();
                if self.world.api.store.node_named(name).is_some() {
                    return Err(CommandError::new(format!(
                        "Error from server (AlreadyExists): nodes \"{name}\" already exists"
                    )));
                }
                if self.world.agents.contains_key(name) {
                    return Err(CommandError::new(format!(
                        "error: the machine {name} is still leaving the cluster (its kubelet notices the Node object is gone at its next status post); try again after `sim advance 10s`"
                    )));
                }
                let index = self
                    .world
                    .agents
                    .values()
                    .map(|a| a.index)
                    .max()
                    .unwrap_or(0)
                    + 1;
                let node = bootstrap::node_object(spec, false, index, self.now);
                self.sim_event(
                    ObjectRef::new("node", name),
                    "NodeAdded",
                    format!("a new machine {name} boots and its kubelet joins the cluster"),
                );
                let effects = bootstrap::joined(&node, index, self.now, &mut self.rng);
                self.apply_effects(effects);
                let mut out = format!(
                    "node/{name} added: {} CPU, {} memory, {} pods; its kubelet registered the node and reports Ready\n",
                    human_cpu(spec.cpu_millis),
                    human_bytes(spec.memory_bytes),
                    spec.max_pods
                );
                if !spec.labels.is_empty() {
                    let l: Vec<String> = spec
                        .labels
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    out.push_str(&format!("  labels: {}\n", l.join(",")));
                }
                if !spec.taints.is_empty() {
                    let t: Vec<String> = spec.taints.iter().map(|t| t.to_string()).collect();
                    out.push_str(&format!("  taints: {}\n", t.join(",")));
                }
                Ok(out)
            }
            NodeCommand::Fail(name) => {
                self.node_or_error(name)?;
                let running = self
                    .world
                    .agents
                    .get(name)
                    .is_some_and(|a| a.kubelet_running);
                if !running {
                    return Err(CommandError::new(format!(
                        "error: node {name} has already failed; `sim node recover {name}` brings its kubelet back"
                    )));
                }
                if let Some(a) = self.world.agents.get_mut(name.as_str()) {
                    a.kubelet_running = false;
                }
                self.sim_event(
                    ObjectRef::new("node", name),
                    "NodeFailed",
                    format!(
                        "{name} stopped answering: its kubelet no longer posts node status; containers keep running but nobody reports on them"
                    ),
                );
                Ok(format!(
                    "node/{name} failed: its kubelet stopped posting status (containers keep running, unobserved).\n\
                     The node lifecycle controller marks it NotReady once the last status is {} old (--node-monitor-grace-period),\n\
                     taints it node.kubernetes.io/unreachable, and pods are evicted when their tolerationSeconds (default 300s) run out.\n",
                    SimDuration(NODE_MONITOR_GRACE_PERIOD.0)
                ))
            }
            NodeCommand::Recover(name) => {
                self.node_or_error(name)?;
                let failed = self
                    .world
                    .agents
                    .get(name)
                    .is_some_and(|a| !a.kubelet_running);
                if !failed {
                    return Err(CommandError::new(format!(
                        "error: node {name} has not failed; `sim node fail {name}` stops its kubelet"
                    )));
                }
                if let Some(a) = self.world.agents.get_mut(name.as_str()) {
                    a.kubelet_running = true;
                }
                self.sim_event(
                    ObjectRef::new("node", name),
                    "NodeRecovered",
                    format!(
                        "{name} is back: its kubelet posts node status again and resyncs its pods"
                    ),
                );
                let mut effects = vec![Effect::NodeHeartbeat { node: name.clone() }];
                let pods: Vec<Pod> = self
                    .world
                    .api
                    .store
                    .pods()
                    .filter(|p| p.spec.node_name.as_deref() == Some(name.as_str()))
                    .cloned()
                    .collect();
                for p in &pods {
                    let key =
                        ObjKey::new("Pod", p.metadata.namespace_or_default(), &p.metadata.name);
                    // The kubelet's status manager re-posts what it sees (the controller
                    // had marked the pods not ready while it was gone).
                    let mut fresh = p.clone();
                    if !fresh.status.container_statuses.is_empty() {
                        probes::refresh_ready(&mut fresh, self.now);
                    }
                    if fresh.status != p.status {
                        effects.push(Effect::Write(Box::new(crate::api::Object::Pod(fresh))));
                    }
                    effects.push(Effect::Schedule {
                        after: crate::components::kubelet::pod_worker::REACTION,
                        task: Task::KubeletPod {
                            node: name.clone(),
                            key,
                            step: PodStep::Sync,
                        },
                    });
                }
                self.apply_effects(effects);
                Ok(format!(
                    "node/{name} recovered: its kubelet posts status again (Ready) and resyncs {} pod(s); the node lifecycle controller removes the unreachable taints at its next check (every 5s)\n",
                    pods.len()
                ))
            }
        }
    }

    /// Applies `sim pod crash|unready|heal`.
    pub(super) fn apply_pod(&mut self, cmd: &PodCommand) -> Result<String, CommandError> {
        let ns = cmd.namespace.as_str();
        let Some(pod) = self.world.api.store.pod(ns, &cmd.pod).cloned() else {
            let names: Vec<&str> = self
                .world
                .api
                .store
                .pods()
                .filter(|p| p.metadata.namespace_or_default() == ns)
                .map(|p| p.metadata.name.as_str())
                .collect();
            return Err(did_you_mean(
                format!(
                    "Error from server (NotFound): pods \"{}\" not found",
                    cmd.pod
                ),
                &cmd.pod,
                &names,
            ));
        };
        let i = match &cmd.container {
            None => 0,
            Some(c) => pod
                .spec
                .containers
                .iter()
                .position(|x| &x.name == c)
                .ok_or_else(|| {
                    CommandError::new(format!(
                        "error: container {c} is not valid for pod {}",
                        cmd.pod
                    ))
                })?,
        };
        let Some(container) = pod.spec.containers.get(i).cloned() else {
            return Err(CommandError::new(format!(
                "error: pod {} has no containers",
                cmd.pod
            )));
        };
        let Some(node) = pod.spec.node_name.clone() else {
            return Err(CommandError::new(format!(
                "error: pod {} is not scheduled to a node yet, so no container of it runs",
                cmd.pod
            )));
        };
        let Some(agent) = self.world.agents.get(&node) else {
            return Err(CommandError::new(format!(
                "error: pod {} is bound to {node}, which is no longer part of the cluster",
                cmd.pod
            )));
        };
        let key = ObjKey::new("Pod", ns, &cmd.pod);
        let mut runtime = agent.pods.get(&key).cloned().unwrap_or_default();
        let running = pod
            .status
            .container_statuses
            .get(i)
            .is_some_and(|cs| cs.state.running.is_some());
        let mut h = runtime.health.get(i);
        let name = &container.name;
        let pod_ref = ObjectRef::from_key(&key);
        let mut effects = Vec::new();
        let out = match &cmd.action {
            PodAction::Crash { .. } | PodAction::Unready if pod.is_terminating() => {
                return Err(CommandError::new(format!(
                    "error: pod {} is terminating; its containers are already being stopped",
                    cmd.pod
                )));
            }
            PodAction::Crash {
                exit_code,
                hang: false,
                repeat,
            } => {
                if !running && !repeat {
                    return Err(CommandError::new(format!(
                        "error: container {name} of pod {} is not running, so it cannot crash (add --loop to make every future start crash)",
                        cmd.pod
                    )));
                }
                if *repeat {
                    h.crash_on_start = Some(*exit_code);
                }
                if running {
                    effects.push(Effect::Schedule {
                        after: SimDuration::ZERO,
                        task: Task::KubeletPod {
                            node: node.clone(),
                            key: key.clone(),
                            step: PodStep::ContainerExited {
                                container: i,
                                code: *exit_code,
                            },
                        },
                    });
                }
                self.sim_event(
                    pod_ref,
                    "ProcessCrashed",
                    format!(
                        "the process of container {name} exits with code {exit_code}{}",
                        if *repeat {
                            ", and will again every time it starts"
                        } else {
                            ""
                        }
                    ),
                );
                let policy = pod.spec.restart_policy.clone().unwrap_or("Always".into());
                format!(
                    "pod/{}: container {name} exited with code {exit_code}{}; restartPolicy {policy}: {}\n",
                    cmd.pod,
                    if *repeat {
                        " and will crash again each time it starts (until `sim pod heal`)"
                    } else {
                        ""
                    },
                    match policy.as_str() {
                        "Never" => "the kubelet leaves it stopped".to_string(),
                        "OnFailure" if *exit_code == 0 => "exit 0 counts as success, so it stays stopped".to_string(),
                        _ => "the kubelet restarts it, waiting longer after each crash (CrashLoopBackOff: 10s, 20s, 40s … 5m)".to_string(),
                    }
                )
            }
            PodAction::Crash {
                hang: true, repeat, ..
            } => {
                if !running && !repeat {
                    return Err(CommandError::new(format!(
                        "error: container {name} of pod {} is not running, so it cannot hang (add --loop to make every future start hang)",
                        cmd.pod
                    )));
                }
                h.hung = running;
                if *repeat {
                    h.hang_on_start = true;
                }
                self.sim_event(
                    pod_ref,
                    "ProcessHung",
                    format!("the process of container {name} stops answering (it keeps running)"),
                );
                let what = match &container.liveness_probe {
                    Some(p) => format!(
                        "its liveness probe (every {}s) fails from now on; after {} failures in a row the kubelet kills and restarts it",
                        p.period_seconds.unwrap_or(10),
                        p.failure_threshold.unwrap_or(3)
                    ),
                    None => "it has no livenessProbe, so the kubelet cannot tell: the hung container keeps running (and, without a failing readinessProbe, keeps getting traffic)".to_string(),
                };
                format!("pod/{}: container {name} hung: {what}\n", cmd.pod)
            }
            PodAction::Unready => {
                let Some(p) = &container.readiness_probe else {
                    return Err(CommandError::new(format!(
                        "error: container {name} of pod {} has no readinessProbe: without one the kubelet counts a running container as ready, so there is nothing to fail",
                        cmd.pod
                    )));
                };
                h.unready = true;
                self.sim_event(
                    pod_ref,
                    "ReadinessFailing",
                    format!("container {name}'s readiness endpoint starts failing (the process stays up)"),
                );
                format!(
                    "pod/{}: container {name}'s readiness probe fails from now on; after {} failures in a row (every {}s) the pod turns Ready=False and its Service endpoints drop it. It is not restarted.\n",
                    cmd.pod,
                    p.failure_threshold.unwrap_or(3),
                    p.period_seconds.unwrap_or(10)
                )
            }
            PodAction::Heal => {
                h.hung = false;
                h.unready = false;
                h.crash_on_start = None;
                h.hang_on_start = false;
                self.sim_event(
                    pod_ref,
                    "ProcessHealed",
                    format!("container {name} behaves again: probes pass and it no longer crashes"),
                );
                format!(
                    "pod/{}: container {name} is healthy again (probes pass from their next run; a crash-looping container recovers at its next restart)\n",
                    cmd.pod
                )
            }
        };
        runtime.health.containers.insert(i, h);
        let mut all = vec![Effect::PodRuntime {
            node,
            key,
            runtime: Some(runtime),
        }];
        all.extend(effects);
        self.apply_effects(all);
        // What is due now happens now (the crash itself), so `kubectl get` shows it.
        self.run_until(self.now);
        Ok(out)
    }
}
