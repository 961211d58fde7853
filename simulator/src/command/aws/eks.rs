//! `aws eks`: clusters (the managed control plane), managed node groups and Fargate
//! profiles, with the AWS CLI's JSON output and botocore's error wording.
//!
//! Simplifications (also said in the events the commands record): `--role-arn`,
//! `--resources-vpc-config`, `--node-role`, `--subnets` and `--pod-execution-role-arn`
//! may be left out (the real CLI requires some of them; the simulator fills in the
//! account's default VPC and conventional role names); one EKS cluster exists at a time,
//! because `kubectl` talks to the simulator's one Kubernetes cluster; a node group has
//! one instance type.

use super::json::{J, obj, s, strs};
use super::params::{Params, aws_error, int_field, str_field, usage_error};
use crate::command::CommandError;
use crate::components::aws::eks::{EksTask, asg_record, eks_later, put};
use crate::components::aws::{AwsEffect, fx};
use crate::cost::{Billable, Category};
use crate::ecs::REGION;
use crate::ecs::eks::{
    self as model, EksCluster, FargateProfile, FargateSelector, NodeGroup, NodeGroupTaint,
};
use crate::effect::Effect;
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::simulation::Simulation;
use crate::time::{SimDuration, SimTime};
use serde_json::Value;
use std::collections::BTreeMap;

/// Operations and the parameters each accepts.
pub const OPERATIONS: &[super::Operation] = &[
    (
        "create-cluster",
        &[
            "name",
            "kubernetes-version",
            "role-arn",
            "resources-vpc-config",
            "kubernetes-network-config",
            "logging",
            "tags",
            "access-config",
        ],
    ),
    ("describe-cluster", &["name"]),
    ("list-clusters", &["max-results", "include"]),
    ("delete-cluster", &["name"]),
    (
        "update-kubeconfig",
        &["name", "alias", "kubeconfig", "role-arn", "user-alias"],
    ),
    (
        "create-nodegroup",
        &[
            "cluster-name",
            "nodegroup-name",
            "scaling-config",
            "subnets",
            "instance-types",
            "ami-type",
            "disk-size",
            "node-role",
            "labels",
            "taints",
            "capacity-type",
            "tags",
        ],
    ),
    ("describe-nodegroup", &["cluster-name", "nodegroup-name"]),
    ("list-nodegroups", &["cluster-name", "max-results"]),
    (
        "update-nodegroup-config",
        &[
            "cluster-name",
            "nodegroup-name",
            "scaling-config",
            "labels",
            "taints",
        ],
    ),
    ("delete-nodegroup", &["cluster-name", "nodegroup-name"]),
    (
        "create-fargate-profile",
        &[
            "cluster-name",
            "fargate-profile-name",
            "pod-execution-role-arn",
            "subnets",
            "selectors",
            "tags",
        ],
    ),
    (
        "describe-fargate-profile",
        &["cluster-name", "fargate-profile-name"],
    ),
    ("list-fargate-profiles", &["cluster-name", "max-results"]),
    (
        "delete-fargate-profile",
        &["cluster-name", "fargate-profile-name"],
    ),
];

/// `aws eks wait WAITER`: the CLI's waiters, with botocore's polling delay and attempts
/// (`botocore/data/eks/2017-11-01/waiters-2.json`).
pub const WAITERS: [(&str, u64, u32); 6] = [
    ("cluster-active", 30, 40),
    ("cluster-deleted", 30, 40),
    ("nodegroup-active", 30, 80),
    ("nodegroup-deleted", 30, 40),
    ("fargate-profile-active", 10, 60),
    ("fargate-profile-deleted", 30, 60),
];

/// Parameters the waiters accept.
pub const WAITER_PARAMS: [&str; 4] = [
    "name",
    "cluster-name",
    "nodegroup-name",
    "fargate-profile-name",
];

/// The role `create-cluster` assumes when `--role-arn` is left out.
pub const DEFAULT_CLUSTER_ROLE: &str = "arn:aws:iam::123456789012:role/eksClusterRole";
/// The role `create-nodegroup` assumes when `--node-role` is left out.
pub const DEFAULT_NODE_ROLE: &str = "arn:aws:iam::123456789012:role/AmazonEKSNodeRole";
/// The role `create-fargate-profile` assumes when `--pod-execution-role-arn` is left out.
pub const DEFAULT_POD_EXECUTION_ROLE: &str =
    "arn:aws:iam::123456789012:role/AmazonEKSFargatePodExecutionRole";

fn iso(t: SimTime) -> String {
    super::ecr::iso(t)
}

fn record(sim: &mut Simulation, object: ObjectRef, kind: &str, msg: String) {
    sim.record(EventDraft::new(
        Source::of(Component::Eks),
        object,
        kind,
        msg,
    ));
}

fn pretty(j: J) -> String {
    j.pretty() + "\n"
}

fn not_found(op: &str, name: &str) -> CommandError {
    aws_error(
        "ResourceNotFoundException",
        op,
        format!("No cluster found for name: {name}."),
    )
}

fn cluster<'a>(sim: &'a Simulation, op: &str, name: &str) -> Result<&'a EksCluster, CommandError> {
    sim.state()
        .aws
        .eks
        .get(name)
        .ok_or_else(|| not_found(op, name))
}

fn active_cluster<'a>(
    sim: &'a Simulation,
    op: &str,
    name: &str,
) -> Result<&'a EksCluster, CommandError> {
    let c = cluster(sim, op, name)?;
    if c.status != "ACTIVE" {
        return Err(aws_error(
            "InvalidRequestException",
            op,
            format!("Cluster '{name}' is not in ACTIVE status"),
        ));
    }
    Ok(c)
}

