//! OCI image data: digests, descriptors, manifests and image configs
//! (`opencontainers/image-spec@13cff54`: `descriptor.md`, `manifest.md`, `config.md`).
//!
//! Everything is serialised *canonically*: serde structs with a fixed field order
//! (the order of Go's `specs-go/v1` structs, maps sorted, empty fields omitted, compact
//! JSON), so a digest is `sha256:` + the hex of exactly the bytes we would push.
//!
//! - A **DiffID** is the digest of a layer's *uncompressed* tar (it goes in the config's
//!   `rootfs.diff_ids`); the manifest lists the digest of the *compressed* blob as stored.
//! - **ChainID**(L0) = DiffID(L0); ChainID(L0…Ln) = sha256(ChainID(L0…Ln-1) + " " +
//!   DiffID(Ln)) — identifies a stack of layers (what a node's snapshotter keys on).
//! - The **image ID** is the digest of the config JSON.
//!
//! The simulator has no real tar bytes, so layer digests are derived from a stable
//! description of their content ([`Layer::synthetic`]): identical content ⇒ identical
//! digests, which is all registries and nodes need to share layers.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use std::collections::BTreeMap;
use std::fmt;

/// `application/vnd.oci.image.manifest.v1+json`.
pub const MEDIA_TYPE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// `application/vnd.oci.image.config.v1+json`.
pub const MEDIA_TYPE_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// `application/vnd.oci.image.layer.v1.tar+gzip`.
pub const MEDIA_TYPE_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// A content digest, `algorithm:hex` (lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Digest(String);

impl Digest {
    /// sha256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(format!("sha256:{}", hex(&Sha256::digest(bytes))))
    }

    /// Digest of `bytes` with a named algorithm (`sha256`, `sha384`, `sha512`).
    pub fn with_algorithm(algorithm: &str, bytes: &[u8]) -> Result<Digest, String> {
        let h = match algorithm {
            "sha256" => hex(&Sha256::digest(bytes)),
            "sha384" => hex(&Sha384::digest(bytes)),
            "sha512" => hex(&Sha512::digest(bytes)),
            other => return Err(format!("unsupported digest algorithm: {other}")),
        };
        Ok(Digest(format!("{algorithm}:{h}")))
    }

    /// Validates `algorithm:hex` (sha256 needs 64 lower-case hex digits).
    pub fn parse(s: &str) -> Result<Digest, String> {
        let Some((alg, h)) = s.split_once(':') else {
            return Err(format!("invalid checksum digest format: {s}"));
        };
        let len = match alg {
            "sha256" => 64,
            "sha384" => 96,
            "sha512" => 128,
            _ => return Err(format!("unsupported digest algorithm: {s}")),
        };
        if h.len() != len
            || !h
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        {
            return Err(format!("invalid checksum digest format: {s}"));
        }
        Ok(Digest(s.to_string()))
    }

    /// The full `sha256:…` string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The hex part.
    pub fn hex(&self) -> &str {
        self.0.split_once(':').map(|(_, h)| h).unwrap_or(&self.0)
    }

    /// The first 12 hex digits, as `docker images` shows IDs.
    pub fn short(&self) -> &str {
        let h = self.hex();
        &h[..h.len().min(12)]
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A content descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Descriptor {
    /// Media type of the referenced content.
    #[serde(rename = "mediaType")]
    pub media_type: String,
    /// Digest of the referenced bytes.
    pub digest: Digest,
    /// Size in bytes.
    pub size: u64,
    /// Optional annotations.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub annotations: BTreeMap<String, String>,
}

impl Descriptor {
    /// A descriptor of `bytes`.
    pub fn of(media_type: &str, bytes: &[u8]) -> Descriptor {
        Descriptor {
            media_type: media_type.to_string(),
            digest: Digest::of(bytes),
            size: bytes.len() as u64,
            annotations: BTreeMap::new(),
        }
    }
}

/// An image manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always 2.
    #[serde(rename = "schemaVersion")]
    pub schema_version: u32,
    /// [`MEDIA_TYPE_MANIFEST`].
    #[serde(rename = "mediaType")]
    pub media_type: String,
    /// The config blob.
    pub config: Descriptor,
    /// Layer blobs, base first.
    pub layers: Vec<Descriptor>,
    /// Optional annotations.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub annotations: BTreeMap<String, String>,
}

/// An empty JSON object (`{}`), as used by `ExposedPorts` and `Volumes`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

