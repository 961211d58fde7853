//! Image references as the kubelet parses them (`pkg/util/parsers/parsers.go
//! ParseImageName` over `distribution/reference ParseNormalizedNamed`) and the default
//! pull policy (`pkg/apis/core/v1/defaults.go SetDefaults_Container`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The registry short names resolve to.
pub const DEFAULT_DOMAIN: &str = "docker.io";
/// The legacy spelling of Docker Hub, normalised to [`DEFAULT_DOMAIN`].
pub const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";
/// Single-component Docker Hub names live under `library/`.
pub const OFFICIAL_REPO_PREFIX: &str = "library/";
/// `NameTotalLengthMax`.
pub const NAME_TOTAL_LENGTH_MAX: usize = 255;

/// A parsed image reference: `repo`, `tag` (`latest` when neither tag nor digest is given)
/// and `digest` (empty when absent).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ImageRef {
    /// Fully-qualified repository, e.g. `docker.io/library/nginx`.
    pub repo: String,
    /// Tag, e.g. `1.25` or `latest`; empty for a digest-only reference.
    pub tag: String,
    /// Digest, e.g. `sha256:…`; empty when absent.
    pub digest: String,
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repo)?;
        if !self.tag.is_empty() {
            write!(f, ":{}", self.tag)?;
        }
        if !self.digest.is_empty() {
            write!(f, "@{}", self.digest)?;
        }
        Ok(())
    }
}

/// `imagePullPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PullPolicy {
    /// Pull on every start.
    Always,
    /// Pull only if the node does not have the image.
    IfNotPresent,
    /// Never pull; `ErrImageNeverPull` if absent.
    Never,
}

impl PullPolicy {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PullPolicy::Always => "Always",
            PullPolicy::IfNotPresent => "IfNotPresent",
            PullPolicy::Never => "Never",
        }
    }
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// `splitDockerDomain`: the first component is a domain only if it contains `.` or `:`,
/// is `localhost`, or has an uppercase letter.
fn split_docker_domain(name: &str) -> (String, String) {
    let (mut domain, mut remainder) = match name.find('/') {
        Some(i)
            if name[..i].contains(['.', ':'])
                || &name[..i] == "localhost"
                || name[..i].to_lowercase() != name[..i] =>
        {
            (name[..i].to_string(), name[i + 1..].to_string())
        }
        _ => (DEFAULT_DOMAIN.to_string(), name.to_string()),
    };
    if domain == LEGACY_DEFAULT_DOMAIN {
        domain = DEFAULT_DOMAIN.to_string();
    }
    if domain == DEFAULT_DOMAIN && !remainder.contains('/') {
        remainder = format!("{OFFICIAL_REPO_PREFIX}{remainder}");
    }
    (domain, remainder)
}

/// `domainNameComponent`: `[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`.
fn is_domain_component(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// `DomainRegexp`: dotted host (or `[ipv6]`) with an optional `:port`.
fn is_domain(s: &str) -> bool {
    let (host, port): (Option<&str>, Option<&str>) = if let Some(rest) = s.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return false;
        };
        let ip = &rest[..end];
        if ip.is_empty() || !ip.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return false;
        }
        let after = &rest[end + 1..];
        if after.is_empty() {
            (None, None)
        } else if let Some(p) = after.strip_prefix(':') {
            (None, Some(p))
        } else {
            return false;
        }
    } else {
        match s.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(s), None),
        }
    };
    if let Some(h) = host
        && !h.split('.').all(is_domain_component)
    {
        return false;
    }
    match port {
        Some(p) => !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()),
        None => true,
    }
}

/// `pathComponent`: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
fn is_path_component(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !is_lower_alnum(b[0]) || !is_lower_alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if is_lower_alnum(b[i]) {
            i += 1;
            continue;
        }
        // A separator run: ".", "_", "__" or one or more "-".
        let start = i;
        while i < b.len() && !is_lower_alnum(b[i]) {
            i += 1;
        }
        let sep = &s[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `TagRegexp`: `[\w][\w.-]{0,127}`.
fn is_tag(s: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b.iter().all(|&c| word(c) || c == b'.' || c == b'-')
}

/// `digest.Parse`: `algorithm:hex`, with the algorithm's exact hex length.
fn check_digest(d: &str) -> Result<(), String> {
    let Some((alg, hex)) = d.split_once(':') else {
        return Err("invalid checksum digest format".to_string());
    };
    let alg_ok = {
        let mut parts = alg.split(['-', '_', '+', '.']);
        parts.all(|p| {
            let b = p.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphabetic()
                && b.iter().all(|c| c.is_ascii_alphanumeric())
        })
    };
    if !alg_ok || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("invalid reference format".to_string());
    }
    let want = match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return Err("unsupported digest algorithm".to_string()),
    };
    if hex.len() != want {
        return Err("invalid checksum digest length".to_string());
    }
    if hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err("invalid checksum digest format".to_string());
    }
    Ok(())
}

