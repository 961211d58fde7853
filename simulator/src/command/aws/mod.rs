//! `aws …`: the AWS CLI, for the one service the simulator models (`aws ecr`).
//! Output is the CLI's JSON (four-space indentation, fields in the API's order) and
//! errors read like botocore's (`An error occurred (RepositoryNotFoundException) when
//! calling the DescribeRepositories operation: …`).

pub mod ecr;

use crate::command::CommandError;
use crate::simulation::Simulation;

/// A parsed `aws` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsCommand {
    /// `aws ecr …`.
    Ecr(ecr::EcrCommand),
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
        Some((svc, _)) => Err(CommandError::new(format!(
            "{USAGE}\naws: error: argument command: Invalid choice '{svc}': this simulator models `aws ecr` only"
        ))),
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
    }
}
