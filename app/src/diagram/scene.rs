//! The scene: what the diagram shows, as a tree of items read off a simulation.
//!
//! Pure data, no web APIs: [`scene_for`] is unit-tested natively and is what the
//! component (and the lead's benchmark) recomputes after every change.

use simulator::Simulation;
use simulator::api::pod::Pod;
use simulator::command::kubectl::printers::{node_status, pod_status};
use simulator::components::docker::daemon::{State, familiar, human_size};
use simulator::ecs::task::{Health, TaskStatus};
use simulator::world::RegistryKind;
use std::collections::BTreeMap;

/// At most this many local images or containers are drawn; the rest are counted.
const MACHINE_CAP: usize = 8;
/// At most this many pushed repositories are drawn per registry.
const REPOSITORY_CAP: usize = 6;

/// What an item is; it fixes the item's glyph and how it is laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A top-level area (your machine, registries, control plane, nodes …).
    #[default]
    Section,
    /// A named program: the docker client, dockerd, kube-scheduler …
    Component,
    /// A node-local agent drawn inside its node (kubelet, kube-proxy, containerd).
    Agent,
    /// An image in the local Docker store.
    Image,
    /// A container run by the local Docker daemon.
    Container,
    /// An image registry.
    Registry,
    /// A repository the learner pushed to.
    Repository,
    /// A Kubernetes node (or the holding area for pods no node has yet).
    Node,
    /// A pod.
    Pod,
    /// Desired state kept in etcd: a Deployment, an autoscaler, a disruption budget.
    Workload,
    /// A Kubernetes Service.
    Service,
    /// A cloud load balancer (for a LoadBalancer Service, or an ALB).
    LoadBalancer,
    /// An ALB target group.
    TargetGroup,
    /// An Amazon ECS cluster.
    EcsCluster,
    /// An ECS service.
    EcsService,
    /// An EC2 instance (ECS container instance).
    Instance,
    /// An ECS task.
    Task,
    /// An Amazon EKS cluster.
    EksCluster,
    /// A sentence standing in for things not drawn ("no worker nodes", "+3 more").
    Note,
}

/// How an item is doing, coarsely; drawn as a colour *and* a symbol.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tone {
    /// Nothing to report.
    #[default]
    Neutral,
    /// Running, ready, healthy.
    Good,
    /// On its way: pending, pulling, provisioning.
    Progress,
    /// Needs attention: not ready, backing off.
    Warning,
    /// Failed.
    Bad,
    /// Going away: terminating, draining, stopping.
    Leaving,
}

impl Tone {
    /// The short word used in CSS classes and data attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Neutral => "neutral",
            Tone::Good => "good",
            Tone::Progress => "progress",
            Tone::Warning => "warning",
            Tone::Bad => "bad",
            Tone::Leaving => "leaving",
        }
    }

    /// The shape cue drawn beside the colour, so status never rests on colour alone.
    pub fn symbol(self) -> &'static str {
        match self {
            Tone::Neutral => "",
            Tone::Good => "●",
            Tone::Progress => "◌",
            Tone::Warning => "!",
            Tone::Bad => "✕",
            Tone::Leaving => "↓",
        }
    }
}

/// One thing in the diagram.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Item {
    /// Stable, scene-unique id (`node/worker-1`, `pod/default/web-…`, `registry/docker.io`).
    pub id: String,
    /// What it is.
    pub kind: Kind,
    /// Its name as shown.
    pub label: String,
    /// Coarse state for tests and styling (pod phase, node readiness, task lastStatus).
    pub phase: String,
    /// The state in words, as the matching CLI would print it.
    pub status: String,
    /// Colour and symbol.
    pub tone: Tone,
    /// Small tags: taints, Service type, launch type.
    pub badges: Vec<String>,
    /// Containers inside a pod or task, drawn as small marks.
    pub marks: Vec<String>,
    /// Highlight names this item answers to besides its id (`kubelet`, `deployment/web`).
    pub names: Vec<String>,
    /// Items drawn inside this one.
    pub children: Vec<Item>,
}

impl Item {
    fn new(id: impl Into<String>, kind: Kind, label: impl Into<String>) -> Item {
        Item {
            id: id.into(),
            kind,
            label: label.into(),
            ..Item::default()
        }
    }