/// The CLI's shorthand with implicit lists: `subnetIds=a,b,securityGroupIds=c` (a word
/// without `=` continues the previous key's list), or JSON / `file://`.
fn key_lists(
    p: &Params,
    name: &str,
    sim: &Simulation,
) -> Result<BTreeMap<String, Vec<String>>, CommandError> {
    let Some(raw) = p.0.get(name).and_then(|v| v.first()) else {
        return Ok(BTreeMap::new());
    };
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let t = raw.trim();
    if t.starts_with('{') || t.starts_with("file://") {
        let v = super::params::value(name, t, &sim.state().workspace)?;
        if let Value::Object(m) = v {
            for (k, x) in m {
                let items = match x {
                    Value::Array(a) => a
                        .iter()
                        .filter_map(|i| i.as_str().map(String::from))
                        .collect(),
                    Value::String(s) => vec![s],
                    Value::Bool(b) => vec![b.to_string()],
                    other => vec![other.to_string()],
                };
                out.insert(k, items);
            }
        }
        return Ok(out);
    }
    let mut key: Option<String> = None;
    for tok in t.split(',') {
        let tok = tok.trim().trim_matches(['[', ']']);
        match tok.split_once('=') {
            Some((k, v)) => {
                let v = v.trim_matches(['[', ']']);
                let e = out.entry(k.trim().to_string()).or_default();
                if !v.is_empty() {
                    e.push(v.to_string());
                }
                key = Some(k.trim().to_string());
            }
            None => match &key {
                Some(k) if !tok.is_empty() => out.entry(k.clone()).or_default().push(tok.into()),
                Some(_) => {}
                None => {
                    return Err(CommandError::new(format!(
                        "\nError parsing parameter '--{name}': Expected: '=', received: '{tok}' for input:\n{t}"
                    )));
                }
            },
        }
    }
    Ok(out)
}

fn check_subnets(sim: &Simulation, op: &str, subnets: &[String]) -> Result<(), CommandError> {
    for sn in subnets {
        if !sim.state().aws.vpc.subnets.contains_key(sn) {
            return Err(aws_error(
                "InvalidParameterException",
                op,
                format!("The subnet ID '{sn}' does not exist"),
            ));
        }
    }
    Ok(())
}

fn cluster_json(c: &EksCluster, vpc: &str) -> J {
    let active = c.status == "ACTIVE";
    let mut vpc_cfg = vec![
        ("subnetIds".to_string(), strs(c.subnets.clone())),
        (
            "securityGroupIds".to_string(),
            strs(c.security_groups.clone()),
        ),
    ];
    if active {
        vpc_cfg.push((
            "clusterSecurityGroupId".to_string(),
            s(crate::ecs::vpc::stable_id(
                "sg",
                &format!("eks-cluster-sg-{}", c.endpoint_id),
            )),
        ));
    }
    vpc_cfg.extend([
        ("vpcId".to_string(), s(vpc)),
        ("endpointPublicAccess".to_string(), J::Bool(true)),
        ("endpointPrivateAccess".to_string(), J::Bool(false)),
        ("publicAccessCidrs".to_string(), strs(["0.0.0.0/0"])),
    ]);
    let mut fields = vec![
        ("name".to_string(), s(&c.name)),
        ("arn".to_string(), s(c.arn())),
        ("createdAt".to_string(), s(iso(c.created_at))),
        ("version".to_string(), s(&c.version)),
    ];
    if active {
        fields.push(("endpoint".to_string(), s(c.endpoint())));
    }
    fields.extend([
        ("roleArn".to_string(), s(&c.role_arn)),
        ("resourcesVpcConfig".to_string(), J::Obj(vpc_cfg)),
        (
            "kubernetesNetworkConfig".to_string(),
            // The simulated API server's Service range (kubeadm's default), which is
            // what `kubectl get svc` shows; EKS itself picks 10.100.0.0/16 or
            // 172.20.0.0/16.
            obj([
                ("serviceIpv4Cidr", s("10.96.0.0/12")),
                ("ipFamily", s("ipv4")),
            ]),
        ),
        (
            "logging".to_string(),
            obj([(
                "clusterLogging",
                J::Arr(vec![obj([
                    (
                        "types",
                        strs([
                            "api",
                            "audit",
                            "authenticator",
                            "controllerManager",
                            "scheduler",
                        ]),
                    ),
                    ("enabled", J::Bool(false)),
                ])]),
            )]),
        ),
    ]);
    if active {
        fields.push((
            "identity".to_string(),
            obj([(
                "oidc",
                obj([(
                    "issuer",
                    s(format!(
                        "https://oidc.eks.{REGION}.amazonaws.com/id/{}",
                        c.endpoint_id
                    )),
                )]),
            )]),
        ));
    }
    fields.push(("status".to_string(), s(&c.status)));
    fields.push((
        "certificateAuthority".to_string(),
        if active {
            obj([(
                "data",
                s(format!(
                    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t{}",
                    model::hex_id(&c.endpoint_id, 24)
                )),
            )])
        } else {
            J::Obj(Vec::new())
        },
    ));
    fields.push(("tags".to_string(), J::Obj(Vec::new())));
    fields.push((
        "accessConfig".to_string(),
        obj([("authenticationMode", s("API_AND_CONFIG_MAP"))]),
    ));
    J::Obj(fields)
}

fn map_json(m: &BTreeMap<String, String>) -> J {
    J::Obj(m.iter().map(|(k, v)| (k.clone(), s(v))).collect())
}

