//! Runner for `vectors/scheduler.json`.

use super::{Outcome, Report, j, run_cases};
use crate::kube::node_affinity::{NodeAffinity, NodeSelector, NodeSelectorTerm};
use crate::kube::quantity::parse_for_resource;
use crate::kube::resources::{
    CPU, ContainerResources, EPHEMERAL_STORAGE, MEMORY, PODS, PodResources, Resource, ResourceList,
};
use crate::scheduler::feasible::num_feasible_nodes_to_find;
use crate::scheduler::framework::{NodeInfo, PodInfo};
use crate::scheduler::plugins::node_resources_fit::{
    self, ResourceSpec, ScoringStrategy, compute_pod_resource_request, fits_request, status_for,
};
use crate::scheduler::plugins::{balanced_allocation, node_affinity};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Runs every case; unknown kinds are skipped.
pub fn run_vectors(json: &str) -> Result<Report, String> {
    run_cases(json, adapt)
}

/// Maps the test tables' field names to resource names.
fn resource_name(k: &str) -> &str {
    match k {
        "milliCPU" | "MilliCPU" => CPU,
        "memory" | "Memory" => MEMORY,
        "ephemeralStorage" | "EphemeralStorage" => EPHEMERAL_STORAGE,
        "pods" | "allowedPodNumber" | "AllowedPodNumber" => PODS,
        other => other,
    }
}

/// A resource map from a test table: numbers are already in canonical units
/// (`milliCPU` in millicores, memory in bytes); strings are Kubernetes quantities.
/// Keys that are not resources (`node`, `name`, `restartPolicy`, `containers`) are skipped.
fn resource_list(v: &Value) -> Result<ResourceList, String> {
    let mut out = ResourceList::new();
    let Some(m) = v.as_object() else {
        return Ok(out);
    };
    for (k, x) in m {
        if matches!(
            k.as_str(),
            "node" | "name" | "restartPolicy" | "containers" | "restartable"
        ) {
            continue;
        }
        let name = resource_name(k);
        let amount = match x {
            Value::Number(n) => {
                let n = n
                    .as_i64()
                    .ok_or_else(|| format!("{k}: expected an integer"))?;
                if k == "cpu" { n * 1000 } else { n }
            }
            Value::String(s) => parse_for_resource(name, s).map_err(|e| e.to_string())?,
            other => return Err(format!("{k}: unexpected {other}")),
        };
        out.0.insert(name.to_string(), amount);
    }
    Ok(out)
}

fn container(v: &Value, i: usize) -> Result<ContainerResources, String> {
    let requests = match v.get("requests") {
        Some(r) => resource_list(r)?,
        None => resource_list(v)?,
    };
    let restartable = j::opt_str(v, "restartPolicy")? == Some("Always")
        || j::opt_bool(v, "restartable")?.unwrap_or(false);
    Ok(ContainerResources {
        name: j::opt_str(v, "name")?.map_or_else(|| format!("c{i}"), str::to_string),
        requests,
        restartable,
    })
}

fn containers(items: &[Value]) -> Result<Vec<ContainerResources>, String> {
    items
        .iter()
        .enumerate()
        .map(|(i, c)| container(c, i))
        .collect()
}

/// A pod's resources from `{containers, initContainers, overhead}`.
fn pod_resources(v: &Value) -> Result<PodResources, String> {
    Ok(PodResources {
        containers: containers(j::arr(v, "containers")?)?,
        init_containers: containers(j::arr(v, "initContainers")?)?,
        overhead: resource_list(v.get("overhead").unwrap_or(&Value::Null))?,
    })
}

/// An existing pod: `{containers: [...]}` or a flat request map (one container).
fn existing_pod(v: &Value) -> Result<PodResources, String> {
    if v.get("containers").is_some() || v.get("initContainers").is_some() {
        pod_resources(v)
    } else {
        Ok(PodResources {
            containers: vec![container(v, 0)?],
            ..PodResources::default()
        })
    }
}

/// Adds an existing pod's requests to a node view.
fn place(node: &mut NodeInfo, pod: &PodResources) {
    node.requested.add_list(&pod.requests(None));
    node.non_zero_requested.add_list(&pod.non_zero_requests());
    node.pod_count += 1;
}

fn set_of(v: &Value, k: &str) -> Result<BTreeSet<String>, String> {
    Ok(j::strs(v, k)?.into_iter().collect())
}

/// The scored resources: `resourceWeights {name: w}`, `resources [{name, weight}]`, or
/// the default cpu/memory.
fn scored_resources(input: &Value) -> Result<Vec<ResourceSpec>, String> {
    if let Some(Value::Object(m)) = input.get("resourceWeights") {
        return m
            .iter()
            .map(|(k, w)| {
                Ok(ResourceSpec {
                    name: resource_name(k).to_string(),
                    weight: w.as_i64().ok_or("weight must be an integer")?,
                })
            })
            .collect();
    }
    if let Some(Value::Array(a)) = input.get("resources") {
        return a
            .iter()
            .map(|r| {
                Ok(ResourceSpec {
                    name: resource_name(j::opt_str(r, "name")?.unwrap_or("")).to_string(),
                    weight: j::opt_i64(r, "weight")?.unwrap_or(1),
                })
            })
            .collect();
    }
    Ok(node_resources_fit::default_resources())
}