    fn status(mut self, phase: impl Into<String>, status: impl Into<String>, tone: Tone) -> Item {
        self.phase = phase.into();
        self.status = status.into();
        self.tone = tone;
        self
    }

    fn named(mut self, names: &[&str]) -> Item {
        self.names.extend(names.iter().map(|n| n.to_string()));
        self
    }

    fn with_children(mut self, children: Vec<Item>) -> Item {
        self.children = children;
        self
    }

    /// This item and everything inside it, parents first (paint order).
    pub fn walk(&self) -> Vec<&Item> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(item) = stack.pop() {
            out.push(item);
            stack.extend(item.children.iter().rev());
        }
        out
    }
}

/// Everything the diagram shows at one instant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scene {
    /// Top-level areas, in drawing order; only those with something to show.
    pub sections: Vec<Item>,
    /// Where the picture simplifies reality, shown as the diagram's caption.
    pub caption: String,
}

impl Scene {
    /// Every item, parents first.
    pub fn items(&self) -> Vec<&Item> {
        self.sections.iter().flat_map(Item::walk).collect()
    }

    /// The item with this id.
    pub fn find(&self, id: &str) -> Option<&Item> {
        self.items().into_iter().find(|i| i.id == id)
    }

    /// How many items of a kind the scene holds.
    pub fn count(&self, kind: Kind) -> usize {
        self.items().iter().filter(|i| i.kind == kind).count()
    }
}

/// The caption stating what the picture leaves out.
pub const CAPTION: &str = "Simplified: one box per component (metrics-server, really a \
    pod, sits with the control plane); system Services, public registries' own \
    repositories and stopped tasks are not drawn; pods show at most four container marks.";

/// Reads the scene off a simulation.
pub fn scene_for(sim: &Simulation) -> Scene {
    let mut sections = vec![machine(sim), registries(sim)];
    sections.extend(control_plane(sim));
    sections.extend(workloads(sim));
    sections.extend(nodes(sim));
    sections.extend(services(sim));
    sections.extend(aws(sim));
    Scene {
        sections,
        caption: CAPTION.to_string(),
    }
}

fn machine(sim: &Simulation) -> Item {
    let docker = &sim.state().docker;
    let now = sim.now();
    let mut children = vec![
        Item::new("component/docker", Kind::Component, "docker (client)").named(&["docker"]),
        Item::new("component/dockerd", Kind::Component, "dockerd (daemon)").named(&["dockerd"]),
        Item::new("machine/containerd", Kind::Component, "containerd").named(&["containerd"]),
    ];
    for (id, image) in docker.images.iter().take(MACHINE_CAP) {
        let tags = docker.tags_of(id);
        let label = match tags.first() {
            Some(tag) => familiar(tag),
            None => format!("<none> {}", id.short()),
        };
        let size: u64 = image.image.layers.iter().map(|l| l.size).sum();
        let layers = image.image.layers.len();
        children.push(
            Item::new(format!("image/{}", id.short()), Kind::Image, label).status(
                "",
                format!("{layers} layers, {}", human_size(size)),
                Tone::Neutral,
            ),
        );
    }
    push_more(
        &mut children,
        "machine/images-more",
        docker.images.len(),
        "images",
    );
    for c in docker.containers.values().take(MACHINE_CAP) {
        let (phase, status, tone) = match c.state(now) {
            State::Running => ("Running", "Up".to_string(), Tone::Good),
            State::Exited(code, _) => (
                "Exited",
                format!("Exited ({code})"),
                if code == 0 { Tone::Neutral } else { Tone::Bad },
            ),
        };
        let mut item = Item::new(format!("container/{}", c.id), Kind::Container, &c.name)
            .status(phase, status, tone);
        item.names.push(format!("container/{}", c.name));
        item.badges.push(familiar(&c.image));
        children.push(item);
    }
    push_more(
        &mut children,
        "machine/containers-more",
        docker.containers.len(),
        "containers",
    );
    Item::new("section/machine", Kind::Section, "Your machine").with_children(children)
}