fn nodegroup_json(cluster: &str, g: &NodeGroup) -> J {
    let mut fields = vec![
        ("nodegroupName".to_string(), s(&g.name)),
        ("nodegroupArn".to_string(), s(g.arn(cluster))),
        ("clusterName".to_string(), s(cluster)),
        ("version".to_string(), s(model::KUBERNETES_VERSION)),
        ("createdAt".to_string(), s(iso(g.created_at))),
        ("modifiedAt".to_string(), s(iso(g.modified_at))),
        ("status".to_string(), s(&g.status)),
        ("capacityType".to_string(), s("ON_DEMAND")),
        (
            "scalingConfig".to_string(),
            obj([
                ("minSize", J::Int(i64::from(g.min_size))),
                ("maxSize", J::Int(i64::from(g.max_size))),
                ("desiredSize", J::Int(i64::from(g.desired_size))),
            ]),
        ),
        ("instanceTypes".to_string(), strs([g.instance_type.clone()])),
        ("subnets".to_string(), strs(g.subnets.clone())),
        ("amiType".to_string(), s("AL2023_x86_64_STANDARD")),
        ("nodeRole".to_string(), s(&g.node_role)),
        ("labels".to_string(), map_json(&g.labels)),
    ];
    if !g.taints.is_empty() {
        fields.push((
            "taints".to_string(),
            J::Arr(
                g.taints
                    .iter()
                    .map(|t| {
                        obj([
                            ("key", s(&t.key)),
                            ("value", s(&t.value)),
                            ("effect", s(&t.effect)),
                        ])
                    })
                    .collect(),
            ),
        ));
    }
    fields.extend([
        (
            "resources".to_string(),
            obj([(
                "autoScalingGroups",
                J::Arr(vec![obj([("name", s(&g.asg))])]),
            )]),
        ),
        ("diskSize".to_string(), J::Int(20)),
        ("health".to_string(), obj([("issues", J::Arr(Vec::new()))])),
        (
            "updateConfig".to_string(),
            obj([("maxUnavailable", J::Int(1))]),
        ),
        ("tags".to_string(), J::Obj(Vec::new())),
    ]);
    J::Obj(fields)
}

fn profile_json(cluster: &str, p: &FargateProfile) -> J {
    obj([
        ("fargateProfileName", s(&p.name)),
        ("fargateProfileArn", s(p.arn(cluster))),
        ("clusterName", s(cluster)),
        ("createdAt", s(iso(p.created_at))),
        ("podExecutionRoleArn", s(&p.pod_execution_role_arn)),
        ("subnets", strs(p.subnets.clone())),
        (
            "selectors",
            J::Arr(
                p.selectors
                    .iter()
                    .map(|sel| {
                        if sel.labels.is_empty() {
                            obj([("namespace", s(&sel.namespace))])
                        } else {
                            obj([
                                ("namespace", s(&sel.namespace)),
                                ("labels", map_json(&sel.labels)),
                            ])
                        }
                    })
                    .collect(),
            ),
        ),
        ("status", s(&p.status)),
        ("tags", J::Obj(Vec::new())),
    ])
}

fn string_map(v: &Value) -> BTreeMap<String, String> {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, x)| {
                (
                    k.clone(),
                    match x {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    },
                )
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

fn as_list(v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a,
        other => vec![other],
    }
}

fn taints(p: &Params, sim: &Simulation, op: &str) -> Result<Vec<NodeGroupTaint>, CommandError> {
    let Some(v) = p.structure("taints", &sim.state().workspace)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for t in as_list(v) {
        let key = str_field(&t, "key").unwrap_or_default();
        let value = str_field(&t, "value").unwrap_or_default();
        let effect = str_field(&t, "effect").unwrap_or_default();
        if key.is_empty() {
            return Err(aws_error(
                "InvalidParameterException",
                op,
                "Taint key must not be empty",
            ));
        }
        if NodeGroupTaint::kube_effect(&effect).is_none() {
            return Err(aws_error(
                "InvalidParameterException",
                op,
                format!(
                    "Invalid taint effect '{effect}': must be one of NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE"
                ),
            ));
        }
        out.push(NodeGroupTaint { key, value, effect });
    }
    Ok(out)
}

/// `minSize`, `maxSize`, `desiredSize` as given.
type Sizes = (Option<u32>, Option<u32>, Option<u32>);

fn scaling(p: &Params, sim: &Simulation) -> Result<Sizes, CommandError> {
    let Some(v) = p.structure("scaling-config", &sim.state().workspace)? else {
        return Ok((None, None, None));
    };
    let field = |k: &str| -> Result<Option<u32>, CommandError> {
        match int_field(&v, k) {
            None if v.get(k).is_some() => Err(usage_error(&format!(
                "Error parsing parameter '--scaling-config': {k} must be an integer"
            ))),
            None => Ok(None),
            Some(n) if (0..=1000).contains(&n) => Ok(Some(n as u32)),
            Some(n) => Err(usage_error(&format!(
                "Error parsing parameter '--scaling-config': invalid {k} {n}"
            ))),
        }
    };
    Ok((field("minSize")?, field("maxSize")?, field("desiredSize")?))
}

fn check_scaling(op: &str, min: u32, max: u32, desired: u32) -> Result<(), CommandError> {
    if max < 1 {
        return Err(aws_error(
            "InvalidParameterException",
            op,
            "Maximum capacity must be greater than or equal to 1",
        ));
    }
    if min > max {
        return Err(aws_error(
            "InvalidParameterException",
            op,
            format!("Minimum capacity {min} can't be greater than maximum capacity {max}"),
        ));
    }
    if desired < min || desired > max {
        return Err(aws_error(
            "InvalidParameterException",
            op,
            format!(
                "Desired capacity {desired} must be between minimum capacity {min} and maximum capacity {max}"
            ),
        ));
    }
    Ok(())
}

fn valid_name(n: &str) -> bool {
    let mut chars = n.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && n.len() <= 100
}

