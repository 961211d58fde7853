//! Image resolution for pulls: does the registry have this reference, and how big is it.
//!
//! The model (said in the UI too): Shipshape's public registry mirrors a catalog of
//! popular repositories with their real tags, so a typo in a tag of a known repository
//! fails like it does on Docker Hub. Public images outside the catalog are assumed to
//! exist with a typical size, because the simulator cannot know the whole internet. The
//! private registry holds exactly what was pushed to it.

use crate::kube::image_ref::parse_image_name;
use crate::world::{RegistryKind, World};

/// Compressed size assumed for public images the catalog has no data for (a typical
/// small service image).
pub const DEFAULT_IMAGE_SIZE: u64 = 60 * 1024 * 1024;

/// A resolved image: its normalised reference and download size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// `docker.io/library/nginx:1.27`.
    pub reference: String,
    /// Bytes to download.
    pub size: u64,
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
    let (host, path) = r
        .repo
        .split_once('/')
        .unwrap_or(("docker.io", r.repo.as_str()));
    let not_found = || {
        format!(
            "rpc error: code = NotFound desc = failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": {reference}: not found"
        )
    };
    match world.registries.get(host) {
        Some(reg) => match reg.repositories.get(path) {
            Some(tags) if r.digest.is_empty() && !tags.contains(&r.tag) => Err(not_found()),
            Some(_) => Ok(Resolved {
                reference,
                size: DEFAULT_IMAGE_SIZE,
            }),
            None if reg.kind == RegistryKind::Private => Err(not_found()),
            None => Ok(Resolved {
                reference,
                size: DEFAULT_IMAGE_SIZE,
            }),
        },
        None => Ok(Resolved {
            reference,
            size: DEFAULT_IMAGE_SIZE,
        }),
    }
}
