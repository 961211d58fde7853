//! `aws …`: the AWS CLI for the services the simulator models: `ecr`, `ecs`, `elbv2`,
//! `ec2` (subnets), `autoscaling`, `application-autoscaling` and `eks`.
//! Output is the CLI's JSON (four-space indentation, fields in the API's order) and
//! errors read like botocore's (`An error occurred (RepositoryNotFoundException) when
//! calling the DescribeRepositories operation: …`).

pub mod application_autoscaling;
pub mod autoscaling;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod eks;
pub mod elbv2;
pub use crate::command::docker::json;
pub mod params;
pub mod task_definitions;

use crate::command::CommandError;
use crate::simulation::Simulation;

/// A parsed `aws` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsCommand {
    /// `aws ecr …`.
    Ecr(ecr::EcrCommand),
    /// Any other modelled service's operation, with its parameters (checked against the
    /// operation's known parameters while parsing; values are read when it runs, since
    /// `file://` inputs come from the workspace).
    Call {
        /// `ecs`, `elbv2` …
        service: String,
        /// `create-service` …
        operation: String,
        /// `--name value…`.
        params: params::Params,
    },
}

/// An operation's name and the parameters it accepts.
pub type Operation = (&'static str, &'static [&'static str]);

/// The services besides `ecr`, with their operations.
fn services() -> Vec<(&'static str, Vec<Operation>)> {
    vec![
        (
            "ecs",
            [ecs::OPERATIONS, task_definitions::OPERATIONS].concat(),
        ),
        ("elbv2", elbv2::OPERATIONS.to_vec()),
        ("ec2", ec2::OPERATIONS.to_vec()),
        ("autoscaling", autoscaling::OPERATIONS.to_vec()),
        (
            "application-autoscaling",
            application_autoscaling::OPERATIONS.to_vec(),
        ),
        ("eks", eks::OPERATIONS.to_vec()),
    ]
}

fn parse_call(
    service: &str,
    operations: &[Operation],
    args: &[String],
) -> Result<AwsCommand, CommandError> {
    let Some((op, rest)) = args.split_first() else {
        return Err(params::usage_error(
            "the following arguments are required: operation",
        ));
    };
    let names: Vec<&str> = operations.iter().map(|(n, _)| *n).collect();
    // `aws ecs wait services-stable …`: the waiter's name is a positional word.
    if op == "wait" && (service == "ecs" || service == "eks") {
        let (waiters, allowed): (Vec<&str>, &[&str]) = if service == "ecs" {
            (ecs::WAITERS.to_vec(), &["cluster", "services", "tasks"])
        } else {
            (
                eks::WAITERS.iter().map(|(n, _, _)| *n).collect(),
                &eks::WAITER_PARAMS,
            )
        };
        let Some((waiter, rest)) = rest.split_first() else {
            return Err(params::usage_error(
                "the following arguments are required: waiter_name",
            ));
        };
        if !waiters.contains(&waiter.as_str()) {
            return Err(params::usage_error(&format!(
                "argument waiter_name: Invalid choice, valid choices are:\n\n{}",
                waiters.join(" | ")
            )));
        }
        let p = params::Params::parse(rest)?;
        if let Some(bad) = p.0.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(params::usage_error(&format!("Unknown options: --{bad}")));
        }
        return Ok(AwsCommand::Call {
            service: service.to_string(),
            operation: format!("wait {waiter}"),
            params: p,
        });
    }
    let Some((_, allowed)) = operations.iter().find(|(n, _)| n == op) else {
        let mut msg = format!(
            "argument operation: Invalid choice, valid choices are:\n\n{}",
            names.join(" | ")
        );
        if let Some(s) = crate::command::suggest::suggestions(op, &names).first() {
            msg.push_str(&format!(
                "\n\nInvalid choice: '{op}', maybe you meant:\n\n  * {s}"
            ));
        }
        return Err(params::usage_error(&msg));
    };
    let p = params::Params::parse(rest)?;
    if let Some(bad) = p
        .0
        .keys()
        .find(|k| !allowed.contains(&k.as_str()) && !allowed.contains(&k.trim_start_matches("no-")))
    {
        return Err(params::usage_error(&format!("Unknown options: --{bad}")));
    }
    Ok(AwsCommand::Call {
        service: service.to_string(),
        operation: op.clone(),
        params: p,
    })
}

const USAGE: &str = "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\nTo see help text, you can run:\n\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n";

/// Parses the words after `aws`, dropping global options (`--region`, `--output json`,
/// `--profile`, `--no-cli-pager`).
pub fn parse(args: &[String]) -> Result<AwsCommand, CommandError> {
    let mut rest: Vec<String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        match a.split_once('=').map(|(k, _)| k).unwrap_or(a) {
            "--region" | "--profile" | "--output" => {
                if let Some(("--output", v)) = a.split_once('=') {
                    check_output(v)?;
                } else if !a.contains('=') {
                    if a == "--output" {
                        check_output(args.get(i + 1).map(String::as_str).unwrap_or(""))?;
                    }
                    i += 1;
                }
            }
            "--no-cli-pager" => {}
            _ => rest.push(a.clone()),
        }
        i += 1;
    }
    match rest.split_first() {
        Some((svc, r)) if svc == "ecr" => ecr::parse(r).map(AwsCommand::Ecr),
        Some((svc, r)) => match services().into_iter().find(|(n, _)| n == svc) {
            Some((name, ops)) => parse_call(name, &ops, r),
            None => {
                let mut known: Vec<&str> = services().iter().map(|(n, _)| *n).collect();
                known.push("ecr");
                known.sort();
                Err(CommandError::new(format!(
                    "{USAGE}\naws: error: argument command: Invalid choice '{svc}': this simulator models {}",
                    known.join(", ")
                )))
            }
        },
        None => Err(CommandError::new(format!(
            "{USAGE}\naws: error: the following arguments are required: command"
        ))),
    }
}

fn check_output(v: &str) -> Result<(), CommandError> {
    if v == "json" {
        Ok(())
    } else {
        Err(CommandError::new(format!(
            "aws: error: --output {v}: this simulator prints the CLI's default JSON output only"
        )))
    }
}

/// Runs an `aws` command.
pub fn run(sim: &mut Simulation, cmd: &AwsCommand) -> Result<String, CommandError> {
    match cmd {
        AwsCommand::Ecr(e) => ecr::run(sim, e),
        AwsCommand::Call {
            service,
            operation,
            params,
        } => match service.as_str() {
            "ecs" => ecs::run(sim, operation, params),
            "elbv2" => elbv2::run(sim, operation, params),
            "ec2" => ec2::run(sim, operation, params),
            "autoscaling" => autoscaling::run(sim, operation, params),
            "application-autoscaling" => application_autoscaling::run(sim, operation, params),
            _ => eks::run(sim, operation, params),
        },
    }
}