/// Runs one operation.
pub fn run(sim: &mut Simulation, operation: &str, p: &Params) -> Result<String, CommandError> {
    let now = sim.now();
    let vpc_id = sim.state().aws.vpc.id.clone();
    match operation {
        "create-cluster" => {
            let op = "CreateCluster";
            let name = p.one("name")?;
            if !valid_name(&name) {
                return Err(aws_error(
                    "InvalidParameterException",
                    op,
                    format!(
                        "The cluster name '{name}' must start with a letter or digit and contain only letters, digits, hyphens and underscores (at most 100)"
                    ),
                ));
            }
            if sim.state().aws.eks.contains_key(&name) {
                return Err(aws_error(
                    "ResourceInUseException",
                    op,
                    format!("Cluster already exists with name: {name}"),
                ));
            }
            if let Some(other) = sim.state().aws.eks.keys().next() {
                return Err(aws_error(
                    "ResourceLimitExceededException",
                    op,
                    format!(
                        "this simulator models one EKS cluster at a time (kubectl talks to a single Kubernetes cluster), and {other} exists; delete it first"
                    ),
                ));
            }
            let version = p
                .opt("kubernetes-version")?
                .unwrap_or(model::KUBERNETES_VERSION.into());
            if version != model::KUBERNETES_VERSION {
                return Err(aws_error(
                    "InvalidParameterException",
                    op,
                    format!(
                        "unsupported Kubernetes version {version} (the simulator's API server and kubelets run Kubernetes {})",
                        model::KUBERNETES_VERSION
                    ),
                ));
            }
            let cfg = key_lists(p, "resources-vpc-config", sim)?;
            let given_vpc = p.has("resources-vpc-config");
            let mut subnets = cfg.get("subnetIds").cloned().unwrap_or_default();
            if subnets.is_empty() {
                subnets = sim.state().aws.vpc.default_subnets();
            }
            check_subnets(sim, op, &subnets)?;
            let zones: std::collections::BTreeSet<&str> = subnets
                .iter()
                .filter_map(|s| sim.state().aws.vpc.subnets.get(s))
                .map(|s| s.zone.as_str())
                .collect();
            if zones.len() < 2 {
                return Err(aws_error(
                    "InvalidParameterException",
                    op,
                    "Subnets specified must be in at least two different AZs",
                ));
            }
            let sgs = cfg.get("securityGroupIds").cloned().unwrap_or_default();
            let role = p.opt("role-arn")?;
            let c = EksCluster::new(
                &name,
                role.as_deref().unwrap_or(DEFAULT_CLUSTER_ROLE),
                subnets,
                sgs,
                now,
            );
            let rate = sim.state().billing.prices.eks_cluster_hour;
            let mut notes = Vec::new();
            if role.is_none() {
                notes.push(format!("--role-arn not given: the simulator assumes {DEFAULT_CLUSTER_ROLE} (the real CLI requires it)"));
            }
            if !given_vpc {
                notes.push("--resources-vpc-config not given: the default VPC's subnets are used (the real CLI requires it)".to_string());
            }
            record(
                sim,
                ObjectRef::new("cluster", &name),
                "CreatingCluster",
                format!(
                    "eks:CreateCluster {name}: AWS provisions a managed Kubernetes {version} control plane (API servers and etcd across three availability zones); it becomes ACTIVE in about {}. It is billed {}/hour from now, with or without nodes.{}",
                    model::CONTROL_PLANE_CREATE,
                    crate::cost::dollars(rate, 2),
                    if notes.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", notes.join("; "))
                    }
                ),
            );
            let json = pretty(obj([("cluster", cluster_json(&c, &vpc_id))]));
            let bill = Billable {
                category: Category::EksControlPlane,
                description: format!("EKS control plane {name}"),
                rate,
                start: now,
                end: None,
                minimum: SimDuration::ZERO,
            };
            sim.apply_command_effects(vec![
                fx(AwsEffect::BillStart(c.bill_id(), bill)),
                put(c),
                eks_later(
                    model::CONTROL_PLANE_CREATE,
                    EksTask::ClusterActive {
                        cluster: name.clone(),
                    },
                ),
            ]);
            Ok(json)
        }
        "describe-cluster" => {
            let name = p.one("name")?;
            let c = cluster(sim, "DescribeCluster", &name)?;
            Ok(pretty(obj([("cluster", cluster_json(c, &vpc_id))])))
        }
        "list-clusters" => Ok(pretty(obj([(
            "clusters",
            strs(sim.state().aws.eks.keys().cloned()),
        )]))),
        "delete-cluster" => {
            let op = "DeleteCluster";
            let name = p.one("name")?;
            let c = cluster(sim, op, &name)?;
            if !c.node_groups.is_empty() {
                return Err(aws_error(
                    "ResourceInUseException",
                    op,
                    "Cluster has nodegroups attached",
                ));
            }
            if !c.fargate_profiles.is_empty() {
                return Err(aws_error(
                    "ResourceInUseException",
                    op,
                    "Cluster has fargate profiles attached",
                ));
            }
            let mut c = c.clone();
            if c.status == "DELETING" {
                return Ok(pretty(obj([("cluster", cluster_json(&c, &vpc_id))])));
            }
            c.status = "DELETING".into();
            let json = pretty(obj([("cluster", cluster_json(&c, &vpc_id))]));
            record(
                sim,
                ObjectRef::new("cluster", &name),
                "DeletingCluster",
                format!(
                    "eks:DeleteCluster {name}: the control plane is torn down (about {}); its hourly charge stops now",
                    model::CLUSTER_DELETE
                ),
            );
            let bill = c.bill_id();
            sim.apply_command_effects(vec![
                fx(AwsEffect::BillStop(bill)),
                put(c),
                eks_later(
                    model::CLUSTER_DELETE,
                    EksTask::ClusterDeleted { cluster: name },
                ),
            ]);
            Ok(json)
        }
        "update-kubeconfig" => {
            let name = p.one("name")?;
            let c = cluster(sim, "DescribeCluster", &name)?;
            if c.status != "ACTIVE" {
                return Err(CommandError::new(format!(
                    "\nCluster status is {}",
                    c.status
                )));
            }
            let context = p.opt("alias")?.unwrap_or_else(|| c.arn());
            let path = p
                .opt("kubeconfig")?
                .unwrap_or_else(|| "/home/learner/.kube/config".into());
            Ok(format!("Added new context {context} to {path}\n"))
        }
        "create-nodegroup" => create_nodegroup(sim, p, now),
        "describe-nodegroup" => {
            let op = "DescribeNodegroup";
            let cname = p.one("cluster-name")?;
            let ng = p.one("nodegroup-name")?;
            let c = cluster(sim, op, &cname)?;
            let g = c.node_groups.get(&ng).ok_or_else(|| {
                aws_error(
                    "ResourceNotFoundException",
                    op,
                    format!("No node group found for name: {ng}."),
                )
            })?;
            Ok(pretty(obj([("nodegroup", nodegroup_json(&cname, g))])))
        }
        "list-nodegroups" => {
            let cname = p.one("cluster-name")?;
            let c = cluster(sim, "ListNodegroups", &cname)?;
            Ok(pretty(obj([(
                "nodegroups",
                strs(c.node_groups.keys().cloned()),
            )])))
        }
        "update-nodegroup-config" => {
            let op = "UpdateNodegroupConfig";
            let cname = p.one("cluster-name")?;
            let ng = p.one("nodegroup-name")?;
            let c = cluster(sim, op, &cname)?;
            let g = c.node_groups.get(&ng).ok_or_else(|| {
                aws_error(
                    "ResourceNotFoundException",
                    op,
                    format!("No node group found for name: {ng}."),
                )
            })?;
            if g.status != "ACTIVE" {
                return Err(aws_error(
                    "ResourceInUseException",
                    op,
                    "Nodegroup cannot be updated as it is currently not in Active State",
                ));
            }
            if p.has("labels") || p.has("taints") {
                return Err(CommandError::new(
                    "aws eks update-nodegroup-config: only --scaling-config is modelled (labels and taints are set when the node group is created)",
                ));
            }
            let (min, max, desired) = scaling(p, sim)?;
            if min.is_none() && max.is_none() && desired.is_none() {
                return Err(aws_error(
                    "InvalidParameterException",
                    op,
                    "No changes needed for the nodegroup config",
                ));
            }
            let mut c = c.clone();
            let mut g = g.clone();
            let mut params = Vec::new();
            for (k, v) in [("MinSize", min), ("MaxSize", max), ("DesiredSize", desired)] {
                if let Some(v) = v {
                    params.push(obj([("type", s(k)), ("value", s(v.to_string()))]));
                }
            }
            let from = g.desired_size;
            g.min_size = min.unwrap_or(g.min_size);
            g.max_size = max.unwrap_or(g.max_size);
            g.desired_size = desired.unwrap_or(g.desired_size);
            check_scaling(op, g.min_size, g.max_size, g.desired_size)?;
            g.modified_at = now;
            let id = model::uuid_from(&format!("update/{cname}/{ng}/{}", now.as_millis()));
            record(
                sim,
                ObjectRef::new("nodegroup", &ng),
                "NodegroupConfigUpdated",
                format!(
                    "eks:UpdateNodegroupConfig {ng}: min {}, max {}, desired {from} → {}; its Auto Scaling group launches or drains and terminates instances to match",
                    g.min_size, g.max_size, g.desired_size
                ),
            );
            let asg = asg_record(&cname, &g);
            c.node_groups.insert(ng.clone(), g);
            sim.apply_command_effects(vec![
                put(c),
                fx(AwsEffect::PutGroup(asg)),
                eks_later(
                    SimDuration::ZERO,
                    EksTask::NodeGroupSync {
                        cluster: cname,
                        nodegroup: ng,
                    },
                ),
            ]);
            Ok(pretty(obj([(
                "update",
                obj([
                    ("id", s(id)),
                    ("status", s("InProgress")),
                    ("type", s("ConfigUpdate")),
                    ("params", J::Arr(params)),
                    ("createdAt", s(iso(now))),
                    ("errors", J::Arr(Vec::new())),
                ]),
            )])))
        }
        "delete-nodegroup" => {
            let op = "DeleteNodegroup";
            let cname = p.one("cluster-name")?;
            let ng = p.one("nodegroup-name")?;
            let c = cluster(sim, op, &cname)?;
            let g = c.node_groups.get(&ng).ok_or_else(|| {
                aws_error(
                    "ResourceNotFoundException",
                    op,
                    format!("No node group found for name: {ng}."),
                )
            })?;
            let mut c = c.clone();
            let mut g = g.clone();
            if g.status != "DELETING" {
                g.status = "DELETING".into();
                g.modified_at = now;
                record(
                    sim,
                    ObjectRef::new("nodegroup", &ng),
                    "DeletingNodegroup",
                    format!(
                        "eks:DeleteNodegroup {ng}: each of its {} instance(s) is cordoned and drained (pods are evicted and recreated elsewhere, or stay Pending if nothing else fits), then terminated",
                        g.members.len()
                    ),
                );
            }
            let json = pretty(obj([("nodegroup", nodegroup_json(&cname, &g))]));
            c.node_groups.insert(ng.clone(), g);
            sim.apply_command_effects(vec![
                put(c),
                eks_later(
                    SimDuration::ZERO,
                    EksTask::NodeGroupSync {
                        cluster: cname,
                        nodegroup: ng,
                    },
                ),
            ]);
            Ok(json)
        }
        "create-fargate-profile" => create_fargate_profile(sim, p, now),
        "describe-fargate-profile" => {
            let op = "DescribeFargateProfile";
            let cname = p.one("cluster-name")?;
            let fp = p.one("fargate-profile-name")?;
            let c = cluster(sim, op, &cname)?;
            let f = c.fargate_profiles.get(&fp).ok_or_else(|| {
                aws_error(
                    "ResourceNotFoundException",
                    op,
                    format!("No Fargate Profile found with name: {fp}."),
                )
            })?;
            Ok(pretty(obj([("fargateProfile", profile_json(&cname, f))])))
        }
        "list-fargate-profiles" => {
            let cname = p.one("cluster-name")?;
            let c = cluster(sim, "ListFargateProfiles", &cname)?;
            Ok(pretty(obj([(
                "fargateProfileNames",
                strs(c.fargate_profiles.keys().cloned()),
            )])))
        }
        "delete-fargate-profile" => {
            let op = "DeleteFargateProfile";
            let cname = p.one("cluster-name")?;
            let fp = p.one("fargate-profile-name")?;
            let c = cluster(sim, op, &cname)?;
            let f = c.fargate_profiles.get(&fp).ok_or_else(|| {
                aws_error(
                    "ResourceNotFoundException",
                    op,
                    format!("No Fargate Profile found with name: {fp}."),
                )
            })?;
            if let Some(busy) = c
                .fargate_profiles
                .values()
                .find(|x| x.name != fp && (x.status == "CREATING" || x.status == "DELETING"))
            {
                return Err(aws_error(
                    "ResourceInUseException",
                    op,
                    format!(
                        "Cannot delete Fargate Profile {fp} because cluster {cname} currently has Fargate profile {} in status {}",
                        busy.name, busy.status
                    ),
                ));
            }
            let mut c = c.clone();
            let mut f = f.clone();
            let mut effects = Vec::new();
            if f.status != "DELETING" {
                f.status = "DELETING".into();
                let pods: Vec<String> = c
                    .fargate_pods
                    .iter()
                    .filter(|(_, r)| r.profile == fp)
                    .map(|(k, _)| k.clone())
                    .collect();
                for k in &pods {
                    if let Some((ns, name)) = k.split_once('/') {
                        effects.push(Effect::Delete(crate::apiserver::ObjKey::new(
                            "Pod", ns, name,
                        )));
                    }
                }
                record(
                    sim,
                    ObjectRef::new("fargateprofile", &fp),
                    "DeletingFargateProfile",
                    format!(
                        "eks:DeleteFargateProfile {fp}: {} (EKS deletes the pods a profile placed on Fargate); it is gone in about {}",
                        if pods.is_empty() {
                            "no pods run on it".to_string()
                        } else {
                            format!(
                                "its {} pod(s) are deleted ({})",
                                pods.len(),
                                pods.join(", ")
                            )
                        },
                        model::FARGATE_PROFILE_CHANGE
                    ),
                );
                effects.push(eks_later(
                    model::FARGATE_PROFILE_CHANGE,
                    EksTask::FargateProfileSettled {
                        cluster: cname.clone(),
                        profile: fp.clone(),
                    },
                ));
            }
            let json = pretty(obj([("fargateProfile", profile_json(&cname, &f))]));
            c.fargate_profiles.insert(fp, f);
            effects.insert(0, put(c));
            sim.apply_command_effects(effects);
            Ok(json)
        }
        other => match other.strip_prefix("wait ") {
            Some(waiter) => wait(sim, waiter, p),
            None => Err(CommandError::new(format!("aws eks {other}: not modelled"))),
        },
    }
}