/// `ParseImageName(image)`: normalises short names to `docker.io/library/<name>`,
/// `user/repo` to `docker.io/user/repo`, keeps explicit registries (`url:5000/repo`), and
/// returns tag `latest` when neither tag nor digest is given. Errors follow
/// `distribution/reference` ("must be lowercase", "cannot specify 64-byte hexadecimal
/// strings", "invalid reference format").
pub fn parse_image_name(image: &str) -> Result<ImageRef, String> {
    let wrap = |e: String| format!("couldn't parse image name \"{image}\": {e}");
    if is_hex64(image) {
        return Err(wrap(format!(
            "invalid repository name ({image}), cannot specify 64-byte hexadecimal strings"
        )));
    }
    if image.is_empty() {
        return Err(wrap(
            "repository name must have at least one component".to_string(),
        ));
    }
    let (domain, remainder) = split_docker_domain(image);
    let remote_name = match remainder.find(':') {
        Some(i) => &remainder[..i],
        None => remainder.as_str(),
    };
    if remote_name.to_lowercase() != remote_name {
        return Err(wrap(format!(
            "invalid reference format: repository name ({remote_name}) must be lowercase"
        )));
    }
    let full = format!("{domain}/{remainder}");
    // ReferenceRegexp: name [":" tag] ["@" digest].
    let (name_tag, digest) = match full.split_once('@') {
        Some((n, d)) => (n, d),
        None => (full.as_str(), ""),
    };
    let last_slash = name_tag.rfind('/').unwrap_or(0);
    let (name, tag, has_tag) = match name_tag.rfind(':') {
        Some(i) if i > last_slash => (&name_tag[..i], &name_tag[i + 1..], true),
        _ => (name_tag, "", false),
    };
    let invalid = || wrap("invalid reference format".to_string());
    let Some((dom, path)) = name.split_once('/') else {
        return Err(invalid());
    };
    if !is_domain(dom) || !path.split('/').all(is_path_component) {
        return Err(invalid());
    }
    if has_tag && !is_tag(tag) {
        return Err(invalid());
    }
    if full.contains('@') {
        check_digest(digest).map_err(wrap)?;
    }
    if name.len() > NAME_TOTAL_LENGTH_MAX {
        return Err(wrap(format!(
            "repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters"
        )));
    }
    let tag = if tag.is_empty() && digest.is_empty() {
        "latest".to_string()
    } else {
        tag.to_string()
    };
    Ok(ImageRef {
        repo: name.to_string(),
        tag,
        digest: digest.to_string(),
    })
}

/// `SetDefaults_Container`: an empty `imagePullPolicy` becomes `Always` if the parsed tag
/// is `latest` (including no tag at all), else `IfNotPresent` (digest-only references and
/// unparsable names too, since the parse error is ignored there).
pub fn default_pull_policy(image: &str) -> PullPolicy {
    match parse_image_name(image) {
        Ok(r) if r.tag == "latest" => PullPolicy::Always,
        _ => PullPolicy::IfNotPresent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn p(s: &str) -> (String, String, String) {
        let r = parse_image_name(s).unwrap();
        (r.repo, r.tag, r.digest)
    }

    #[test]
    fn upstream_table() {
        let t = |r: &str, tag: &str, d: &str| (r.to_string(), tag.to_string(), d.to_string());
        assert_eq!(p("root"), t("docker.io/library/root", "latest", ""));
        assert_eq!(p("root:tag"), t("docker.io/library/root", "tag", ""));
        assert_eq!(p(&format!("root@{D}")), t("docker.io/library/root", "", D));
        assert_eq!(p("user/repo"), t("docker.io/user/repo", "latest", ""));
        assert_eq!(p("user/repo:tag"), t("docker.io/user/repo", "tag", ""));
        assert_eq!(
            p(&format!("user/repo@{D}")),
            t("docker.io/user/repo", "", D)
        );
        assert_eq!(p("url:5000/repo"), t("url:5000/repo", "latest", ""));
        assert_eq!(p("url:5000/repo:tag"), t("url:5000/repo", "tag", ""));
        assert_eq!(p(&format!("url:5000/repo@{D}")), t("url:5000/repo", "", D));
        assert_eq!(
            p(&format!("url:5000/repo:latest@{D}")),
            t("url:5000/repo", "latest", D)
        );
    }

    #[test]
    fn normalisation() {
        assert_eq!(p("index.docker.io/nginx").0, "docker.io/library/nginx");
        assert_eq!(p("docker.io/nginx:1.25").0, "docker.io/library/nginx");
        assert_eq!(p("localhost/app").0, "localhost/app");
        assert_eq!(p("localhost:5000/team/app:v1").0, "localhost:5000/team/app");
        assert_eq!(
            p("123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2").1,
            "v2"
        );
        assert_eq!(p("my-registry.local/a/b/c").0, "my-registry.local/a/b/c");
        assert_eq!(p("nginx:1.25-alpine").1, "1.25-alpine");
    }

    #[test]
    fn errors() {
        assert!(
            parse_image_name("ROOT")
                .unwrap_err()
                .contains("must be lowercase")
        );
        assert!(
            parse_image_name(&D[7..])
                .unwrap_err()
                .contains("64-byte hexadecimal")
        );
        assert!(parse_image_name("").is_err());
        assert!(parse_image_name("root:").is_err());
        assert!(parse_image_name("root@sha256:abc").is_err());
        assert!(parse_image_name("a b").is_err());
        assert!(parse_image_name("-a").is_err());
        assert!(parse_image_name("a//b").is_err());
        assert!(parse_image_name("a:tag:tag2").is_err());
    }

    #[test]
    fn pull_policy_defaults() {
        assert_eq!(default_pull_policy("nginx"), PullPolicy::Always);
        assert_eq!(default_pull_policy("nginx:latest"), PullPolicy::Always);
        assert_eq!(default_pull_policy("nginx:1.25"), PullPolicy::IfNotPresent);
        assert_eq!(
            default_pull_policy(&format!("nginx@{D}")),
            PullPolicy::IfNotPresent
        );
        assert_eq!(
            default_pull_policy(&format!("nginx:latest@{D}")),
            PullPolicy::Always
        );
    }
}