/// Docker's healthcheck extension of the config (durations in nanoseconds).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthConfig {
    /// `["NONE"]`, `["CMD", …]` or `["CMD-SHELL", "…"]`.
    #[serde(rename = "Test", skip_serializing_if = "Vec::is_empty", default)]
    pub test: Vec<String>,
    /// Interval in ns (0 = default 30 s).
    #[serde(rename = "Interval", skip_serializing_if = "is_zero", default)]
    pub interval: u64,
    /// Timeout in ns (0 = default 30 s).
    #[serde(rename = "Timeout", skip_serializing_if = "is_zero", default)]
    pub timeout: u64,
    /// Start period in ns.
    #[serde(rename = "StartPeriod", skip_serializing_if = "is_zero", default)]
    pub start_period: u64,
    /// Start interval in ns.
    #[serde(rename = "StartInterval", skip_serializing_if = "is_zero", default)]
    pub start_interval: u64,
    /// Retries (0 = default 3).
    #[serde(rename = "Retries", skip_serializing_if = "is_zero", default)]
    pub retries: u64,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// The execution parameters of an image (`config.config`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerConfig {
    /// `USER`.
    #[serde(rename = "User", skip_serializing_if = "String::is_empty", default)]
    pub user: String,
    /// `EXPOSE` (`"80/tcp": {}`).
    #[serde(
        rename = "ExposedPorts",
        skip_serializing_if = "BTreeMap::is_empty",
        default
    )]
    pub exposed_ports: BTreeMap<String, Empty>,
    /// `ENV` as `KEY=value`, in definition order.
    #[serde(rename = "Env", skip_serializing_if = "Vec::is_empty", default)]
    pub env: Vec<String>,
    /// `ENTRYPOINT`.
    #[serde(
        rename = "Entrypoint",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub entrypoint: Option<Vec<String>>,
    /// `CMD`.
    #[serde(rename = "Cmd", skip_serializing_if = "Option::is_none", default)]
    pub cmd: Option<Vec<String>>,
    /// `VOLUME`.
    #[serde(
        rename = "Volumes",
        skip_serializing_if = "BTreeMap::is_empty",
        default
    )]
    pub volumes: BTreeMap<String, Empty>,
    /// `WORKDIR`.
    #[serde(
        rename = "WorkingDir",
        skip_serializing_if = "String::is_empty",
        default
    )]
    pub working_dir: String,
    /// `LABEL`.
    #[serde(rename = "Labels", skip_serializing_if = "BTreeMap::is_empty", default)]
    pub labels: BTreeMap<String, String>,
    /// `STOPSIGNAL`.
    #[serde(
        rename = "StopSignal",
        skip_serializing_if = "String::is_empty",
        default
    )]
    pub stop_signal: String,
    /// `HEALTHCHECK` (Docker extension).
    #[serde(
        rename = "Healthcheck",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub healthcheck: Option<HealthConfig>,
    /// `ONBUILD` triggers (Docker extension).
    #[serde(rename = "OnBuild", skip_serializing_if = "Vec::is_empty", default)]
    pub on_build: Vec<String>,
    /// `SHELL` (Docker extension).
    #[serde(rename = "Shell", skip_serializing_if = "Vec::is_empty", default)]
    pub shell: Vec<String>,
}

impl ContainerConfig {
    /// The value of `key` in `Env`.
    pub fn env_get(&self, key: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find_map(|e| e.split_once('=').filter(|(k, _)| *k == key).map(|(_, v)| v))
    }

    /// Sets `key=value` in `Env`, replacing an existing entry in place.
    pub fn env_set(&mut self, key: &str, value: &str) {
        let entry = format!("{key}={value}");
        match self
            .env
            .iter_mut()
            .find(|e| e.split_once('=').map(|(k, _)| k) == Some(key))
        {
            Some(e) => *e = entry,
            None => self.env.push(entry),
        }
    }
}

/// `rootfs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootFs {
    /// Always `layers`.
    #[serde(rename = "type")]
    pub kind: String,
    /// DiffIDs, base first.
    pub diff_ids: Vec<Digest>,
}

/// One `history` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// The instruction that made it.
    pub created_by: String,
    /// `buildkit.dockerfile.v0` for built steps.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub comment: String,
    /// True for metadata-only steps (no layer).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub empty_layer: bool,
}

/// The image config blob (`application/vnd.oci.image.config.v1+json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// `MAINTAINER`, if any.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub author: String,
    /// CPU architecture (`amd64`).
    pub architecture: String,
    /// Operating system (`linux`).
    pub os: String,
    /// Execution parameters.
    pub config: ContainerConfig,
    /// Layer DiffIDs.
    pub rootfs: RootFs,
    /// How each layer was made.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub history: Vec<History>,
}

impl ImageConfig {
    /// An empty linux/amd64 config (`scratch`).
    pub fn scratch() -> ImageConfig {
        ImageConfig {
            author: String::new(),
            architecture: "amd64".to_string(),
            os: "linux".to_string(),
            config: ContainerConfig::default(),
            rootfs: RootFs {
                kind: "layers".to_string(),
                diff_ids: Vec::new(),
            },
            history: Vec::new(),
        }
    }