fn create_nodegroup(
    sim: &mut Simulation,
    p: &Params,
    now: SimTime,
) -> Result<String, CommandError> {
    let op = "CreateNodegroup";
    let cname = p.one("cluster-name")?;
    let ng = p.one("nodegroup-name")?;
    let c = active_cluster(sim, op, &cname)?.clone();
    if c.node_groups.contains_key(&ng) {
        return Err(aws_error(
            "ResourceInUseException",
            op,
            format!("NodeGroup already exists with name {ng} and cluster name {cname}"),
        ));
    }
    if !valid_name(&ng) {
        return Err(aws_error(
            "InvalidParameterException",
            op,
            format!(
                "The nodegroup name '{ng}' must start with a letter or digit and contain only letters, digits, hyphens and underscores"
            ),
        ));
    }
    let types = p.list("instance-types");
    let instance_type = match types.as_slice() {
        [] => "t3.medium".to_string(),
        [t] => t.clone(),
        _ => {
            return Err(CommandError::new(
                "aws eks create-nodegroup: this simulator models one instance type per node group (the Cluster Autoscaler then knows the exact shape of a new node)",
            ));
        }
    };
    if crate::cost::instance_type(&instance_type).is_none() {
        let known: Vec<&str> = crate::cost::INSTANCE_TYPES.iter().map(|t| t.name).collect();
        return Err(aws_error(
            "InvalidParameterException",
            op,
            format!(
                "Instance type {instance_type} is not modelled by the simulator; use one of {}",
                known.join(", ")
            ),
        ));
    }
    if let Some(cap) = p.opt("capacity-type")?
        && cap != "ON_DEMAND"
    {
        return Err(CommandError::new(format!(
            "aws eks create-nodegroup: --capacity-type {cap} is not modelled (On-Demand only)"
        )));
    }
    let (min, max, desired) = scaling(p, sim)?;
    // "When creating a node group, you must specify all or none of the properties"
    // (EKS API reference, NodegroupScalingConfig). With none, the simulator uses min 1,
    // max 2, desired 2.
    let given = [min, max, desired].iter().filter(|x| x.is_some()).count();
    if given != 0 && given != 3 {
        return Err(aws_error(
            "InvalidParameterException",
            op,
            "When creating a node group, you must specify all or none of minSize, maxSize and desiredSize",
        ));
    }
    let min = min.unwrap_or(1);
    let max = max.unwrap_or(2.max(min));
    let desired = desired.unwrap_or(2.clamp(min, max));
    check_scaling(op, min, max, desired)?;
    let mut subnets = p.list("subnets");
    let subnets_given = !subnets.is_empty();
    if subnets.is_empty() {
        subnets = c.subnets.clone();
    }
    check_subnets(sim, op, &subnets)?;
    let labels = match p.structure("labels", &sim.state().workspace)? {
        Some(v) => string_map(&v),
        None => BTreeMap::new(),
    };
    let taints = taints(p, sim, op)?;
    let role = p.opt("node-role")?;
    let id = model::uuid_from(&format!("nodegroup/{cname}/{ng}/{}", now.as_millis()));
    let g = NodeGroup {
        name: ng.clone(),
        id: id.clone(),
        status: "CREATING".into(),
        created_at: now,
        modified_at: now,
        instance_type: instance_type.clone(),
        min_size: min,
        max_size: max,
        desired_size: desired,
        subnets,
        labels,
        taints,
        node_role: role.clone().unwrap_or(DEFAULT_NODE_ROLE.into()),
        asg: format!("eks-{ng}-{id}"),
        members: BTreeMap::new(),
    };
    let json = pretty(obj([("nodegroup", nodegroup_json(&cname, &g))]));
    let mut notes = Vec::new();
    if role.is_none() {
        notes.push(format!("--node-role not given: the simulator assumes {DEFAULT_NODE_ROLE} (the real CLI requires it)"));
    }
    if !subnets_given {
        notes.push(
            "--subnets not given: the cluster's subnets are used (the real CLI requires them)"
                .to_string(),
        );
    }
    if types.is_empty() {
        notes.push("--instance-types not given: t3.medium, the API's default".to_string());
    }
    let price = sim.state().billing.prices.ec2(&instance_type).unwrap_or(0);
    record(
        sim,
        ObjectRef::new("nodegroup", &ng),
        "CreatingNodegroup",
        format!(
            "eks:CreateNodegroup {ng}: an EC2 Auto Scaling group {} of {instance_type} instances (min {min}, max {max}, desired {desired}, {}/hour each) running the EKS-optimised AMI; each instance's kubelet joins cluster {cname} as a node. The node group is ACTIVE once its {desired} node(s) joined.{}",
            g.asg,
            crate::cost::dollars(price, 4),
            if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join("; "))
            }
        ),
    );
    let mut c = c;
    let asg = asg_record(&cname, &g);
    c.node_groups.insert(ng.clone(), g);
    let mut effects = Vec::new();
    if !c.autoscaler.running {
        c.autoscaler.running = true;
        effects.push(crate::components::cluster_autoscaler::start(&cname));
        record_ca(
            sim,
            &cname,
            format!(
                "the Cluster Autoscaler watches cluster {cname}'s node groups every {} (the simulator runs it for you; on EKS you install it yourself, e.g. with its Helm chart and node-group auto-discovery): it adds nodes for pods that fit nowhere and removes nodes that stay under {}% requested for {}",
                crate::components::cluster_autoscaler::SCAN_INTERVAL,
                crate::components::cluster_autoscaler::SCALE_DOWN_UTILIZATION_THRESHOLD,
                crate::components::cluster_autoscaler::SCALE_DOWN_UNNEEDED_TIME
            ),
        );
    }
    effects.insert(0, put(c));
    effects.insert(1, fx(AwsEffect::PutGroup(asg)));
    effects.push(eks_later(
        SimDuration::ZERO,
        EksTask::NodeGroupSync {
            cluster: cname,
            nodegroup: ng,
        },
    ));
    sim.apply_command_effects(effects);
    Ok(json)
}