fn push_more(children: &mut Vec<Item>, id: &str, total: usize, what: &str) {
    if total > MACHINE_CAP {
        children.push(Item::new(
            id,
            Kind::Note,
            format!("+{} more {what}", total - MACHINE_CAP),
        ));
    }
}

fn registries(sim: &Simulation) -> Item {
    let children = sim
        .state()
        .registries
        .values()
        .map(|reg| {
            let private = reg.kind == RegistryKind::Private;
            let label = if private {
                format!("Amazon ECR (private) {}", reg.host)
            } else {
                reg.host.clone()
            };
            let mut item = Item::new(format!("registry/{}", reg.host), Kind::Registry, label)
                .status(
                    if private { "private" } else { "public" },
                    format!("{} repositories", reg.repositories.len()),
                    Tone::Neutral,
                )
                .named(&["registry"]);
            if private {
                item.names.push("ecr".into());
            }
            // Catalog images were seeded, not pushed; only pushes record `images`.
            let pushed: Vec<_> = reg
                .repositories
                .iter()
                .filter(|(_, repo)| private || !repo.images.is_empty())
                .collect();
            for (path, repo) in pushed.iter().take(REPOSITORY_CAP) {
                let tags: Vec<&str> = repo.tags.keys().map(String::as_str).collect();
                let status = if tags.is_empty() {
                    "no tags".to_string()
                } else {
                    format!("tags {}", tags.join(", "))
                };
                item.children.push(
                    Item::new(
                        format!("repository/{}/{path}", reg.host),
                        Kind::Repository,
                        path.as_str(),
                    )
                    .status("", status, Tone::Neutral),
                );
            }
            if pushed.len() > REPOSITORY_CAP {
                item.children.push(Item::new(
                    format!("registry/{}/more", reg.host),
                    Kind::Note,
                    format!("+{} more repositories", pushed.len() - REPOSITORY_CAP),
                ));
            }
            item
        })
        .collect();
    Item::new("section/registries", Kind::Section, "Registries").with_children(children)
}

/// Kubernetes' own control plane; with a managed one (EKS) it appears once a cluster does.
fn control_plane(sim: &Simulation) -> Option<Item> {
    let managed = sim.scenario().managed_control_plane;
    let eks = &sim.state().aws.eks;
    if managed && eks.is_empty() {
        return None;
    }
    let component = |name: &str, label: &str| {
        Item::new(format!("component/{name}"), Kind::Component, label).named(&[name])
    };
    let mut children = vec![
        component("kube-apiserver", "kube-apiserver"),
        component("etcd", "etcd"),
        component("kube-scheduler", "kube-scheduler"),
        component("kube-controller-manager", "kube-controller-manager"),
        component("cloud-controller-manager", "cloud-controller-manager"),
        // Really a Deployment in kube-system; drawn here as the add-on it is.
        component("metrics-server", "metrics-server (add-on)"),
    ];
    let label = if managed {
        for c in eks.values() {
            let tone = if c.status == "ACTIVE" {
                Tone::Good
            } else {
                Tone::Progress
            };
            let mut item = Item::new(format!("eks/{}", c.name), Kind::EksCluster, &c.name)
                .status(c.status.as_str(), format!("EKS {}", c.status), tone)
                .named(&["eks"]);
            for g in c.node_groups.values() {
                item.children.push(
                    Item::new(
                        format!("eks/{}/nodegroup/{}", c.name, g.name),
                        Kind::Component,
                        format!("node group {}", g.name),
                    )
                    .status(
                        g.status.as_str(),
                        format!("{} desired ({}–{})", g.desired_size, g.min_size, g.max_size),
                        Tone::Neutral,
                    )
                    .named(&["ec2-autoscaling", "cluster-autoscaler"]),
                );
            }
            children.push(item);
        }
        "Control plane (managed by Amazon EKS)"
    } else {
        "Control plane"
    };
    Some(Item::new("section/control-plane", Kind::Section, label).with_children(children))
}

