//! `ls` and `cat` over the virtual workspace.

use super::CommandError;
use crate::workspace::Workspace;

/// A parsed file command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilesCommand {
    /// `ls [PATH]`.
    Ls(Option<String>),
    /// `cat FILE…`.
    Cat(Vec<String>),
}

/// Parses `ls`/`cat` and their arguments.
pub fn parse(program: &str, args: &[String]) -> Result<FilesCommand, CommandError> {
    if let Some(flag) = args.iter().find(|a| a.starts_with('-') && a.len() > 1) {
        return Err(CommandError::new(format!(
            "{program}: invalid option -- '{}'",
            &flag[1..]
        )));
    }
    match program {
        "ls" => match args {
            [] => Ok(FilesCommand::Ls(None)),
            [p] => Ok(FilesCommand::Ls(Some(p.clone()))),
            _ => Err(CommandError::new(
                "ls: this shell lists one directory at a time",
            )),
        },
        _ => {
            if args.is_empty() {
                Err(CommandError::new("cat: missing file operand"))
            } else {
                Ok(FilesCommand::Cat(args.to_vec()))
            }
        }
    }
}

/// Runs a file command against the workspace, worded like GNU coreutils.
pub fn run(ws: &Workspace, cmd: &FilesCommand) -> Result<String, CommandError> {
    match cmd {
        FilesCommand::Ls(path) => {
            let p = path.as_deref().unwrap_or(".");
            if ws.get(p).is_some() {
                return Ok(format!("{p}\n"));
            }
            if !ws.is_dir(p) {
                return Err(CommandError::new(format!(
                    "ls: cannot access '{p}': No such file or directory"
                )));
            }
            let entries = ws.list(p);
            Ok(if entries.is_empty() {
                String::new()
            } else {
                entries.join("\n") + "\n"
            })
        }
        FilesCommand::Cat(paths) => {
            let mut out = String::new();
            for p in paths {
                match ws.get(p) {
                    Some(text) => out.push_str(text),
                    None if ws.is_dir(p) => {
                        return Err(CommandError::new(format!("cat: {p}: Is a directory")));
                    }
                    None => {
                        return Err(CommandError::new(format!(
                            "cat: {p}: No such file or directory"
                        )));
                    }
                }
            }
            Ok(out)
        }
    }
}
