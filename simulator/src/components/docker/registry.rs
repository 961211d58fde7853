//! Image registries as content stores (`opencontainers/distribution-spec`): each registry
//! keeps a blob store (layers and configs by digest), manifests by digest, and
//! repositories that map tags to manifest digests and link the blobs they use.
//!
//! The model (also stated in the docs and the UI):
//! - The public registries (`docker.io`, `gcr.io`, `registry.k8s.io`) hold every image
//!   of [`crate::image::catalog`] with its real layers and digests, plus a few older tags
//!   that real Kubernetes manifests use (`nginx:1.14.2`, `redis:6.0.5`, …). A known
//!   repository only has its real tags, so a typo in a tag fails as on Docker Hub.
//! - A public reference *outside* the catalog is assumed to exist with a typical size
//!   ([`DEFAULT_IMAGE_SIZE`], two layers), because the simulator cannot know the whole
//!   internet (`registry.k8s.io/hpa-example`, `k8s.gcr.io/liveness`, `agnhost`, `pause`
//!   pull this way).
//! - The private ECR-like registry holds exactly what was pushed; its repositories must
//!   be created first (`aws ecr create-repository`).

use crate::image::catalog::{Catalog, Reference};
use crate::image::oci::{ContainerConfig, Digest, Empty, History, Image, ImageConfig, Layer};
use crate::time::SimTime;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Compressed size assumed for public images the catalog has no data for (a typical
/// small service image).
pub const DEFAULT_IMAGE_SIZE: u64 = 60 * 1024 * 1024;

/// Hosts of the public registries the simulator seeds.
pub const PUBLIC_HOSTS: [&str; 3] = ["docker.io", "gcr.io", "registry.k8s.io"];

/// Whether a registry is open to everyone or needs credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegistryKind {
    /// Docker Hub-like: anonymous pulls.
    Public,
    /// ECR-like: pulls and pushes need a login.
    Private,
}

/// ECR settings of a private repository (`aws ecr create-repository`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EcrSettings {
    /// When it was created.
    pub created_at: SimTime,
    /// `--image-tag-mutability IMMUTABLE`.
    pub immutable: bool,
    /// `--image-scanning-configuration scanOnPush=true`.
    pub scan_on_push: bool,
}

/// A manifest pushed to a repository, with what the registry knows about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PushedImage {
    /// When the manifest was (last) pushed.
    pub pushed_at: SimTime,
    /// Scan findings, when the image was scanned (scan on push).
    pub scan: Option<Vec<super::scan::Finding>>,
}

/// One repository: tags → manifest digests, and the blobs linked into it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Repository {
    /// Tag → manifest digest.
    pub tags: BTreeMap<String, Digest>,
    /// Blobs this repository links (what `HEAD /v2/<name>/blobs/<digest>` answers 200 for).
    pub blobs: BTreeSet<Digest>,
    /// Manifests pushed here (private registry), by digest.
    pub images: BTreeMap<Digest, PushedImage>,
    /// ECR settings (private registry only).
    pub ecr: Option<EcrSettings>,
}

/// An image registry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Registry {
    /// Host name used in image references.
    pub host: String,
    /// Public or private.
    pub kind: RegistryKind,
    /// Repositories by path (`library/nginx`, `app`).
    pub repositories: BTreeMap<String, Repository>,
    /// The blob store: digest → size in bytes (layers and configs), shared by every
    /// repository of the registry.
    pub blobs: BTreeMap<Digest, u64>,
    /// Manifests by digest, with the image they describe.
    pub manifests: BTreeMap<Digest, Image>,
    /// Extra digests that resolve to a stored manifest (pins found in real Dockerfiles).
    pub aliases: BTreeMap<String, Digest>,
}

impl Registry {
    /// An empty registry.
    pub fn new(host: &str, kind: RegistryKind) -> Registry {
        Registry {
            host: host.to_string(),
            kind,
            repositories: BTreeMap::new(),
            blobs: BTreeMap::new(),
            manifests: BTreeMap::new(),
            aliases: BTreeMap::new(),
        }
    }

    /// Stores `image` in repository `path` under `tags` (blobs, manifest, links, tags),
    /// as a finished push does. Returns the manifest digest.
    pub fn store(&mut self, path: &str, tags: &[String], image: &Image) -> Digest {
        let digest = image.manifest_digest();
        let manifest = image.manifest();
        let repo = self.repositories.entry(path.to_string()).or_default();
        self.blobs
            .insert(manifest.config.digest.clone(), manifest.config.size);
        repo.blobs.insert(manifest.config.digest.clone());
        for l in &image.layers {
            self.blobs.insert(l.digest.clone(), l.size);
            repo.blobs.insert(l.digest.clone());
        }
        for t in tags {
            repo.tags.insert(t.clone(), digest.clone());
        }
        self.manifests.insert(digest.clone(), image.clone());
        digest
    }