fn record_ca(sim: &mut Simulation, cluster: &str, msg: String) {
    sim.record(EventDraft::new(
        Source::of(Component::ClusterAutoscaler),
        ObjectRef::new("cluster", cluster),
        "AutoscalerStarted",
        msg,
    ));
}

fn create_fargate_profile(
    sim: &mut Simulation,
    p: &Params,
    now: SimTime,
) -> Result<String, CommandError> {
    let op = "CreateFargateProfile";
    let cname = p.one("cluster-name")?;
    let fp = p.one("fargate-profile-name")?;
    let c = active_cluster(sim, op, &cname)?.clone();
    if c.fargate_profiles.contains_key(&fp) {
        return Err(aws_error(
            "ResourceInUseException",
            op,
            format!("A Fargate Profile already exists with this name: {fp}"),
        ));
    }
    if let Some(busy) = c
        .fargate_profiles
        .values()
        .find(|x| x.status == "CREATING" || x.status == "DELETING")
    {
        return Err(aws_error(
            "ResourceInUseException",
            op,
            format!(
                "Cannot create Fargate Profile {fp} because cluster {cname} currently has Fargate profile {} in status {}",
                busy.name, busy.status
            ),
        ));
    }
    let mut selectors = Vec::new();
    if let Some(v) = p.structure("selectors", &sim.state().workspace)? {
        for sel in as_list(v) {
            let Some(ns) = str_field(&sel, "namespace").filter(|n| !n.is_empty()) else {
                return Err(aws_error(
                    "InvalidParameterException",
                    op,
                    "Fargate Profile selector must specify a namespace",
                ));
            };
            selectors.push(FargateSelector {
                namespace: ns,
                labels: sel.get("labels").map(string_map).unwrap_or_default(),
            });
        }
    }
    if selectors.is_empty() {
        return Err(aws_error(
            "InvalidParameterException",
            op,
            "Fargate Profile must have at least one selector",
        ));
    }
    if selectors.len() > 5 {
        return Err(aws_error(
            "InvalidParameterException",
            op,
            "Fargate Profile can have at most 5 selectors",
        ));
    }
    let mut subnets = p.list("subnets");
    let subnets_given = !subnets.is_empty();
    if subnets.is_empty() {
        subnets = c.subnets.clone();
    }
    check_subnets(sim, op, &subnets)?;
    let role = p.opt("pod-execution-role-arn")?;
    let f = FargateProfile {
        name: fp.clone(),
        id: model::uuid_from(&format!("fargateprofile/{cname}/{fp}/{}", now.as_millis())),
        status: "CREATING".into(),
        created_at: now,
        pod_execution_role_arn: role.clone().unwrap_or(DEFAULT_POD_EXECUTION_ROLE.into()),
        subnets,
        selectors,
    };
    let json = pretty(obj([("fargateProfile", profile_json(&cname, &f))]));
    let mut notes = Vec::new();
    if role.is_none() {
        notes.push(format!(
            "--pod-execution-role-arn not given: the simulator assumes {DEFAULT_POD_EXECUTION_ROLE} (the real CLI requires it)"
        ));
    }
    if !subnets_given {
        notes.push("--subnets not given: the cluster's subnets are used (real Fargate profiles accept private subnets only; the simulator does not model routing)".to_string());
    }
    let sel: Vec<String> = f.selectors.iter().map(|s| s.describe()).collect();
    record(
        sim,
        ObjectRef::new("fargateprofile", &fp),
        "CreatingFargateProfile",
        format!(
            "eks:CreateFargateProfile {fp}: once ACTIVE (about {}), pods created with {} run on AWS Fargate, each on its own micro-VM billed per vCPU and GB-hour; pods elsewhere keep using the node groups.{}",
            model::FARGATE_PROFILE_CHANGE,
            sel.join(" or "),
            if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join("; "))
            }
        ),
    );
    let mut c = c;
    c.fargate_profiles.insert(fp.clone(), f);
    sim.apply_command_effects(vec![
        put(c),
        eks_later(
            model::FARGATE_PROFILE_CHANGE,
            EksTask::FargateProfileSettled {
                cluster: cname,
                profile: fp,
            },
        ),
    ]);
    Ok(json)
}

