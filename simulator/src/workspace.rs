//! The learner's virtual project directory (source, Dockerfile, manifests).
//!
//! The simulator never touches a real filesystem; callers that have one (the `shipshape`
//! binary's `--workspace DIR`) read it and hand the files over as data.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Text files by relative path (`/`-separated, no leading `./`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    files: BTreeMap<String, String>,
}

impl Workspace {
    /// An empty workspace.
    pub fn new() -> Self {
        Self::default()
    }

    /// Normalises a learner-typed path: strips `./` and leading `/`, collapses `//`.
    /// Returns `None` for paths that escape the workspace (`..`).
    pub fn normalize(path: &str) -> Option<String> {
        let mut parts: Vec<&str> = Vec::new();
        for p in path.split('/') {
            match p {
                "" | "." => {}
                ".." => return None,
                p => parts.push(p),
            }
        }
        Some(parts.join("/"))
    }

    /// Adds or replaces a file. Invalid paths are ignored (callers validate first).
    pub fn insert(&mut self, path: &str, contents: impl Into<String>) {
        if let Some(p) = Self::normalize(path).filter(|p| !p.is_empty()) {
            self.files.insert(p, contents.into());
        }
    }

    /// A file's contents.
    pub fn get(&self, path: &str) -> Option<&str> {
        Self::normalize(path)
            .and_then(|p| self.files.get(&p))
            .map(String::as_str)
    }

    /// True if `path` is a directory (some file lies under it). The root always is.
    pub fn is_dir(&self, path: &str) -> bool {
        match Self::normalize(path) {
            Some(p) if p.is_empty() => true,
            Some(p) => {
                let prefix = format!("{p}/");
                self.files.keys().any(|k| k.starts_with(&prefix))
            }
            None => false,
        }
    }

    /// Entries directly inside directory `dir` (files, and sub-directories with a `/`).
    pub fn list(&self, dir: &str) -> Vec<String> {
        let Some(d) = Self::normalize(dir) else {
            return Vec::new();
        };
        let prefix = if d.is_empty() {
            String::new()
        } else {
            format!("{d}/")
        };
        let mut out: Vec<String> = Vec::new();
        for k in self.files.keys() {
            if let Some(rest) = k.strip_prefix(&prefix) {
                let entry = match rest.split_once('/') {
                    Some((sub, _)) => format!("{sub}/"),
                    None => rest.to_string(),
                };
                if out.last() != Some(&entry) && !out.contains(&entry) {
                    out.push(entry);
                }
            }
        }
        out
    }

    /// All files, sorted by path.
    pub fn files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_files_and_dirs() {
        let mut w = Workspace::new();
        w.insert("Dockerfile", "FROM alpine");
        w.insert("./src/app.js", "x");
        w.insert("src/lib/util.js", "y");
        assert_eq!(w.list(""), vec!["Dockerfile", "src/"]);
        assert_eq!(w.list("src"), vec!["app.js", "lib/"]);
        assert!(w.is_dir("src"));
        assert!(!w.is_dir("Dockerfile"));
        assert_eq!(w.get("/src/app.js"), Some("x"));
        assert_eq!(Workspace::normalize("../etc/passwd"), None);
    }
}