/// Builds node views from `{name: allocatable}` plus `existingPods [{node, ...}]`.
fn nodes(input: &Value, key: &str) -> Result<BTreeMap<String, NodeInfo>, String> {
    let mut out = BTreeMap::new();
    for (name, alloc) in j::obj(input.get(key).unwrap_or(&Value::Null), key)? {
        let list = resource_list(alloc)?;
        out.insert(
            name.clone(),
            NodeInfo {
                name: name.into(),
                allocatable: Resource::from_list(&list),
                ..NodeInfo::default()
            },
        );
    }
    for p in j::arr(input, "existingPods")? {
        let node = j::opt_str(p, "node")?.ok_or("existing pod without node")?;
        let res = existing_pod(p)?;
        let n = out
            .get_mut(node)
            .ok_or_else(|| format!("existing pod on unknown node {node}"))?;
        place(n, &res);
    }
    Ok(out)
}

fn request_pod(input: &Value) -> Result<PodInfo, String> {
    let containers = containers(j::arr(input, "podContainerRequests")?)?;
    let init_containers = containers_from(input, "podInitContainerRequests")?;
    Ok(PodInfo {
        resources: PodResources {
            containers,
            init_containers,
            overhead: resource_list(input.get("podOverhead").unwrap_or(&Value::Null))?,
        },
        ..PodInfo::default()
    })
}

fn containers_from(input: &Value, k: &str) -> Result<Vec<ContainerResources>, String> {
    containers(j::arr(input, k)?)
}

fn scores_json(scores: BTreeMap<String, i64>) -> Value {
    Value::Object(
        scores
            .into_iter()
            .map(|(k, v)| (k, json!(v)))
            .collect::<Map<_, _>>(),
    )
}

pub(crate) fn adapt(kind: &str, input: &Value) -> Result<Outcome, String> {
    let out = match kind {
        "fitFilter" => {
            let node_v = input.get("node").ok_or("missing node")?;
            let alloc = resource_list(node_v.get("allocatable").unwrap_or(node_v))?;
            let mut node = NodeInfo {
                name: "node".into(),
                allocatable: Resource::from_list(&alloc),
                ..NodeInfo::default()
            };
            for p in j::arr(input, "existingPodRequests")? {
                place(&mut node, &existing_pod(p)?);
            }
            let pod = PodInfo {
                resources: pod_resources(input.get("pod").ok_or("missing pod")?)?,
                ..PodInfo::default()
            };
            let insufficient = fits_request(
                &compute_pod_resource_request(&pod),
                &node,
                &set_of(input, "ignoredResources")?,
                &set_of(input, "ignoredResourceGroups")?,
            );
            let st = status_for(&insufficient);
            json!({
                "fits": insufficient.is_empty(),
                "insufficient": insufficient.iter().map(|r| json!({
                    "resource": r.resource_name,
                    "reason": r.reason,
                    "requested": r.requested,
                    "used": r.used,
                    "capacity": r.capacity,
                    "unresolvable": r.unresolvable,
                })).collect::<Vec<_>>(),
                "statusCode": st.code.as_str(),
                "reasons": st.reasons,
            })
        }
        "leastAllocatedScore" | "mostAllocatedScore" => {
            let strategy = if kind == "leastAllocatedScore" {
                ScoringStrategy::LeastAllocated
            } else {
                ScoringStrategy::MostAllocated
            };
            let pod = request_pod(input)?;
            let res = scored_resources(input)?;
            let key = if input.get("nodeCapacity").is_some() {
                "nodeCapacity"
            } else {
                "nodeAllocatable"
            };
            let mut scores = BTreeMap::new();
            for (name, node) in nodes(input, key)? {
                match node_resources_fit::score(&pod, &node, strategy, &res) {
                    Ok(s) => {
                        scores.insert(name, s);
                    }
                    Err(e) => return Ok(Outcome::Error(e)),
                }
            }
            json!({ "scores": scores_json(scores) })
        }
        "balancedAllocationScore" => {
            let pod = request_pod(input)?;
            let res = scored_resources(input)?;
            let key = if input.get("nodeAllocatable").is_some() {
                "nodeAllocatable"
            } else {
                "nodeCapacity"
            };
            let mut scores = BTreeMap::new();
            for (name, node) in nodes(input, key)? {
                scores.insert(name, balanced_allocation::score(&pod, &node, &res));
            }
            json!({ "scores": scores_json(scores) })
        }
        "balancedAllocationPreScore" => {
            let pod = request_pod(input)?;
            let st = balanced_allocation::pre_score(&pod, &scored_resources(input)?);
            json!({ "preScoreStatus": st.code.as_str() })
        }
        "numFeasibleNodesToFind" => {
            let pct = j::opt_i64(input, "percentageOfNodesToScore")?.unwrap_or(0);
            let n = j::i64_(input, "numAllNodes")?;
            json!({ "numNodes": num_feasible_nodes_to_find(pct, n) })
        }
        "requiredNodeAffinity" => {
            let pod_v = input.get("pod").unwrap_or(&Value::Null);
            let required = match pod_v.get("requiredTerms") {
                None | Some(Value::Null) => None,
                Some(terms) => Some(NodeSelector {
                    node_selector_terms: serde_json::from_value::<Vec<NodeSelectorTerm>>(
                        terms.clone(),
                    )
                    .map_err(|e| format!("requiredTerms: {e}"))?,
                }),
            };
            let pod = PodInfo {
                node_selector: j::string_map(pod_v.get("nodeSelector"))?,
                node_affinity: NodeAffinity {
                    required,
                    preferred: Vec::new(),
                },
                ..PodInfo::default()
            };
            let node = NodeInfo {
                name: j::opt_str(input, "nodeName")?.unwrap_or("").into(),
                labels: j::string_map(input.get("nodeLabels"))?,
                ..NodeInfo::default()
            };
            let st = node_affinity::filter(&pod, &node);
            json!({ "matches": st.is_success() })
        }
        _ => return Ok(Outcome::Unknown),
    };
    Ok(Outcome::Value(out))
}