    /// The canonical JSON bytes.
    pub fn canonical_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The image ID: digest of the config JSON.
    pub fn id(&self) -> Digest {
        Digest::of(&self.canonical_json())
    }
}

/// ChainID of a stack of DiffIDs (`None` for no layers).
pub fn chain_id(diff_ids: &[Digest]) -> Option<Digest> {
    let mut it = diff_ids.iter();
    let mut chain = it.next()?.clone();
    for d in it {
        chain = Digest::of(format!("{chain} {d}").as_bytes());
    }
    Some(chain)
}

/// A layer: its uncompressed identity (DiffID) and its stored blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layer {
    /// Digest of the uncompressed tar.
    pub diff_id: Digest,
    /// Digest of the compressed blob (what registries store).
    pub digest: Digest,
    /// Compressed size in bytes.
    pub size: u64,
    /// Uncompressed size in bytes.
    pub uncompressed_size: u64,
    /// What produced it.
    pub created_by: String,
}

impl Layer {
    /// A simulated layer whose digests derive from `content_key` (a stable description of
    /// its content): same key ⇒ same DiffID and blob digest.
    pub fn synthetic(
        content_key: &str,
        uncompressed: u64,
        compressed: u64,
        created_by: &str,
    ) -> Layer {
        let diff_id = Digest::of(format!("shipshape-layer-tar\n{content_key}").as_bytes());
        let digest = Digest::of(format!("shipshape-layer-gzip\n{diff_id}").as_bytes());
        Layer {
            diff_id,
            digest,
            size: compressed,
            uncompressed_size: uncompressed,
            created_by: created_by.to_string(),
        }
    }

    /// The manifest descriptor of this layer.
    pub fn descriptor(&self) -> Descriptor {
        Descriptor {
            media_type: MEDIA_TYPE_LAYER_GZIP.to_string(),
            digest: self.digest.clone(),
            size: self.size,
            annotations: BTreeMap::new(),
        }
    }
}

/// An image: config plus layers, with its manifest derived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// The config (its `rootfs.diff_ids` match `layers`).
    pub config: ImageConfig,
    /// Layers, base first.
    pub layers: Vec<Layer>,
}

impl Image {
    /// Image ID (config digest).
    pub fn id(&self) -> Digest {
        self.config.id()
    }

    /// The manifest.
    pub fn manifest(&self) -> Manifest {
        Manifest {
            schema_version: 2,
            media_type: MEDIA_TYPE_MANIFEST.to_string(),
            config: Descriptor::of(MEDIA_TYPE_CONFIG, &self.config.canonical_json()),
            layers: self.layers.iter().map(Layer::descriptor).collect(),
            annotations: BTreeMap::new(),
        }
    }

    /// Canonical manifest bytes.
    pub fn manifest_json(&self) -> Vec<u8> {
        serde_json::to_vec(&self.manifest()).unwrap_or_default()
    }

    /// Manifest digest (what `repo@sha256:…` pins).
    pub fn manifest_digest(&self) -> Digest {
        Digest::of(&self.manifest_json())
    }

    /// Sum of uncompressed layer sizes (what `docker images` shows).
    pub fn size(&self) -> u64 {
        self.layers.iter().map(|l| l.uncompressed_size).sum()
    }

    /// Sum of compressed layer sizes (what a pull downloads).
    pub fn compressed_size(&self) -> u64 {
        self.layers.iter().map(|l| l.size).sum()
    }

    /// ChainID of the whole layer stack.
    pub fn chain_id(&self) -> Option<Digest> {
        chain_id(&self.config.rootfs.diff_ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(
            Digest::of(b"").as_str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let d = Descriptor::of(MEDIA_TYPE_CONFIG, b"{}");
        assert_eq!(
            d.digest.as_str(),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        assert_eq!(d.size, 2);
        assert!(Digest::parse("sha256:ABC").is_err());
    }

    #[test]
    fn chain_ids() {
        let a = Digest::of(b"a");
        let b = Digest::of(b"b");
        assert_eq!(chain_id(std::slice::from_ref(&a)), Some(a.clone()));
        assert_eq!(
            chain_id(&[a.clone(), b.clone()]),
            Some(Digest::of(format!("{a} {b}").as_bytes()))
        );
        assert_eq!(chain_id(&[]), None);
    }

    #[test]
    fn config_json_is_canonical() {
        let mut c = ImageConfig::scratch();
        c.config.env_set("PATH", "/bin");
        c.config.cmd = Some(vec!["sh".into()]);
        let json = String::from_utf8(c.canonical_json()).unwrap();
        assert_eq!(
            json,
            r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":[]}}"#
        );
        assert_eq!(c.id(), Digest::of(json.as_bytes()));
    }
}
