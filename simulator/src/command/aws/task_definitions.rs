//! `aws ecs` task definition operations: `register-task-definition`,
//! `describe-task-definition`, `list-task-definitions`, `list-task-definition-families`
//! and `deregister-task-definition`.
//!
//! Registration reads the input like the AWS CLI (`--cli-input-json` as JSON or
//! `file://…` from the workspace, then the individual flags on top), checks it with
//! [`crate::ecs::validation`] (the CLI's parameter validation, then the service's rules),
//! and appends the next revision of the family. A refused input changes nothing.
//! Responses are the CLI's JSON with the fields in the API's order (`TaskDefinition`:
//! `taskDefinitionArn`, `containerDefinitions`, `family`, …, `registeredAt`,
//! `registeredBy`), with the defaults ECS fills in (`cpu: 0`, `essential`, empty
//! `environment`/`mountPoints`/`volumesFrom`, host ports under `awsvpc`).

use super::json::{J, obj, s, strs};
use super::params::{Params, aws_error, usage_error};
use crate::command::CommandError;
use crate::ecs::task_definition::{ContainerDefinition, PortMapping, TaskDefinition};
use crate::ecs::validation::{self, AwsError};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::simulation::Simulation;
use serde_json::{Map, Value};

/// Operations and the parameters each accepts (the same lists `aws ecs` parses with).
pub const OPERATIONS: &[super::Operation] = &[
    (
        "register-task-definition",
        &[
            "cli-input-json",
            "family",
            "container-definitions",
            "network-mode",
            "requires-compatibilities",
            "cpu",
            "memory",
            "execution-role-arn",
            "task-role-arn",
            "volumes",
            "placement-constraints",
            "tags",
        ],
    ),
    ("describe-task-definition", &["task-definition", "include"]),
    (
        "list-task-definitions",
        &["family-prefix", "status", "sort"],
    ),
    (
        "list-task-definition-families",
        &["family-prefix", "status"],
    ),
    ("deregister-task-definition", &["task-definition"]),
];

/// Who ECS says registered a revision (`registeredBy`): the account's root user, the
/// identity the simulator's CLI acts as.
pub fn registered_by() -> String {
    format!("arn:aws:iam::{}:root", crate::ecs::ACCOUNT)
}

/// Runs one operation.
pub fn run(sim: &mut Simulation, operation: &str, p: &Params) -> Result<String, CommandError> {
    match operation {
        "register-task-definition" => register(sim, p),
        "describe-task-definition" => describe(sim, p),
        "list-task-definitions" => list(sim, p),
        "list-task-definition-families" => families(sim, p),
        "deregister-task-definition" => deregister(sim, p),
        _ => Err(CommandError::new(format!(
            "aws ecs {operation}: not a task definition operation"
        ))),
    }
}

fn api_error(e: &AwsError, operation: &str) -> CommandError {
    CommandError::new(e.cli(operation))
}

/// The `--cli-input-json` document: JSON text, or `file://PATH` from the workspace.
fn cli_input_json(sim: &Simulation, text: &str) -> Result<Value, CommandError> {
    let text = match text.strip_prefix("file://") {
        Some(path) => sim.state().workspace.get(path).ok_or_else(|| {
            CommandError::new(format!(
                "\nError parsing parameter '--cli-input-json': Unable to load paramfile file://{path}: [Errno 2] No such file or directory: '{path}'"
            ))
        })?,
        None => text,
    };
    serde_json::from_str(text).map_err(|e| {
        CommandError::new(format!(
            "\nError parsing parameter '--cli-input-json': Invalid JSON: {e}\nJSON received: {text}"
        ))
    })
}

/// A list-of-structures flag: a single structure becomes a one-element list.
fn structures(sim: &Simulation, p: &Params, name: &str) -> Result<Option<Value>, CommandError> {
    Ok(match p.structure(name, &sim.state().workspace)? {
        Some(Value::Object(o)) => Some(Value::Array(vec![Value::Object(o)])),
        other => other,
    })
}