/// What a waiter sees: `Ok(true)` done, `Ok(false)` keep polling, `Err` a terminal
/// failure (the reason, as botocore words it).
fn waiter_state(sim: &Simulation, waiter: &str, p: &Params) -> Result<bool, String> {
    let eks = &sim.state().aws.eks;
    let name = |k: &str| p.opt(k).ok().flatten().unwrap_or_default();
    let active = |status: Option<&str>, path: &str, missing: String| match status {
        Some("ACTIVE") => Ok(true),
        Some("DELETING") => Err(format!(
            "Waiter encountered a terminal failure state: For expression \"{path}\" we matched expected path: \"DELETING\""
        )),
        Some(_) => Ok(false),
        None => Err(format!(
            "An error occurred (ResourceNotFoundException): {missing}"
        )),
    };
    let cluster = eks.get(&name("cluster-name"));
    match waiter {
        "cluster-active" => {
            let n = name("name");
            active(
                eks.get(&n).map(|c| c.status.as_str()),
                "cluster.status",
                format!("No cluster found for name: {n}."),
            )
        }
        "cluster-deleted" => Ok(!eks.contains_key(&name("name"))),
        "nodegroup-active" => {
            let n = name("nodegroup-name");
            active(
                cluster
                    .and_then(|c| c.node_groups.get(&n))
                    .map(|g| g.status.as_str()),
                "nodegroup.status",
                format!("No node group found for name: {n}."),
            )
        }
        "nodegroup-deleted" => {
            Ok(cluster.is_none_or(|c| !c.node_groups.contains_key(&name("nodegroup-name"))))
        }
        "fargate-profile-active" => {
            let n = name("fargate-profile-name");
            active(
                cluster
                    .and_then(|c| c.fargate_profiles.get(&n))
                    .map(|f| f.status.as_str()),
                "fargateProfile.status",
                format!("No Fargate Profile found with name: {n}."),
            )
        }
        _ => Ok(cluster.is_none_or(|c| {
            !c.fargate_profiles
                .contains_key(&name("fargate-profile-name"))
        })),
    }
}

