//! What the ECS API refuses, worded like the API: the error code (`ClientException`,
//! `InvalidParameterException`) and message the AWS CLI prints after
//! `An error occurred (CODE) when calling the OPERATION operation:`, and the AWS CLI's
//! own parameter validation (botocore `validate.py`), which runs before any request is
//! sent and prints `Parameter validation failed:` with one line per problem.
//!
//! Sources for the wording: the botocore templates (`Missing required parameter in …`,
//! `Unknown parameter in …, must be one of: …`, `Invalid type for parameter …`), the
//! member lists of the ECS API model (`RegisterTaskDefinitionRequest`,
//! `ContainerDefinition`, … in the order the model declares them), and the service
//! messages users have reported verbatim from `RegisterTaskDefinition` (e.g.
//! `No Fargate configuration exists for given values: 1024 CPU, 1024 memory. See the
//! Amazon ECS documentation for the valid values.`). Where no verbatim message is known
//! the rule is the documented one and the wording follows the API's style; those are
//! marked "wording assumed" below.

use super::task_definition::{ContainerDefinition, TaskDefinitionInput};
use serde_json::Value;
use std::collections::BTreeSet;

/// An AWS API error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    /// Error code (`ClientException`), or [`PARAM_VALIDATION`] for the CLI's own checks.
    pub code: &'static str,
    /// Message (for [`PARAM_VALIDATION`], one problem per line).
    pub message: String,
}

/// The pseudo-code of an error the AWS CLI finds itself, before calling the API.
pub const PARAM_VALIDATION: &str = "ParamValidation";
/// `ClientException`: the request is wrong (most task definition errors).
pub const CLIENT_EXCEPTION: &str = "ClientException";
/// `InvalidParameterException`: a parameter has a value the API does not accept.
pub const INVALID_PARAMETER: &str = "InvalidParameterException";

impl AwsError {
    /// An error with a code and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        AwsError {
            code,
            message: message.into(),
        }
    }

    /// The CLI's parameter validation failure, one problem per line.
    pub fn param_validation(lines: &[String]) -> Self {
        AwsError::new(PARAM_VALIDATION, lines.join("\n"))
    }

    /// A `ClientException`.
    fn client(message: impl Into<String>) -> Self {
        AwsError::new(CLIENT_EXCEPTION, message)
    }

    /// The text the AWS CLI prints for it.
    pub fn cli(&self, operation: &str) -> String {
        if self.code == PARAM_VALIDATION {
            format!("\nParameter validation failed:\n{}", self.message)
        } else {
            format!(
                "\nAn error occurred ({}) when calling the {operation} operation: {}",
                self.code, self.message
            )
        }
    }
}

/// What registration works out from a valid input: task CPU units, task memory MiB, and
/// the launch types it is compatible with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    /// CPU units (1024 = 1 vCPU).
    pub cpu_units: u64,
    /// Memory MiB.
    pub memory_mib: u64,
    /// `EC2`, and `FARGATE` when it meets Fargate's requirements.
    pub compatibilities: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// The CLI's parameter validation.

/// The type botocore checks a member against.
#[derive(Debug, Clone, Copy)]
enum Ty {
    /// A string.
    Str,
    /// An integer; the simulator also accepts a numeric string (`"memory": "256"`, as
    /// some published task definitions have it).
    Int,
    /// The task-level `cpu`/`memory`: a string, or (leniently) an integer.
    Scalar,
    /// A boolean.
    Bool,
    /// A list of strings.
    Strs,
    /// Not checked further (members the simulator keeps as given).
    Any,
    /// A structure.
    Struct(&'static Shape),
    /// A list of structures.
    List(&'static Shape),
}

/// A structure of the API model: its members in the model's order, and the required ones.
#[derive(Debug)]
struct Shape {
    members: &'static [(&'static str, Ty)],
    required: &'static [&'static str],
}

impl Shape {
    fn names(&self) -> Vec<&'static str> {
        self.members.iter().map(|(n, _)| *n).collect()
    }
}

const PORT_MAPPING: Shape = Shape {
    members: &[
        ("containerPort", Ty::Int),
        ("hostPort", Ty::Int),
        ("protocol", Ty::Str),
        ("name", Ty::Str),
        ("appProtocol", Ty::Str),
        ("containerPortRange", Ty::Str),
    ],
    required: &[],
};

const KEY_VALUE_PAIR: Shape = Shape {
    members: &[("name", Ty::Str), ("value", Ty::Str)],
    required: &[],
};

const SECRET: Shape = Shape {
    members: &[("name", Ty::Str), ("valueFrom", Ty::Str)],
    required: &["name", "valueFrom"],
};

const HEALTH_CHECK: Shape = Shape {
    members: &[
        ("command", Ty::Strs),
        ("interval", Ty::Int),
        ("timeout", Ty::Int),
        ("retries", Ty::Int),
        ("startPeriod", Ty::Int),
    ],
    required: &["command"],
};

const LOG_CONFIGURATION: Shape = Shape {
    members: &[
        ("logDriver", Ty::Str),
        ("options", Ty::Any),
        ("secretOptions", Ty::Any),
    ],
    required: &["logDriver"],
};

