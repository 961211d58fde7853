//! `shipshape conformance FILE.json...`: runs upstream test-vector files through the
//! simulator's own code (`simulator::conformance::run_file`, which calls the same functions
//! the simulation does) and prints one line per case and a closing total.

use std::fmt;
use std::path::{Path, PathBuf};

/// The printed result of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// `PASS id`, `FAIL id: expected …, got …`, `SKIP id: …`, one per line, then
    /// `N passed, M failed, K skipped`.
    pub text: String,
    /// Cases that matched.
    pub passed: usize,
    /// Cases that did not.
    pub failed: usize,
    /// Cases of kinds the simulator does not implement.
    pub skipped: usize,
}

/// Why a run could not start (exit code 2).
#[derive(Debug)]
pub enum Error {
    /// A file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file is not a vector file (bad JSON, no `cases` array).
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            Self::Invalid { path, message } => write!(
                f,
                "{} is not a valid vector file: {message}",
                path.display()
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Runs every file (all are read and parsed before any case runs, so a bad file argument
/// prints nothing but the error).
pub fn run(paths: &[impl AsRef<Path>]) -> Result<Outcome, Error> {
    let mut reports = Vec::with_capacity(paths.len());
    for path in paths {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let report = simulator::conformance::run_file(&json).map_err(|message| Error::Invalid {
            path: path.to_path_buf(),
            message,
        })?;
        reports.push(report);
    }
    let mut out = Outcome::default();
    for report in reports {
        // The report's last line is its own per-file total; one total closes the run.
        let cases = report.lines.len().saturating_sub(1);
        for line in &report.lines[..cases] {
            out.text.push_str(line);
            out.text.push('\n');
        }
        out.passed += report.passed;
        out.failed += report.failed;
        out.skipped += report.skipped;
    }
    out.text.push_str(&format!(
        "{} passed, {} failed, {} skipped\n",
        out.passed, out.failed, out.skipped
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_span_files_and_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.json");
        std::fs::write(
            &a,
            r#"{"topic":"kube-scheduler","version":1,"cases":[
                {"id":"n1","kind":"numFeasibleNodesToFind","source":"s",
                 "input":{"numAllNodes":10},"expected":{"numNodes":10}},
                {"id":"n2","kind":"numFeasibleNodesToFind","source":"s",
                 "input":{"numAllNodes":10},"expected":{"numNodes":11}}]}"#,
        )
        .unwrap();
        let b = dir.path().join("b.json");
        std::fs::write(
            &b,
            r#"{"topic":"amazon-ecs","version":1,"cases":[
                {"id":"e1","kind":"teleport","source":"s","input":{},"expected":{}}]}"#,
        )
        .unwrap();
        let out = run(&[&a, &b]).unwrap();
        assert_eq!((out.passed, out.failed, out.skipped), (1, 1, 1));
        assert_eq!(
            out.text,
            "PASS n1\n\
             FAIL n2: expected {\"numNodes\":11}, got {\"numNodes\":10}\n\
             SKIP e1: unknown kind teleport\n\
             1 passed, 1 failed, 1 skipped\n"
        );

        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "{ nope").unwrap();
        let err = run(&[&a, &bad]).unwrap_err().to_string();
        assert!(err.starts_with(&format!("{} is not a valid vector file: ", bad.display())));
        let missing = dir.path().join("missing.json");
        let err = run(&[&missing]).unwrap_err().to_string();
        assert!(err.starts_with(&format!("cannot read {}: ", missing.display())));
    }
}