    /// The manifest a tag or digest names in repository `path`.
    pub fn lookup(&self, path: &str, tag: Option<&str>, digest: Option<&str>) -> Option<&Digest> {
        let repo = self.repositories.get(path)?;
        match (digest, tag) {
            (Some(d), _) => {
                let d = self.aliases.get(d).map(Digest::as_str).unwrap_or(d);
                repo.tags
                    .values()
                    .chain(repo.images.keys())
                    .find(|m| m.as_str() == d)
            }
            (None, Some(t)) => repo.tags.get(t),
            (None, None) => repo.tags.get("latest"),
        }
    }

    /// Which repository other than `path` links `digest` (for cross-repository mounts).
    pub fn mount_source(&self, path: &str, digest: &Digest) -> Option<&str> {
        self.repositories
            .iter()
            .find(|(p, r)| p.as_str() != path && r.blobs.contains(digest))
            .map(|(p, _)| p.as_str())
    }
}

/// A layer the registry module makes up for tags the catalog lacks.
fn extra_layer(key: &str, created_by: &str, uncompressed: u64, compressed: u64) -> Layer {
    Layer::synthetic(
        &format!("registry:{key}"),
        uncompressed,
        compressed,
        created_by,
    )
}

const MB: u64 = 1_000_000;

/// Older or extra tags of catalog repositories that real manifests use, built on the
/// catalog's layers where the real image shares them (`nginx:1.16.1` is on
/// `debian:buster-slim`). (repository, tags, catalog base layers, extra layers, ports,
/// cmd.)
type ExtraRow = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [(&'static str, &'static str, u64, u64)],
    &'static [&'static str],
    &'static [&'static str],
);

const STRETCH_SLIM: (&str, &str, u64, u64) = (
    "debian-stretch-slim",
    "# debian.sh --arch 'amd64' out/ 'stretch' '@1594080000' (slim)",
    55_300_000,
    22_500_000,
);

const NGINX_CMD: &[&str] = &["nginx", "-g", "daemon off;"];
const REDIS_CMD: &[&str] = &["redis-server"];
const HTTPD_CMD: &[&str] = &["httpd-foreground"];

const EXTRA: &[ExtraRow] = &[
    (
        "library/nginx",
        &["1.14.2"],
        &[],
        &[
            STRETCH_SLIM,
            (
                "nginx-1.14.2",
                "RUN set -x && apt-get update && apt-get install … nginx=1.14.2-1~stretch …",
                54 * MB,
                22_300_000,
            ),
        ],
        &["80/tcp"],
        NGINX_CMD,
    ),
    (
        "library/nginx",
        &["1.15", "1.15.12"],
        &[],
        &[
            STRETCH_SLIM,
            (
                "nginx-1.15",
                "RUN set -x && apt-get update && apt-get install … nginx=1.15.12-1~stretch …",
                54 * MB,
                22_400_000,
            ),
        ],
        &["80/tcp"],
        NGINX_CMD,
    ),
    (
        "library/nginx",
        &["1.16.1", "1.16"],
        &["debian-buster-slim"],
        &[(
            "nginx-1.16.1",
            "RUN set -x && apt-get update && apt-get install … nginx=1.16.1-1~buster …",
            58 * MB,
            23_500_000,
        )],
        &["80/tcp"],
        NGINX_CMD,
    ),
    (
        "library/nginx",
        &["1.25", "1.25.5"],
        &["debian-bookworm-slim", "nginx-scripts"],
        &[(
            "nginx-1.25",
            "RUN set -x && groupadd --system --gid 101 nginx && … nginx=1.25.5-1~bookworm …",
            113 * MB,
            39_200_000,
        )],
        &["80/tcp"],
        NGINX_CMD,
    ),
    (
        "library/nginx",
        &["1.26", "1.26.2", "stable"],
        &["debian-bookworm-slim", "nginx-scripts"],
        &[(
            "nginx-1.26",
            "RUN set -x && groupadd --system --gid 101 nginx && … nginx=1.26.2-1~bookworm …",
            115 * MB,
            39_700_000,
        )],
        &["80/tcp"],
        NGINX_CMD,
    ),
    (
        "library/redis",
        &["6.0.5"],
        &["debian-buster-slim"],
        &[(
            "redis-6.0.5",
            "RUN set -eux; … wget -O redis.tar.gz http://download.redis.io/releases/redis-6.0.5.tar.gz … make install",
            36 * MB,
            14_800_000,
        )],
        &["6379/tcp"],
        REDIS_CMD,
    ),
    (
        "library/redis",
        &["7.2", "7.2.7"],
        &["debian-bookworm-slim", "redis-entrypoint"],
        &[(
            "redis-7.2",
            "RUN set -eux; … redis-7.2.7.tar.gz … make install",
            42 * MB,
            16_100_000,
        )],
        &["6379/tcp"],
        REDIS_CMD,
    ),
    (
        "library/redis",
        &["7.4", "7.4.2", "latest"],
        &["debian-bookworm-slim", "redis-entrypoint"],
        &[(
            "redis-7.4",
            "RUN set -eux; … redis-7.4.2.tar.gz … make install",
            44 * MB,
            16_700_000,
        )],
        &["6379/tcp"],
        REDIS_CMD,
    ),
    (
        "library/httpd",
        &["2.4", "2.4.62", "latest"],
        &["debian-bookworm-slim"],
        &[(
            "httpd-2.4",
            "RUN set -eux; … httpd-2.4.62.tar.bz2 … make install",
            120 * MB,
            30_500_000,
        )],
        &["80/tcp"],
        HTTPD_CMD,
    ),
    (
        "library/httpd",
        &["2.4-alpine", "alpine"],
        &["alpine-3.21"],
        &[(
            "httpd-2.4-alpine",
            "RUN set -eux; apk add --no-cache … httpd-2.4.62 … make install",
            55 * MB,
            19_800_000,
        )],
        &["80/tcp"],
        HTTPD_CMD,
    ),
];

