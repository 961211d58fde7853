//! ECR scan on push, simplified: instead of matching packages against a CVE database,
//! the simulated scanner checks three things it can see in the image config and history,
//! and explains each finding:
//!
//! - the container runs as root (no `USER`, or `USER root`/`0`) — `CIS-DI-0001`;
//! - the base image is end-of-life (Alpine ≤ 3.17, Debian stretch/buster) — its packages
//!   no longer get security fixes;
//! - an environment variable's name looks like a secret (`*_PASSWORD`, `API_KEY`, …) —
//!   `ENV` values are visible to anyone who can pull the image (`docker inspect`).

use crate::image::oci::Image;
use serde::Serialize;

/// One finding, shaped like ECR's `imageScanFindings.findings[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Identifier.
    pub name: String,
    /// What is wrong and why it matters.
    pub description: String,
    /// Where to read more.
    pub uri: String,
    /// `CRITICAL`, `HIGH`, `MEDIUM`, `LOW`, `INFORMATIONAL`.
    pub severity: String,
}

/// Severities in ECR's order.
pub const SEVERITIES: [&str; 5] = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"];

fn secret_like(name: &str) -> bool {
    let deny = [
        "apikey",
        "auth",
        "credential",
        "credentials",
        "key",
        "password",
        "passwd",
        "pword",
        "secret",
        "token",
    ];
    let tokens: Vec<String> = name.split('_').map(str::to_lowercase).collect();
    let public = tokens.first().is_some_and(|t| t == "public")
        || tokens.last().is_some_and(|t| t == "public");
    !public && tokens.iter().any(|t| deny.contains(&t.as_str()))
}

/// End-of-life base systems, recognised by their root filesystem layer.
const STALE: [(&str, &str); 4] = [
    (
        "alpine-minirootfs-3.13",
        "Alpine Linux 3.13 (end of life since November 2022)",
    ),
    (
        "alpine-minirootfs-3.17",
        "Alpine Linux 3.17 (end of life since November 2024)",
    ),
    ("'buster'", "Debian 10 buster (end of life since June 2024)"),
    (
        "'stretch'",
        "Debian 9 stretch (end of life since June 2022)",
    ),
];

/// Scans `image`.
pub fn scan(image: &Image) -> Vec<Finding> {
    let mut out = Vec::new();
    let cfg = &image.config.config;
    let user = cfg.user.split(':').next().unwrap_or_default();
    if user.is_empty() || user == "root" || user == "0" {
        out.push(Finding {
            name: "CIS-DI-0001".into(),
            description: format!(
                "The container runs as root: {}. A process escaping the container would be root on the host's kernel; add a USER instruction with an unprivileged user.",
                if user.is_empty() {
                    "the image config has no USER".to_string()
                } else {
                    format!("USER is {}", cfg.user)
                }
            ),
            uri: "https://docs.docker.com/go/dockerfile/user-best-practices/".into(),
            severity: "MEDIUM".into(),
        });
    }
    if let Some(base) = image.layers.first()
        && let Some((_, what)) = STALE.iter().find(|(k, _)| base.created_by.contains(k))
    {
        out.push(Finding {
            name: "STALE-BASE-IMAGE".into(),
            description: format!(
                "The base image is {what}: its packages no longer receive security fixes. Rebuild FROM a supported tag."
            ),
            uri: "https://endoflife.date/".into(),
            severity: "HIGH".into(),
        });
    }
    for e in &cfg.env {
        let name = e.split('=').next().unwrap_or_default();
        if secret_like(name) {
            out.push(Finding {
                name: "CIS-DI-0010".into(),
                description: format!(
                    "Environment variable {name} looks like a secret. ENV values are stored in the image config: anyone who can pull the image can read them (docker inspect). Pass secrets at run time or use a build secret mount."
                ),
                uri: "https://docs.docker.com/go/dockerfile/rule/secrets-used-in-arg-or-env/"
                    .into(),
                severity: "CRITICAL".into(),
            });
        }
    }
    out.sort_by_key(|f| SEVERITIES.iter().position(|s| *s == f.severity));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::catalog::Catalog;

    #[test]
    fn explains_root_stale_base_and_secrets() {
        let c = Catalog::standard();
        let mut img = c.resolve("node:16.3.0-alpine").unwrap().image.clone();
        img.config.config.env.push("DB_PASSWORD=hunter2".into());
        let f = scan(&img);
        let names: Vec<&str> = f.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["CIS-DI-0010", "STALE-BASE-IMAGE", "CIS-DI-0001"]);
        let distroless = &c
            .resolve("gcr.io/distroless/static-debian12")
            .unwrap()
            .image;
        let mut ok = distroless.clone();
        ok.config.config.user = "65532".into();
        assert!(scan(&ok).is_empty());
    }
}
