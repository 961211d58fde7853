//! Queries and checks over simulator state: the data that lesson trackers, computed quiz
//! answers and challenge goals are written in. Lessons never run code; they name a query.
//!
//! Every query answers with a [`Value`] and never fails at evaluation time: an object
//! that does not exist (yet) reads as `Text("absent")` (or a count of 0). Mistakes in
//! the query itself (an unknown resource type, a selector that doesn't parse) are
//! reported by [`Query::validate`] and [`Query::try_answer`], which `lessons check` runs
//! on every query of every lesson.

use crate::Simulation;
use crate::api::pod::Pod;
use crate::apiserver::ObjKey;
use crate::image::catalog::Reference;
use crate::kube::Selector;
use serde::de::Deserializer;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// What [`Query`] answers for an object, image or file that doesn't exist.
pub const ABSENT: &str = "absent";

/// A question about the current state, answered with a [`Value`].
///
/// Namespaced queries default to the `default` namespace, like kubectl, except the
/// cluster-wide counts (`pods`, `unschedulable_pods`), which count every namespace
/// unless one is given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Query {
    /// Number of nodes, optionally only of one role and/or readiness.
    Nodes {
        /// Only nodes of this role.
        #[serde(default)]
        role: Option<NodeRole>,
        /// Only nodes whose Ready condition is this.
        #[serde(default)]
        ready: Option<bool>,
    },
    /// A node's STATUS as `kubectl get nodes` shows it (`Ready`, `NotReady`,
    /// `Ready,SchedulingDisabled`), or `absent`.
    NodeStatus {
        /// Node name.
        node: String,
    },
    /// Number of pods, optionally in one namespace and/or on one node.
    Pods {
        /// Only pods in this namespace (default: every namespace).
        #[serde(default)]
        namespace: Option<String>,
        /// Only pods bound to this node.
        #[serde(default)]
        node: Option<String>,
    },
    /// The node a component's pod runs on (`kube-scheduler` → `control-plane`), or `absent`.
    ComponentNode {
        /// Component name as in diagrams (`etcd`, `kube-proxy`, `coredns`).
        component: String,
    },
    /// Number of events in the log, optionally only of one kind and/or source component.
    Events {
        /// Only events with this reason code (`NodeStatusUpdated`).
        #[serde(default)]
        event: Option<String>,
        /// Only events from this component (`kubelet`).
        #[serde(default)]
        source: Option<String>,
    },
    /// The simulated clock, as `HH:MM:SS`.
    Time {},
    /// Simulated seconds since the start.
    Seconds {},
    /// The RNG seed in use.
    Seed {},
    /// Number of files in the workspace.
    Files {},
    /// A workspace file's contents (use `op: contains`), or `absent` (`cat PATH`).
    File {
        /// Path relative to the workspace root (`Dockerfile`, `k8s/web.yaml`).
        path: String,
    },
    /// One field of an API object as `kubectl get TYPE/NAME -o json` prints it, by a dotted
    /// path (`status.readyReplicas`, `spec.template.spec.containers.0.image`,
    /// `metadata.labels.app`; keys with dots such as
    /// `metadata.annotations.deployment.kubernetes.io/revision` work too). Numbers read as
    /// `Int`, booleans as `Bool`, strings as `Text`, lists of scalars as `a, b`, other
    /// objects as compact JSON; a missing object or field as `absent`.
    ObjectField {
        /// `TYPE/NAME` as kubectl takes it (`deployment/web`, `deploy/web`, `node/worker-1`).
        object: String,
        /// Namespace of a namespaced object (default `default`).
        #[serde(default)]
        namespace: Option<String>,
        /// Dotted path into the object's JSON; numeric segments index lists.
        path: String,
    },
    /// Number of API objects of a type (`kubectl get TYPE -l SELECTOR --no-headers | wc -l`).
    Objects {
        /// Resource type as kubectl takes it (`replicasets`, `rs`, `svc`, `secret`).
        resource: String,
        /// Namespace of a namespaced type (default `default`).
        #[serde(default)]
        namespace: Option<String>,
        /// Label selector (`app=web,tier!=db`).
        #[serde(default)]
        selector: Option<String>,
    },
    /// The STATUS column of `kubectl get pods` (`Running`, `Pending`, `ImagePullBackOff`,
    /// `CrashLoopBackOff`, `Terminating` …) for one pod, or summarised over the pods a
    /// selector matches: `Running` when all agree, else counts such as
    /// `2 Running, 1 ImagePullBackOff` (most common first); `absent` when none.
    PodPhase {
        /// Pod name (`name` also works); give this or `selector`.
        #[serde(default, alias = "name")]
        pod: Option<String>,
        /// Label selector (`app=web`); give this or `pod`.
        #[serde(default)]
        selector: Option<String>,
        /// Namespace (default `default`).
        #[serde(default)]
        namespace: Option<String>,
    },
    /// Number of pods matching a selector (all pods without one), optionally only those
    /// with a given STATUS, READY state or NODE (`kubectl get pods -l SELECTOR`).
    PodsMatching {
        /// Label selector (`app=web`).
        #[serde(default)]
        selector: Option<String>,
        /// Namespace (default `default`).
        #[serde(default)]
        namespace: Option<String>,
        /// Only pods whose STATUS column is this (`Running`, `Pending`, `ImagePullBackOff`).
        #[serde(default)]
        status: Option<String>,
        /// Only pods whose Ready condition is this (READY `1/1` vs `0/1`).
        #[serde(default)]
        ready: Option<bool>,
        /// Only pods on this node (the NODE column of `-o wide`).
        #[serde(default)]
        node: Option<String>,
    },
    /// The NODE column of `kubectl get pods -o wide`: the node a pod is bound to, `<none>`
    /// while unscheduled; for a selector, the distinct nodes in name order (`worker-1,
    /// worker-3`); `absent` when no pod matches.
    PodNode {
        /// Pod name (`name` also works); give this or `selector`.
        #[serde(default, alias = "name")]
        pod: Option<String>,
        /// Label selector (`app=web`); give this or `pod`.
        #[serde(default)]
        selector: Option<String>,
        /// Namespace (default `default`).
        #[serde(default)]
        namespace: Option<String>,
    },
    /// Number of pods the scheduler could not place (`Pending` with condition
    /// `PodScheduled=False`, reason `Unschedulable`).
    UnschedulablePods {
        /// Only pods in this namespace (default: every namespace).
        #[serde(default)]
        namespace: Option<String>,
    },
    /// The READY column of `kubectl get deployments` (`3/3`: ready / desired replicas),
    /// or `absent`.
    DeploymentReady {
        /// Deployment name (`name` also works).
        #[serde(alias = "name")]
        deployment: String,
        /// Namespace (default `default`).
        #[serde(default)]
        namespace: Option<String>,
    },
    /// A Deployment's current revision: the newest REVISION of `kubectl rollout history`
    /// (annotation `deployment.kubernetes.io/revision` of its ReplicaSets) as a number;
    /// `absent` before the first ReplicaSet exists.
    RolloutRevision {
        /// Deployment name (`name` also works).
        #[serde(alias = "name")]
        deployment: String,
        /// Namespace (default `default`).
        #[serde(default)]
        namespace: Option<String>,
    },
    /// The REPLICAS column of `kubectl get hpa` (`status.currentReplicas`), or `absent`.
    HpaReplicas {
        /// HorizontalPodAutoscaler name (`name` also works).
        #[serde(alias = "name")]
        hpa: String,
        /// Namespace (default `default`).
        #[serde(default)]
        namespace: Option<String>,
    },
    /// Number of ready endpoint addresses behind a Service (the ENDPOINTS column of
    /// `kubectl get endpointslices -l kubernetes.io/service-name=NAME`); 0 when none.
    ReadyEndpoints {
        /// Service name (`name` also works).
        #[serde(alias = "name")]
        service: String,
        /// Namespace (default `default`).
        #[serde(default)]
        namespace: Option<String>,
    },
    /// A node's taints as `kubectl describe node` lists them (`dedicated=gpu:NoSchedule,
    /// spot:PreferNoSchedule`), `<none>`, or `absent`.
    NodeTaints {
        /// Node name.
        node: String,
    },
    /// Whether the learner's Docker daemon has an image under this reference
    /// (`docker images`): `present` or `absent`.
    LocalImage {
        /// Image reference (`hello-api:1.0`, `nginx`, `123456789012.dkr.ecr…/app:1`).
        reference: String,
    },
    /// The SIZE column of `docker images` in whole MB (decimal, rounded), or `absent`.
    ImageSize {
        /// Image reference.
        reference: String,
    },
    /// Where an image is: any of `laptop` (the local Docker daemon), `registry` (its
    /// registry has the tag) and each node whose containerd has pulled it, in that order
    /// (`laptop, registry, worker-1`); `absent` when nowhere.
    ImageLocation {
        /// Image reference.
        reference: String,
    },
    /// The user an image's containers run as (`Config.User` of `docker inspect`; `root`
    /// when unset), from the local daemon or else the registry; `absent` when neither has it.
    ImageUser {
        /// Image reference.
        reference: String,
    },
    /// Number of tags in a registry repository (`aws ecr list-images`, Docker Hub's tag
    /// list); 0 when the repository doesn't exist.
    RegistryTags {
        /// Repository, with the registry host unless it is Docker Hub
        /// (`123456789012.dkr.ecr.us-east-1.amazonaws.com/hello-api`, `nginx`).
        repository: String,
    },
    /// Steps of the most recent `docker build` served from the build cache (its `CACHED`
    /// lines, `FROM` not counted); 0 before any build.
    BuildCacheHits {},
    /// Steps of the most recent `docker build` that had to run (cache misses, `FROM` not
    /// counted); 0 before any build.
    BuildCacheMisses {},
    /// Number of containers on the learner's machine (`docker ps -a`), or only running
    /// (`running: true`, `docker ps`) or exited ones.
    Containers {
        /// Only running (true) or stopped (false) containers.
        #[serde(default)]
        running: Option<bool>,
    },
    /// One figure of an ECS service as `aws ecs describe-services` reports it:
    /// `runningCount`, `desiredCount`, `pendingCount`, the PRIMARY deployment's
    /// `rolloutState`, the number of deployments or the task definition (`web:2`);
    /// `absent` when there is no such service.
    EcsService {
        /// Cluster name or ARN.
        cluster: String,
        /// Service name.
        service: String,
        /// Which figure.
        field: EcsServiceField,
    },
    /// Number of ECS tasks in a cluster (`aws ecs list-tasks`), optionally of one service
    /// and/or in one `lastStatus`; without `status`, every task not yet STOPPED.
    EcsTasks {
        /// Cluster name or ARN.
        cluster: String,
        /// Only tasks this service started.
        #[serde(default)]
        service: Option<String>,
        /// Only tasks whose `lastStatus` is this (`RUNNING`, `PENDING`, `STOPPED` …).
        #[serde(default)]
        status: Option<EcsTaskStatus>,
    },
    /// `AvailableIpAddressCount` of the subnet with this CIDR block (`aws ec2
    /// describe-subnets`), or `absent` when no subnet has it.
    SubnetFreeIps {
        /// The subnet's block (`172.31.48.0/28`).
        cidr: String,
    },
    /// Number of targets in a target group (`aws elbv2 describe-target-health`), optionally
    /// only those in one state; 0 when the group doesn't exist.
    TargetHealth {
        /// Target group name or ARN.
        target_group: String,
        /// Only targets in this state (`healthy`, `initial`, `draining`, `unhealthy`).
        #[serde(default)]
        state: Option<TargetHealthState>,
    },
    /// What the cloud resources have cost so far (`sim cost`), in dollars with two
    /// decimals (`$0.46`): the total, or one category's line.
    Cost {
        /// Only this category: `fargate`, `ec2`, `eks` (control plane) or `alb`.
        #[serde(default)]
        category: Option<CostCategory>,
    },
}