/// Deployments, autoscalers and budgets: what controllers work towards. System ones
/// (kube-system) are left out.
fn workloads(sim: &Simulation) -> Option<Item> {
    let store = &sim.state().api.store;
    let user = |ns: &Option<String>| ns.as_deref().unwrap_or("default") != "kube-system";
    let mut children = Vec::new();
    for d in store.deployments().filter(|d| user(&d.metadata.namespace)) {
        let ns = d.metadata.namespace.as_deref().unwrap_or("default");
        let name = &d.metadata.name;
        let desired = d.spec.replicas.unwrap_or(1);
        let ready = d.status.ready_replicas;
        let tone = if ready >= desired {
            Tone::Good
        } else {
            Tone::Progress
        };
        children.push(
            Item::new(
                format!("deployment/{ns}/{name}"),
                Kind::Workload,
                format!("Deployment {name}"),
            )
            .status("", format!("{ready}/{desired} ready"), tone)
            .named(&[&format!("deployment/{name}")]),
        );
    }
    for h in store.hpas().filter(|h| user(&h.metadata.namespace)) {
        let ns = h.metadata.namespace.as_deref().unwrap_or("default");
        let name = &h.metadata.name;
        children.push(
            Item::new(
                format!("horizontalpodautoscaler/{ns}/{name}"),
                Kind::Workload,
                format!("HPA {name}"),
            )
            .status(
                "",
                format!(
                    "{} replicas ({}–{})",
                    h.status.current_replicas,
                    h.spec.min_replicas.unwrap_or(1),
                    h.spec.max_replicas
                ),
                Tone::Neutral,
            )
            .named(&[&format!("horizontalpodautoscaler/{name}")]),
        );
    }
    for b in store.pdbs().filter(|b| user(&b.metadata.namespace)) {
        let ns = b.metadata.namespace.as_deref().unwrap_or("default");
        let name = &b.metadata.name;
        children.push(
            Item::new(
                format!("poddisruptionbudget/{ns}/{name}"),
                Kind::Workload,
                format!("PodDisruptionBudget {name}"),
            )
            .named(&[&format!("poddisruptionbudget/{name}")]),
        );
    }
    (!children.is_empty()).then(|| {
        Item::new(
            "section/workloads",
            Kind::Section,
            "Desired state (stored in etcd)",
        )
        .with_children(children)
    })
}

fn pod_tone(status: &str, pod: &Pod) -> (String, Tone) {
    if pod.is_terminating() {
        return ("Terminating".into(), Tone::Leaving);
    }
    let phase = pod.status.phase.clone().unwrap_or_else(|| "Pending".into());
    let tone = match status {
        "Running" if pod.is_ready() => Tone::Good,
        "Running" => Tone::Warning,
        "Completed" | "Succeeded" => Tone::Neutral,
        "Pending" | "ContainerCreating" | "PodInitializing" => Tone::Progress,
        s if s.starts_with("Init:") && !s.contains("Err") && !s.contains("BackOff") => {
            Tone::Progress
        }
        s if s.contains("BackOff") || s.starts_with("Err") => Tone::Warning,
        _ if phase == "Failed" => Tone::Bad,
        _ => Tone::Warning,
    };
    (phase, tone)
}

/// Highlight names a pod answers to through its owners (`deployment/web`), the
/// autoscalers and budgets that cover it, and well-known add-ons.
fn pod_names(sim: &Simulation, pod: &Pod) -> Vec<String> {
    let store = &sim.state().api.store;
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let mut names = vec![format!("pod/{}", pod.metadata.name)];
    for owner in &pod.metadata.owner_references {
        names.push(format!(
            "{}/{}",
            owner.kind.to_ascii_lowercase(),
            owner.name
        ));
        if owner.kind == "ReplicaSet"
            && let Some(rs) = store.replicaset(ns, &owner.name)
        {
            for d in &rs.metadata.owner_references {
                names.push(format!("{}/{}", d.kind.to_ascii_lowercase(), d.name));
            }
        }
    }
    let deployments: Vec<String> = names
        .iter()
        .filter_map(|n| n.strip_prefix("deployment/").map(str::to_string))
        .collect();
    for hpa in store.hpas() {
        let target = &hpa.spec.scale_target_ref;
        if hpa.metadata.namespace.as_deref().unwrap_or("default") == ns
            && target.kind == "Deployment"
            && deployments.contains(&target.name)
        {
            names.push(format!("horizontalpodautoscaler/{}", hpa.metadata.name));
        }
    }
    for pdb in store.pdbs() {
        if pdb.metadata.namespace.as_deref().unwrap_or("default") == ns
            && pdb
                .spec
                .selector
                .as_ref()
                .is_some_and(|s| s.matches(&pod.metadata.labels))
        {
            names.push(format!("poddisruptionbudget/{}", pdb.metadata.name));
        }
    }
    if pod.metadata.name.starts_with("coredns-") {
        names.push("coredns".into());
    }
    names
}

