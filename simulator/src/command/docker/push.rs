//! `docker push IMAGE`: for each layer, `HEAD /v2/<name>/blobs/<digest>` — present ⇒
//! `Layer already exists`; present in another repository of the registry ⇒ cross-repo
//! mount (`Mounted from …`); else upload (`Pushed`). Then the config and the manifest
//! (`PUT /v2/<name>/manifests/<tag>`), and the digest line. Blobs first, manifest last
//! (`opencontainers/distribution-spec` push). The push blocks: the clock advances by the
//! uploaded bytes ÷ the machine's upload speed.

use super::{api, daemon_event, query_escape, registry_event};
use crate::command::CommandError;
use crate::components::docker::daemon::{API_VERSION, UPLOAD_BANDWIDTH, familiar, human_size};
use crate::components::docker::registry::{PushedImage, RegistryKind};
use crate::components::docker::scan;
use crate::event::ObjectRef;
use crate::image::catalog::Reference;
use crate::simulation::Simulation;
use crate::time::SimDuration;

/// Per-request overhead of a blob check or upload.
const REQUEST: SimDuration = SimDuration::from_millis(80);

/// `docker push`.
pub fn run(sim: &mut Simulation, name: &str) -> Result<String, CommandError> {
    let r = Reference::parse(name).map_err(|_| super::invalid_reference("", name))?;
    let mut out = String::new();
    if !name.contains(':') {
        out.push_str("Using default tag: latest\n");
    }
    let host = &sim.state().docker;
    let Some(id) = host.tags.get(&r.full()).cloned() else {
        return Err(CommandError::new(format!(
            "{out}An image does not exist locally with the tag: {}",
            familiar(&r.repository())
        )));
    };
    let image = host.images[&id].image.clone();
    out.push_str(&format!(
        "The push refers to repository [{}]\n",
        familiar(&r.repository())
    ));
    let tag = r.tag.clone().unwrap_or_else(|| "latest".into());
    let Some(reg) = sim.state().registries.get(&r.domain) else {
        return Err(CommandError::new(format!(
            "{out}Get \"https://{}/v2/\": dial tcp: lookup {}: no such host",
            r.domain, r.domain
        )));
    };
    if reg.kind == RegistryKind::Public {
        return Err(CommandError::new(format!(
            "{out}denied: requested access to the resource is denied\n(this simulator only accepts pushes to the private registry {})",
            crate::simulation::PRIVATE_REGISTRY
        )));
    }
    if let Some(why) = super::pull::auth_error(&sim.state().docker, &r.domain, sim.now()) {
        return Err(CommandError::new(format!("{out}{why}")));
    }
    let registry_id = r.domain.split('.').next().unwrap_or_default().to_string();
    let Some(repo) = reg.repositories.get(&r.path) else {
        return Err(CommandError::new(format!(
            "{out}name unknown: The repository with name '{}' does not exist in the registry with id '{registry_id}'",
            r.path
        )));
    };
    let digest = image.manifest_digest();
    if let Some(ecr) = &repo.ecr
        && ecr.immutable
        && repo.tags.get(&tag).is_some_and(|d| *d != digest)
    {
        return Err(CommandError::new(format!(
            "{out}tag invalid: The image tag '{tag}' already exists in the '{}' repository and cannot be overwritten because the repository is immutable.",
            r.path
        )));
    }

    // Plan each layer, top first as the CLI prints them.
    let mut lines = Vec::new();
    let mut uploaded = 0u64;
    let mut counts = (0usize, 0usize, 0usize);
    let mut requests = 0u64;
    let mut seen = std::collections::BTreeSet::new();
    let mut layer_events = Vec::new();
    for l in image.layers.iter().rev() {
        if !seen.insert(l.digest.clone()) {
            continue;
        }
        requests += 1;
        let short = l.diff_id.short().to_string();
        if repo.blobs.contains(&l.digest) {
            lines.push(format!("{short}: Layer already exists"));
            counts.1 += 1;
            layer_events.push(format!(
                "HEAD /v2/{}/blobs/{} → 200: already in the repository, not uploaded",
                r.path,
                l.digest.short()
            ));
        } else if let Some(from) = reg.mount_source(&r.path, &l.digest) {
            lines.push(format!("{short}: Mounted from {from}"));
            counts.2 += 1;
            requests += 1;
            layer_events.push(format!(
                "HEAD /v2/{}/blobs/{} → 404; POST /v2/{}/blobs/uploads/?mount={}&from={from} → 201: mounted from another repository, not uploaded",
                r.path,
                l.digest.short(),
                r.path,
                l.digest.short()
            ));
        } else {
            lines.push(format!("{short}: Pushed"));
            counts.0 += 1;
            uploaded += l.size;
            requests += 2;
            layer_events.push(format!(
                "HEAD /v2/{}/blobs/{} → 404; POST /v2/{}/blobs/uploads/ → 202; PUT …?digest={} → 201: uploaded {}",
                r.path,
                l.digest.short(),
                r.path,
                l.digest.short(),
                human_size(l.size)
            ));
        }
    }
    let manifest_size = image.manifest_json().len();
    let scan_on_push = repo.ecr.as_ref().is_some_and(|e| e.scan_on_push);

    let start = sim.now();
    api(
        sim,
        ObjectRef::new("image", familiar(&r.full())),
        &format!(
            "POST /{API_VERSION}/images/{}/push?tag={tag}",
            query_escape(&familiar(&r.repository()))
        ),
        "200 OK (streaming progress)",
    );
    for e in layer_events {
        registry_event(
            sim,
            &r.domain,
            ObjectRef::new("repository", r.path.clone()),
            "BlobPush",
            e,
        );
    }
    let took = SimDuration(REQUEST.0 * (requests + 2) + uploaded * 1000 / UPLOAD_BANDWIDTH);
    sim.run_until(start.after(took));
    registry_event(
        sim,
        &r.domain,
        ObjectRef::new("repository", r.path.clone()),
        "ManifestPushed",
        format!(
            "PUT /v2/{}/manifests/{tag} → 201: {tag} now points at {digest} (blobs first, manifest last)",
            r.path
        ),
    );
    let now = sim.now();
    let findings = scan_on_push.then(|| scan::scan(&image));
    if let Some(f) = &findings {
        registry_event(
            sim,
            &r.domain,
            ObjectRef::new("repository", r.path.clone()),
            "ImageScanned",
            format!(
                "scan on push of {}:{tag}: {} finding(s){}",
                r.path,
                f.len(),
                if f.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({})",
                        f.iter()
                            .map(|x| format!("{} {}", x.severity, x.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
        );
    }
    daemon_event(
        sim,
        ObjectRef::new("image", familiar(&r.full())),
        "ImagePushed",
        format!(
            "pushed {} in {took}: {} layer(s) uploaded ({}), {} already in the repository, {} mounted",
            familiar(&r.full()),
            counts.0,
            human_size(uploaded),
            counts.1,
            counts.2
        ),
    );
    let path = r.path.clone();
    let world = sim.world_mut();
    if let Some(reg) = world.registries.get_mut(&r.domain) {
        reg.store(&path, std::slice::from_ref(&tag), &image);
        if let Some(repo) = reg.repositories.get_mut(&path) {
            // A tag moved off an older manifest leaves that manifest untagged.
            repo.images.insert(
                digest.clone(),
                PushedImage {
                    pushed_at: now,
                    scan: findings,
                },
            );
        }
    }
    if let Some(img) = world.docker.images.get_mut(&id) {
        img.repo_digests
            .insert(format!("{}@{digest}", r.repository()));
    }
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out.push_str(&format!("{tag}: digest: {digest} size: {manifest_size}\n"));
    Ok(out)
}