const PLACEMENT_CONSTRAINT: Shape = Shape {
    members: &[("type", Ty::Str), ("expression", Ty::Str)],
    required: &[],
};

const CONTAINER_DEFINITION: Shape = Shape {
    members: &[
        ("name", Ty::Str),
        ("image", Ty::Str),
        ("repositoryCredentials", Ty::Any),
        ("cpu", Ty::Int),
        ("memory", Ty::Int),
        ("memoryReservation", Ty::Int),
        ("links", Ty::Strs),
        ("portMappings", Ty::List(&PORT_MAPPING)),
        ("essential", Ty::Bool),
        ("restartPolicy", Ty::Any),
        ("entryPoint", Ty::Strs),
        ("command", Ty::Strs),
        ("environment", Ty::List(&KEY_VALUE_PAIR)),
        ("environmentFiles", Ty::Any),
        ("mountPoints", Ty::Any),
        ("volumesFrom", Ty::Any),
        ("linuxParameters", Ty::Any),
        ("secrets", Ty::List(&SECRET)),
        ("dependsOn", Ty::Any),
        ("startTimeout", Ty::Int),
        ("stopTimeout", Ty::Int),
        ("versionConsistency", Ty::Str),
        ("hostname", Ty::Str),
        ("user", Ty::Str),
        ("workingDirectory", Ty::Str),
        ("disableNetworking", Ty::Bool),
        ("privileged", Ty::Bool),
        ("readonlyRootFilesystem", Ty::Bool),
        ("dnsServers", Ty::Strs),
        ("dnsSearchDomains", Ty::Strs),
        ("extraHosts", Ty::Any),
        ("dockerSecurityOptions", Ty::Strs),
        ("interactive", Ty::Bool),
        ("pseudoTerminal", Ty::Bool),
        ("dockerLabels", Ty::Any),
        ("ulimits", Ty::Any),
        ("logConfiguration", Ty::Struct(&LOG_CONFIGURATION)),
        ("healthCheck", Ty::Struct(&HEALTH_CHECK)),
        ("systemControls", Ty::Any),
        ("resourceRequirements", Ty::Any),
        ("firelensConfiguration", Ty::Any),
        ("credentialSpecs", Ty::Strs),
    ],
    required: &[],
};

const REGISTER_TASK_DEFINITION: Shape = Shape {
    members: &[
        ("family", Ty::Str),
        ("taskRoleArn", Ty::Str),
        ("executionRoleArn", Ty::Str),
        ("networkMode", Ty::Str),
        ("containerDefinitions", Ty::List(&CONTAINER_DEFINITION)),
        ("volumes", Ty::Any),
        ("placementConstraints", Ty::List(&PLACEMENT_CONSTRAINT)),
        ("requiresCompatibilities", Ty::Strs),
        ("cpu", Ty::Scalar),
        ("memory", Ty::Scalar),
        ("tags", Ty::Any),
        ("pidMode", Ty::Str),
        ("ipcMode", Ty::Str),
        ("proxyConfiguration", Ty::Any),
        ("inferenceAccelerators", Ty::Any),
        ("ephemeralStorage", Ty::Any),
        ("runtimePlatform", Ty::Any),
        ("enableFaultInjection", Ty::Bool),
    ],
    required: &["family", "containerDefinitions"],
};

/// The members of `RegisterTaskDefinition`'s input, in the API model's order (what the
/// CLI lists after `must be one of:`).
pub fn task_definition_members() -> Vec<&'static str> {
    REGISTER_TASK_DEFINITION.names()
}

/// The members of a `ContainerDefinition`, in the API model's order.
pub fn container_definition_members() -> Vec<&'static str> {
    CONTAINER_DEFINITION.names()
}

/// Python's `str()` of a JSON value, as botocore puts it in `value: …`.
fn py(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, x)| format!("{}: {}", py_repr(&Value::String(k.clone())), py_repr(x)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Python's `repr()` (strings quoted) inside containers.
fn py_repr(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{s}'"),
        _ => py(v),
    }
}

/// Python's class name of a JSON value.
fn py_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<class 'NoneType'>",
        Value::Bool(_) => "<class 'bool'>",
        Value::Number(n) if n.is_i64() || n.is_u64() => "<class 'int'>",
        Value::Number(_) => "<class 'float'>",
        Value::String(_) => "<class 'str'>",
        Value::Array(_) => "<class 'list'>",
        Value::Object(_) => "<class 'dict'>",
    }
}

fn invalid_type(name: &str, v: &Value, valid: &str) -> String {
    format!(
        "Invalid type for parameter {name}, value: {}, type: {}, valid types: {valid}",
        py(v),
        py_type(v)
    )
}

/// `name.member` the way botocore names a nested parameter (top level: `member`).
fn member_path(name: &str, member: &str) -> String {
    if name.is_empty() {
        member.to_string()
    } else {
        format!("{name}.{member}")
    }
}