/// Which figure of an ECS service [`Query::EcsService`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EcsServiceField {
    /// `runningCount`: tasks in RUNNING that the service wants running.
    Running,
    /// `desiredCount`.
    Desired,
    /// `pendingCount`: tasks not yet RUNNING (PROVISIONING, PENDING).
    Pending,
    /// The PRIMARY deployment's `rolloutState` (`IN_PROGRESS`, `COMPLETED`, `FAILED`).
    RolloutState,
    /// Number of deployments (PRIMARY plus ACTIVE ones still draining).
    Deployments,
    /// The service's task definition, `family:revision` (`web:2`).
    TaskDefinition,
}

/// An ECS task `lastStatus`, as the API spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EcsTaskStatus {
    /// `PROVISIONING`.
    Provisioning,
    /// `PENDING`.
    Pending,
    /// `RUNNING`.
    Running,
    /// `DEACTIVATING`.
    Deactivating,
    /// `STOPPING`.
    Stopping,
    /// `DEPROVISIONING`.
    Deprovisioning,
    /// `STOPPED`.
    Stopped,
}

impl EcsTaskStatus {
    fn model(self) -> crate::ecs::task::TaskStatus {
        use crate::ecs::task::TaskStatus as T;
        match self {
            EcsTaskStatus::Provisioning => T::Provisioning,
            EcsTaskStatus::Pending => T::Pending,
            EcsTaskStatus::Running => T::Running,
            EcsTaskStatus::Deactivating => T::Deactivating,
            EcsTaskStatus::Stopping => T::Stopping,
            EcsTaskStatus::Deprovisioning => T::Deprovisioning,
            EcsTaskStatus::Stopped => T::Stopped,
        }
    }
}

/// A target's `TargetHealth.State`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetHealthState {
    /// Registered, health checks not passed yet.
    Initial,
    /// Receiving traffic.
    Healthy,
    /// Failing health checks.
    Unhealthy,
    /// Deregistered, finishing in-flight requests.
    Draining,
}

impl TargetHealthState {
    fn model(self) -> crate::ecs::load_balancer::TargetState {
        use crate::ecs::load_balancer::TargetState as T;
        match self {
            TargetHealthState::Initial => T::Initial,
            TargetHealthState::Healthy => T::Healthy,
            TargetHealthState::Unhealthy => T::Unhealthy,
            TargetHealthState::Draining => T::Draining,
        }
    }
}

/// A line of the bill (`sim cost`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CostCategory {
    /// Fargate tasks and pods.
    Fargate,
    /// EC2 instances (container instances, EKS nodes).
    Ec2,
    /// EKS control planes.
    Eks,
    /// Load balancers.
    Alb,
}

impl CostCategory {
    fn model(self) -> crate::cost::Category {
        use crate::cost::Category as C;
        match self {
            CostCategory::Fargate => C::Fargate,
            CostCategory::Ec2 => C::Ec2,
            CostCategory::Eks => C::EksControlPlane,
            CostCategory::Alb => C::LoadBalancer,
        }
    }

    fn name(self) -> &'static str {
        match self {
            CostCategory::Fargate => "Fargate",
            CostCategory::Ec2 => "EC2",
            CostCategory::Eks => "EKS control plane",
            CostCategory::Alb => "load balancer",
        }
    }
}

/// The answer to a [`Query`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// A count or other integer.
    Int(i64),
    /// Yes or no.
    Bool(bool),
    /// A name, status or time.
    Text(String),
}

impl Value {
    fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    fn absent() -> Value {
        Value::Text(ABSENT.into())
    }

    fn count(n: usize) -> Value {
        Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }

    /// True for `Text("absent")`.
    pub fn is_absent(&self) -> bool {
        matches!(self, Value::Text(t) if t == ABSENT)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Text(t) => f.write_str(t),
        }
    }
}

/// How a check compares the query's value with its expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal. A number and a text are equal when they print the same (`3` and `"3"`).
    #[default]
    Eq,
    /// Not equal.
    Ne,
    /// At least (numbers only).
    Ge,
    /// At most (numbers only).
    Le,
    /// More than (numbers only).
    Gt,
    /// Fewer than (numbers only).
    Lt,
    /// The value, as text, contains the expected text (`image_location` contains `worker-1`).
    Contains,
    /// The value, as text, does not contain the expected text.
    NotContains,
}

impl Op {
    /// The goal as a phrase: `at least 3`, `3`, `not absent`.
    fn phrase(self, value: &Value) -> String {
        match self {
            Op::Eq => format!("{value}"),
            Op::Ne => format!("anything but {value}"),
            Op::Ge => format!("at least {value}"),
            Op::Le => format!("at most {value}"),
            Op::Gt => format!("more than {value}"),
            Op::Lt => format!("less than {value}"),
            Op::Contains => format!("contains “{value}”"),
            Op::NotContains => format!("does not contain “{value}”"),
        }
    }

    /// Whether `actual op expected` holds.
    pub fn holds(self, actual: &Value, expected: &Value) -> bool {
        let same = |a: &Value, b: &Value| a == b || a.to_string() == b.to_string();
        match (self, actual, expected) {
            (Op::Eq, a, b) => same(a, b),
            (Op::Ne, a, b) => !same(a, b),
            (Op::Contains, a, b) => a.to_string().contains(&b.to_string()),
            (Op::NotContains, a, b) => !a.to_string().contains(&b.to_string()),
            (op, Value::Int(a), Value::Int(b)) => match op {
                Op::Ge => a >= b,
                Op::Le => a <= b,
                Op::Gt => a > b,
                Op::Lt => a < b,
                _ => false,
            },
            // Ordering text or booleans is meaningless; such a check never passes.
            _ => false,
        }
    }
}

/// A goal: `query op value`, with a sentence the learner sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// What the goal means, for the learner ("three worker nodes are Ready").
    pub description: String,
    /// What to measure.
    pub query: Query,
    /// How to compare.
    #[serde(default)]
    pub op: Op,
    /// The expected value.
    pub value: Value,
}

/// The result of evaluating a [`Check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckOutcome {
    /// Whether the goal is met.
    pub passed: bool,
    /// What the query returned.
    pub actual: Value,
    /// A sentence saying which part is met or unmet and why, e.g. `not met: the web
    /// deployment is fully ready: deployment/web has 1/3 ready replicas; goal: 3/3`.
    pub detail: String,
}