fn pod_item(sim: &Simulation, pod: &Pod) -> Item {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let status = pod_status(pod);
    let (phase, tone) = pod_tone(&status, pod);
    let mut item = Item::new(
        format!("pod/{ns}/{}", pod.metadata.name),
        Kind::Pod,
        &pod.metadata.name,
    )
    .status(phase, status, tone);
    item.marks = pod.spec.containers.iter().map(|c| c.name.clone()).collect();
    item.names = pod_names(sim, pod);
    item
}

fn nodes(sim: &Simulation) -> Option<Item> {
    let store = &sim.state().api.store;
    let mut by_node: BTreeMap<&str, Vec<Item>> = BTreeMap::new();
    let mut unscheduled = Vec::new();
    for pod in store.pods() {
        match pod.spec.node_name.as_deref() {
            Some(node) => by_node.entry(node).or_default().push(pod_item(sim, pod)),
            None => unscheduled.push(pod_item(sim, pod)),
        }
    }
    let mut children: Vec<Item> = Vec::new();
    for node in store.nodes() {
        let name = node.metadata.name.as_str();
        let status = node_status(node);
        let ready = status.starts_with("Ready");
        let tone = match (ready, node.spec.unschedulable) {
            (true, false) => Tone::Good,
            (true, true) => Tone::Leaving,
            (false, _) => Tone::Bad,
        };
        let mut item = Item::new(format!("node/{name}"), Kind::Node, name).status(
            if ready { "Ready" } else { "NotReady" },
            status,
            tone,
        );
        item.badges = node.spec.taints.iter().map(|t| t.to_string()).collect();
        for agent in ["kubelet", "kube-proxy", "containerd"] {
            item.children.push(
                Item::new(format!("node/{name}/{agent}"), Kind::Agent, agent).named(&[agent]),
            );
        }
        item.children
            .extend(by_node.remove(name).unwrap_or_default());
        children.push(item);
    }
    // Pods bound to a node the API no longer has still exist; keep them visible.
    for (node, pods) in by_node {
        unscheduled.extend(pods.into_iter().map(|mut p| {
            p.status = format!("{} (node {node} is gone)", p.status);
            p
        }));
    }
    if !unscheduled.is_empty() {
        children.push(
            Item::new("node/(unscheduled)", Kind::Node, "Not on a node yet")
                .status("", "waiting for the scheduler", Tone::Progress)
                .with_children(unscheduled),
        );
    }
    let managed = sim.scenario().managed_control_plane;
    if children.is_empty() && managed && sim.state().aws.eks.is_empty() {
        return None;
    }
    let workers = store
        .nodes()
        .filter(|n| {
            !n.metadata
                .labels
                .contains_key("node-role.kubernetes.io/control-plane")
        })
        .count();
    if workers == 0 {
        children.push(Item::new(
            "note/no-nodes",
            Kind::Note,
            "No worker nodes: pods wait until one joins",
        ));
    }
    Some(Item::new("section/nodes", Kind::Section, "Nodes").with_children(children))
}