fn check_struct(v: &Value, shape: &Shape, name: &str, out: &mut Vec<String>) {
    let Some(obj) = v.as_object() else {
        out.push(invalid_type(
            if name.is_empty() { "input" } else { name },
            v,
            "<class 'dict'>",
        ));
        return;
    };
    let shown = if name.is_empty() { "input" } else { name };
    for r in shape.required {
        if !obj.contains_key(*r) {
            out.push(format!("Missing required parameter in {shown}: \"{r}\""));
        }
    }
    let mut known = Vec::new();
    for (k, x) in obj {
        match shape.members.iter().find(|(m, _)| m == k) {
            None => out.push(format!(
                "Unknown parameter in {shown}: \"{k}\", must be one of: {}",
                shape.names().join(", ")
            )),
            Some((_, ty)) => known.push((k, x, *ty)),
        }
    }
    for (k, x, ty) in known {
        check_value(x, ty, &member_path(name, k), out);
    }
}

fn check_value(v: &Value, ty: Ty, name: &str, out: &mut Vec<String>) {
    let numeric_string = |s: &str| s.trim().parse::<i64>().is_ok();
    match ty {
        Ty::Any => {}
        Ty::Str => {
            if !v.is_string() {
                out.push(invalid_type(name, v, "<class 'str'>"));
            }
        }
        Ty::Scalar => {
            if !(v.is_string() || v.is_i64() || v.is_u64()) {
                out.push(invalid_type(name, v, "<class 'str'>"));
            }
        }
        Ty::Int => {
            let ok = v.is_i64() || v.as_str().is_some_and(numeric_string);
            if !ok {
                out.push(invalid_type(name, v, "<class 'int'>"));
            }
        }
        Ty::Bool => {
            if !v.is_boolean() {
                out.push(invalid_type(name, v, "<class 'bool'>"));
            }
        }
        Ty::Strs => match v.as_array() {
            None => out.push(invalid_type(name, v, "<class 'list'>, <class 'tuple'>")),
            Some(items) => {
                for (i, x) in items.iter().enumerate() {
                    check_value(x, Ty::Str, &format!("{name}[{i}]"), out);
                }
            }
        },
        Ty::Struct(shape) => check_struct(v, shape, name, out),
        Ty::List(shape) => match v.as_array() {
            None => out.push(invalid_type(name, v, "<class 'list'>, <class 'tuple'>")),
            Some(items) => {
                for (i, x) in items.iter().enumerate() {
                    check_struct(x, shape, &format!("{name}[{i}]"), out);
                }
            }
        },
    }
}

/// Reads a `RegisterTaskDefinition` input (the `--cli-input-json` document, or the one
/// the individual flags build) the way the AWS CLI does: required members, unknown
/// members at every level it models, and member types, all reported at once like
/// botocore's `Parameter validation failed:`.
pub fn parse_task_definition_input(v: &Value) -> Result<TaskDefinitionInput, AwsError> {
    let mut lines = Vec::new();
    check_struct(v, &REGISTER_TASK_DEFINITION, "", &mut lines);
    if !lines.is_empty() {
        return Err(AwsError::param_validation(&lines));
    }
    serde_path_to_error::deserialize(v).map_err(|e| {
        AwsError::param_validation(&[format!(
            "Invalid value for parameter {}: {}",
            e.path(),
            e.inner()
        )])
    })
}

