//! The kubelet: the node agent. It posts node status every 10 s and runs the pods bound
//! to its node (see [`pod_worker`]), pulling images from registries ([`pull`]).

pub mod node_status;
pub mod pod_worker;
pub mod probes;
pub mod pull;
pub mod restart;

use crate::effect::{Effect, Task};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::time::SimDuration;
use crate::world::World;

/// How often a kubelet posts node status (`nodeStatusUpdateFrequency`, default 10 s;
/// upstream `pkg/kubelet/apis/config/v1beta1/defaults.go`).
pub const NODE_STATUS_UPDATE_FREQUENCY: SimDuration = SimDuration::from_secs(10);

/// Default download speed of a node from registries: 50 MB/s (a cloud VM's typical
/// sustained pull rate from a regional registry).
pub const DEFAULT_BANDWIDTH: u64 = 50_000_000;

/// Handles a heartbeat tick: post status if the kubelet runs, and schedule the next tick.
pub fn heartbeat(world: &World, node: &str) -> Vec<Effect> {
    let Some(agent) = world.agents.get(node) else {
        // The node was deleted; its kubelet is gone and the loop ends.
        return Vec::new();
    };
    if world.api.store.node_named(node).is_none() {
        // `kubectl delete node`: the kubelet's status posts fail with NotFound (it does
        // not re-register until restarted); the machine is treated as decommissioned.
        return vec![
            Effect::Emit(EventDraft::new(
                Source::on(Component::Kubelet, node),
                ObjectRef::new("node", node),
                "NodeRemoved",
                format!(
                    "kubelet on {node} cannot post status: node \"{node}\" not found (the Node object was deleted); the machine leaves the cluster"
                ),
            )),
            Effect::AgentLeft {
                node: node.to_string(),
            },
        ];
    }
    let mut out = Vec::new();
    if agent.kubelet_running {
        out.push(Effect::NodeHeartbeat {
            node: node.to_string(),
        });
        out.push(Effect::Emit(EventDraft::new(
            Source::on(Component::Kubelet, node),
            ObjectRef::new("node", node),
            "NodeStatusUpdated",
            format!(
                "kubelet on {node} posted node status to the API server (Ready); it reports every {}",
                NODE_STATUS_UPDATE_FREQUENCY
            ),
        )));
    }
    out.push(Effect::Schedule {
        after: NODE_STATUS_UPDATE_FREQUENCY,
        task: Task::KubeletHeartbeat {
            node: node.to_string(),
        },
    });
    out
}