fn services(sim: &Simulation) -> Option<Item> {
    let world = sim.state();
    let store = &world.api.store;
    let mut children = Vec::new();
    for svc in store.services() {
        let ns = svc.metadata.namespace.as_deref().unwrap_or("default");
        let name = svc.metadata.name.as_str();
        if ns == "kube-system" || (ns == "default" && name == "kubernetes") {
            continue;
        }
        let ready: usize = store
            .endpointslices()
            .filter(|s| {
                s.metadata.namespace.as_deref().unwrap_or("default") == ns
                    && s.metadata
                        .labels
                        .get("kubernetes.io/service-name")
                        .map(String::as_str)
                        == Some(name)
            })
            .flat_map(|s| s.endpoints.iter())
            .filter(|e| e.conditions.ready)
            .count();
        let kind = svc.spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
        let tone = if ready > 0 { Tone::Good } else { Tone::Warning };
        let mut item = Item::new(format!("service/{ns}/{name}"), Kind::Service, name).status(
            "",
            format!(
                "{ready} ready endpoint{}",
                if ready == 1 { "" } else { "s" }
            ),
            tone,
        );
        item.names.push(format!("service/{name}"));
        item.badges.push(kind.clone());
        if kind == "LoadBalancer" {
            let key = simulator::apiserver::ObjKey::new("Service", ns, name);
            let (status, tone) = match world.load_balancers.get(&key) {
                Some((address, ready_at)) if *ready_at <= sim.now() => {
                    (address.clone(), Tone::Good)
                }
                Some(_) => ("provisioning".to_string(), Tone::Progress),
                None => ("pending".to_string(), Tone::Progress),
            };
            item.children.push(
                Item::new(
                    format!("load-balancer/{ns}/{name}"),
                    Kind::LoadBalancer,
                    format!("cloud load balancer for {name}"),
                )
                .status("", status, tone)
                .named(&["load-balancer", "elb"]),
            );
        }
        children.push(item);
    }
    (!children.is_empty())
        .then(|| Item::new("section/services", Kind::Section, "Services").with_children(children))
}

fn task_tone(status: TaskStatus, health: Health) -> Tone {
    match status {
        TaskStatus::Running if health == Health::Unhealthy => Tone::Warning,
        TaskStatus::Running => Tone::Good,
        TaskStatus::Provisioning | TaskStatus::Pending => Tone::Progress,
        TaskStatus::Stopped => Tone::Neutral,
        _ => Tone::Leaving,
    }
}