/// Unknown members that reached the flattened `other` maps (an input built without
/// [`parse_task_definition_input`]), reported like the CLI would have.
fn unknown_members(input: &TaskDefinitionInput) -> Vec<String> {
    let mut out = Vec::new();
    let top = task_definition_members();
    for k in input.other.keys() {
        if !top.contains(&k.as_str()) {
            out.push(format!(
                "Unknown parameter in input: \"{k}\", must be one of: {}",
                top.join(", ")
            ));
        }
    }
    let members = container_definition_members();
    for (i, c) in input.container_definitions.iter().enumerate() {
        for k in c.other.keys() {
            if !members.contains(&k.as_str()) {
                out.push(format!(
                    "Unknown parameter in containerDefinitions[{i}]: \"{k}\", must be one of: {}",
                    members.join(", ")
                ));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The service's checks.

/// Network modes the API knows.
pub const NETWORK_MODES: [&str; 4] = ["bridge", "host", "awsvpc", "none"];
/// Launch types `requiresCompatibilities` may name.
pub const COMPATIBILITIES: [&str; 4] = ["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"];
/// The task-level CPU range on EC2 (API reference, `RegisterTaskDefinition` `cpu`:
/// "between 128 CPU units (0.125 vCPUs) and 196608 CPU units (192 vCPUs)").
pub const EC2_TASK_CPU: std::ops::RangeInclusive<u64> = 128..=196_608;
/// The smallest hard memory limit of a container, MiB (API reference,
/// `ContainerDefinition` `memory`: the Docker daemon reserves a minimum of 6 MiB).
pub const MIN_CONTAINER_MEMORY_MIB: i64 = 6;

/// Letters, digits, hyphens and underscores, 1–255 of them (the API reference's rule
/// for `family` and container `name`).
fn valid_name(s: &str) -> bool {
    (1..=255).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn enum_error(value: &str, member: &str, allowed: &[&str]) -> AwsError {
    // Wording assumed: the AWS JSON protocol's member-constraint message.
    AwsError::new(
        INVALID_PARAMETER,
        format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            allowed.join(", ")
        ),
    )
}

fn task_units(
    value: &Option<String>,
    what: &str,
    parse: fn(&str) -> Option<u64>,
) -> Result<Option<u64>, AwsError> {
    match value {
        None => Ok(None),
        Some(s) => parse(s).map(Some).ok_or_else(|| {
            AwsError::new(
                INVALID_PARAMETER,
                format!("Invalid '{what}' setting for task."),
            )
        }),
    }
}

fn out_of_range(what: &str) -> AwsError {
    AwsError::client(format!(
        "Invalid '{what}' setting for task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."
    ))
}

/// One container's own checks (name, image, memory, CPU, ports).
fn check_container(
    c: &ContainerDefinition,
    network_mode: &str,
    task_memory: Option<u64>,
) -> Result<(), AwsError> {
    let name = match c.name.as_deref() {
        None | Some("") => {
            return Err(AwsError::client(
                "Container.name should not be null or empty.",
            ));
        }
        Some(n) => n,
    };
    if !valid_name(name) {
        return Err(AwsError::client(
            "Container.name contains invalid characters.",
        ));
    }
    if c.image.as_deref().is_none_or(|i| i.trim().is_empty()) {
        return Err(AwsError::client(
            "Container.image should not be null or empty.",
        ));
    }
    let setting = |what: &str| {
        // Wording follows the reported `Invalid 'containerPort' setting for container 'x'.`
        AwsError::client(format!("Invalid '{what}' setting for container '{name}'."))
    };
    if c.memory.is_some_and(|m| m < MIN_CONTAINER_MEMORY_MIB) {
        return Err(setting("memory"));
    }
    if c.memory_reservation
        .is_some_and(|m| m < MIN_CONTAINER_MEMORY_MIB)
    {
        return Err(setting("memoryReservation"));
    }
    // ContainerDefinition `memory`: "memory must be greater than memoryReservation".
    if let (Some(m), Some(r)) = (c.memory, c.memory_reservation)
        && r > m
    {
        return Err(setting("memoryReservation"));
    }
    if c.memory.is_none() && c.memory_reservation.is_none() && task_memory.is_none() {
        return Err(AwsError::client(format!(
            "Invalid setting for container '{name}'. At least one of 'memory' or 'memoryReservation' must be specified."
        )));
    }
    if c.cpu.is_some_and(|v| v < 0) {
        return Err(setting("cpu"));
    }
    for p in &c.port_mappings {
        let Some(cp) = p.container_port.filter(|v| (1..=65_535).contains(v)) else {
            return Err(setting("containerPort"));
        };
        if p.host_port.is_some_and(|h| !(0..=65_535).contains(&h)) {
            return Err(setting("hostPort"));
        }
        if network_mode == "awsvpc" && p.host_port.is_some_and(|h| h != cp) {
            return Err(AwsError::client(
                "When networkMode=awsvpc, the host ports and container ports in port mappings must match.",
            ));
        }
    }
    if network_mode == "awsvpc" && c.other.contains_key("hostname") {
        return Err(AwsError::client(
            "hostname is not supported on container when networkMode=awsvpc.",
        ));
    }
    Ok(())
}

/// Checks a `RegisterTaskDefinition` input the way ECS does, and works out what ECS
/// records for it (task CPU and memory, `compatibilities`).
///
/// `compatibilities` is `EC2` always and `FARGATE` when the network mode is `awsvpc` and
/// the task-level CPU and memory form a Fargate size ([`super::fargate`]), plus any other
/// launch type the input requires. `requiresCompatibilities: ["FARGATE"]` makes the
/// Fargate requirements errors. Not modelled: Fargate's demand for an execution role
/// when a container logs with `awslogs` or pulls from ECR (the published
/// `nginx_fargate.json` sample registers here without one).
pub fn register_task_definition(input: &TaskDefinitionInput) -> Result<Registered, AwsError> {
    let unknown = unknown_members(input);
    if !unknown.is_empty() {
        return Err(AwsError::param_validation(&unknown));
    }
    if input.family.is_empty() {
        return Err(AwsError::client("Family can not be blank."));
    }
    if !valid_name(&input.family) {
        // Wording assumed, after `Container.name contains invalid characters.`
        return Err(AwsError::client("Family contains invalid characters."));
    }
    if input.container_definitions.is_empty() {
        return Err(AwsError::client("Container list cannot be empty."));
    }
    if let Some(mode) = input.network_mode.as_deref()
        && !NETWORK_MODES.contains(&mode)
    {
        return Err(enum_error(mode, "networkMode", &NETWORK_MODES));
    }
    for c in &input.requires_compatibilities {
        if !COMPATIBILITIES.contains(&c.as_str()) {
            return Err(enum_error(c, "requiresCompatibilities", &COMPATIBILITIES));
        }
    }
    let network_mode = input.network_mode.as_deref().unwrap_or("bridge");
    let cpu = task_units(&input.cpu, "cpu", super::fargate_units::cpu)?;
    let mem = task_units(&input.memory, "memory", super::fargate_units::memory)?;
    if cpu.is_some_and(|c| !EC2_TASK_CPU.contains(&c)) {
        return Err(out_of_range("cpu"));
    }
    if mem == Some(0) {
        return Err(out_of_range("memory"));
    }

    let mut names = BTreeSet::new();
    for c in &input.container_definitions {
        check_container(c, network_mode, mem)?;
        if !names.insert(c.name.as_deref().unwrap_or("")) {
            return Err(AwsError::client(
                "Container names must be unique within a Task Definition.",
            ));
        }
    }
    // ContainerDefinition `essential`: "All tasks must have at least one essential
    // container." (wording assumed).
    if !input
        .container_definitions
        .iter()
        .any(ContainerDefinition::is_essential)
    {
        return Err(AwsError::client(
            "A task definition must have at least one essential container.",
        ));
    }
    if let Some(task_mem) = mem {
        for c in &input.container_definitions {
            let name = c.name.as_deref().unwrap_or("");
            for (what, v) in [
                ("memory", c.memory),
                ("memoryReservation", c.memory_reservation),
            ] {
                if v.is_some_and(|v| v.unsigned_abs() > task_mem) {
                    return Err(AwsError::client(format!(
                        "The '{what}' setting for container '{name}' is greater than for the task."
                    )));
                }
            }
        }
    }
    let container_cpu: u64 = input
        .container_definitions
        .iter()
        .map(|c| c.cpu.unwrap_or(0).max(0).unsigned_abs())
        .sum();
    if cpu.is_some_and(|task_cpu| container_cpu > task_cpu) {
        return Err(AwsError::client(
            "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.",
        ));
    }

    let ipc_mode = input.other.contains_key("ipcMode");
    let fargate_ok = network_mode == "awsvpc"
        && !ipc_mode
        && cpu
            .zip(mem)
            .is_some_and(|(c, m)| super::fargate::is_valid(c, m));
    let requires = |launch_type: &str| {
        input
            .requires_compatibilities
            .iter()
            .any(|c| c == launch_type)
    };
    if requires("FARGATE") && !fargate_ok {
        return Err(fargate_error(network_mode, cpu, mem, ipc_mode));
    }

    let mut compatibilities = vec!["EC2".to_string()];
    if fargate_ok {
        compatibilities.push("FARGATE".to_string());
    }
    for c in ["EXTERNAL", "MANAGED_INSTANCES"] {
        if requires(c) {
            compatibilities.push(c.to_string());
        }
    }
    let cpu_units = cpu.unwrap_or(container_cpu);
    let memory_mib = mem.unwrap_or_else(|| {
        input
            .container_definitions
            .iter()
            .map(|c| {
                c.memory
                    .or(c.memory_reservation)
                    .unwrap_or(0)
                    .max(0)
                    .unsigned_abs()
            })
            .sum()
    });
    Ok(Registered {
        cpu_units,
        memory_mib,
        compatibilities,
    })
}

/// Why a definition that requires FARGATE does not meet Fargate's requirements, in the
/// order ECS checks them.
fn fargate_error(network_mode: &str, cpu: Option<u64>, mem: Option<u64>, ipc: bool) -> AwsError {
    if network_mode != "awsvpc" {
        return AwsError::client("Fargate only supports network mode \u{2018}awsvpc\u{2019}.");
    }
    if ipc {
        return AwsError::client("Tasks using the Fargate launch type do not support ipcMode.");
    }
    let (Some(c), Some(m)) = (cpu, mem) else {
        let what = if cpu.is_none() { "cpu" } else { "memory" };
        return AwsError::client(format!(
            "Fargate requires that '{what}' be defined at the task level."
        ));
    };
    AwsError::client(format!(
        "No Fargate configuration exists for given values: {c} CPU, {m} memory. See the Amazon ECS documentation for the valid values."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> TaskDefinitionInput {
        parse_task_definition_input(&v).unwrap()
    }

    fn web() -> Value {
        json!({
            "family": "web",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "256",
            "memory": "512",
            "containerDefinitions": [{
                "name": "web",
                "image": "nginx:1.27",
                "portMappings": [{"containerPort": 80}]
            }]
        })
    }

    fn with(mut v: Value, path: &[&str], x: Value) -> Value {
        let mut cur = &mut v;
        for (i, p) in path.iter().enumerate() {
            if i + 1 == path.len() {
                match p.parse::<usize>() {
                    Ok(n) => cur[n] = x.clone(),
                    Err(_) => cur[*p] = x.clone(),
                }
            } else {
                cur = match p.parse::<usize>() {
                    Ok(n) => &mut cur[n],
                    Err(_) => &mut cur[*p],
                };
            }
        }
        v
    }

    fn error_of(v: Value) -> AwsError {
        match parse_task_definition_input(&v) {
            Err(e) => e,
            Ok(input) => register_task_definition(&input).unwrap_err(),
        }
    }

    #[test]
    fn a_fargate_definition_registers() {
        let r = register_task_definition(&parse(web())).unwrap();
        assert_eq!(r.cpu_units, 256);
        assert_eq!(r.memory_mib, 512);
        assert_eq!(r.compatibilities, vec!["EC2", "FARGATE"]);
    }

    #[test]
    fn units_in_vcpu_and_gb() {
        let v = with(
            with(web(), &["cpu"], json!("1 vCPU")),
            &["memory"],
            json!("2 GB"),
        );
        let r = register_task_definition(&parse(v)).unwrap();
        assert_eq!((r.cpu_units, r.memory_mib), (1024, 2048));
    }

    #[test]
    fn fargate_size_errors_name_the_values() {
        let e = error_of(with(web(), &["memory"], json!("4096")));
        assert_eq!(e.code, "ClientException");
        assert_eq!(
            e.message,
            "No Fargate configuration exists for given values: 256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values."
        );
        let mut v = web();
        v.as_object_mut().unwrap().remove("cpu");
        assert_eq!(
            error_of(v).message,
            "Fargate requires that 'cpu' be defined at the task level."
        );
        // Without task memory a container needs its own first (ECS checks containers
        // before Fargate's requirements).
        let mut v = web();
        v.as_object_mut().unwrap().remove("memory");
        assert!(
            error_of(v.clone())
                .message
                .starts_with("Invalid setting for container 'web'.")
        );
        let v = with(v, &["containerDefinitions", "0", "memory"], json!(256));
        assert_eq!(
            error_of(v).message,
            "Fargate requires that 'memory' be defined at the task level."
        );
        let v = with(web(), &["ipcMode"], json!("task"));
        assert_eq!(
            error_of(v).message,
            "Tasks using the Fargate launch type do not support ipcMode."
        );
    }

    #[test]
    fn fargate_requires_awsvpc() {
        let v = with(web(), &["networkMode"], json!("bridge"));
        let e = error_of(v);
        assert_eq!(e.message, "Fargate only supports network mode ‘awsvpc’.");
        // Without requiring FARGATE the same definition is EC2-only.
        let mut v = with(web(), &["networkMode"], json!("bridge"));
        v.as_object_mut().unwrap().remove("requiresCompatibilities");
        let r = register_task_definition(&parse(v)).unwrap();
        assert_eq!(r.compatibilities, vec!["EC2"]);
    }

    #[test]
    fn compatibilities_without_requirements() {
        let mut v = web();
        v.as_object_mut().unwrap().remove("requiresCompatibilities");
        let r = register_task_definition(&parse(v.clone())).unwrap();
        assert_eq!(r.compatibilities, vec!["EC2", "FARGATE"]);
        // An invalid Fargate size is fine for EC2.
        let v = with(v, &["memory"], json!("4096"));
        let r = register_task_definition(&parse(v)).unwrap();
        assert_eq!(r.compatibilities, vec!["EC2"]);
        assert_eq!(r.memory_mib, 4096);
        let v = with(web(), &["requiresCompatibilities"], json!(["EXTERNAL"]));
        let r = register_task_definition(&parse(v)).unwrap();
        assert_eq!(r.compatibilities, vec!["EC2", "FARGATE", "EXTERNAL"]);
    }

    #[test]
    fn container_names_and_images() {
        let e = error_of(with(
            web(),
            &["containerDefinitions", "0", "name"],
            json!(""),
        ));
        assert_eq!(e.message, "Container.name should not be null or empty.");
        let mut v = web();
        v["containerDefinitions"][0]
            .as_object_mut()
            .unwrap()
            .remove("name");
        assert_eq!(
            error_of(v).message,
            "Container.name should not be null or empty."
        );
        let e = error_of(with(
            web(),
            &["containerDefinitions", "0", "name"],
            json!("my app"),
        ));
        assert_eq!(e.message, "Container.name contains invalid characters.");
        let mut v = web();
        v["containerDefinitions"][0]
            .as_object_mut()
            .unwrap()
            .remove("image");
        assert_eq!(
            error_of(v).message,
            "Container.image should not be null or empty."
        );
        let c = web()["containerDefinitions"][0].clone();
        let v = with(web(), &["containerDefinitions"], json!([c.clone(), c]));
        assert_eq!(
            error_of(v).message,
            "Container names must be unique within a Task Definition."
        );
    }

    #[test]
    fn family_and_container_list() {
        assert_eq!(
            error_of(with(web(), &["family"], json!(""))).message,
            "Family can not be blank."
        );
        assert_eq!(
            error_of(with(web(), &["family"], json!("my/web"))).message,
            "Family contains invalid characters."
        );
        assert_eq!(
            error_of(with(web(), &["containerDefinitions"], json!([]))).message,
            "Container list cannot be empty."
        );
    }

    #[test]
    fn an_essential_container_is_required() {
        let v = with(
            web(),
            &["containerDefinitions", "0", "essential"],
            json!(false),
        );
        assert_eq!(
            error_of(v).message,
            "A task definition must have at least one essential container."
        );
        let side = json!({"name": "log", "image": "fluent-bit", "essential": false});
        let c = web()["containerDefinitions"][0].clone();
        let v = with(web(), &["containerDefinitions"], json!([c, side]));
        assert!(register_task_definition(&parse(v)).is_ok());
    }

    #[test]
    fn awsvpc_ports_must_match() {
        let v = with(
            web(),
            &["containerDefinitions", "0", "portMappings"],
            json!([{"containerPort": 80, "hostPort": 8080}]),
        );
        assert_eq!(
            error_of(v).message,
            "When networkMode=awsvpc, the host ports and container ports in port mappings must match."
        );
        let v = with(
            web(),
            &["containerDefinitions", "0", "portMappings"],
            json!([{"containerPort": 80, "hostPort": 80}]),
        );
        assert!(register_task_definition(&parse(v)).is_ok());
        let v = with(
            web(),
            &["containerDefinitions", "0", "portMappings"],
            json!([{"hostPort": 80}]),
        );
        assert_eq!(
            error_of(v).message,
            "Invalid 'containerPort' setting for container 'web'."
        );
        let v = with(
            web(),
            &["containerDefinitions", "0", "hostname"],
            json!("h"),
        );
        assert_eq!(
            error_of(v).message,
            "hostname is not supported on container when networkMode=awsvpc."
        );
    }

    #[test]
    fn bridge_ports_may_differ() {
        let v = json!({"family": "web", "containerDefinitions": [{
            "name": "web", "image": "nginx", "memory": 128,
            "portMappings": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 81}]}]});
        let r = register_task_definition(&parse(v)).unwrap();
        assert_eq!((r.cpu_units, r.memory_mib), (0, 128));
        assert_eq!(r.compatibilities, vec!["EC2"]);
    }

    #[test]
    fn memory_rules() {
        // EC2 without task memory: each container needs memory or a reservation.
        let v =
            json!({"family": "web", "containerDefinitions": [{"name": "web", "image": "nginx"}]});
        let e = error_of(v);
        assert_eq!(
            e.message,
            "Invalid setting for container 'web'. At least one of 'memory' or 'memoryReservation' must be specified."
        );
        // Task memory covers them.
        let v = json!({"family": "web", "memory": "512", "containerDefinitions": [{"name": "web", "image": "nginx"}]});
        let r = register_task_definition(&parse(v)).unwrap();
        assert_eq!(r.memory_mib, 512);
        // A container may not ask for more than the task has.
        let v = with(web(), &["containerDefinitions", "0", "memory"], json!(1024));
        assert_eq!(
            error_of(v).message,
            "The 'memory' setting for container 'web' is greater than for the task."
        );
        let v = with(
            web(),
            &["containerDefinitions", "0", "memoryReservation"],
            json!(1024),
        );
        assert_eq!(
            error_of(v).message,
            "The 'memoryReservation' setting for container 'web' is greater than for the task."
        );
        // Reservation above the hard limit, and tiny limits.
        let v = json!({"family": "w", "containerDefinitions": [{"name": "w", "image": "i", "memory": 128, "memoryReservation": 256}]});
        assert_eq!(
            error_of(v).message,
            "Invalid 'memoryReservation' setting for container 'w'."
        );
        let v = json!({"family": "w", "containerDefinitions": [{"name": "w", "image": "i", "memory": 4}]});
        assert_eq!(
            error_of(v).message,
            "Invalid 'memory' setting for container 'w'."
        );
        // Sums without task-level values: hard limits, else reservations.
        let v = json!({"family": "w", "containerDefinitions": [
            {"name": "a", "image": "i", "memory": 128, "cpu": 100},
            {"name": "b", "image": "i", "memoryReservation": 64, "cpu": 28}]});
        let r = register_task_definition(&parse(v)).unwrap();
        assert_eq!((r.cpu_units, r.memory_mib), (128, 192));
    }

    #[test]
    fn cpu_rules() {
        let v = with(web(), &["containerDefinitions", "0", "cpu"], json!(512));
        assert_eq!(
            error_of(v).message,
            "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'."
        );
        let e = error_of(with(web(), &["cpu"], json!("lots")));
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                "InvalidParameterException",
                "Invalid 'cpu' setting for task."
            )
        );
        let e = error_of(with(web(), &["cpu"], json!("64")));
        assert!(
            e.message
                .starts_with("Invalid 'cpu' setting for task. For more")
        );
        let e = error_of(with(web(), &["memory"], json!("0")));
        assert!(e.message.starts_with("Invalid 'memory' setting for task."));
    }

    #[test]
    fn enums() {
        let e = error_of(with(web(), &["networkMode"], json!("nat")));
        assert_eq!(e.code, "InvalidParameterException");
        assert!(
            e.message.contains("Value 'nat' at 'networkMode'"),
            "{}",
            e.message
        );
        let e = error_of(with(web(), &["requiresCompatibilities"], json!(["LAMBDA"])));
        assert!(
            e.message
                .contains("[EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES]")
        );
    }

    #[test]
    fn unknown_members_read_like_the_cli() {
        let e = error_of(with(web(), &["foo"], json!(1)));
        assert_eq!(e.code, PARAM_VALIDATION);
        assert_eq!(
            e.message,
            format!(
                "Unknown parameter in input: \"foo\", must be one of: {}",
                task_definition_members().join(", ")
            )
        );
        assert!(e.message.contains("must be one of: family, taskRoleArn, executionRoleArn, networkMode, containerDefinitions, volumes, placementConstraints, requiresCompatibilities, cpu, memory, tags, pidMode, ipcMode, proxyConfiguration, inferenceAccelerators, ephemeralStorage, runtimePlatform, enableFaultInjection"));
        assert!(
            e.cli("RegisterTaskDefinition")
                .starts_with("\nParameter validation failed:\nUnknown parameter in input: \"foo\"")
        );
        let e = error_of(with(web(), &["containerDefinitions", "0", "foo"], json!(1)));
        assert!(
            e.message.starts_with(
                "Unknown parameter in containerDefinitions[0]: \"foo\", must be one of: name, image, repositoryCredentials, cpu, memory, memoryReservation, links, portMappings, essential,"
            ),
            "{}",
            e.message
        );
        assert!(
            e.message
                .ends_with("firelensConfiguration, credentialSpecs")
        );
        let e = error_of(with(
            web(),
            &["containerDefinitions", "0", "portMappings", "0", "port"],
            json!(1),
        ));
        assert_eq!(
            e.message,
            "Unknown parameter in containerDefinitions[0].portMappings[0]: \"port\", must be one of: containerPort, hostPort, protocol, name, appProtocol, containerPortRange"
        );
        // A describe-task-definition output is not an input.
        let e = error_of(json!({"taskDefinition": web()}));
        assert_eq!(
            e.message,
            "Missing required parameter in input: \"family\"\nMissing required parameter in input: \"containerDefinitions\"\nUnknown parameter in input: \"taskDefinition\", must be one of: family, taskRoleArn, executionRoleArn, networkMode, containerDefinitions, volumes, placementConstraints, requiresCompatibilities, cpu, memory, tags, pidMode, ipcMode, proxyConfiguration, inferenceAccelerators, ephemeralStorage, runtimePlatform, enableFaultInjection"
        );
        // Known members the simulator does not model are kept.
        let v = with(
            web(),
            &["runtimePlatform"],
            json!({"cpuArchitecture": "ARM64"}),
        );
        let v = with(v, &["containerDefinitions", "0", "ulimits"], json!([]));
        let input = parse(v);
        assert!(register_task_definition(&input).is_ok());
        assert!(input.other.contains_key("runtimePlatform"));
        assert!(input.container_definitions[0].other.contains_key("ulimits"));
    }

    #[test]
    fn unknown_members_in_a_built_input() {
        let mut input = parse(web());
        input.other.insert("bogus".into(), json!(1));
        let e = register_task_definition(&input).unwrap_err();
        assert!(
            e.message
                .starts_with("Unknown parameter in input: \"bogus\"")
        );
        let mut input = parse(web());
        input.container_definitions[0]
            .other
            .insert("bogus".into(), json!(1));
        let e = register_task_definition(&input).unwrap_err();
        assert!(
            e.message
                .starts_with("Unknown parameter in containerDefinitions[0]: \"bogus\"")
        );
    }

    #[test]
    fn types_read_like_the_cli() {
        let e = error_of(with(
            web(),
            &["containerDefinitions", "0", "essential"],
            json!("yes"),
        ));
        assert_eq!(
            e.message,
            "Invalid type for parameter containerDefinitions[0].essential, value: yes, type: <class 'str'>, valid types: <class 'bool'>"
        );
        let e = error_of(with(
            web(),
            &["containerDefinitions", "0", "logConfiguration"],
            Value::Null,
        ));
        assert_eq!(
            e.message,
            "Invalid type for parameter containerDefinitions[0].logConfiguration, value: None, type: <class 'NoneType'>, valid types: <class 'dict'>"
        );
        let e = error_of(with(web(), &["containerDefinitions"], json!({"name": "x"})));
        assert_eq!(
            e.message,
            "Invalid type for parameter containerDefinitions, value: {'name': 'x'}, type: <class 'dict'>, valid types: <class 'list'>, <class 'tuple'>"
        );
        let e = error_of(with(
            web(),
            &["containerDefinitions", "0", "memory"],
            json!("lots"),
        ));
        assert!(e.message.contains("valid types: <class 'int'>"));
        let e = error_of(json!(["not", "an", "object"]));
        assert!(
            e.message
                .starts_with("Invalid type for parameter input, value: ['not', 'an', 'object']")
        );
        let e = error_of(with(
            web(),
            &["containerDefinitions", "0", "secrets"],
            json!([{"name": "A"}]),
        ));
        assert_eq!(
            e.message,
            "Missing required parameter in containerDefinitions[0].secrets[0]: \"valueFrom\""
        );
        // Numbers given as strings in containers are accepted, as in published samples.
        let v = with(
            web(),
            &["containerDefinitions", "0", "memory"],
            json!("256"),
        );
        let input = parse(v);
        assert_eq!(input.container_definitions[0].memory, Some(256));
    }
}
