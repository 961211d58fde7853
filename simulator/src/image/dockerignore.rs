//! `.dockerignore`: which workspace files are sent as the build context.
//!
//! Follows `moby/patternmatcher` (used by BuildKit and the docker CLI):
//! - one pattern per line; blank lines and lines starting with `#` are ignored; surrounding
//!   whitespace is trimmed; a leading `/` is dropped (patterns are relative to the context
//!   root) and paths are cleaned (`./a//b` → `a/b`);
//! - Go `filepath.Match` syntax per path segment: `*` (any run of non-`/`), `?` (one non-`/`),
//!   `[a-z]` / `[^a-z]` classes, `\` escapes; plus `**`, which matches any number of
//!   directories (`**/x`, `a/**`, `a/**/b`);
//! - a pattern that matches a directory excludes everything beneath it;
//! - `!pattern` re-includes; the *last* matching line wins.

use crate::workspace::Workspace;

/// One compiled line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnorePattern {
    /// The cleaned pattern text.
    pub text: String,
    /// True for `!` lines.
    pub exclusion: bool,
    tokens: Vec<Tok>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Lit(char),
    Any,
    Star,
    /// `**/`: zero or more whole directories.
    DirStar,
    /// `**` elsewhere: anything, separators included.
    DoubleStar,
    Class(bool, Vec<(char, char)>),
}

/// A parsed `.dockerignore`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DockerIgnore {
    /// Patterns in file order.
    pub patterns: Vec<IgnorePattern>,
}

fn clean(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

fn compile(p: &str) -> Vec<Tok> {
    let c: Vec<char> = p.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '*' if c.get(i + 1) == Some(&'*') => {
                if c.get(i + 2) == Some(&'/') {
                    out.push(Tok::DirStar);
                    i += 3;
                } else {
                    out.push(Tok::DoubleStar);
                    i += 2;
                }
                continue;
            }
            '*' => out.push(Tok::Star),
            '?' => out.push(Tok::Any),
            '\\' if i + 1 < c.len() => {
                out.push(Tok::Lit(c[i + 1]));
                i += 1;
            }
            '[' => {
                let mut j = i + 1;
                let neg = matches!(c.get(j), Some('^' | '!'));
                if neg {
                    j += 1;
                }
                let mut ranges = Vec::new();
                let mut closed = false;
                while j < c.len() {
                    if c[j] == ']' && (!ranges.is_empty() || j > i + 1 + usize::from(neg)) {
                        closed = true;
                        break;
                    }
                    let lo = if c[j] == '\\' && j + 1 < c.len() {
                        j += 1;
                        c[j]
                    } else {
                        c[j]
                    };
                    let hi =
                        if c.get(j + 1) == Some(&'-') && c.get(j + 2).is_some_and(|x| *x != ']') {
                            j += 2;
                            c[j]
                        } else {
                            lo
                        };
                    ranges.push((lo, hi));
                    j += 1;
                }
                if closed {
                    out.push(Tok::Class(neg, ranges));
                    i = j + 1;
                    continue;
                }
                out.push(Tok::Lit('['));
            }
            ch => out.push(Tok::Lit(ch)),
        }
        i += 1;
    }
    out
}

fn matches(t: &[Tok], s: &[char]) -> bool {
    match t.first() {
        None => s.is_empty(),
        Some(Tok::Lit(c)) => s.first() == Some(c) && matches(&t[1..], &s[1..]),
        Some(Tok::Any) => s.first().is_some_and(|c| *c != '/') && matches(&t[1..], &s[1..]),
        Some(Tok::Class(neg, ranges)) => {
            s.first().is_some_and(|c| {
                *c != '/' && (ranges.iter().any(|(lo, hi)| lo <= c && c <= hi) != *neg)
            }) && matches(&t[1..], &s[1..])
        }
        Some(Tok::Star) => {
            let mut i = 0;
            loop {
                if matches(&t[1..], &s[i..]) {
                    return true;
                }
                if i >= s.len() || s[i] == '/' {
                    return false;
                }
                i += 1;
            }
        }
        Some(Tok::DoubleStar) => (0..=s.len()).any(|i| matches(&t[1..], &s[i..])),
        Some(Tok::DirStar) => {
            if matches(&t[1..], s) {
                return true;
            }
            (0..s.len()).any(|i| s[i] == '/' && matches(&t[1..], &s[i + 1..]))
        }
    }
}

/// Go `filepath.Match`-style glob match of a whole path (with `**` support).
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let p: Vec<char> = path.chars().collect();
    matches(&compile(pattern), &p)
}

impl IgnorePattern {
    fn matches_path(&self, path: &str) -> bool {
        let p: Vec<char> = path.chars().collect();
        if matches(&self.tokens, &p) {
            return true;
        }
        // A pattern matching a parent directory matches everything under it.
        let segs: Vec<&str> = path.split('/').collect();
        (1..segs.len()).any(|i| {
            let parent: Vec<char> = segs[..i].join("/").chars().collect();
            matches(&self.tokens, &parent)
        })
    }
}

impl DockerIgnore {
    /// Parses `.dockerignore` text.
    pub fn parse(text: &str) -> DockerIgnore {
        let mut patterns = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (exclusion, p) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let cleaned = clean(p.trim_start_matches('/'));
            patterns.push(IgnorePattern {
                tokens: compile(&cleaned),
                text: cleaned,
                exclusion,
            });
        }
        DockerIgnore { patterns }
    }

    /// True if `path` (relative, `/`-separated) is excluded from the context.
    pub fn is_ignored(&self, path: &str) -> bool {
        let mut ignored = false;
        for p in &self.patterns {
            if p.exclusion != ignored {
                continue;
            }
            if p.matches_path(path) {
                ignored = !p.exclusion;
            }
        }
        ignored
    }

    /// The build context: every workspace file not ignored, sorted by path.
    pub fn context<'a>(&self, ws: &'a Workspace) -> Vec<(&'a str, &'a str)> {
        ws.files().filter(|(p, _)| !self.is_ignored(p)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_semantics() {
        let d = DockerIgnore::parse(
            "# comment\nnode_modules\n/.git\n*.md\n!README.md\n**/*.log\nsrc/**/tmp\n",
        );
        assert!(d.is_ignored("node_modules/express/index.js"));
        assert!(d.is_ignored(".git/HEAD"));
        assert!(d.is_ignored("CHANGES.md"));
        assert!(!d.is_ignored("README.md"));
        assert!(!d.is_ignored("docs/guide.md"), "* does not cross /");
        assert!(d.is_ignored("a/b/c.log"));
        assert!(d.is_ignored("x.log"));
        assert!(d.is_ignored("src/tmp/x"));
        assert!(d.is_ignored("src/a/b/tmp/x"));
        assert!(!d.is_ignored("src/app.js"));
        assert!(glob_match("package*.json", "package-lock.json"));
        assert!(!glob_match("package*.json", "sub/package.json"));
        assert!(glob_match("[a-c]?.txt", "b1.txt"));
    }

    #[test]
    fn last_match_wins() {
        let d = DockerIgnore::parse("*\n!src\nsrc/secret.txt\n");
        assert!(d.is_ignored("Dockerfile"));
        assert!(!d.is_ignored("src/app.js"));
        assert!(d.is_ignored("src/secret.txt"));
    }
}