fn image_of(layers: Vec<Layer>, ports: &[&str], cmd: &[&str], env: Vec<String>) -> Image {
    let mut cfg = ImageConfig::scratch();
    cfg.config = ContainerConfig {
        env,
        exposed_ports: ports.iter().map(|p| (p.to_string(), Empty {})).collect(),
        cmd: (!cmd.is_empty()).then(|| cmd.iter().map(|s| s.to_string()).collect()),
        ..ContainerConfig::default()
    };
    cfg.rootfs.diff_ids = layers.iter().map(|l| l.diff_id.clone()).collect();
    cfg.history = layers
        .iter()
        .map(|l| History {
            created_by: l.created_by.clone(),
            comment: String::new(),
            empty_layer: false,
        })
        .collect();
    Image {
        config: cfg,
        layers,
    }
}

const PATH_STD: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The image Shipshape assumes for a public reference outside the catalog: two layers
/// (a base shared by every tag of the repository and one per tag) adding up to
/// [`DEFAULT_IMAGE_SIZE`] compressed.
pub fn assumed_image(r: &Reference) -> Image {
    let repo = r.repository();
    let which = r
        .digest
        .clone()
        .or_else(|| r.tag.clone())
        .unwrap_or_default();
    let base = DEFAULT_IMAGE_SIZE * 3 / 4;
    let top = DEFAULT_IMAGE_SIZE - base;
    let layers = vec![
        Layer::synthetic(
            &format!("assumed-base:{repo}"),
            base * 5 / 2,
            base,
            &format!("(base layer of {repo}: outside Shipshape's catalog, typical size assumed)"),
        ),
        Layer::synthetic(
            &format!("assumed:{repo}:{which}"),
            top * 5 / 2,
            top,
            &format!(
                "(layer of {repo}:{which}: outside Shipshape's catalog, typical size assumed)"
            ),
        ),
    ];
    image_of(layers, &[], &[], vec![PATH_STD.to_string()])
}

/// The public registries, seeded from the catalog and the extra tags.
pub fn public_registries(catalog: &Catalog) -> Vec<Registry> {
    let mut regs: BTreeMap<String, Registry> = PUBLIC_HOSTS
        .iter()
        .map(|h| (h.to_string(), Registry::new(h, RegistryKind::Public)))
        .collect();
    for b in catalog.images() {
        let Ok(r) = Reference::parse(&b.repository) else {
            continue;
        };
        let reg = regs
            .entry(r.domain.clone())
            .or_insert_with(|| Registry::new(&r.domain, RegistryKind::Public));
        let digest = reg.store(&r.path, &b.tags, &b.image);
        for p in &b.pinned {
            reg.aliases.insert(p.clone(), digest.clone());
        }
    }
    if let Some(hub) = regs.get_mut("docker.io") {
        for (repo, tags, base, extra, ports, cmd) in EXTRA {
            let mut layers: Vec<Layer> = base
                .iter()
                .filter_map(|k| crate::image::catalog::layer(k))
                .collect();
            layers.extend(extra.iter().map(|(k, by, u, c)| extra_layer(k, by, *u, *c)));
            let image = image_of(layers, ports, cmd, vec![PATH_STD.to_string()]);
            let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
            hub.store(repo, &tags, &image);
        }
    }
    regs.into_values().collect()
}

