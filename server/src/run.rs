//! `shipshape run`: replay a script of learner commands and produce its transcript.
//!
//! Everything that reaches the simulator is data (scenario, seed, workspace files, the
//! script), so the transcript is a pure function of those inputs. That is what lets the
//! golden-transcript tests compare bytes.

use std::fmt;
use std::path::{Path, PathBuf};

use simulator::script::{Transcript, run_script};
use simulator::{Scenario, Simulation, Workspace};

/// The scenario used when `--scenario` is not given.
pub use simulator::scenario::DEFAULT_SCENARIO;

/// The inputs of one run besides the script text.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Scenario name; [`DEFAULT_SCENARIO`] when `None`.
    pub scenario: Option<String>,
    /// Seed override; the scenario's own seed when `None`.
    pub seed: Option<u64>,
    /// A real directory whose text files become the virtual workspace.
    pub workspace: Option<PathBuf>,
}

/// Why a run could not start. Command failures are not errors: they are in the transcript.
#[derive(Debug)]
pub enum RunError {
    /// `--scenario` named a scenario the simulator doesn't have.
    UnknownScenario {
        /// The name that was asked for.
        name: String,
        /// Every name that exists, for the message.
        known: Vec<String>,
    },
    /// The script or the workspace directory could not be read.
    Io {
        /// What was being read.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownScenario { name, known } => write!(
                f,
                "unknown scenario `{name}`; available scenarios: {}",
                known.join(", ")
            ),
            Self::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
        }
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::UnknownScenario { .. } => None,
            Self::Io { source, .. } => Some(source),
        }
    }
}

/// Looks up a scenario by name, or explains which names exist.
pub fn scenario(name: &str) -> Result<Scenario, RunError> {
    Scenario::named(name).ok_or_else(|| RunError::UnknownScenario {
        name: name.to_owned(),
        known: Scenario::names().iter().map(|n| n.to_string()).collect(),
    })
}

/// Builds the simulation described by `options` (scenario, seed, workspace).
pub fn simulation(options: &RunOptions) -> Result<Simulation, RunError> {
    let mut scenario = scenario(options.scenario.as_deref().unwrap_or(DEFAULT_SCENARIO))?;
    if let Some(seed) = options.seed {
        scenario = scenario.with_seed(seed);
    }
    if let Some(dir) = &options.workspace {
        let loaded = load_workspace(dir).map_err(|source| RunError::Io {
            path: dir.clone(),
            source,
        })?;
        // The directory's files go on top of whatever the scenario ships with.
        let mut workspace = scenario.workspace.clone();
        for (path, contents) in loaded.files() {
            workspace.insert(path, contents);
        }
        scenario = scenario.with_workspace(workspace);
    }
    Ok(Simulation::new(&scenario))
}

/// Runs `script` against a fresh simulation built from `options`.
pub fn run(options: &RunOptions, script: &str) -> Result<Transcript, RunError> {
    let mut sim = simulation(options)?;
    Ok(run_script(&mut sim, script))
}

/// Reads the script at `path`, or standard input when `path` is `-`.
pub fn read_script(path: &Path) -> Result<String, RunError> {
    let result = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    };
    result.map_err(|source| RunError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads every UTF-8 text file under `dir` into a [`Workspace`].
///
/// Paths are relative with `/` separators whatever the host OS, so a workspace (and the
/// transcript that lists it) is the same on every machine. `.git` is skipped, as are
/// files that aren't UTF-8 (binary files have no meaning to the simulator) and symlinked
/// directories (they could loop).
pub fn load_workspace(dir: &Path) -> std::io::Result<Workspace> {
    let mut files = Vec::new();
    collect(dir, "", &mut files)?;
    // The BTreeMap inside Workspace sorts too; sorting here keeps insertion order
    // independent of the directory listing order as well.
    files.sort();
    let mut workspace = Workspace::new();
    for (path, contents) in files {
        workspace.insert(&path, contents);
    }
    Ok(workspace)
}

fn collect(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue; // A name that isn't UTF-8 can't be typed by a learner anyway.
        };
        if name == ".git" {
            continue;
        }
        let relative = format!("{prefix}{name}");
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            collect(&path, &format!("{relative}/"), out)?;
        } else if (kind.is_file() || (kind.is_symlink() && path.is_file()))
            && let Ok(text) = String::from_utf8(std::fs::read(&path)?)
        {
            out.push((relative, text));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_text_files_with_slash_paths_and_skips_git_and_binaries() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src/lib")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join("Dockerfile"), "FROM alpine:3.20\n").unwrap();
        std::fs::write(root.join("src/lib/util.js"), "export {}\n").unwrap();
        std::fs::write(root.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        std::fs::write(root.join("logo.bin"), [0xff, 0xfe, 0x00]).unwrap();

        let workspace = load_workspace(root).unwrap();
        let paths: Vec<&str> = workspace.files().map(|(p, _)| p).collect();
        assert_eq!(paths, ["Dockerfile", "src/lib/util.js"]);
        assert_eq!(workspace.get("Dockerfile"), Some("FROM alpine:3.20\n"));
    }

    #[test]
    fn unknown_scenario_lists_the_names() {
        let options = RunOptions {
            scenario: Some("nope".into()),
            ..RunOptions::default()
        };
        let message = run(&options, "help\n").unwrap_err().to_string();
        assert!(message.contains("unknown scenario `nope`"), "{message}");
        for name in Scenario::names() {
            assert!(message.contains(&name.to_string()), "{message}");
        }
    }

    #[test]
    fn same_inputs_give_the_same_transcript() {
        let options = RunOptions {
            seed: Some(7),
            ..RunOptions::default()
        };
        let script = "kubectl get nodes\nsim advance 30s\nkubectl get pods -n kube-system\n";
        let first = run(&options, script).unwrap();
        let second = run(&options, script).unwrap();
        assert_eq!(first.text, second.text);
        assert_eq!(first.failures, 0, "{}", first.text);
    }
}