/// The request document: `--cli-input-json`, with the individual flags on top.
fn register_input(sim: &Simulation, p: &Params) -> Result<Value, CommandError> {
    let base = match p.opt("cli-input-json")? {
        Some(text) => Some(cli_input_json(sim, &text)?),
        None => {
            let missing: Vec<&str> = ["family", "container-definitions"]
                .into_iter()
                .filter(|f| !p.has(f))
                .map(|f| match f {
                    "family" => "--family",
                    _ => "--container-definitions",
                })
                .collect();
            if !missing.is_empty() {
                return Err(usage_error(&format!(
                    "the following arguments are required: {}",
                    missing.join(", ")
                )));
            }
            None
        }
    };
    let mut doc = match base {
        None => Map::new(),
        Some(Value::Object(m)) => m,
        // Not an object: the CLI's parameter validation reports it.
        Some(other) => return Ok(other),
    };
    for (flag, member) in [
        ("family", "family"),
        ("network-mode", "networkMode"),
        ("cpu", "cpu"),
        ("memory", "memory"),
        ("execution-role-arn", "executionRoleArn"),
        ("task-role-arn", "taskRoleArn"),
    ] {
        if let Some(v) = p.opt(flag)? {
            doc.insert(member.into(), Value::String(v));
        }
    }
    if p.has("requires-compatibilities") {
        let list = p.list("requires-compatibilities");
        doc.insert(
            "requiresCompatibilities".into(),
            Value::Array(list.into_iter().map(Value::String).collect()),
        );
    }
    for (flag, member) in [
        ("container-definitions", "containerDefinitions"),
        ("volumes", "volumes"),
        ("placement-constraints", "placementConstraints"),
        ("tags", "tags"),
    ] {
        if let Some(v) = structures(sim, p, flag)? {
            doc.insert(member.into(), v);
        }
    }
    Ok(Value::Object(doc))
}

fn register(sim: &mut Simulation, p: &Params) -> Result<String, CommandError> {
    const OP: &str = "RegisterTaskDefinition";
    let doc = register_input(sim, p)?;
    let input = validation::parse_task_definition_input(&doc).map_err(|e| api_error(&e, OP))?;
    let registered = validation::register_task_definition(&input).map_err(|e| api_error(&e, OP))?;
    let now = sim.now();
    let family = input.family.clone();
    let revisions = sim
        .world_mut()
        .aws
        .task_definitions
        .entry(family.clone())
        .or_default();
    let revision = u32::try_from(revisions.len() + 1).unwrap_or(u32::MAX);
    let td = TaskDefinition::new(input, revision, &registered, now);
    revisions.push(td.clone());
    let fargate = if td.is_compatible("FARGATE") {
        "runs on EC2 or Fargate"
    } else {
        "runs on EC2 only (Fargate needs awsvpc and a Fargate task size)"
    };
    sim.record(EventDraft::new(
        Source::of(Component::Ecs),
        ObjectRef::new("task-definition", td.family_revision()),
        "TaskDefinitionRegistered",
        format!(
            "Registered {} ({} container{}, {} CPU units, {} MiB): {fargate}",
            td.family_revision(),
            td.input.container_definitions.len(),
            if td.input.container_definitions.len() == 1 {
                ""
            } else {
                "s"
            },
            td.cpu_units,
            td.memory_mib
        ),
    ));
    let mut fields = vec![("taskDefinition".to_string(), task_definition_json(&td))];
    if let Some(tags) = td.input.other.get("tags") {
        fields.push(("tags".into(), value_json(tags)));
    }
    Ok(J::Obj(fields).pretty() + "\n")
}

fn describe(sim: &mut Simulation, p: &Params) -> Result<String, CommandError> {
    let reference = p.one("task-definition")?;
    let include_tags = p.list("include").iter().any(|i| i == "TAGS");
    let td = sim.state().aws.task_definition(&reference).ok_or_else(|| {
        aws_error(
            "ClientException",
            "DescribeTaskDefinition",
            "Unable to describe task definition.",
        )
    })?;
    let mut fields = vec![("taskDefinition".to_string(), task_definition_json(td))];
    if include_tags {
        let tags = td
            .input
            .other
            .get("tags")
            .map_or(J::Arr(Vec::new()), value_json);
        fields.push(("tags".into(), tags));
    }
    Ok(J::Obj(fields).pretty() + "\n")
}