/// A reference resolved against the registries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The normalised reference (`docker.io/library/nginx:1.27`).
    pub reference: String,
    /// Registry host.
    pub host: String,
    /// Repository path in the registry (`library/nginx`).
    pub path: String,
    /// The tag, when the reference has one.
    pub tag: Option<String>,
    /// Manifest digest.
    pub digest: Digest,
    /// The image.
    pub image: Image,
    /// True when the registry needs credentials.
    pub private: bool,
    /// True when the image is outside the catalog and its size is assumed.
    pub assumed: bool,
}

/// Why a reference does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// Not a valid reference.
    Invalid(String),
    /// The repository exists but not this tag or digest.
    ManifestUnknown,
    /// A private registry without that repository.
    RepositoryUnknown,
}

/// Resolves `reference` (as typed) against `registries`.
pub fn resolve(
    registries: &BTreeMap<String, Registry>,
    reference: &str,
) -> Result<Resolved, ResolveError> {
    let r = Reference::parse(reference).map_err(ResolveError::Invalid)?;
    resolve_parsed(registries, &r)
}

/// [`resolve`] for a parsed reference.
pub fn resolve_parsed(
    registries: &BTreeMap<String, Registry>,
    r: &Reference,
) -> Result<Resolved, ResolveError> {
    let found = |reg: &Registry, digest: &Digest| Resolved {
        reference: r.full(),
        host: r.domain.clone(),
        path: r.path.clone(),
        tag: r.tag.clone(),
        digest: digest.clone(),
        image: reg.manifests[digest].clone(),
        private: reg.kind == RegistryKind::Private,
        assumed: false,
    };
    let assumed = || {
        let image = assumed_image(r);
        Resolved {
            reference: r.full(),
            host: r.domain.clone(),
            path: r.path.clone(),
            tag: r.tag.clone(),
            digest: match &r.digest {
                Some(d) => Digest::parse(d).unwrap_or_else(|_| image.manifest_digest()),
                None => image.manifest_digest(),
            },
            image,
            private: false,
            assumed: true,
        }
    };
    match registries.get(&r.domain) {
        Some(reg) => match reg.repositories.get(&r.path) {
            Some(_) => match reg.lookup(&r.path, r.tag.as_deref(), r.digest.as_deref()) {
                Some(d) => Ok(found(reg, d)),
                None => Err(ResolveError::ManifestUnknown),
            },
            None if reg.kind == RegistryKind::Private => Err(ResolveError::RepositoryUnknown),
            None => Ok(assumed()),
        },
        None => Ok(assumed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regs() -> BTreeMap<String, Registry> {
        public_registries(&Catalog::standard())
            .into_iter()
            .map(|r| (r.host.clone(), r))
            .collect()
    }

    #[test]
    fn catalog_and_extra_tags_resolve_with_real_layers() {
        let regs = regs();
        let node = resolve(&regs, "node:22").unwrap();
        assert!(!node.assumed);
        assert_eq!(node.image.layers.len(), 8);
        let debian = resolve(&regs, "debian:bookworm").unwrap();
        assert_eq!(node.image.layers[0].digest, debian.image.layers[0].digest);
        for r in [
            "nginx:1.14.2",
            "nginx:1.15",
            "nginx:1.16.1",
            "redis:6.0.5",
            "gcr.io/distroless/static-debian12:nonroot",
        ] {
            assert!(resolve(&regs, r).is_ok_and(|x| !x.assumed), "{r}");
        }
        assert_eq!(
            resolve(&regs, "nginx:1.99"),
            Err(ResolveError::ManifestUnknown)
        );
    }

    #[test]
    fn references_outside_the_catalog_exist_with_a_typical_size() {
        let regs = regs();
        for r in [
            "registry.k8s.io/hpa-example",
            "k8s.gcr.io/liveness",
            "registry.k8s.io/e2e-test-images/agnhost:2.39",
            "registry.k8s.io/pause:3.9",
        ] {
            let x = resolve(&regs, r).unwrap();
            assert!(x.assumed, "{r}");
            assert_eq!(x.image.compressed_size(), DEFAULT_IMAGE_SIZE);
        }
    }
}