impl Check {
    /// Evaluates the check against a simulation.
    pub fn evaluate(&self, sim: &Simulation) -> CheckOutcome {
        let actual = sim.query(&self.query);
        let passed = self.op.holds(&actual, &self.value);
        let state = self.query.state(&actual);
        let detail = if passed {
            format!("met: {} ({state})", self.description)
        } else {
            let why = match self.op {
                Op::Contains => {
                    format!("{} does not contain “{}”", self.query.subject(), self.value)
                }
                Op::NotContains => {
                    format!("{} still contains “{}”", self.query.subject(), self.value)
                }
                op => format!("{state}; goal: {}", op.phrase(&self.value)),
            };
            format!("not met: {} — {why}", self.description)
        };
        CheckOutcome {
            passed,
            actual,
            detail,
        }
    }
}

/// What a node is for, as its `node-role.kubernetes.io/*` labels say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeRole {
    /// Carries `node-role.kubernetes.io/control-plane`.
    ControlPlane,
    /// Anything else.
    Worker,
}

impl<'de> Deserialize<'de> for NodeRole {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "control-plane" => Ok(NodeRole::ControlPlane),
            "worker" => Ok(NodeRole::Worker),
            other => Err(serde::de::Error::custom(format!(
                "unknown node role {other:?}: expected control-plane or worker"
            ))),
        }
    }
}

fn role_of(n: &crate::api::node::Node) -> NodeRole {
    if n.metadata
        .labels
        .contains_key("node-role.kubernetes.io/control-plane")
    {
        NodeRole::ControlPlane
    } else {
        NodeRole::Worker
    }
}

/// The namespace a namespaced query looks in.
fn ns(namespace: &Option<String>) -> &str {
    namespace.as_deref().unwrap_or("default")
}

/// ` in namespace X` unless X is `default`.
fn in_ns(namespace: &Option<String>) -> String {
    match ns(namespace) {
        "default" => String::new(),
        other => format!(" in namespace {other}"),
    }
}

fn parse_selector(selector: &Option<String>) -> Result<Option<Selector>, String> {
    selector
        .as_deref()
        .map(|s| Selector::parse(s).map_err(|e| format!("selector `{s}`: {e}")))
        .transpose()
}

fn resolve_object(object: &str) -> Result<(&'static crate::api::KindInfo, &str), String> {
    let (kind, name) = object
        .split_once('/')
        .filter(|(k, n)| !k.is_empty() && !n.is_empty())
        .ok_or_else(|| format!("object `{object}` must be TYPE/NAME, like `deployment/web`"))?;
    let info = resolve_kind(kind)?;
    Ok((info, name))
}

fn resolve_kind(kind: &str) -> Result<&'static crate::api::KindInfo, String> {
    crate::api::kind_by_name(kind).ok_or_else(|| {
        let known: Vec<&str> = crate::api::KINDS.iter().map(|k| k.singular).collect();
        format!(
            "`{kind}` is not a resource type the simulator serves (known: {})",
            known.join(", ")
        )
    })
}

fn parse_reference(reference: &str) -> Result<Reference, String> {
    Reference::parse(reference).map_err(|e| format!("image `{reference}`: {e}"))
}

/// The pods a `pod:` name or a `selector:` picks (exactly one of them must be given).
fn pick_pods<'a>(
    sim: &'a Simulation,
    pod: &Option<String>,
    selector: &Option<String>,
    namespace: &Option<String>,
) -> Result<Vec<&'a Pod>, String> {
    let store = &sim.state().api.store;
    let ns = ns(namespace);
    match (pod, parse_selector(selector)?) {
        (Some(name), None) => Ok(store.pod(ns, name).into_iter().collect()),
        (None, Some(sel)) => Ok(store
            .pods()
            .filter(|p| p.metadata.namespace_or_default() == ns && sel.matches(&p.metadata.labels))
            .collect()),
        _ => Err("give exactly one of `pod` (a name) or `selector` (like `app=web`)".into()),
    }
}

/// Walks a dotted path into JSON. At an object, the longest run of segments that is a
/// key wins, so keys containing dots (`deployment.kubernetes.io/revision`) work.
fn walk<'a>(value: &'a serde_json::Value, segments: &[&str]) -> Option<&'a serde_json::Value> {
    if segments.is_empty() {
        return Some(value);
    }
    match value {
        serde_json::Value::Object(map) => (1..=segments.len()).rev().find_map(|n| {
            map.get(&segments[..n].join("."))
                .and_then(|child| walk(child, &segments[n..]))
        }),
        serde_json::Value::Array(items) => segments[0]
            .parse::<usize>()
            .ok()
            .and_then(|i| items.get(i))
            .and_then(|child| walk(child, &segments[1..])),
        _ => None,
    }
}

fn from_json(value: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match value {
        J::Null => Value::absent(),
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::Int(f as i64),
            _ => Value::text(n.to_string()),
        },
        J::String(s) => Value::text(s.clone()),
        J::Array(items)
            if !items.is_empty() && items.iter().all(|i| !i.is_array() && !i.is_object()) =>
        {
            Value::text(
                items
                    .iter()
                    .map(|i| from_json(i).to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        }
        other => Value::text(other.to_string()),
    }
}

/// (cache hits, cache misses) of the most recent `docker build`, from its events.
fn last_build(sim: &Simulation) -> (usize, usize) {
    use crate::event::Component;
    let events = sim.log().events();
    let built: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == "ImageBuilt" && e.source.component == Component::Dockerd)
        .map(|(i, _)| i)
        .collect();
    let Some(&end) = built.last() else {
        return (0, 0);
    };
    let start = built.iter().rev().nth(1).map_or(0, |i| i + 1);
    let count = |kind: &str| {
        events[start..end]
            .iter()
            .filter(|e| e.kind == kind && e.source.component == Component::Dockerd)
            .count()
    };
    (count("BuildCacheHit"), count("BuildCacheMiss"))
}

/// The image a reference names in its registry, if the registry has it.
fn registry_image<'a>(sim: &'a Simulation, r: &Reference) -> Option<&'a crate::image::oci::Image> {
    let registry = sim.state().registries.get(&r.domain)?;
    let digest = registry.lookup(&r.path, r.tag.as_deref(), r.digest.as_deref())?;
    registry.manifests.get(digest)
}

fn local_image<'a>(sim: &'a Simulation, reference: &str) -> Option<&'a crate::image::oci::Image> {
    let docker = &sim.state().docker;
    docker
        .find_image(reference)
        .and_then(|id| docker.images.get(id))
        .map(|local| &local.image)
}