fn aws(sim: &Simulation) -> Option<Item> {
    let world = sim.state();
    let aws = &world.aws;
    let mut children = Vec::new();
    for cluster in aws.clusters.values() {
        let mut item = Item::new(
            format!("ecs-cluster/{}", cluster.name),
            Kind::EcsCluster,
            format!("ECS cluster {}", cluster.name),
        )
        .status(
            cluster.status.as_str(),
            cluster.status.as_str(),
            Tone::Neutral,
        )
        .named(&["ecs"]);
        for id in &cluster.container_instances {
            if let Some(inst) = aws.instances.get(id) {
                item.children.push(
                    Item::new(format!("ec2/{id}"), Kind::Instance, id.as_str())
                        .status(
                            format!("{:?}", inst.state),
                            format!("{} {:?}", inst.instance_type, inst.state),
                            Tone::Neutral,
                        )
                        .named(&["ecs-agent", "ec2-autoscaling"]),
                );
            }
        }
        let tasks_of = |service: Option<&str>| -> Vec<Item> {
            aws.tasks
                .values()
                .filter(|t| {
                    t.cluster == cluster.name
                        && t.service.as_deref() == service
                        && t.last_status != TaskStatus::Stopped
                })
                .map(|t| {
                    let fargate = t.launch_type == "FARGATE";
                    let short: String = t.id.chars().take(8).collect();
                    let mut task = Item::new(format!("task/{}", t.id), Kind::Task, short).status(
                        t.last_status.as_str(),
                        match t.health {
                            Health::Unknown => t.last_status.as_str().to_string(),
                            h => format!("{}, {}", t.last_status.as_str(), h.as_str()),
                        },
                        task_tone(t.last_status, t.health),
                    );
                    task.badges.push(match &t.instance {
                        Some(i) => format!("on {i}"),
                        None if fargate => "Fargate micro-VM".to_string(),
                        None => t.launch_type.clone(),
                    });
                    task.names
                        .push(if fargate { "fargate" } else { "ecs-agent" }.into());
                    task.names.push(format!("ecs-task/{}", t.id));
                    if let Some(def) = aws.task_definition(&t.task_definition) {
                        task.marks = def
                            .input
                            .container_definitions
                            .iter()
                            .map(|c| c.name.clone().unwrap_or_default())
                            .collect();
                    }
                    task
                })
                .collect()
        };
        for ((c, name), svc) in &aws.services {
            if *c != cluster.name {
                continue;
            }
            let tasks = tasks_of(Some(name));
            let running = tasks.iter().filter(|t| t.phase == "RUNNING").count();
            let tone = if running as u32 >= svc.desired_count {
                Tone::Good
            } else {
                Tone::Progress
            };
            let mut s = Item::new(
                format!("ecs-service/{c}/{name}"),
                Kind::EcsService,
                format!("service {name}"),
            )
            .status(
                svc.status.as_str(),
                format!("{running} running / {} desired", svc.desired_count),
                tone,
            )
            .with_children(tasks);
            s.names.push(format!("service/{name}"));
            if let Some(lt) = &svc.launch_type {
                s.badges.push(lt.clone());
            }
            item.children.push(s);
        }
        item.children.extend(tasks_of(None));
        children.push(item);
    }
    for lb in aws.load_balancers.values() {
        let mut item = Item::new(
            format!("alb/{}", lb.name),
            Kind::LoadBalancer,
            format!("ALB {}", lb.name),
        )
        .status("", lb.dns_name.as_str(), Tone::Neutral)
        .named(&["elb", "load-balancer"]);
        for tg in aws
            .target_groups
            .values()
            .filter(|tg| tg.load_balancers.contains(&lb.name))
        {
            item.children.push(target_group(tg));
        }
        children.push(item);
    }
    for tg in aws
        .target_groups
        .values()
        .filter(|tg| tg.load_balancers.is_empty())
    {
        children.push(target_group(tg));
    }
    for asg in aws.auto_scaling_groups.values() {
        children.push(
            Item::new(
                format!("asg/{}", asg.name),
                Kind::Component,
                format!("Auto Scaling group {}", asg.name),
            )
            .status(
                "",
                format!(
                    "{} desired ({}–{})",
                    asg.desired_capacity, asg.min_size, asg.max_size
                ),
                Tone::Neutral,
            )
            .named(&["ec2-autoscaling"]),
        );
    }
    for target in aws.scalable_targets.keys() {
        children.push(
            Item::new(
                format!("scalable-target/{target}"),
                Kind::Component,
                format!("target tracking {target}"),
            )
            .named(&["application-autoscaling"]),
        );
    }
    for (family, revisions) in &aws.task_definitions {
        children.push(
            Item::new(
                format!("task-definition/{family}"),
                Kind::Workload,
                format!("task definition {family}"),
            )
            .status("", format!("{} revisions", revisions.len()), Tone::Neutral)
            .named(&["ecs"]),
        );
    }
    // An AWS account scenario shows its services even before anything runs on them.
    if children.is_empty() && !sim.scenario().managed_control_plane {
        return None;
    }
    let now = sim.now();
    let service = |id: &str, label: &str, names: &[&str]| {
        Item::new(format!("aws/{id}"), Kind::Component, label).named(names)
    };
    let meter = &world.billing;
    let mut services = vec![
        service("ecs", "Amazon ECS", &["ecs"]),
        service("fargate", "AWS Fargate", &["fargate"]),
        service("eks", "Amazon EKS", &["eks"]),
        service(
            "cluster-autoscaler",
            "Cluster Autoscaler",
            &["cluster-autoscaler"],
        ),
        service("ec2-autoscaling", "EC2 Auto Scaling", &["ec2-autoscaling"]),
        service(
            "application-autoscaling",
            "Application Auto Scaling",
            &["application-autoscaling"],
        ),
        service("elb", "Elastic Load Balancing", &["elb", "load-balancer"]),
        Item::new("billing", Kind::Component, "cost meter")
            .status(
                "",
                format!("{} so far", simulator::cost::dollars(meter.total(now), 4)),
                Tone::Neutral,
            )
            .named(&["billing"]),
    ];
    services.append(&mut children);
    Some(Item::new("section/aws", Kind::Section, "AWS account").with_children(services))
}

