//! `docker pull IMAGE`: the daemon resolves the manifest, downloads the layers its local
//! store lacks (`Pull complete`) and skips the others (`Already exists`). The pull blocks,
//! so the clock advances by the missing bytes ÷ the machine's download speed.

use super::{api, daemon_event, query_escape, registry_event};
use crate::command::CommandError;
use crate::components::docker::daemon::{
    API_VERSION, DOWNLOAD_BANDWIDTH, DockerHost, LocalImage, familiar, human_size,
};
use crate::components::docker::registry::{self, ResolveError, Resolved};
use crate::event::ObjectRef;
use crate::image::catalog::Reference;
use crate::image::oci::Digest;
use crate::simulation::Simulation;
use crate::time::{SimDuration, SimTime};

/// Registry round trips before the first byte (auth, manifest).
pub const OVERHEAD: SimDuration = SimDuration::from_millis(300);

/// Why a private registry refuses the daemon, if it does (`docker login` state).
pub fn auth_error(host: &DockerHost, registry: &str, now: SimTime) -> Option<&'static str> {
    match host.auths.get(registry) {
        None => Some("no basic auth credentials"),
        Some(l) if l.expires.is_some_and(|e| e <= now) => {
            Some("denied: Your authorization token has expired. Reauthenticate and try again.")
        }
        Some(_) => None,
    }
}

/// Resolves `name` for the daemon, with `Error response from daemon: …` errors.
pub fn resolve(sim: &Simulation, name: &str) -> Result<(Reference, Resolved), CommandError> {
    let r = Reference::parse(name).map_err(|_| super::invalid_reference("", name))?;
    let shown = familiar(&r.full());
    let res = registry::resolve_parsed(&sim.state().registries, &r).map_err(|e| match e {
        ResolveError::Invalid(_) => super::invalid_reference("", name),
        ResolveError::ManifestUnknown => CommandError::new(format!(
            "Error response from daemon: manifest for {shown} not found: manifest unknown: manifest unknown"
        )),
        ResolveError::RepositoryUnknown => CommandError::new(format!(
            "Error response from daemon: repository {} not found: name unknown: The repository with name '{}' does not exist in the registry with id '{}'",
            r.repository(),
            r.path,
            r.domain.split('.').next().unwrap_or_default()
        )),
    })?;
    if res.private
        && let Some(why) = auth_error(&sim.state().docker, &res.host, sim.now())
    {
        return Err(CommandError::new(format!(
            "Error response from daemon: Head \"https://{}/v2/{}/manifests/{}\": {why}",
            res.host,
            res.path,
            r.tag.as_deref().or(r.digest.as_deref()).unwrap_or("latest")
        )));
    }
    Ok((r, res))
}

/// `docker pull`. Returns the output and the image ID. `quiet_ref` leaves out the
/// final reference line (`docker run` pulls print no such line).
pub fn pull(
    sim: &mut Simulation,
    name: &str,
    quiet_ref: bool,
) -> Result<(String, Digest), CommandError> {
    let (r, res) = resolve(sim, name)?;
    let mut out = String::new();
    if !name.contains(':') && !name.contains('@') {
        out.push_str("Using default tag: latest\n");
    }
    let shown = familiar(&r.full());
    let id = res.image.id();
    let start = sim.now();
    let (from_image, tag) = (
        r.repository(),
        r.tag
            .clone()
            .unwrap_or_else(|| r.digest.clone().unwrap_or_default()),
    );
    api(
        sim,
        ObjectRef::new("image", shown.clone()),
        &format!(
            "POST /{API_VERSION}/images/create?fromImage={}&tag={}",
            query_escape(&familiar(&from_image)),
            query_escape(&tag)
        ),
        "200 OK (streaming progress)",
    );
    let host = &sim.state().docker;
    let up_to_date = host.tags.get(&r.full()) == Some(&id) && host.images.contains_key(&id);
    let label = r
        .tag
        .clone()
        .unwrap_or_else(|| r.digest.clone().unwrap_or_default());
    let repo_path = familiar(&r.repository());
    let repo_path = if r.domain == "docker.io" {
        r.path.clone()
    } else {
        repo_path
    };
    out.push_str(&format!("{label}: Pulling from {repo_path}\n"));
    let mut missing = Vec::new();
    for l in &res.image.layers {
        if host.layers.contains(&l.digest) {
            out.push_str(&format!("{}: Already exists\n", l.digest.short()));
        } else {
            missing.push(l.clone());
            out.push_str(&format!("{}: Pull complete\n", l.digest.short()));
        }
    }
    let bytes: u64 = missing.iter().map(|l| l.size).sum();
    let present = res.image.layers.len() - missing.len();
    registry_event(
        sim,
        &res.host,
        ObjectRef::new("image", shown.clone()),
        "ManifestFetched",
        format!(
            "GET /v2/{}/manifests/{label} → 200: {} ({} layers{})",
            res.path,
            res.digest.short(),
            res.image.layers.len(),
            if res.assumed {
                "; outside Shipshape's catalog, a typical size is assumed"
            } else {
                ""
            }
        ),
    );
    if !missing.is_empty() {
        registry_event(
            sim,
            &res.host,
            ObjectRef::new("image", shown.clone()),
            "BlobsDownloaded",
            format!(
                "GET /v2/{}/blobs/<digest> for {} layer(s): {} compressed; {present} layer(s) already in the local store were skipped",
                res.path,
                missing.len(),
                human_size(bytes)
            ),
        );
    }
    let took = SimDuration(OVERHEAD.0 + bytes * 1000 / DOWNLOAD_BANDWIDTH);
    sim.run_until(start.after(took));
    daemon_event(
        sim,
        ObjectRef::new("image", shown.clone()),
        "ImagePulled",
        format!(
            "pulled {shown} in {took}: downloaded {} layer(s) ({}), {present} already present",
            missing.len(),
            human_size(bytes)
        ),
    );
    out.push_str(&format!("Digest: {}\n", res.digest));
    out.push_str(&if up_to_date {
        format!("Status: Image is up to date for {shown}\n")
    } else {
        format!("Status: Downloaded newer image for {shown}\n")
    });
    if !quiet_ref {
        out.push_str(&format!("{}\n", r.full()));
    }
    let host = &mut sim.world_mut().docker;
    let entry = host.images.entry(id.clone()).or_insert_with(|| LocalImage {
        image: res.image.clone(),
        built: None,
        repo_digests: Default::default(),
        handles_sigterm: false,
        files: Vec::new(),
    });
    entry
        .repo_digests
        .insert(format!("{}@{}", r.repository(), res.digest));
    if r.tag.is_some() {
        host.tags.insert(r.full(), id.clone());
    }
    host.layers
        .extend(res.image.layers.iter().map(|l| l.digest.clone()));
    Ok((out, id))
}

/// `docker pull IMAGE`.
pub fn run(sim: &mut Simulation, name: &str) -> Result<(String, Digest), CommandError> {
    pull(sim, name, false)
}