impl Query {
    /// Checks the query itself, without a simulation: resource types, `TYPE/NAME` forms,
    /// selectors and image references must parse. `lessons check` runs this on every
    /// query so a typo fails the build instead of showing `error: …` to a learner.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Query::ObjectField { object, path, .. } => {
                resolve_object(object)?;
                if path.split('.').any(str::is_empty) {
                    return Err(format!("path `{path}` has an empty segment"));
                }
            }
            Query::Objects {
                resource, selector, ..
            } => {
                resolve_kind(resource)?;
                parse_selector(selector)?;
            }
            Query::PodPhase { pod, selector, .. } | Query::PodNode { pod, selector, .. } => {
                if pod.is_some() == selector.is_some() {
                    return Err(
                        "give exactly one of `pod` (a name) or `selector` (like `app=web`)".into(),
                    );
                }
                parse_selector(selector)?;
            }
            Query::PodsMatching { selector, .. } => {
                parse_selector(selector)?;
            }
            Query::LocalImage { reference }
            | Query::ImageSize { reference }
            | Query::ImageLocation { reference }
            | Query::ImageUser { reference } => {
                parse_reference(reference)?;
            }
            Query::RegistryTags { repository } => {
                parse_reference(repository)?;
            }
            Query::File { path }
                if crate::workspace::Workspace::normalize(path).is_none_or(|p| p.is_empty()) =>
            {
                return Err(format!("`{path}` is not a path inside the workspace"));
            }
            Query::SubnetFreeIps { cidr } if crate::ecs::vpc::Cidr::parse(cidr).is_none() => {
                return Err(format!(
                    "`{cidr}` is not a CIDR block like `172.31.48.0/28`"
                ));
            }
            _ => {}
        }
        Ok(())
    }

    /// Answers the query, or says what is wrong with it (see [`Query::validate`]).
    pub fn try_answer(&self, sim: &Simulation) -> Result<Value, String> {
        self.validate()?;
        let world = sim.state();
        let store = &world.api.store;
        let count = Value::count;
        Ok(match self {
            Query::Nodes { role, ready } => count(
                store
                    .nodes()
                    .filter(|n| role.is_none_or(|r| role_of(n) == r))
                    .filter(|n| ready.is_none_or(|r| (n.ready_status() == Some("True")) == r))
                    .count(),
            ),
            Query::NodeStatus { node } => match store.node_named(node) {
                Some(n) => Value::text(crate::command::kubectl::printers::node_status(n)),
                None => Value::absent(),
            },
            Query::Pods { namespace, node } => count(
                store
                    .pods()
                    .filter(|p| {
                        namespace
                            .as_ref()
                            .is_none_or(|ns| p.metadata.namespace_or_default() == ns)
                    })
                    .filter(|p| {
                        node.as_ref()
                            .is_none_or(|n| p.spec.node_name.as_ref() == Some(n))
                    })
                    .count(),
            ),
            Query::ComponentNode { component } => Value::text(
                store
                    .pods()
                    .find(|p| {
                        p.metadata.namespace_or_default() == "kube-system"
                            && p.spec
                                .containers
                                .first()
                                .is_some_and(|c| &c.name == component)
                    })
                    .and_then(|p| p.spec.node_name.clone())
                    .unwrap_or_else(|| ABSENT.into()),
            ),
            Query::Events { event, source } => count(
                sim.log()
                    .events()
                    .iter()
                    .filter(|e| event.as_ref().is_none_or(|k| &e.kind == k))
                    .filter(|e| {
                        source
                            .as_ref()
                            .is_none_or(|s| e.source.component.name() == s)
                    })
                    .count(),
            ),
            Query::Time {} => Value::text(sim.now().to_string()),
            Query::Seconds {} => Value::Int((sim.now().as_millis() / 1000) as i64),
            Query::Seed {} => Value::Int(i64::try_from(sim.seed()).unwrap_or(i64::MAX)),
            Query::Files {} => count(world.workspace.len()),
            Query::File { path } => match world.workspace.get(path) {
                Some(text) => Value::text(text),
                None => Value::absent(),
            },
            Query::ObjectField {
                object,
                namespace,
                path,
            } => {
                let (info, name) = resolve_object(object)?;
                let ns = if info.namespaced { ns(namespace) } else { "" };
                match store.get(&ObjKey::new(info.kind, ns, name)) {
                    Some(obj) => {
                        let json = obj.to_json();
                        let segments: Vec<&str> = path.split('.').collect();
                        walk(&json, &segments).map_or_else(Value::absent, from_json)
                    }
                    None => Value::absent(),
                }
            }
            Query::Objects {
                resource,
                namespace,
                selector,
            } => {
                let info = resolve_kind(resource)?;
                let selector = parse_selector(selector)?;
                count(
                    store
                        .of_kind(info.kind)
                        .filter(|o| {
                            !info.namespaced || o.meta().namespace_or_default() == ns(namespace)
                        })
                        .filter(|o| selector.as_ref().is_none_or(|s| s.matches(&o.meta().labels)))
                        .count(),
                )
            }
            Query::PodPhase {
                pod,
                selector,
                namespace,
            } => {
                let mut tally: BTreeMap<String, usize> = BTreeMap::new();
                for p in pick_pods(sim, pod, selector, namespace)? {
                    *tally
                        .entry(crate::command::kubectl::printers::pod_status(p))
                        .or_default() += 1;
                }
                match tally.len() {
                    0 => Value::absent(),
                    1 => Value::text(tally.into_keys().next().unwrap_or_default()),
                    _ => {
                        let mut counts: Vec<(String, usize)> = tally.into_iter().collect();
                        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                        Value::text(
                            counts
                                .iter()
                                .map(|(status, n)| format!("{n} {status}"))
                                .collect::<Vec<_>>()
                                .join(", "),
                        )
                    }
                }
            }
            Query::PodsMatching {
                selector,
                namespace,
                status,
                ready,
                node,
            } => {
                let selector = parse_selector(selector)?;
                count(
                    store
                        .pods()
                        .filter(|p| p.metadata.namespace_or_default() == ns(namespace))
                        .filter(|p| selector.as_ref().is_none_or(|s| s.matches(&p.metadata.labels)))
                        .filter(|p| {
                            status.as_ref().is_none_or(|s| {
                                crate::command::kubectl::printers::pod_status(p) == *s
                            })
                        })
                        .filter(|p| ready.is_none_or(|r| p.is_ready() == r))
                        .filter(|p| {
                            node.as_ref()
                                .is_none_or(|n| p.spec.node_name.as_ref() == Some(n))
                        })
                        .count(),
                )
            }
            Query::PodNode {
                pod,
                selector,
                namespace,
            } => {
                let nodes: std::collections::BTreeSet<&str> =
                    pick_pods(sim, pod, selector, namespace)?
                        .into_iter()
                        .map(|p| p.spec.node_name.as_deref().unwrap_or("<none>"))
                        .collect();
                if nodes.is_empty() {
                    Value::absent()
                } else {
                    Value::text(nodes.into_iter().collect::<Vec<_>>().join(", "))
                }
            }
            Query::UnschedulablePods { namespace } => count(
                store
                    .pods()
                    .filter(|p| {
                        namespace
                            .as_ref()
                            .is_none_or(|ns| p.metadata.namespace_or_default() == ns)
                    })
                    .filter(|p| {
                        p.spec.node_name.is_none()
                            && p.condition("PodScheduled").is_some_and(|c| {
                                c.status == "False" && c.reason.as_deref() == Some("Unschedulable")
                            })
                    })
                    .count(),
            ),
            Query::DeploymentReady {
                deployment,
                namespace,
            } => match store.deployment(ns(namespace), deployment) {
                Some(d) => Value::text(format!(
                    "{}/{}",
                    d.status.ready_replicas,
                    d.spec.replicas.unwrap_or(1)
                )),
                None => Value::absent(),
            },
            Query::RolloutRevision {
                deployment,
                namespace,
            } => {
                use crate::components::controller_manager::deployment as controller;
                store
                    .deployment(ns(namespace), deployment)
                    .and_then(|d| {
                        controller::owned_replicasets(world, d)
                            .into_iter()
                            .map(controller::revision)
                            .max()
                    })
                    .filter(|&revision| revision > 0)
                    .map_or_else(Value::absent, Value::Int)
            }
            Query::HpaReplicas { hpa, namespace } => store
                .hpa(ns(namespace), hpa)
                .map_or_else(Value::absent, |h| Value::Int(h.status.current_replicas)),
            Query::ReadyEndpoints { service, namespace } => count(
                store
                    .endpointslices()
                    .filter(|e| {
                        e.metadata.namespace_or_default() == ns(namespace)
                            && e.metadata.labels.get(
                                crate::components::controller_manager::endpointslice::SERVICE_NAME_LABEL,
                            ) == Some(service)
                    })
                    .flat_map(|e| e.endpoints.iter())
                    .filter(|ep| ep.conditions.ready)
                    .map(|ep| ep.addresses.len())
                    .sum(),
            ),
            Query::NodeTaints { node } => match store.node_named(node) {
                Some(n) if n.spec.taints.is_empty() => Value::text("<none>"),
                Some(n) => Value::text(
                    n.spec
                        .taints
                        .iter()
                        .map(|t| {
                            if t.value.is_empty() {
                                format!("{}:{}", t.key, t.effect)
                            } else {
                                format!("{}={}:{}", t.key, t.value, t.effect)
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                None => Value::absent(),
            },
            Query::LocalImage { reference } => Value::text(
                if local_image(sim, reference).is_some() {
                    "present"
                } else {
                    ABSENT
                },
            ),
            Query::ImageSize { reference } => local_image(sim, reference)
                .map_or_else(Value::absent, |image| {
                    Value::Int(i64::try_from((image.size() + 500_000) / 1_000_000).unwrap_or(i64::MAX))
                }),
            Query::ImageLocation { reference } => {
                let r = parse_reference(reference)?;
                let full = r.full();
                let mut places: Vec<&str> = Vec::new();
                if local_image(sim, reference).is_some() {
                    places.push("laptop");
                }
                if registry_image(sim, &r).is_some() {
                    places.push("registry");
                }
                for (node, agent) in &world.agents {
                    if agent.images.contains_key(&full) {
                        places.push(node);
                    }
                }
                if places.is_empty() {
                    Value::absent()
                } else {
                    Value::text(places.join(", "))
                }
            }
            Query::ImageUser { reference } => {
                let r = parse_reference(reference)?;
                match local_image(sim, reference).or_else(|| registry_image(sim, &r)) {
                    Some(image) if image.config.config.user.is_empty() => Value::text("root"),
                    Some(image) => Value::text(image.config.config.user.clone()),
                    None => Value::absent(),
                }
            }
            Query::RegistryTags { repository } => {
                let r = parse_reference(repository)?;
                count(
                    world
                        .registries
                        .get(&r.domain)
                        .and_then(|reg| reg.repositories.get(&r.path))
                        .map_or(0, |repo| repo.tags.len()),
                )
            }
            Query::BuildCacheHits {} => count(last_build(sim).0),
            Query::BuildCacheMisses {} => count(last_build(sim).1),
            Query::Containers { running } => count(
                world
                    .docker
                    .containers
                    .values()
                    .filter(|c| {
                        running.is_none_or(|r| {
                            matches!(
                                c.state(sim.now()),
                                crate::components::docker::daemon::State::Running
                            ) == r
                        })
                    })
                    .count(),
            ),
            Query::EcsService {
                cluster,
                service,
                field,
            } => {
                let aws = &world.aws;
                let cluster = crate::ecs::cluster_name(cluster);
                match aws.services.get(&(cluster.to_string(), service.clone())) {
                    None => Value::absent(),
                    Some(svc) => {
                        use crate::ecs::task::TaskStatus;
                        let wanted = || {
                            aws.live_tasks(cluster, service)
                                .filter(|t| t.desired_running)
                        };
                        match field {
                            EcsServiceField::Running => count(
                                wanted()
                                    .filter(|t| t.last_status == TaskStatus::Running)
                                    .count(),
                            ),
                            EcsServiceField::Pending => count(
                                wanted()
                                    .filter(|t| t.last_status < TaskStatus::Running)
                                    .count(),
                            ),
                            EcsServiceField::Desired => Value::Int(i64::from(svc.desired_count)),
                            EcsServiceField::RolloutState => svc
                                .primary()
                                .map_or_else(Value::absent, |d| {
                                    Value::text(d.rollout_state.as_str())
                                }),
                            EcsServiceField::Deployments => count(svc.deployments.len()),
                            EcsServiceField::TaskDefinition => {
                                Value::text(svc.task_definition.clone())
                            }
                        }
                    }
                }
            }
            Query::EcsTasks {
                cluster,
                service,
                status,
            } => {
                let cluster = crate::ecs::cluster_name(cluster);
                count(
                    world
                        .aws
                        .tasks
                        .values()
                        .filter(|t| t.cluster == cluster)
                        .filter(|t| {
                            service
                                .as_ref()
                                .is_none_or(|s| t.service.as_ref() == Some(s))
                        })
                        .filter(|t| match status {
                            Some(s) => t.last_status == s.model(),
                            None => t.last_status != crate::ecs::task::TaskStatus::Stopped,
                        })
                        .count(),
                )
            }
            Query::SubnetFreeIps { cidr } => {
                let block = crate::ecs::vpc::Cidr::parse(cidr);
                world
                    .aws
                    .vpc
                    .subnets
                    .values()
                    .find(|s| Some(s.cidr) == block)
                    .map_or_else(Value::absent, |s| {
                        Value::Int(i64::try_from(s.available()).unwrap_or(i64::MAX))
                    })
            }
            Query::TargetHealth {
                target_group,
                state,
            } => count(
                world
                    .aws
                    .target_groups
                    .get(crate::ecs::load_balancer::target_group_name(target_group))
                    .map_or(0, |g| {
                        g.targets
                            .values()
                            .filter(|t| state.is_none_or(|s| t.state == s.model()))
                            .count()
                    }),
            ),
            Query::Cost { category } => {
                let meter = &world.billing;
                let nano = match category {
                    None => meter.total(sim.now()),
                    Some(c) => meter
                        .by_category(sim.now())
                        .get(&c.model())
                        .copied()
                        .unwrap_or(0),
                };
                Value::text(crate::cost::dollars(nano, 2))
            }
        })
    }

    /// What the query measures, as a noun phrase for goal details
    /// (`deployment/web's ready replicas`).
    pub fn subject(&self) -> String {
        let pods =
            |pod: &Option<String>, selector: &Option<String>, namespace| match (pod, selector) {
                (Some(p), _) => format!("pod/{p}{}", in_ns(namespace)),
                (None, Some(s)) => format!("the pods with {s}{}", in_ns(namespace)),
                (None, None) => "the pods".to_string(),
            };
        match self {
            Query::Nodes { role, ready } => {
                let role = match role {
                    Some(NodeRole::Worker) => "worker ",
                    Some(NodeRole::ControlPlane) => "control-plane ",
                    None => "",
                };
                let ready = match ready {
                    Some(true) => " that are Ready",
                    Some(false) => " that are not Ready",
                    None => "",
                };
                format!("the number of {role}nodes{ready}")
            }
            Query::NodeStatus { node } => format!("the status of node/{node}"),
            Query::Pods { namespace, node } => format!(
                "the number of pods{}{}",
                namespace
                    .as_ref()
                    .map(|n| format!(" in namespace {n}"))
                    .unwrap_or_default(),
                node.as_ref()
                    .map(|n| format!(" on {n}"))
                    .unwrap_or_default()
            ),
            Query::ComponentNode { component } => format!("the node {component} runs on"),
            Query::Events { event, source } => format!(
                "the number of {}events{}",
                event.as_ref().map(|e| format!("{e} ")).unwrap_or_default(),
                source
                    .as_ref()
                    .map(|s| format!(" from {s}"))
                    .unwrap_or_default()
            ),
            Query::Time {} => "the simulated clock".into(),
            Query::Seconds {} => "the simulated seconds elapsed".into(),
            Query::Seed {} => "the seed".into(),
            Query::Files {} => "the number of workspace files".into(),
            Query::File { path } => format!("the file {path}"),
            Query::ObjectField {
                object,
                namespace,
                path,
            } => format!("{path} of {object}{}", in_ns(namespace)),
            Query::Objects {
                resource,
                namespace,
                selector,
            } => format!(
                "the number of {resource}{}{}",
                selector
                    .as_ref()
                    .map(|s| format!(" with {s}"))
                    .unwrap_or_default(),
                in_ns(namespace)
            ),
            Query::PodPhase {
                pod,
                selector,
                namespace,
            } => format!("the status of {}", pods(pod, selector, namespace)),
            Query::PodsMatching {
                selector,
                namespace,
                status,
                ready,
                node,
            } => {
                let mut s = "the number of pods".to_string();
                if let Some(sel) = selector {
                    s.push_str(&format!(" with {sel}"));
                }
                s.push_str(&in_ns(namespace));
                let mut that = Vec::new();
                if let Some(st) = status {
                    that.push(format!("are {st}"));
                }
                match ready {
                    Some(true) => that.push("are ready".into()),
                    Some(false) => that.push("are not ready".into()),
                    None => {}
                }
                if let Some(n) = node {
                    that.push(format!("run on {n}"));
                }
                if !that.is_empty() {
                    s.push_str(" that ");
                    s.push_str(&that.join(" and "));
                }
                s
            }
            Query::PodNode {
                pod,
                selector,
                namespace,
            } => format!("the node of {}", pods(pod, selector, namespace)),
            Query::UnschedulablePods { namespace } => format!(
                "the number of unschedulable pods{}",
                namespace
                    .as_ref()
                    .map(|n| format!(" in namespace {n}"))
                    .unwrap_or_default()
            ),
            Query::DeploymentReady {
                deployment,
                namespace,
            } => format!(
                "the ready replicas of deployment/{deployment}{}",
                in_ns(namespace)
            ),
            Query::RolloutRevision {
                deployment,
                namespace,
            } => format!(
                "the revision of deployment/{deployment}{}",
                in_ns(namespace)
            ),
            Query::HpaReplicas { hpa, namespace } => {
                format!("the replicas of hpa/{hpa}{}", in_ns(namespace))
            }
            Query::ReadyEndpoints { service, namespace } => format!(
                "the number of ready endpoints of service/{service}{}",
                in_ns(namespace)
            ),
            Query::NodeTaints { node } => format!("the taints of node/{node}"),
            Query::LocalImage { reference } => format!("image {reference} on your machine"),
            Query::ImageSize { reference } => format!("the size of image {reference} in MB"),
            Query::ImageLocation { reference } => format!("where image {reference} is"),
            Query::ImageUser { reference } => format!("the user image {reference} runs as"),
            Query::RegistryTags { repository } => {
                format!("the number of tags in repository {repository}")
            }
            Query::BuildCacheHits {} => "the cached steps of the last docker build".into(),
            Query::BuildCacheMisses {} => "the steps the last docker build had to run".into(),
            Query::Containers { running } => format!(
                "the number of {}containers",
                match running {
                    Some(true) => "running ",
                    Some(false) => "stopped ",
                    None => "",
                }
            ),
            Query::EcsService {
                cluster,
                service,
                field,
            } => {
                let what = match field {
                    EcsServiceField::Running => "the running tasks",
                    EcsServiceField::Desired => "the desired count",
                    EcsServiceField::Pending => "the pending tasks",
                    EcsServiceField::RolloutState => "the rollout state",
                    EcsServiceField::Deployments => "the number of deployments",
                    EcsServiceField::TaskDefinition => "the task definition",
                };
                format!(
                    "{what} of ECS service {service} in cluster {}",
                    crate::ecs::cluster_name(cluster)
                )
            }
            Query::EcsTasks {
                cluster,
                service,
                status,
            } => format!(
                "the number of {}ECS tasks{} in cluster {}",
                status
                    .map(|s| format!("{} ", s.model().as_str()))
                    .unwrap_or_default(),
                service
                    .as_ref()
                    .map(|s| format!(" of service {s}"))
                    .unwrap_or_default(),
                crate::ecs::cluster_name(cluster)
            ),
            Query::SubnetFreeIps { cidr } => {
                format!("the free IP addresses of subnet {cidr}")
            }
            Query::TargetHealth {
                target_group,
                state,
            } => format!(
                "the number of {}targets in target group {}",
                state
                    .map(|s| format!("{} ", s.model().as_str()))
                    .unwrap_or_default(),
                crate::ecs::load_balancer::target_group_name(target_group)
            ),
            Query::Cost { category } => match category {
                Some(c) => format!("the {} cost so far", c.name()),
                None => "the cloud cost so far".into(),
            },
        }
    }

    /// A sentence stating the current value (`deployment/web has 1/3 ready replicas`).
    fn state(&self, actual: &Value) -> String {
        match (self, actual) {
            (Query::DeploymentReady { deployment, .. }, Value::Text(t)) if t != ABSENT => {
                format!("deployment/{deployment} has {t} ready replicas")
            }
            (Query::File { path }, v) if !v.is_absent() => format!("the file {path} exists"),
            (_, v) if v.is_absent() => format!("{} is absent", self.subject()),
            (_, v) => format!("{} is {v}", self.subject()),
        }
    }
}

/// Answers a query against a simulation (called via [`Simulation::query`]). A query that
/// [`Query::validate`] rejects answers `error: …` as text.
pub(crate) fn answer(sim: &Simulation, q: &Query) -> Value {
    q.try_answer(sim)
        .unwrap_or_else(|e| Value::Text(format!("error: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Scenario, Workspace};

    const WEB: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
";

    const BIG: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: big
spec:
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests:
        cpu: \"64\"
";

    const DOCKERFILE: &str = "\
FROM node:22-alpine
WORKDIR /app
COPY package.json ./
RUN npm install
COPY . .
USER node
EXPOSE 3000
CMD [\"node\", \"app.js\"]
";

    fn sim() -> Simulation {
        let mut files = Workspace::new();
        files.insert("web.yaml", WEB);
        files.insert("big.yaml", BIG);
        files.insert("Dockerfile", DOCKERFILE);
        files.insert(
            "package.json",
            r#"{"dependencies": {"express": "^4.21.2"}}"#,
        );
        files.insert("app.js", "console.log('hi')\n");
        Simulation::new(&Scenario::named("default").unwrap().with_workspace(files))
    }

    fn q(yaml: &str) -> Query {
        serde_yaml_ng::from_str(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"))
    }

    fn ask(sim: &Simulation, yaml: &str) -> Value {
        q(yaml)
            .try_answer(sim)
            .unwrap_or_else(|e| panic!("{yaml}: {e}"))
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    fn run(sim: &mut Simulation, lines: &[&str]) {
        for line in lines {
            sim.run(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        }
    }

    #[test]
    fn the_original_queries_still_answer() {
        let mut sim = sim();
        assert_eq!(ask(&sim, "{kind: nodes, role: worker}"), Value::Int(3));
        assert_eq!(
            ask(&sim, "{kind: node_status, node: worker-1}"),
            text("Ready")
        );
        assert_eq!(ask(&sim, "{kind: node_status, node: nope}"), text("absent"));
        assert_eq!(
            ask(&sim, "{kind: component_node, component: kube-scheduler}"),
            text("control-plane")
        );
        assert_eq!(ask(&sim, "{kind: files}"), Value::Int(5));
        run(&mut sim, &["sim advance 30s"]);
        assert_eq!(ask(&sim, "{kind: seconds}"), Value::Int(30));
        assert_eq!(ask(&sim, "{kind: time}"), text("00:00:30"));
        assert!(
            matches!(ask(&sim, "{kind: events, event: NodeStatusUpdated}"), Value::Int(n) if n > 0)
        );
        assert!(
            matches!(ask(&sim, "{kind: pods, namespace: kube-system}"), Value::Int(n) if n > 0)
        );
    }

    #[test]
    fn workload_queries_follow_a_deployment() {
        let mut sim = sim();
        let before = [
            ("{kind: deployment_ready, deployment: web}", text("absent")),
            ("{kind: rollout_revision, deployment: web}", text("absent")),
            ("{kind: pod_phase, selector: app=web}", text("absent")),
            ("{kind: pod_node, selector: app=web}", text("absent")),
            ("{kind: ready_endpoints, service: web}", Value::Int(0)),
            (
                "{kind: object_field, object: deployment/web, path: status.readyReplicas}",
                text("absent"),
            ),
        ];
        for (query, value) in &before {
            assert_eq!(&ask(&sim, query), value, "{query}");
        }

        run(
            &mut sim,
            &[
                "kubectl apply -f web.yaml",
                "kubectl annotate deployment web kubernetes.io/change-cause=first",
                "sim advance 30s",
            ],
        );
        let after = [
            (
                "{kind: object_field, object: deployment/web, path: metadata.annotations.kubernetes.io/change-cause}",
                text("first"),
            ),
            ("{kind: deployment_ready, deployment: web}", text("3/3")),
            ("{kind: deployment_ready, name: web}", text("3/3")),
            ("{kind: rollout_revision, deployment: web}", Value::Int(1)),
            ("{kind: pod_phase, selector: app=web}", text("Running")),
            ("{kind: pods_matching, selector: app=web}", Value::Int(3)),
            (
                "{kind: pods_matching, selector: app=web, status: Running, ready: true}",
                Value::Int(3),
            ),
            ("{kind: pods_matching, selector: app=db}", Value::Int(0)),
            (
                "{kind: pods_matching, selector: app=web, namespace: kube-system}",
                Value::Int(0),
            ),
            ("{kind: ready_endpoints, service: web}", Value::Int(3)),
            ("{kind: ready_endpoints, name: web}", Value::Int(3)),
            (
                "{kind: objects, resource: rs, selector: app=web}",
                Value::Int(1),
            ),
            ("{kind: objects, resource: services}", Value::Int(2)),
            ("{kind: objects, resource: nodes}", Value::Int(4)),
            (
                "{kind: object_field, object: deployment/web, path: status.readyReplicas}",
                Value::Int(3),
            ),
            (
                "{kind: object_field, object: deploy/web, path: spec.replicas}",
                Value::Int(3),
            ),
            (
                "{kind: object_field, object: deployment/web, path: metadata.labels.app}",
                text("web"),
            ),
            (
                "{kind: object_field, object: deployment/web, path: spec.template.spec.containers.0.image}",
                text("nginx:1.27"),
            ),
            (
                "{kind: object_field, object: deployment/web, path: spec.paused}",
                text("absent"),
            ),
            (
                "{kind: object_field, object: deployment/web, path: spec.template.spec.containers.5.image}",
                text("absent"),
            ),
            (
                "{kind: object_field, object: node/worker-1, path: spec.unschedulable}",
                text("absent"),
            ),
            (
                "{kind: object_field, object: svc/web, path: spec.ports.0.port}",
                Value::Int(80),
            ),
            (
                "{kind: object_field, object: deployment/web, namespace: kube-system, path: spec.replicas}",
                text("absent"),
            ),
        ];
        for (query, value) in &after {
            assert_eq!(&ask(&sim, query), value, "{query}");
        }
        let pod = sim
            .state()
            .api
            .store
            .pods()
            .find(|p| p.metadata.labels.get("app").is_some_and(|a| a == "web"))
            .unwrap()
            .clone();
        let phase = format!(
            "{{kind: object_field, object: pod/{}, path: status.phase}}",
            pod.metadata.name
        );
        assert_eq!(ask(&sim, &phase), text("Running"));
        let node = pod.spec.node_name.clone().unwrap();
        assert_eq!(
            ask(
                &sim,
                &format!("{{kind: pod_node, pod: {}}}", pod.metadata.name)
            ),
            text(&node)
        );
        assert_eq!(
            ask(
                &sim,
                &format!(
                    "{{kind: object_field, object: pod/{}, path: spec.nodeName}}",
                    pod.metadata.name
                )
            ),
            text(&node)
        );
        let nodes = ask(&sim, "{kind: pod_node, selector: app=web}").to_string();
        assert!(
            nodes.contains(&node) && nodes.starts_with("worker-"),
            "{nodes}"
        );
        assert_eq!(
            ask(
                &sim,
                "{kind: pods_matching, selector: app=web, node: worker-9}"
            ),
            Value::Int(0)
        );

        // A broken image: new pods can't pull, old ones keep running.
        run(
            &mut sim,
            &[
                "kubectl set image deployment/web nginx=nginx:1.27-broken",
                "sim advance 20s",
            ],
        );
        assert_eq!(
            ask(&sim, "{kind: rollout_revision, deployment: web}"),
            Value::Int(2)
        );
        let phase = ask(&sim, "{kind: pod_phase, selector: app=web}").to_string();
        assert!(
            phase.contains("Running")
                && (phase.contains("ImagePullBackOff") || phase.contains("ErrImagePull")),
            "{phase}"
        );
        assert!(phase.starts_with(char::is_numeric), "{phase}");

        // Undo: the old template comes back as a new revision.
        run(
            &mut sim,
            &["kubectl rollout undo deployment/web", "sim advance 30s"],
        );
        assert_eq!(
            ask(&sim, "{kind: rollout_revision, deployment: web}"),
            Value::Int(3)
        );
        assert_eq!(
            ask(&sim, "{kind: pod_phase, selector: app=web}"),
            text("Running")
        );
    }

    #[test]
    fn scheduling_queries_see_taints_and_pending_pods() {
        let mut sim = sim();
        assert_eq!(
            ask(&sim, "{kind: node_taints, node: worker-2}"),
            text("<none>")
        );
        assert_eq!(
            ask(&sim, "{kind: node_taints, node: worker-9}"),
            text("absent")
        );
        run(
            &mut sim,
            &[
                "kubectl taint nodes worker-2 spot=true:PreferNoSchedule",
                "kubectl taint nodes worker-2 gpu:NoSchedule",
                "kubectl apply -f big.yaml",
                "sim advance 5s",
            ],
        );
        assert_eq!(
            ask(&sim, "{kind: node_taints, node: worker-2}"),
            text("gpu:NoSchedule, spot=true:PreferNoSchedule")
        );
        assert_eq!(ask(&sim, "{kind: unschedulable_pods}"), Value::Int(1));
        assert_eq!(
            ask(&sim, "{kind: unschedulable_pods, namespace: kube-system}"),
            Value::Int(0)
        );
        assert_eq!(ask(&sim, "{kind: pod_phase, pod: big}"), text("Pending"));
        assert_eq!(ask(&sim, "{kind: pod_phase, name: big}"), text("Pending"));
        assert_eq!(ask(&sim, "{kind: pod_node, pod: big}"), text("<none>"));
        assert_eq!(
            ask(&sim, "{kind: pods_matching, status: Pending}"),
            Value::Int(1)
        );
    }

    #[test]
    fn hpa_replicas_reads_the_autoscaler() {
        let mut sim = sim();
        assert_eq!(ask(&sim, "{kind: hpa_replicas, hpa: web}"), text("absent"));
        run(
            &mut sim,
            &[
                "kubectl apply -f web.yaml",
                "kubectl autoscale deployment web --min=2 --max=5 --cpu-percent=50",
                "sim advance 60s",
            ],
        );
        assert_eq!(ask(&sim, "{kind: hpa_replicas, hpa: web}"), Value::Int(3));
        assert_eq!(ask(&sim, "{kind: hpa_replicas, name: web}"), Value::Int(3));
    }

    #[test]
    fn docker_queries_follow_an_image_from_build_to_nodes() {
        let mut sim = sim();
        let absent = [
            "{kind: local_image, reference: hello:1.0}",
            "{kind: image_size, reference: hello:1.0}",
            "{kind: image_location, reference: hello:1.0}",
            "{kind: image_user, reference: hello:1.0}",
        ];
        for query in absent {
            assert_eq!(ask(&sim, query), text("absent"), "{query}");
        }
        assert_eq!(ask(&sim, "{kind: build_cache_hits}"), Value::Int(0));

        run(&mut sim, &["docker build -t hello:1.0 ."]);
        assert_eq!(
            ask(&sim, "{kind: local_image, reference: hello:1.0}"),
            text("present")
        );
        assert_eq!(
            ask(
                &sim,
                "{kind: local_image, reference: docker.io/library/hello:1.0}"
            ),
            text("present")
        );
        assert_eq!(
            ask(&sim, "{kind: image_location, reference: hello:1.0}"),
            text("laptop")
        );
        assert_eq!(
            ask(&sim, "{kind: image_user, reference: hello:1.0}"),
            text("node")
        );
        let Value::Int(mb) = ask(&sim, "{kind: image_size, reference: hello:1.0}") else {
            panic!("size is a number")
        };
        let bytes = sim.state().docker.images[sim.state().docker.find_image("hello:1.0").unwrap()]
            .image
            .size();
        assert_eq!(
            crate::components::docker::daemon::human_size(bytes),
            format!("{mb}MB")
        );
        assert_eq!(ask(&sim, "{kind: build_cache_hits}"), Value::Int(0));
        let Value::Int(misses) = ask(&sim, "{kind: build_cache_misses}") else {
            panic!("a count")
        };
        assert!(misses >= 3, "{misses}");

        // Only the last COPY sees the changed file.
        run(
            &mut sim,
            &["echo \"// v2\" >> app.js", "docker build -t hello:1.1 ."],
        );
        assert_eq!(
            ask(&sim, "{kind: build_cache_hits}"),
            Value::Int(misses - 1)
        );
        assert_eq!(ask(&sim, "{kind: build_cache_misses}"), Value::Int(1));

        // Push to the private registry.
        let ecr = crate::simulation::PRIVATE_REGISTRY;
        let reference = format!("{ecr}/hello:1.1");
        let location = format!("{{kind: image_location, reference: {reference}}}");
        let tags = format!("{{kind: registry_tags, repository: {ecr}/hello}}");
        assert_eq!(ask(&sim, &tags), Value::Int(0));
        run(
            &mut sim,
            &[
                "aws ecr create-repository --repository-name hello",
                &format!(
                    "aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin {ecr}"
                ),
                &format!("docker tag hello:1.1 {reference}"),
            ],
        );
        assert_eq!(ask(&sim, &location), text("laptop"));
        assert_eq!(ask(&sim, &tags), Value::Int(0));
        run(&mut sim, &[&format!("docker push {reference}")]);
        assert_eq!(ask(&sim, &location), text("laptop, registry"));
        assert_eq!(ask(&sim, &tags), Value::Int(1));
        run(&mut sim, &[&format!("docker rmi {reference}")]);
        assert_eq!(ask(&sim, &location), text("registry"));
        assert_eq!(
            ask(
                &sim,
                &format!("{{kind: image_user, reference: {reference}}}")
            ),
            text("node")
        );

        // Public images: the registry has them; nodes once a pod pulled them.
        let nginx = "{kind: image_location, reference: nginx:1.27}";
        assert_eq!(ask(&sim, nginx), text("registry"));
        assert_eq!(
            ask(&sim, "{kind: image_user, reference: nginx:1.27}"),
            text("root")
        );
        assert_eq!(ask(&sim, "{kind: registry_tags, repository: nginx}"), {
            let hub = &sim.state().registries["docker.io"];
            Value::count(hub.repositories["library/nginx"].tags.len())
        });
        run(&mut sim, &["kubectl apply -f web.yaml", "sim advance 30s"]);
        let place = ask(&sim, nginx).to_string();
        assert!(place.starts_with("registry, worker-"), "{place}");

        // Containers.
        assert_eq!(ask(&sim, "{kind: containers}"), Value::Int(0));
        run(
            &mut sim,
            &[
                "docker run -d --name web -p 8080:80 nginx:1.27",
                "docker run alpine:3.21 echo hello",
                "sim advance 1s",
            ],
        );
        assert_eq!(ask(&sim, "{kind: containers}"), Value::Int(2));
        assert_eq!(
            ask(&sim, "{kind: containers, running: true}"),
            Value::Int(1)
        );
        assert_eq!(
            ask(&sim, "{kind: containers, running: false}"),
            Value::Int(1)
        );
        assert_eq!(ask(&sim, nginx).to_string(), format!("laptop, {place}"));
    }

    #[test]
    fn files_and_the_contains_op() {
        let sim = sim();
        let goal = |op: &str, value: &str| -> Check {
            serde_yaml_ng::from_str(&format!(
                "{{description: runs as non-root, query: {{kind: file, path: Dockerfile}}, op: {op}, value: {value}}}"
            ))
            .unwrap()
        };
        assert!(goal("contains", "USER node").evaluate(&sim).passed);
        let out = goal("not_contains", "USER node").evaluate(&sim);
        assert!(!out.passed);
        assert_eq!(
            out.detail,
            "not met: runs as non-root — the file Dockerfile still contains “USER node”"
        );
        let out = goal("contains", "HEALTHCHECK").evaluate(&sim);
        assert_eq!(
            out.detail,
            "not met: runs as non-root — the file Dockerfile does not contain “HEALTHCHECK”"
        );
        assert_eq!(ask(&sim, "{kind: file, path: nope.txt}"), text("absent"));
    }

    #[test]
    fn details_say_what_is_unmet_and_why() {
        let mut sim = sim();
        let check: Check = serde_yaml_ng::from_str(
            "{description: the web deployment is fully ready, query: {kind: deployment_ready, deployment: web}, value: 3/3}",
        )
        .unwrap();
        assert_eq!(
            check.evaluate(&sim).detail,
            "not met: the web deployment is fully ready — the ready replicas of deployment/web is absent; goal: 3/3"
        );
        run(&mut sim, &["kubectl apply -f web.yaml"]);
        assert_eq!(
            check.evaluate(&sim).detail,
            "not met: the web deployment is fully ready — deployment/web has 0/3 ready replicas; goal: 3/3"
        );
        run(&mut sim, &["sim advance 30s"]);
        let out = check.evaluate(&sim);
        assert!(out.passed);
        assert_eq!(
            out.detail,
            "met: the web deployment is fully ready (deployment/web has 3/3 ready replicas)"
        );

        let count: Check = serde_yaml_ng::from_str(
            "{description: five pods, query: {kind: pods_matching, selector: app=web, ready: true}, op: ge, value: 5}",
        )
        .unwrap();
        assert_eq!(
            count.evaluate(&sim).detail,
            "not met: five pods — the number of pods with app=web that are ready is 3; goal: at least 5"
        );
    }

    #[test]
    fn ecs_queries_follow_a_service_out_of_addresses() {
        let mut sim = sim();
        let small = crate::ecs::vpc::stable_id("subnet", "172.31.48.0/28");
        let large = crate::ecs::vpc::stable_id("subnet", "172.31.64.0/24");
        let (a, b) = ("subnet-06e5d742dfd8c0576", "subnet-0d9adb02b9dc5e777");
        let service = "{kind: ecs_service, cluster: demo, service: web, field: running}";
        let free = "{kind: subnet_free_ips, cidr: 172.31.48.0/28}";
        let healthy = "{kind: target_health, target_group: web-tg, state: healthy}";
        for query in [
            service,
            free,
            "{kind: ecs_service, cluster: demo, service: web, field: rollout_state}",
        ] {
            assert_eq!(ask(&sim, query), text("absent"), "{query}");
        }
        assert_eq!(ask(&sim, "{kind: ecs_tasks, cluster: demo}"), Value::Int(0));
        assert_eq!(ask(&sim, healthy), Value::Int(0));
        assert_eq!(ask(&sim, "{kind: cost}"), text("$0.00"));
        assert_eq!(
            ask(&sim, "{kind: subnet_free_ips, cidr: 172.31.0.0/20}"),
            Value::Int(4091)
        );

        let web = r#"{"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512", "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "portMappings": [{"containerPort": 80}]}]}"#;
        run(
            &mut sim,
            &[
                &format!("echo '{web}' > web.json"),
                "aws ec2 create-subnet --vpc-id vpc-037a8eec1ce19687d --cidr-block 172.31.48.0/28 --availability-zone us-east-1a",
                "aws ecs create-cluster --cluster-name demo",
                "aws ecs register-task-definition --cli-input-json file://web.json",
                &format!("aws elbv2 create-load-balancer --name demo-alb --subnets {a} {b}"),
                "aws elbv2 create-target-group --name web-tg --protocol HTTP --port 80 --target-type ip --vpc-id vpc-037a8eec1ce19687d --health-check-interval-seconds 10 --healthy-threshold-count 2",
                "aws elbv2 create-listener --load-balancer-arn demo-alb --protocol HTTP --port 80 --default-actions Type=forward,TargetGroupArn=web-tg",
                &format!(
                    "aws ecs create-service --cluster demo --service-name web --task-definition web --desired-count 12 --launch-type FARGATE --network-configuration awsvpcConfiguration={{subnets=[{small}]}} --load-balancers targetGroupArn=web-tg,containerName=web,containerPort=80"
                ),
            ],
        );
        assert_eq!(ask(&sim, free), Value::Int(11));
        assert_eq!(
            ask(
                &sim,
                "{kind: ecs_service, cluster: demo, service: web, field: desired}"
            ),
            Value::Int(12)
        );
        assert_eq!(ask(&sim, service), Value::Int(0));
        assert_eq!(
            ask(
                &sim,
                "{kind: ecs_service, cluster: arn:aws:ecs:us-east-1:123456789012:cluster/demo, service: web, field: rollout_state}"
            ),
            text("IN_PROGRESS")
        );
        run(&mut sim, &["sim advance 1s"]);
        assert_eq!(
            ask(
                &sim,
                "{kind: ecs_tasks, cluster: demo, status: PROVISIONING}"
            ),
            Value::Int(12)
        );
        assert_eq!(
            ask(&sim, "{kind: ecs_tasks, cluster: demo}"),
            Value::Int(12)
        );

        // Eleven addresses: eleven tasks run, the others fail to get an interface.
        run(&mut sim, &["sim advance 2m"]);
        assert_eq!(ask(&sim, free), Value::Int(0));
        assert_eq!(ask(&sim, service), Value::Int(11));
        assert_eq!(
            ask(
                &sim,
                "{kind: ecs_tasks, cluster: demo, service: web, status: RUNNING}"
            ),
            Value::Int(11)
        );
        assert!(
            matches!(ask(&sim, "{kind: ecs_tasks, cluster: demo, status: STOPPED}"), Value::Int(n) if n > 0)
        );
        assert_eq!(ask(&sim, healthy), Value::Int(11));
        assert_eq!(
            ask(&sim, "{kind: target_health, target_group: web-tg}"),
            Value::Int(11)
        );
        assert_eq!(
            ask(&sim, "{kind: target_health, target_group: nope}"),
            Value::Int(0)
        );

        // A larger subnet: a new deployment replaces every task there.
        run(
            &mut sim,
            &[
                "aws ec2 create-subnet --vpc-id vpc-037a8eec1ce19687d --cidr-block 172.31.64.0/24 --availability-zone us-east-1b",
                &format!(
                    "aws ecs update-service --cluster demo --service web --network-configuration awsvpcConfiguration={{subnets=[{small},{large}]}}"
                ),
            ],
        );
        assert_eq!(
            ask(
                &sim,
                "{kind: ecs_service, cluster: demo, service: web, field: deployments}"
            ),
            Value::Int(2)
        );
        run(&mut sim, &["sim advance 5m"]);
        assert_eq!(ask(&sim, service), Value::Int(12));
        assert_eq!(
            ask(
                &sim,
                "{kind: ecs_service, cluster: demo, service: web, field: pending}"
            ),
            Value::Int(0)
        );
        assert_eq!(
            ask(
                &sim,
                "{kind: ecs_service, cluster: demo, service: web, field: rollout_state}"
            ),
            text("COMPLETED")
        );
        assert_eq!(
            ask(
                &sim,
                "{kind: ecs_service, cluster: demo, service: web, field: deployments}"
            ),
            Value::Int(1)
        );
        assert_eq!(
            ask(
                &sim,
                "{kind: ecs_service, cluster: demo, service: web, field: task_definition}"
            ),
            text("web:1")
        );
        assert_eq!(
            ask(
                &sim,
                "{kind: ecs_service, cluster: demo, service: nope, field: running}"
            ),
            text("absent")
        );

        // Costs: the total is the sum of the lines, each read from the meter.
        run(&mut sim, &["sim advance 1h"]);
        let meter = &sim.state().billing;
        let by = meter.by_category(sim.now());
        let fargate = by[&crate::cost::Category::Fargate];
        assert_eq!(
            ask(&sim, "{kind: cost, category: fargate}"),
            text(&crate::cost::dollars(fargate, 2))
        );
        assert_eq!(
            ask(&sim, "{kind: cost}"),
            text(&crate::cost::dollars(meter.total(sim.now()), 2))
        );
        // The load balancer: $0.0225 an hour for 1h07m01s.
        assert_eq!(ask(&sim, "{kind: cost, category: alb}"), text("$0.03"));
        assert_eq!(ask(&sim, "{kind: cost, category: eks}"), text("$0.00"));
        assert!(fargate > 0);

        let check: Check = serde_yaml_ng::from_str(
            "{description: twelve tasks, query: {kind: ecs_service, cluster: demo, service: web, field: desired}, value: 13}",
        )
        .unwrap();
        assert_eq!(
            check.evaluate(&sim).detail,
            "not met: twelve tasks — the desired count of ECS service web in cluster demo is 12; goal: 13"
        );
    }

    #[test]
    fn ops_compare_numbers_and_text() {
        let (three, text3) = (Value::Int(3), text("3"));
        assert!(Op::Eq.holds(&three, &text3));
        assert!(!Op::Ne.holds(&three, &text3));
        assert!(Op::Ge.holds(&three, &Value::Int(3)));
        assert!(!Op::Gt.holds(&three, &Value::Int(3)));
        assert!(Op::Lt.holds(&three, &Value::Int(4)));
        assert!(Op::Le.holds(&three, &Value::Int(3)));
        assert!(!Op::Ge.holds(&text("absent"), &Value::Int(0)));
        assert!(Op::Contains.holds(&text("laptop, registry"), &text("registry")));
        assert!(Op::NotContains.holds(&text("laptop"), &text("registry")));
        assert!(Op::Eq.holds(&Value::Bool(true), &text("true")));
    }

    #[test]
    fn malformed_queries_are_reported() {
        let sim = sim();
        let bad = [
            (
                "{kind: object_field, object: deployment, path: spec}",
                "TYPE/NAME",
            ),
            (
                "{kind: object_field, object: widget/x, path: spec}",
                "`widget` is not a resource type",
            ),
            (
                "{kind: object_field, object: deploy/x, path: spec..replicas}",
                "empty segment",
            ),
            (
                "{kind: objects, resource: widgets}",
                "`widgets` is not a resource type",
            ),
            ("{kind: pods_matching, selector: 'app in (web'}", "selector"),
            ("{kind: pod_phase}", "exactly one of `pod`"),
            (
                "{kind: pod_node, pod: a, selector: app=web}",
                "exactly one of `pod`",
            ),
            ("{kind: local_image, reference: Hello:1}", "image `Hello:1`"),
            ("{kind: registry_tags, repository: 'a b'}", "image `a b`"),
            ("{kind: file, path: ../etc/passwd}", "not a path"),
            (
                "{kind: subnet_free_ips, cidr: 172.31.48.1/28}",
                "not a CIDR block",
            ),
        ];
        for (yaml, needle) in bad {
            let query = q(yaml);
            let error = query.validate().unwrap_err();
            assert!(error.contains(needle), "{yaml}: {error}");
            assert_eq!(query.try_answer(&sim), Err(error.clone()));
            assert_eq!(sim.query(&query), Value::Text(format!("error: {error}")));
        }
        for typo in [
            "{kind: deployment_ready, deployment: web, namespce: x}",
            "{kind: build_cache_hits, x: 1}",
            "{kind: time, format: hh}",
            "{kind: no_such_query}",
            "{kind: ecs_service, cluster: demo, service: web, field: healthy}",
            "{kind: ecs_tasks, cluster: demo, status: running}",
            "{kind: target_health, target_group: tg, state: HEALTHY}",
            "{kind: cost, category: lambda}",
        ] {
            assert!(serde_yaml_ng::from_str::<Query>(typo).is_err(), "{typo}");
        }
    }
}