fn target_group(tg: &simulator::ecs::load_balancer::TargetGroup) -> Item {
    use simulator::ecs::load_balancer::TargetState;
    let healthy = tg
        .targets
        .values()
        .filter(|t| t.state == TargetState::Healthy)
        .count();
    let total = tg.targets.len();
    let tone = match (healthy, total) {
        (_, 0) => Tone::Neutral,
        (h, t) if h == t => Tone::Good,
        (0, _) => Tone::Warning,
        _ => Tone::Progress,
    };
    Item::new(
        format!("target-group/{}", tg.name),
        Kind::TargetGroup,
        format!("target group {}", tg.name),
    )
    .status("", format!("{healthy} of {total} targets healthy"), tone)
    .named(&["elb"])
}

#[cfg(test)]
mod tests {
    use super::*;
    use simulator::Scenario;

    fn sim(name: &str, lines: &[&str]) -> Simulation {
        let mut sim = Simulation::new(&Scenario::named(name).expect("scenario exists"));
        for line in lines {
            sim.run(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        }
        sim
    }

    #[test]
    fn default_scenario_shows_machine_registries_control_plane_and_nodes() {
        let scene = scene_for(&sim("default", &["sim advance 10s"]));
        let ids: Vec<&str> = scene.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "section/machine",
                "section/registries",
                "section/control-plane",
                "section/nodes"
            ]
        );
        let node = scene.find("node/worker-1").expect("worker-1 drawn");
        assert_eq!(node.phase, "Ready");
        assert!(scene.find("registry/docker.io").is_some());
        assert!(scene.find("component/kube-scheduler").is_some());
        assert!(scene.count(Kind::Pod) >= 4);
        let cp = scene
            .find("node/control-plane")
            .expect("control-plane node");
        assert!(cp.badges.iter().any(|b| b.contains("NoSchedule")));
    }

    #[test]
    fn eks_scenario_without_a_cluster_has_no_control_plane_or_nodes() {
        let scene = scene_for(&sim("eks", &[]));
        assert!(scene.find("section/control-plane").is_none());
        assert!(scene.find("section/nodes").is_none());
        assert!(
            scene.find("aws/fargate").is_some(),
            "an AWS account shows its services"
        );
    }

    #[test]
    fn empty_scenario_says_there_are_no_worker_nodes() {
        let scene = scene_for(&sim("empty", &[]));
        assert!(scene.find("note/no-nodes").is_some());
        assert!(scene.find("node/worker-1").is_none());
        let scene = scene_for(&sim("default", &[]));
        assert!(scene.find("note/no-nodes").is_none());
        assert!(
            scene.find("section/aws").is_none(),
            "no AWS box for plain Kubernetes"
        );
    }

    #[test]
    fn taints_pods_and_deployments_are_read() {
        let scene = scene_for(&sim(
            "default",
            &[
                "kubectl taint nodes worker-2 gpu=true:NoSchedule",
                "kubectl create deployment web --image=nginx:1.27 --replicas=3",
                "sim advance 60s",
            ],
        ));
        let node = scene.find("node/worker-2").expect("worker-2");
        assert!(node.badges.contains(&"gpu=true:NoSchedule".to_string()));
        let web: Vec<&Item> = scene
            .items()
            .into_iter()
            .filter(|i| i.kind == Kind::Pod && i.names.contains(&"deployment/web".to_string()))
            .collect();
        assert_eq!(web.len(), 3);
        assert!(
            web.iter()
                .all(|p| p.phase == "Running" && p.tone == Tone::Good)
        );
        assert!(web.iter().all(|p| p.marks == ["nginx"]));
    }

    #[test]
    fn load_balancer_services_show_the_cloud_load_balancer() {
        let lesson = lessons::find("services").expect("services lesson");
        let scenario = lesson.scenario.build().expect("scenario builds");
        let mut sim = Simulation::new(&scenario);
        for line in ["kubectl apply -f web.yaml", "sim advance 2m"] {
            sim.run(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        }
        let scene = scene_for(&sim);
        let svc = scene.find("service/default/web").expect("service drawn");
        assert_eq!(svc.status, "3 ready endpoints");
        assert!(svc.badges.contains(&"LoadBalancer".to_string()));
        assert!(scene.find("load-balancer/default/web").is_some());
    }
}
