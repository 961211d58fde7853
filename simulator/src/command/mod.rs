//! The command layer: the learner's own syntax (`sim …`, `kubectl …`, `ls`, `cat`),
//! parsed into data. Parsing never touches state; execution lives in `Simulation::apply`.
//!
//! The same layer serves the browser terminal, lesson steps, challenge solutions and
//! `shipshape run`, so a command means the same thing everywhere.

pub mod aws;
pub mod complete;
pub mod docker;
pub mod echo;
pub mod files;
pub mod help;
pub mod kubectl;
pub mod sim;
pub mod suggest;
pub mod tokenize;

use serde::Serialize;
use std::fmt;

/// A command the learner typed wrongly (unknown command, bad flag, missing object).
/// Domain failures such as an unschedulable pod are events, not errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandError {
    message: String,
    /// Simulated time passed before the command gave up (a blocking command that timed
    /// out): the error stands, but the wait happened, so the state is kept and the line
    /// journaled, as a real `kubectl wait` that timed out still took its time.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    time_passed: bool,
}

impl CommandError {
    /// An error with the given text, worded like the real tool's.
    pub fn new(message: impl Into<String>) -> Self {
        CommandError {
            message: message.into(),
            time_passed: false,
        }
    }

    /// A blocking command (`kubectl rollout status`, `kubectl wait`) that let simulated
    /// time pass and then failed: unlike other errors, its effect on the clock is kept.
    pub fn after_waiting(message: impl Into<String>) -> Self {
        CommandError {
            message: message.into(),
            time_passed: true,
        }
    }

    /// True when the command changed the simulation (time passed) before failing; such
    /// lines are journaled and replayed like successful ones.
    pub fn time_passed(&self) -> bool {
        self.time_passed
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CommandError {}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `help [TOPIC]`.
    Help {
        /// `sim`, `kubectl`, … or nothing for the overview.
        topic: Option<String>,
    },
    /// `sim …`: what a real cluster would do to you (time, failures).
    Sim(sim::SimCommand),
    /// `kubectl …`.
    Kubectl(kubectl::KubectlCommand),
    /// `ls [PATH]` and `cat FILE…` on the workspace.
    Files(files::FilesCommand),
    /// `echo [-n] [-e] WORDS…`.
    Echo(echo::Echo),
    /// `docker …`: the client of the Docker daemon on the learner's machine.
    Docker(docker::DockerCommand),
    /// `aws ecr …`.
    Aws(aws::AwsCommand),
    /// `COMMAND > FILE` / `COMMAND >> FILE`: the output goes to a workspace file.
    Redirect {
        /// The command whose output is written.
        command: Box<Command>,
        /// Workspace path.
        path: String,
        /// `>>`.
        append: bool,
    },
    /// `LEFT | RIGHT`: LEFT's output is RIGHT's standard input.
    Pipe(Box<Command>, Box<Command>),
}

/// Top-level programs the terminal knows, for suggestions and tab completion.
pub const PROGRAMS: [&str; 8] = [
    "help", "sim", "kubectl", "ls", "cat", "echo", "docker", "aws",
];

impl Command {
    /// Parses one line. Blank lines and `#` comments are the caller's business (see
    /// `script`); here they are an error so the terminal can say so.
    pub fn parse(line: &str) -> Result<Command, CommandError> {
        let tokens = tokenize::tokenize_ops(line)?;
        if !tokens
            .iter()
            .any(|t| !matches!(t, tokenize::Token::Word(_)))
        {
            let words: Vec<String> = tokens
                .into_iter()
                .filter_map(|t| match t {
                    tokenize::Token::Word(w) => Some(w),
                    _ => None,
                })
                .collect();
            return Self::parse_words(&words);
        }
        echo::parse_pipeline(&tokens)
    }

    /// Parses one simple command (no operators) from its words.
    pub fn parse_words(words: &[String]) -> Result<Command, CommandError> {
        let Some((program, args)) = words.split_first() else {
            return Err(CommandError::new(
                "no command given; type `help` to see what you can do",
            ));
        };
        if args.iter().any(|a| a == "--help" || a == "-h")
            && !matches!(program.as_str(), "help" | "echo")
        {
            // `kubectl get --help`, `sim -h`: the group's help, as the real tools print it.
            let topic = if matches!(program.as_str(), "ls" | "cat") {
                "files"
            } else {
                program.as_str()
            };
            return Ok(Command::Help {
                topic: Some(topic.to_string()),
            });
        }
        match program.as_str() {
            "help" => Ok(Command::Help {
                topic: args.first().cloned(),
            }),
            "sim" => sim::parse(args).map(Command::Sim),
            "kubectl" | "k" => kubectl::parse(args).map(Command::Kubectl),
            "ls" | "cat" => files::parse(program, args).map(Command::Files),
            "echo" => Ok(Command::Echo(echo::parse(args))),
            "docker" => docker::parse(args).map(Command::Docker),
            "aws" => aws::parse(args).map(Command::Aws),
            other => Err(unknown_program(other)),
        }
    }
}

fn unknown_program(typed: &str) -> CommandError {
    let mut msg = format!("{typed}: command not found");
    if let Some(best) = suggest::suggestions(typed, &PROGRAMS).first() {
        msg.push_str(&format!("\n\nDid you mean this?\n\t{best}"));
    }
    msg.push_str("\n\nType `help` to list the commands this simulator understands.");
    CommandError::new(msg)
}

/// A cobra-style "unknown command" error with suggestions, as kubectl prints it.
pub(crate) fn unknown_subcommand(tool: &str, typed: &str, known: &[&str]) -> CommandError {
    let mut msg = format!("error: unknown command \"{typed}\" for \"{tool}\"");
    let sugg = suggest::suggestions(typed, known);
    if !sugg.is_empty() {
        msg.push_str("\n\nDid you mean this?");
        for s in sugg {
            msg.push_str(&format!("\n\t{s}"));
        }
    }
    msg.push_str(&format!("\n\nRun '{tool} --help' for usage."));
    CommandError::new(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_program_suggests() {
        let e = Command::parse("kubetcl get nodes").unwrap_err().to_string();
        assert!(e.starts_with("kubetcl: command not found"), "{e}");
        assert!(e.contains("Did you mean this?\n\tkubectl"), "{e}");
    }

    #[test]
    fn unknown_subcommand_suggests() {
        let e = Command::parse("sim advnce 10s").unwrap_err().to_string();
        assert!(e.contains("unknown command \"advnce\" for \"sim\""), "{e}");
        assert!(e.contains("\tadvance"), "{e}");
    }

    #[test]
    fn help_flags_show_group_help() {
        assert_eq!(
            Command::parse("kubectl get --help").unwrap(),
            Command::Help {
                topic: Some("kubectl".into())
            }
        );
        assert_eq!(
            Command::parse("cat -h").unwrap(),
            Command::Help {
                topic: Some("files".into())
            }
        );
    }

    #[test]
    fn empty_line_is_an_error() {
        assert!(Command::parse("   ").is_err());
    }
}