/// An enum parameter the API checks (`--status`, `--sort`).
fn choice(
    p: &Params,
    flag: &str,
    member: &str,
    allowed: &[&str],
    default: &'static str,
    op: &str,
) -> Result<String, CommandError> {
    let v = p.opt(flag)?.unwrap_or_else(|| default.to_string());
    if allowed.contains(&v.as_str()) {
        Ok(v)
    } else {
        Err(aws_error(
            "InvalidParameterException",
            op,
            format!(
                "1 validation error detected: Value '{v}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                allowed.join(", ")
            ),
        ))
    }
}

/// `list-task-definitions`: ARNs of the revisions with the given status (ACTIVE by
/// default), by family then revision, `--sort DESC` reversing. `--family-prefix` is,
/// despite its name, the full family name (API reference, `ListTaskDefinitions`:
/// "The full family name to filter the ListTaskDefinitions results with").
fn list(sim: &mut Simulation, p: &Params) -> Result<String, CommandError> {
    const OP: &str = "ListTaskDefinitions";
    let status = choice(
        p,
        "status",
        "status",
        &["ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"],
        "ACTIVE",
        OP,
    )?;
    let sort = choice(p, "sort", "sort", &["ASC", "DESC"], "ASC", OP)?;
    let family = p.opt("family-prefix")?;
    let mut arns: Vec<String> = sim
        .state()
        .aws
        .task_definitions
        .iter()
        .filter(|(f, _)| family.as_ref().is_none_or(|x| x == *f))
        .flat_map(|(_, revs)| revs.iter())
        .filter(|td| td.status() == status)
        .map(TaskDefinition::arn)
        .collect();
    if sort == "DESC" {
        arns.reverse();
    }
    Ok(obj([("taskDefinitionArns", strs(arns))]).pretty() + "\n")
}

/// `list-task-definition-families`: family names starting with `--family-prefix`;
/// `--status ACTIVE` keeps families with an ACTIVE revision, `INACTIVE` those without
/// one, `ALL` (the default) both (API reference, `ListTaskDefinitionFamilies`).
fn families(sim: &mut Simulation, p: &Params) -> Result<String, CommandError> {
    let status = choice(
        p,
        "status",
        "status",
        &["ACTIVE", "INACTIVE", "ALL"],
        "ALL",
        "ListTaskDefinitionFamilies",
    )?;
    let prefix = p.opt("family-prefix")?.unwrap_or_default();
    let names: Vec<String> = sim
        .state()
        .aws
        .task_definitions
        .iter()
        .filter(|(f, _)| f.starts_with(&prefix))
        .filter(|(_, revs)| {
            let active = revs.iter().any(|t| t.active);
            match status.as_str() {
                "ACTIVE" => active,
                "INACTIVE" => !active,
                _ => true,
            }
        })
        .map(|(f, _)| f.clone())
        .collect();
    Ok(obj([("families", strs(names))]).pretty() + "\n")
}

/// `deregister-task-definition`: marks one revision INACTIVE. The API reference: "You
/// must specify a revision." Existing tasks and services keep running; new ones cannot
/// use it. Deregistering an INACTIVE revision again returns it unchanged.
fn deregister(sim: &mut Simulation, p: &Params) -> Result<String, CommandError> {
    const OP: &str = "DeregisterTaskDefinition";
    let reference = p.one("task-definition")?;
    let tail = reference
        .rsplit_once(":task-definition/")
        .map_or(reference.as_str(), |(_, r)| r);
    let Some((family, rev)) = tail.split_once(':') else {
        // Wording assumed, after the API reference's "You must specify a revision."
        return Err(aws_error(
            "ClientException",
            OP,
            "You must specify a revision.",
        ));
    };
    let Ok(rev) = rev.parse::<usize>() else {
        return Err(aws_error(
            "ClientException",
            OP,
            format!("Invalid revision number. Number: {rev}"),
        ));
    };
    let now = sim.now();
    let td = sim
        .world_mut()
        .aws
        .task_definitions
        .get_mut(family)
        .and_then(|revs| revs.get_mut(rev.checked_sub(1)?))
        .ok_or_else(|| aws_error("ClientException", OP, "Unable to describe task definition."))?;
    let changed = td.active;
    if changed {
        td.active = false;
        td.deregistered_at = Some(now);
    }
    let td = td.clone();
    if changed {
        sim.record(EventDraft::new(
            Source::of(Component::Ecs),
            ObjectRef::new("task-definition", td.family_revision()),
            "TaskDefinitionDeregistered",
            format!(
                "Deregistered {}: it is INACTIVE, so new tasks and services cannot use it; running tasks and services that already use it carry on",
                td.family_revision()
            ),
        ));
    }
    Ok(obj([("taskDefinition", task_definition_json(&td))]).pretty() + "\n")
}

