//! Image pulls: the kubelet asks containerd to resolve a reference against the world's
//! registries (real content stores, see `components::docker::registry`), fetch the
//! manifest and download only the layers missing from the node's content store.
//!
//! - Pull time = registry round trips + size of the *missing* layers ÷ node bandwidth,
//!   so a second image sharing a base pulls faster on a node that has the base.
//! - Public registries need no credentials. Public references outside the catalog exist
//!   with a typical size (two layers, [`DEFAULT_IMAGE_SIZE`]); a known repository only
//!   has its real tags.
//! - The private (ECR-like) registry needs credentials: an `imagePullSecrets` entry
//!   naming a `kubernetes.io/dockerconfigjson` Secret with an auth for that host, or a
//!   node-level credential. EKS nodes (label `eks.amazonaws.com/nodegroup`) have one: the
//!   node's instance role includes `AmazonEC2ContainerRegistryReadOnly`, and the kubelet's
//!   ECR credential provider turns it into registry tokens. The simulator checks that a
//!   Secret holds credentials for the host and that an ECR token in it has not expired; it
//!   does not model token signatures.

use crate::api::Object;
use crate::api::pod::Pod;
use crate::base64::{self, Alphabet};
use crate::components::docker::auth::{TokenCheck, check_ecr_token, dockerconfig_auth};
use crate::components::docker::registry::{self, ResolveError};
use crate::image::oci::Layer;
use crate::kube::image_ref::parse_image_name;
use crate::time::{SimDuration, SimTime};
use crate::world::World;

pub use crate::components::docker::registry::DEFAULT_IMAGE_SIZE;

/// Registry round trips before the first byte of a pull (auth, manifest).
pub const PULL_OVERHEAD: SimDuration = SimDuration::from_millis(200);

/// Node label of EKS managed node groups: their instance role can pull from ECR.
pub const EKS_NODEGROUP_LABEL: &str = "eks.amazonaws.com/nodegroup";

/// A resolved image: its normalised reference, layers and download size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// `docker.io/library/nginx:1.27`.
    pub reference: String,
    /// Compressed bytes of all layers.
    pub size: u64,
    /// Layers, base first.
    pub layers: Vec<Layer>,
    /// Registry host.
    pub host: String,
    /// Repository path.
    pub path: String,
    /// Tag or digest as asked.
    pub tag: String,
    /// The registry needs credentials.
    pub private: bool,
}

/// What a pull on a given node has to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Layers already in the node's content store.
    pub present: usize,
    /// Layers in the image.
    pub total: usize,
    /// Compressed bytes to download.
    pub bytes: u64,
    /// How long the pull takes.
    pub duration: SimDuration,
}

/// Resolves `image` against the world's registries, with containerd's error text.
pub fn resolve(world: &World, image: &str) -> Result<Resolved, String> {
    let r = parse_image_name(image)
        .map_err(|e| format!("rpc error: code = InvalidArgument desc = {e}"))?;
    let reference = if r.digest.is_empty() {
        format!("{}:{}", r.repo, r.tag)
    } else {
        format!("{}@{}", r.repo, r.digest)
    };
    let not_found = || {
        format!(
            "rpc error: code = NotFound desc = failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": {reference}: not found"
        )
    };
    match registry::resolve(&world.registries, &reference) {
        Ok(res) => Ok(Resolved {
            reference,
            size: res.image.compressed_size(),
            layers: res.image.layers,
            host: res.host,
            path: res.path,
            tag: if r.digest.is_empty() { r.tag } else { r.digest },
            private: res.private,
        }),
        Err(ResolveError::Invalid(e)) => {
            Err(format!("rpc error: code = InvalidArgument desc = {e}"))
        }
        Err(ResolveError::ManifestUnknown | ResolveError::RepositoryUnknown) => Err(not_found()),
    }
}

/// Whether `node` may pull `r` for `pod`: credentials from `imagePullSecrets` or the
/// node. The error is containerd's (`… 401 Unauthorized`).
pub fn authorize(
    world: &World,
    node: &str,
    pod: &Pod,
    r: &Resolved,
    now: SimTime,
) -> Result<(), String> {
    if !r.private {
        return Ok(());
    }
    let unauthorized = |why: &str| {
        format!(
            "rpc error: code = Unknown desc = failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": unexpected status from HEAD request to https://{host}/v2/{path}/manifests/{tag}: 401 Unauthorized ({why})",
            reference = r.reference,
            host = r.host,
            path = r.path,
            tag = r.tag
        )
    };
    // EKS node groups pull from ECR with their instance role, Fargate pods with their
    // profile's pod execution role.
    if world.api.store.node_named(node).is_some_and(|n| {
        n.metadata.labels.contains_key(EKS_NODEGROUP_LABEL)
            || n.metadata
                .labels
                .get("eks.amazonaws.com/compute-type")
                .map(String::as_str)
                == Some("fargate")
    }) {
        return Ok(());
    }
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let mut expired = false;
    for s in &pod.spec.image_pull_secrets {
        let name = s.name.as_str();
        let key = crate::apiserver::ObjKey::new("Secret", ns, name);
        let Some(Object::Secret(secret)) = world.api.store.get(&key) else {
            continue;
        };
        if secret.type_.as_deref() != Some("kubernetes.io/dockerconfigjson") {
            continue;
        }
        let json = secret
            .string_data
            .get(".dockerconfigjson")
            .cloned()
            .or_else(|| {
                secret
                    .data
                    .get(".dockerconfigjson")
                    .and_then(|b| base64::decode(b, Alphabet::Standard).ok())
                    .and_then(|v| String::from_utf8(v).ok())
            });
        let Some((user, pass)) = json.and_then(|j| dockerconfig_auth(&j, &r.host)) else {
            continue;
        };
        if user.is_empty() || pass.is_empty() {
            continue;
        }
        match check_ecr_token(&r.host, &pass, now) {
            TokenCheck::Expired => expired = true,
            _ => return Ok(()),
        }
    }
    Err(unauthorized(if expired {
        "the ECR token in the pull secret has expired: tokens last 12 hours"
    } else if pod.spec.image_pull_secrets.is_empty() {
        "no basic auth credentials: the pod has no imagePullSecrets and the node has no registry credential"
    } else {
        "no basic auth credentials: no imagePullSecrets entry is a kubernetes.io/dockerconfigjson Secret with an auth for this registry"
    }))
}

/// Which layers `node` must download for `r`, and how long that takes.
pub fn plan(world: &World, node: &str, r: &Resolved) -> Plan {
    let agent = world.agents.get(node);
    let have = |l: &Layer| agent.is_some_and(|a| a.layers.contains(&l.digest));
    let present = r.layers.iter().filter(|l| have(l)).count();
    let bytes: u64 = r.layers.iter().filter(|l| !have(l)).map(|l| l.size).sum();
    let bandwidth = agent
        .map(|a| a.bandwidth)
        .unwrap_or(super::DEFAULT_BANDWIDTH)
        .max(1);
    Plan {
        present,
        total: r.layers.len(),
        bytes,
        duration: SimDuration(PULL_OVERHEAD.0 + bytes * 1000 / bandwidth),
    }
}

/// Resolves, authorizes and plans a pull of `image` for `pod` on `node`.
pub fn check(
    world: &World,
    node: &str,
    pod: &Pod,
    image: &str,
    now: SimTime,
) -> Result<(Resolved, Plan), String> {
    let r = resolve(world, image)?;
    authorize(world, node, pod, &r, now)?;
    let p = plan(world, node, &r);
    Ok((r, p))
}
