//! What the ECS API refuses, worded like the API: the error code (`ClientException`,
//! `InvalidParameterException`) and message the AWS CLI prints after
//! `An error occurred (CODE) when calling the OPERATION operation:`.

use super::task_definition::TaskDefinitionInput;

/// An AWS API error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    /// Error code (`ClientException`).
    pub code: &'static str,
    /// Message.
    pub message: String,
}

impl AwsError {
    /// An error with a code and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        AwsError {
            code,
            message: message.into(),
        }
    }

    /// The line the AWS CLI prints for it.
    pub fn cli(&self, operation: &str) -> String {
        format!(
            "\nAn error occurred ({}) when calling the {operation} operation: {}",
            self.code, self.message
        )
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

/// Checks a `RegisterTaskDefinition` input.
pub fn register_task_definition(input: &TaskDefinitionInput) -> Result<Registered, AwsError> {
    if input.family.is_empty() {
        return Err(AwsError::new(
            "ClientException",
            "Family name cannot be blank.",
        ));
    }
    if input.container_definitions.is_empty() {
        return Err(AwsError::new(
            "ClientException",
            "Container list cannot be empty.",
        ));
    }
    let cpu = match &input.cpu {
        Some(c) => Some(super::fargate_units::cpu(c).ok_or_else(|| {
            AwsError::new(
                "ClientException",
                format!("Invalid 'cpu' setting for task: {c}"),
            )
        })?),
        None => None,
    };
    let mem = match &input.memory {
        Some(m) => Some(super::fargate_units::memory(m).ok_or_else(|| {
            AwsError::new(
                "ClientException",
                format!("Invalid 'memory' setting for task: {m}"),
            )
        })?),
        None => None,
    };
    let cpu_units = cpu.unwrap_or_else(|| {
        input
            .container_definitions
            .iter()
            .map(|c| c.cpu.unwrap_or(0).max(0) as u64)
            .sum()
    });
    let memory_mib = mem.unwrap_or_else(|| {
        input
            .container_definitions
            .iter()
            .map(|c| c.memory.or(c.memory_reservation).unwrap_or(0).max(0) as u64)
            .sum()
    });
    let fargate_ok = input.network_mode.as_deref() == Some("awsvpc")
        && cpu
            .zip(mem)
            .is_some_and(|(c, m)| super::fargate::is_valid(c, m));
    let mut compatibilities = vec!["EC2".to_string()];
    if fargate_ok {
        compatibilities.push("FARGATE".to_string());
    }
    if input
        .requires_compatibilities
        .iter()
        .any(|c| c == "FARGATE")
        && !fargate_ok
    {
        return Err(AwsError::new(
            "ClientException",
            "No Fargate configuration exists for given values.",
        ));
    }
    Ok(Registered {
        cpu_units,
        memory_mib,
        compatibilities,
    })
}