// ---------------------------------------------------------------------------------------
// JSON, as `DescribeTaskDefinition` returns it.

/// A JSON value kept as given (`logConfiguration`, `volumes`, unmodelled members).
/// Non-integral numbers, which task definitions do not use, print as strings.
pub fn value_json(v: &Value) -> J {
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => n.as_i64().map_or_else(|| J::Str(n.to_string()), J::Int),
        Value::String(x) => s(x.clone()),
        Value::Array(a) => J::Arr(a.iter().map(value_json).collect()),
        Value::Object(m) => J::Obj(m.iter().map(|(k, x)| (k.clone(), value_json(x))).collect()),
    }
}

fn port_mapping_json(p: &PortMapping, network_mode: &str) -> J {
    let mut f: Vec<(String, J)> = Vec::new();
    if let Some(cp) = p.container_port {
        f.push(("containerPort".into(), J::Int(cp)));
    }
    // awsvpc and host: the host port is the container port; bridge: 0 = dynamic.
    let host = p.host_port.or(match network_mode {
        "awsvpc" | "host" => p.container_port,
        "bridge" => Some(0),
        _ => None,
    });
    if let Some(h) = host {
        f.push(("hostPort".into(), J::Int(h)));
    }
    f.push((
        "protocol".into(),
        s(p.protocol.clone().unwrap_or_else(|| "tcp".into())),
    ));
    if let Some(n) = &p.name {
        f.push(("name".into(), s(n.clone())));
    }
    if let Some(a) = &p.app_protocol {
        f.push(("appProtocol".into(), s(a.clone())));
    }
    J::Obj(f)
}

/// One container as ECS returns it: members in the API model's order, with the
/// defaults ECS fills in.
pub fn container_json(c: &ContainerDefinition, network_mode: &str) -> J {
    let mut f: Vec<(String, J)> = Vec::new();
    let other = |k: &str| c.other.get(k).map(value_json);
    for member in validation::container_definition_members() {
        let v = match member {
            "name" => c.name.clone().map(s),
            "image" => c.image.clone().map(s),
            "cpu" => Some(J::Int(c.cpu.unwrap_or(0))),
            "memory" => c.memory.map(J::Int),
            "memoryReservation" => c.memory_reservation.map(J::Int),
            "portMappings" => Some(J::Arr(
                c.port_mappings
                    .iter()
                    .map(|p| port_mapping_json(p, network_mode))
                    .collect(),
            )),
            "essential" => Some(J::Bool(c.is_essential())),
            "entryPoint" => c.entry_point.clone().map(strs),
            "command" => c.command.clone().map(strs),
            "environment" => Some(J::Arr(
                c.environment
                    .iter()
                    .map(|kv| {
                        let mut o = Vec::new();
                        if let Some(n) = &kv.name {
                            o.push(("name".to_string(), s(n.clone())));
                        }
                        if let Some(v) = &kv.value {
                            o.push(("value".to_string(), s(v.clone())));
                        }
                        J::Obj(o)
                    })
                    .collect(),
            )),
            "mountPoints" | "volumesFrom" | "systemControls" => {
                Some(other(member).unwrap_or(J::Arr(Vec::new())))
            }
            "secrets" if !c.secrets.is_empty() => Some(J::Arr(
                c.secrets
                    .iter()
                    .map(|x| {
                        obj([
                            ("name", s(x.name.clone())),
                            ("valueFrom", s(x.value_from.clone())),
                        ])
                    })
                    .collect(),
            )),
            "secrets" => None,
            "logConfiguration" => c.log_configuration.as_ref().map(value_json),
            "healthCheck" => c.health_check.as_ref().map(|h| {
                let mut o = vec![
                    ("command".to_string(), strs(h.command.clone())),
                    ("interval".to_string(), J::Int(h.interval.unwrap_or(30))),
                    ("timeout".to_string(), J::Int(h.timeout.unwrap_or(5))),
                    ("retries".to_string(), J::Int(h.retries.unwrap_or(3))),
                ];
                if let Some(sp) = h.start_period {
                    o.push(("startPeriod".to_string(), J::Int(sp)));
                }
                J::Obj(o)
            }),
            _ => other(member),
        };
        if let Some(v) = v {
            f.push((member.to_string(), v));
        }
    }
    J::Obj(f)
}

