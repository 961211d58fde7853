//! Queries and checks over simulator state: the data that lesson trackers, computed quiz
//! answers and challenge goals are written in. Lessons never run code; they name a query.

use crate::Simulation;
use serde::de::Deserializer;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A question about the current state, answered with a [`Value`].
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
    /// A node's status as `kubectl get nodes` shows it (`Ready`, `NotReady`), or `absent`.
    NodeStatus {
        /// Node name.
        node: String,
    },
    /// Number of pods, optionally in one namespace and/or on one node.
    Pods {
        /// Only pods in this namespace.
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
    Time,
    /// Simulated seconds since the start.
    Seconds,
    /// The RNG seed in use.
    Seed,
    /// Number of files in the workspace.
    Files,
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
    /// Equal.
    #[default]
    Eq,
    /// Not equal.
    Ne,
    /// At least.
    Ge,
    /// At most.
    Le,
    /// More than.
    Gt,
    /// Fewer than.
    Lt,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "≠",
            Op::Ge => "≥",
            Op::Le => "≤",
            Op::Gt => ">",
            Op::Lt => "<",
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
    /// A sentence saying which part is met or unmet and why.
    pub detail: String,
}

impl Check {
    /// Evaluates the check against a simulation.
    pub fn evaluate(&self, sim: &Simulation) -> CheckOutcome {
        let actual = sim.query(&self.query);
        let passed = match (self.op, &actual, &self.value) {
            (op, Value::Int(a), Value::Int(b)) => match op {
                Op::Eq => a == b,
                Op::Ne => a != b,
                Op::Ge => a >= b,
                Op::Le => a <= b,
                Op::Gt => a > b,
                Op::Lt => a < b,
            },
            (Op::Eq, a, b) => a == b,
            (Op::Ne, a, b) => a != b,
            // Ordering text or booleans is meaningless; such a check never passes.
            _ => false,
        };
        let detail = if passed {
            format!("met: {} (is {actual})", self.description)
        } else {
            format!(
                "not met: {} — expected {} {}, but it is {actual}",
                self.description,
                self.op.symbol(),
                self.value
            )
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

/// Answers a query against a simulation (called via [`Simulation::query`]).
pub(crate) fn answer(sim: &Simulation, q: &Query) -> Value {
    let world = sim.state();
    let store = &world.api.store;
    let count = |n: usize| Value::Int(n as i64);
    match q {
        Query::Nodes { role, ready } => count(
            store
                .nodes()
                .filter(|n| role.is_none_or(|r| role_of(n) == r))
                .filter(|n| ready.is_none_or(|r| (n.ready_status() == Some("True")) == r))
                .count(),
        ),
        Query::NodeStatus { node } => Value::Text(match store.node_named(node) {
            Some(n) => crate::command::kubectl::printers::node_status(n),
            None => "absent".into(),
        }),
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
        Query::ComponentNode { component } => Value::Text(
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
                .unwrap_or_else(|| "absent".into()),
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
        Query::Time => Value::Text(sim.now().to_string()),
        Query::Seconds => Value::Int((sim.now().as_millis() / 1000) as i64),
        Query::Seed => Value::Int(i64::try_from(sim.seed()).unwrap_or(i64::MAX)),
        Query::Files => count(world.workspace.len()),
    }
}
