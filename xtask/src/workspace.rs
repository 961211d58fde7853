//! Where things are: the workspace root, the tool directories, and commands that run
//! there with those tools first on `PATH`.

use std::env;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// The Shipshape workspace root, and the `PATH` its commands run with: xtask's npm
/// tools, then `~/.cargo/bin` (or `$CARGO_HOME/bin`), then the caller's `PATH`.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
    path: OsString,
    incremental: bool,
}

impl Workspace {
    /// Finds the workspace (the parent of the xtask crate) and `~/.cargo/bin`.
    pub fn locate() -> Result<Self> {
        let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = manifest_dir
            .parent()
            .ok_or_else(|| Error::new("xtask/ has no parent directory"))?
            .to_path_buf();
        let cargo_home = match env::var_os("CARGO_HOME") {
            Some(home) if !home.is_empty() => PathBuf::from(home),
            _ => home_dir()?.join(".cargo"),
        };
        let cargo_bin = cargo_home.join("bin");
        // wasm-opt from npm first (never Debian's older binaryen), then the tools
        // `cargo install` put in ~/.cargo/bin, then whatever the caller had.
        let mut dirs = vec![root.join("xtask/node_modules/.bin"), cargo_bin];
        if let Some(existing) = env::var_os("PATH") {
            dirs.extend(env::split_paths(&existing));
        }
        let path =
            env::join_paths(dirs).map_err(|e| Error::new(format!("cannot build PATH: {e}")))?;
        Ok(Self {
            root,
            path,
            incremental: true,
        })
    }

    /// The same workspace, with cargo's incremental compilation off in its commands.
    /// The test command uses this: one clean build needs no incremental state, and
    /// that state would double `target/` on CI machines with little disk.
    pub fn without_incremental(mut self) -> Self {
        self.incremental = false;
        self
    }

    /// A path inside the workspace.
    pub fn join(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.root.join(relative)
    }

    /// A command that runs in the workspace root with xtask's `PATH` and no stdin
    /// (CI has none, and nothing here may wait for a person).
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(&self.root)
            .env("PATH", &self.path)
            .stdin(Stdio::null());
        if !self.incremental && env::var_os("CARGO_INCREMENTAL").is_none() {
            command.env("CARGO_INCREMENTAL", "0");
        }
        command
    }

    /// Like [`Workspace::command`], but running in `dir` (relative to the root).
    pub fn command_in(&self, dir: impl AsRef<Path>, program: impl AsRef<OsStr>) -> Command {
        let mut command = self.command(program);
        command.current_dir(self.root.join(dir));
        command
    }
}

/// The user's home directory, from `$HOME`.
fn home_dir() -> Result<PathBuf> {
    match env::var_os("HOME") {
        Some(home) if !home.is_empty() => Ok(PathBuf::from(home)),
        _ => Err(Error::new(
            "HOME is not set; set HOME or CARGO_HOME so xtask can find ~/.cargo/bin",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_holds_the_workspace_manifest() {
        let ws = Workspace::locate().unwrap();
        assert!(ws.join("Cargo.toml").is_file());
        assert!(ws.join("xtask/Cargo.toml").is_file());
    }

    #[test]
    fn tool_dirs_come_first_on_path() {
        let ws = Workspace::locate().unwrap();
        let command = ws.command("trunk");
        let path = command
            .get_envs()
            .find_map(|(key, value)| (key == "PATH").then_some(value))
            .flatten()
            .unwrap();
        let dirs: Vec<PathBuf> = env::split_paths(path).collect();
        assert_eq!(dirs[0], ws.join("xtask/node_modules/.bin"));
        assert!(dirs[1].ends_with(".cargo/bin") || env::var_os("CARGO_HOME").is_some());
        assert_eq!(command.get_current_dir(), Some(ws.join("").as_path()));
    }
}