/// A registered revision as `DescribeTaskDefinition` returns it (`taskDefinition`).
pub fn task_definition_json(td: &TaskDefinition) -> J {
    let i = &td.input;
    let mode = td.network_mode();
    let other = |k: &str| i.other.get(k).map(value_json);
    let mut f: Vec<(&str, Option<J>)> = vec![
        ("taskDefinitionArn", Some(s(td.arn()))),
        (
            "containerDefinitions",
            Some(J::Arr(
                i.container_definitions
                    .iter()
                    .map(|c| container_json(c, mode))
                    .collect(),
            )),
        ),
        ("family", Some(s(i.family.clone()))),
        ("taskRoleArn", i.task_role_arn.clone().map(s)),
        ("executionRoleArn", i.execution_role_arn.clone().map(s)),
        ("networkMode", Some(s(mode))),
        ("revision", Some(J::Int(i64::from(td.revision)))),
        (
            "volumes",
            Some(J::Arr(i.volumes.iter().map(value_json).collect())),
        ),
        ("status", Some(s(td.status()))),
    ];
    let attributes = td.requires_attributes();
    f.push((
        "requiresAttributes",
        (!attributes.is_empty()).then(|| {
            J::Arr(
                attributes
                    .into_iter()
                    .map(|a| obj([("name", s(a))]))
                    .collect(),
            )
        }),
    ));
    f.push((
        "placementConstraints",
        Some(J::Arr(
            i.placement_constraints
                .iter()
                .map(|pc| {
                    let mut o = vec![("type".to_string(), s(pc.kind.clone()))];
                    if let Some(e) = &pc.expression {
                        o.push(("expression".to_string(), s(e.clone())));
                    }
                    J::Obj(o)
                })
                .collect(),
        )),
    ));
    f.push(("compatibilities", Some(strs(td.compatibilities.clone()))));
    f.push(("runtimePlatform", other("runtimePlatform")));
    f.push((
        "requiresCompatibilities",
        (!i.requires_compatibilities.is_empty()).then(|| strs(i.requires_compatibilities.clone())),
    ));
    // ECS converts `1 vCPU` / `1 GB` to units and MiB when it registers.
    f.push(("cpu", i.cpu.as_ref().map(|_| s(td.cpu_units.to_string()))));
    f.push((
        "memory",
        i.memory.as_ref().map(|_| s(td.memory_mib.to_string())),
    ));
    for k in [
        "inferenceAccelerators",
        "pidMode",
        "ipcMode",
        "proxyConfiguration",
    ] {
        f.push((k, other(k)));
    }
    f.push(("registeredAt", Some(s(super::ecr::iso(td.registered_at)))));
    f.push((
        "deregisteredAt",
        td.deregistered_at.map(|t| s(super::ecr::iso(t))),
    ));
    f.push(("registeredBy", Some(s(registered_by()))));
    for k in ["ephemeralStorage", "enableFaultInjection"] {
        f.push((k, other(k)));
    }
    J::Obj(
        f.into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;
    use crate::workspace::Workspace;

    const WEB: &str = r#"{
        "family": "web",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "containerDefinitions": [{
            "name": "web",
            "image": "nginx:1.27",
            "portMappings": [{"containerPort": 80}],
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web"}}
        }]
    }"#;

    fn sim() -> Simulation {
        let mut ws = Workspace::new();
        ws.insert("web.json", WEB);
        ws.insert(
            "bad.json",
            r#"{"family": "web", "containerDefinitions": [], "foo": 1}"#,
        );
        ws.insert("notjson.json", "{ nope");
        Simulation::new(&Scenario::named("empty").unwrap().with_workspace(ws))
    }

    fn run(sim: &mut Simulation, line: &str) -> Result<String, String> {
        sim.run(line).map(|a| a.output).map_err(|e| e.to_string())
    }

    fn json(out: &str) -> Value {
        serde_json::from_str(out).unwrap()
    }

    #[test]
    fn register_from_a_file_and_describe() {
        let mut sim = sim();
        let out = run(
            &mut sim,
            "aws ecs register-task-definition --cli-input-json file://web.json",
        )
        .unwrap();
        let v = json(&out);
        let td = &v["taskDefinition"];
        assert_eq!(
            td["taskDefinitionArn"],
            "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
        );
        assert_eq!(td["revision"], 1);
        assert_eq!(td["status"], "ACTIVE");
        assert_eq!(td["compatibilities"], serde_json::json!(["EC2", "FARGATE"]));
        assert_eq!(
            td["requiresCompatibilities"],
            serde_json::json!(["FARGATE"])
        );
        assert_eq!(td["cpu"], "256");
        assert_eq!(td["memory"], "512");
        assert_eq!(td["registeredBy"], "arn:aws:iam::123456789012:root");
        let c = &td["containerDefinitions"][0];
        assert_eq!(c["cpu"], 0);
        assert_eq!(c["essential"], true);
        assert_eq!(
            c["portMappings"][0],
            serde_json::json!({"containerPort": 80, "hostPort": 80, "protocol": "tcp"})
        );
        assert_eq!(c["environment"], serde_json::json!([]));
        assert_eq!(c["mountPoints"], serde_json::json!([]));
        let attrs: Vec<&str> = td["requiresAttributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            attrs,
            [
                "com.amazonaws.ecs.capability.logging-driver.awslogs",
                "ecs.capability.execution-role-awslogs",
                "com.amazonaws.ecs.capability.docker-remote-api.1.19",
                "com.amazonaws.ecs.capability.docker-remote-api.1.18",
                "ecs.capability.task-eni"
            ]
        );
        // Field order follows the API.
        let keys: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("        \"") && !l.starts_with("         "))
            .map(|l| l.trim().split('"').nth(1).unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "taskDefinitionArn",
                "containerDefinitions",
                "family",
                "executionRoleArn",
                "networkMode",
                "revision",
                "volumes",
                "status",
                "requiresAttributes",
                "placementConstraints",
                "compatibilities",
                "requiresCompatibilities",
                "cpu",
                "memory",
                "registeredAt",
                "registeredBy"
            ]
        );
        assert!(out.starts_with("{\n    \"taskDefinition\": {\n        \"taskDefinitionArn\""));
        let ev = sim.log().events().last().unwrap();
        assert_eq!(ev.kind, "TaskDefinitionRegistered");

        let described = run(
            &mut sim,
            "aws ecs describe-task-definition --task-definition web",
        )
        .unwrap();
        assert_eq!(described, out);
        let by_arn = run(
            &mut sim,
            "aws ecs describe-task-definition --task-definition arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
        )
        .unwrap();
        assert_eq!(by_arn, out);
        let tags = run(
            &mut sim,
            "aws ecs describe-task-definition --task-definition web:1 --include TAGS",
        )
        .unwrap();
        assert_eq!(json(&tags)["tags"], serde_json::json!([]));
    }

    #[test]
    fn revisions_count_up_and_deregistration_keeps_them() {
        let mut sim = sim();
        for _ in 0..3 {
            run(
                &mut sim,
                "aws ecs register-task-definition --cli-input-json file://web.json",
            )
            .unwrap();
        }
        let latest = json(
            &run(
                &mut sim,
                "aws ecs describe-task-definition --task-definition web",
            )
            .unwrap(),
        );
        assert_eq!(latest["taskDefinition"]["revision"], 3);
        let out = json(
            &run(
                &mut sim,
                "aws ecs deregister-task-definition --task-definition web:3",
            )
            .unwrap(),
        );
        assert_eq!(out["taskDefinition"]["status"], "INACTIVE");
        assert!(out["taskDefinition"]["deregisteredAt"].is_string());
        // The family's latest ACTIVE revision is now 2; 3 stays readable.
        let latest = json(
            &run(
                &mut sim,
                "aws ecs describe-task-definition --task-definition web",
            )
            .unwrap(),
        );
        assert_eq!(latest["taskDefinition"]["revision"], 2);
        let three = json(
            &run(
                &mut sim,
                "aws ecs describe-task-definition --task-definition web:3",
            )
            .unwrap(),
        );
        assert_eq!(three["taskDefinition"]["status"], "INACTIVE");
        // The next registration is revision 4.
        let four = json(
            &run(
                &mut sim,
                "aws ecs register-task-definition --cli-input-json file://web.json",
            )
            .unwrap(),
        );
        assert_eq!(four["taskDefinition"]["revision"], 4);

        let arns = |out: String| -> Vec<String> {
            json(&out)["taskDefinitionArns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().rsplit('/').next().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            arns(run(&mut sim, "aws ecs list-task-definitions").unwrap()),
            ["web:1", "web:2", "web:4"]
        );
        assert_eq!(
            arns(run(&mut sim, "aws ecs list-task-definitions --status INACTIVE").unwrap()),
            ["web:3"]
        );
        assert_eq!(
            arns(
                run(
                    &mut sim,
                    "aws ecs list-task-definitions --sort DESC --family-prefix web"
                )
                .unwrap()
            ),
            ["web:4", "web:2", "web:1"]
        );
        // --family-prefix is the full family name.
        assert_eq!(
            arns(run(&mut sim, "aws ecs list-task-definitions --family-prefix we").unwrap()),
            Vec::<String>::new()
        );
        let e = run(&mut sim, "aws ecs list-task-definitions --status GONE").unwrap_err();
        assert!(e.contains("(InvalidParameterException) when calling the ListTaskDefinitions"));

        // Deregistering twice is harmless; family-only or unknown revisions are refused.
        assert!(
            run(
                &mut sim,
                "aws ecs deregister-task-definition --task-definition web:3"
            )
            .is_ok()
        );
        let e = run(
            &mut sim,
            "aws ecs deregister-task-definition --task-definition web",
        )
        .unwrap_err();
        assert!(e.contains("DeregisterTaskDefinition operation: You must specify a revision."));
        let e = run(
            &mut sim,
            "aws ecs deregister-task-definition --task-definition web:9",
        )
        .unwrap_err();
        assert!(e.ends_with("Unable to describe task definition."));
        let e = run(
            &mut sim,
            "aws ecs deregister-task-definition --task-definition web:x",
        )
        .unwrap_err();
        assert!(e.ends_with("Invalid revision number. Number: x"));
    }

    #[test]
    fn families() {
        let mut sim = sim();
        run(
            &mut sim,
            "aws ecs register-task-definition --cli-input-json file://web.json",
        )
        .unwrap();
        run(
            &mut sim,
            r#"aws ecs register-task-definition --family worker --container-definitions name=w,image=busybox,memory=64"#,
        )
        .unwrap();
        run(
            &mut sim,
            "aws ecs deregister-task-definition --task-definition worker:1",
        )
        .unwrap();
        let fams = |out: String| json(&out)["families"].clone();
        assert_eq!(
            fams(run(&mut sim, "aws ecs list-task-definition-families").unwrap()),
            serde_json::json!(["web", "worker"])
        );
        assert_eq!(
            fams(
                run(
                    &mut sim,
                    "aws ecs list-task-definition-families --status ACTIVE"
                )
                .unwrap()
            ),
            serde_json::json!(["web"])
        );
        assert_eq!(
            fams(
                run(
                    &mut sim,
                    "aws ecs list-task-definition-families --status INACTIVE"
                )
                .unwrap()
            ),
            serde_json::json!(["worker"])
        );
        assert_eq!(
            fams(
                run(
                    &mut sim,
                    "aws ecs list-task-definition-families --family-prefix wo"
                )
                .unwrap()
            ),
            serde_json::json!(["worker"])
        );
    }

    #[test]
    fn register_from_flags() {
        let mut sim = sim();
        let out = run(
            &mut sim,
            r#"aws ecs register-task-definition --family api --network-mode awsvpc --requires-compatibilities FARGATE --cpu "1 vCPU" --memory "2 GB" --task-role-arn arn:aws:iam::123456789012:role/app --container-definitions '[{"name":"api","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1","portMappings":[{"containerPort":8080}],"healthCheck":{"command":["CMD-SHELL","curl -f http://localhost:8080/ || exit 1"]}}]'"#,
        )
        .unwrap();
        let td = &json(&out)["taskDefinition"];
        assert_eq!(td["cpu"], "1024");
        assert_eq!(td["memory"], "2048");
        assert_eq!(td["taskRoleArn"], "arn:aws:iam::123456789012:role/app");
        assert_eq!(
            td["containerDefinitions"][0]["healthCheck"],
            serde_json::json!({"command": ["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"], "interval": 30, "timeout": 5, "retries": 3})
        );
        let attrs = td["requiresAttributes"].to_string();
        assert!(attrs.contains("com.amazonaws.ecs.capability.ecr-auth"));
        assert!(attrs.contains("com.amazonaws.ecs.capability.task-iam-role"));
        assert!(attrs.contains("ecs.capability.container-health-check"));

        // Shorthand containers, several at once; bridge mode's dynamic host port is 0.
        let out = run(
            &mut sim,
            "aws ecs register-task-definition --family pair --container-definitions name=a,image=nginx,memory=128,portMappings=[{containerPort=80}] name=b,image=redis,memoryReservation=64,essential=false",
        )
        .unwrap();
        let td = &json(&out)["taskDefinition"];
        assert_eq!(td["networkMode"], "bridge");
        assert_eq!(td["compatibilities"], serde_json::json!(["EC2"]));
        assert_eq!(td["containerDefinitions"][1]["essential"], false);
        assert_eq!(
            td["containerDefinitions"][0]["portMappings"][0]["hostPort"],
            0
        );
        assert!(td.get("cpu").is_none());
        assert!(td.get("requiresCompatibilities").is_none());

        // Flags override the JSON document.
        let out = run(
            &mut sim,
            "aws ecs register-task-definition --cli-input-json file://web.json --family web2 --memory 1024",
        )
        .unwrap();
        let td = &json(&out)["taskDefinition"];
        assert_eq!(td["family"], "web2");
        assert_eq!(td["memory"], "1024");

        // Tags come back beside the task definition.
        let out = run(
            &mut sim,
            "aws ecs register-task-definition --cli-input-json file://web.json --tags key=team,value=web",
        )
        .unwrap();
        assert_eq!(
            json(&out)["tags"],
            serde_json::json!([{"key": "team", "value": "web"}])
        );
    }

    #[test]
    fn refusals_change_nothing() {
        let mut sim = sim();
        let before = sim.state().aws.clone();
        let events = sim.log().len();
        let e = run(
            &mut sim,
            "aws ecs register-task-definition --cli-input-json file://bad.json",
        )
        .unwrap_err();
        assert!(e.starts_with("\nParameter validation failed:\nUnknown parameter in input: \"foo\", must be one of: family, taskRoleArn,"), "{e}");
        let e = run(
            &mut sim,
            r#"aws ecs register-task-definition --family web --requires-compatibilities FARGATE --network-mode awsvpc --cpu 256 --memory 4096 --container-definitions name=web,image=nginx"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            "\nAn error occurred (ClientException) when calling the RegisterTaskDefinition operation: No Fargate configuration exists for given values: 256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values."
        );
        let e = run(&mut sim, "aws ecs register-task-definition --family web").unwrap_err();
        assert!(
            e.ends_with(
                "aws: error: the following arguments are required: --container-definitions"
            ),
            "{e}"
        );
        let e = run(
            &mut sim,
            "aws ecs register-task-definition --cli-input-json file://notjson.json",
        )
        .unwrap_err();
        assert!(
            e.starts_with("\nError parsing parameter '--cli-input-json': Invalid JSON:"),
            "{e}"
        );
        let e = run(
            &mut sim,
            "aws ecs register-task-definition --cli-input-json file://missing.json",
        )
        .unwrap_err();
        assert!(
            e.contains("Unable to load paramfile file://missing.json"),
            "{e}"
        );
        let e = run(
            &mut sim,
            "aws ecs describe-task-definition --task-definition nope",
        )
        .unwrap_err();
        assert_eq!(
            e,
            "\nAn error occurred (ClientException) when calling the DescribeTaskDefinition operation: Unable to describe task definition."
        );
        assert_eq!(sim.state().aws, before);
        assert_eq!(sim.log().len(), events);
    }

    #[test]
    fn value_json_keeps_shapes() {
        let v: Value =
            serde_json::from_str(r#"{"b": [1, true, null, "x"], "a": {"f": 1.5}}"#).unwrap();
        assert_eq!(
            value_json(&v).pretty(),
            "{\n    \"a\": {\n        \"f\": \"1.5\"\n    },\n    \"b\": [\n        1,\n        true,\n        null,\n        \"x\"\n    ]\n}"
        );
    }
}