/// `aws eks wait WAITER`: polls every `delay` seconds (simulated time passes between
/// polls) until the state is reached, a terminal state is seen, or attempts run out.
fn wait(sim: &mut Simulation, waiter: &str, p: &Params) -> Result<String, CommandError> {
    let Some(&(_, delay, attempts)) = WAITERS.iter().find(|(n, ..)| *n == waiter) else {
        return Err(CommandError::new(format!(
            "aws eks wait {waiter}: not modelled"
        )));
    };
    let required: &[&str] = match waiter {
        "cluster-active" | "cluster-deleted" => &["name"],
        "nodegroup-active" | "nodegroup-deleted" => &["cluster-name", "nodegroup-name"],
        _ => &["cluster-name", "fargate-profile-name"],
    };
    for r in required {
        p.one(r)?;
    }
    let camel: String = waiter
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    let start = sim.now();
    for attempt in 1..=attempts {
        match waiter_state(sim, waiter, p) {
            Ok(true) => return Ok(String::new()),
            Err(why) => {
                let msg = format!("\nWaiter {camel} failed: {why}");
                return Err(if sim.now() > start {
                    CommandError::after_waiting(msg)
                } else {
                    CommandError::new(msg)
                });
            }
            Ok(false) if attempt < attempts => {
                let next = sim.now().after(SimDuration::from_secs(delay));
                sim.run_until(next);
            }
            Ok(false) => {}
        }
    }
    Err(CommandError::after_waiting(format!(
        "\nWaiter {camel} failed: Max attempts exceeded"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    fn params(words: &[&str]) -> Params {
        let v: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        Params::parse(&v).unwrap()
    }

    #[test]
    fn eks_waiters_poll_in_simulated_time() {
        let mut s = Simulation::new(&Scenario::named("eks").unwrap());
        let e = run(&mut s, "wait cluster-active", &params(&["--name", "demo"])).unwrap_err();
        assert!(
            e.to_string()
                .contains("Waiter ClusterActive failed: An error occurred (ResourceNotFoundException): No cluster found for name: demo."),
            "{e}"
        );
        s.run("aws eks create-cluster --name demo").unwrap();
        assert_eq!(
            run(&mut s, "wait cluster-active", &params(&["--name", "demo"])).unwrap(),
            ""
        );
        // Polled every 30 s: ACTIVE is seen at the 21st poll, at 10 minutes.
        assert_eq!(s.now(), SimTime(600_000));
        s.run("aws eks create-nodegroup --cluster-name demo --nodegroup-name ng --instance-types m5.large --scaling-config minSize=1,maxSize=2,desiredSize=1")
            .unwrap();
        run(
            &mut s,
            "wait nodegroup-active",
            &params(&["--cluster-name", "demo", "--nodegroup-name", "ng"]),
        )
        .unwrap();
        assert_eq!(s.now(), SimTime(750_000));
        assert_eq!(s.state().aws.eks["demo"].node_groups["ng"].status, "ACTIVE");
    }
}
