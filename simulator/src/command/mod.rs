//! The command layer: the learner's own syntax (`sim …`, `kubectl …`, `ls`, `cat`),
//! parsed into data. Parsing never touches state; execution lives in `Simulation::apply`.
//!
//! The same layer serves the browser terminal, lesson steps, challenge solutions and
//! `shipshape run`, so a command means the same thing everywhere.

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
}

impl CommandError {
    /// An error with the given text, worded like the real tool's.
    pub fn new(message: impl Into<String>) -> Self {
        CommandError {
            message: message.into(),
        }
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
}

/// Top-level programs the terminal knows, for suggestions and tab completion.
pub const PROGRAMS: [&str; 5] = ["help", "sim", "kubectl", "ls", "cat"];

impl Command {
    /// Parses one line. Blank lines and `#` comments are the caller's business (see
    /// `script`); here they are an error so the terminal can say so.
    pub fn parse(line: &str) -> Result<Command, CommandError> {
        let words = tokenize::tokenize(line)?;
        let Some((program, args)) = words.split_first() else {
            return Err(CommandError::new(
                "no command given; type `help` to see what you can do",
            ));
        };
        if args.iter().any(|a| a == "--help" || a == "-h") && program != "help" {
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
