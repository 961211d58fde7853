//! `docker images`, `docker history`, `docker tag`, `docker rmi`: the daemon's image store.

use super::{api, daemon_event, invalid_reference, query_escape};
use crate::command::CommandError;
use crate::components::docker::daemon::{
    API_VERSION, DockerHost, State, familiar, human_duration, human_size, repo_tag,
};
use crate::event::ObjectRef;
use crate::image::catalog::Reference;
use crate::image::oci::Digest;
use crate::simulation::Simulation;
use crate::time::SimTime;

/// The docker CLI's table: Go `tabwriter` with minimum width 10 and padding 3.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let cols = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let all = std::iter::once(header.iter().map(|h| h.to_string()).collect::<Vec<_>>())
        .chain(rows.iter().cloned());
    for r in all {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate().take(cols) {
            line.push_str(c);
            if i + 1 < cols {
                let w = (widths[i] + 3).max(10);
                line.extend(std::iter::repeat_n(' ', w - c.chars().count()));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `Ellipsis` from the docker CLI: cut to `max` characters with `…` as the last one.
pub fn ellipsis(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn ago(now: SimTime, at: Option<SimTime>) -> String {
    match at {
        Some(t) => format!("{} ago", human_duration(now.since(t))),
        None => "N/A".to_string(),
    }
}

/// `docker images [REPOSITORY[:TAG]]`.
pub fn images(sim: &mut Simulation, filter: Option<&str>) -> Result<String, CommandError> {
    api(
        sim,
        ObjectRef::new("images", "local"),
        &format!("GET /{API_VERSION}/images/json"),
        "200 OK",
    );
    let now = sim.now();
    let host = &sim.state().docker;
    let want = filter.map(|f| {
        let (r, t) = repo_tag(&crate::image::builder::normalise_tag(f));
        (r, (f.contains(':')).then_some(t))
    });
    let mut rows: Vec<(Option<SimTime>, Vec<String>)> = Vec::new();
    for (id, img) in &host.images {
        let tags = host.tags_of(id);
        let names: Vec<(String, String)> = if tags.is_empty() {
            vec![("<none>".into(), "<none>".into())]
        } else {
            tags.iter().map(|t| repo_tag(t)).collect()
        };
        for (repo, tag) in names {
            if let Some((r, t)) = &want
                && (&repo != r || t.as_ref().is_some_and(|t| *t != tag))
            {
                continue;
            }
            rows.push((
                img.built,
                vec![
                    repo,
                    tag,
                    id.short().to_string(),
                    ago(now, img.built),
                    human_size(img.image.size()),
                ],
            ));
        }
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(_, r)| r).collect();
    Ok(table(
        &["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"],
        &rows,
    ))
}

fn no_such_image(name: &str) -> CommandError {
    let shown = match Reference::parse(name) {
        Ok(r) if r.digest.is_none() => familiar(&r.full()),
        _ => name.to_string(),
    };
    CommandError::new(format!(
        "Error response from daemon: No such image: {shown}"
    ))
}

/// The image a name refers to, or docker's error.
pub fn find(host: &DockerHost, name: &str) -> Result<Digest, CommandError> {
    host.find_image(name)
        .cloned()
        .ok_or_else(|| no_such_image(name))
}

/// `docker history IMAGE`.
pub fn history(sim: &mut Simulation, name: &str, no_trunc: bool) -> Result<String, CommandError> {
    let id = find(&sim.state().docker, name)?;
    api(
        sim,
        ObjectRef::new("image", name),
        &format!("GET /{API_VERSION}/images/{}/history", query_escape(name)),
        "200 OK",
    );
    let now = sim.now();
    let img = &sim.state().docker.images[&id];
    let mut layers = img.image.layers.iter();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for h in &img.image.config.history {
        let size = if h.empty_layer {
            0
        } else {
            layers.next().map(|l| l.uncompressed_size).unwrap_or(0)
        };
        let created = if h.comment == "buildkit.dockerfile.v0" {
            ago(now, img.built)
        } else {
            "N/A".to_string()
        };
        let by = if no_trunc {
            h.created_by.clone()
        } else {
            ellipsis(&h.created_by, 45)
        };
        rows.push(vec![
            "<missing>".into(),
            created,
            by,
            human_size(size),
            h.comment.clone(),
        ]);
    }
    rows.reverse();
    if let Some(first) = rows.first_mut() {
        first[0] = if no_trunc {
            id.to_string()
        } else {
            id.short().to_string()
        };
    }
    Ok(table(
        &["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"],
        &rows,
    ))
}

/// `docker tag SOURCE TARGET`.
pub fn tag(sim: &mut Simulation, src: &str, dst: &str) -> Result<String, CommandError> {
    let id = find(&sim.state().docker, src)?;
    let target = Reference::parse(dst).map_err(|_| {
        CommandError::new(format!(
            "Error parsing reference: \"{dst}\" is not a valid repository/tag: invalid reference format"
        ))
    })?;
    if target.digest.is_some() {
        return Err(CommandError::new(format!(
            "Error parsing reference: \"{dst}\" is not a valid repository/tag: refusing to create a tag with a digest reference"
        )));
    }
    let (repo, tag) = repo_tag(&target.full());
    api(
        sim,
        ObjectRef::new("image", familiar(&target.full())),
        &format!(
            "POST /{API_VERSION}/images/{}/tag?repo={}&tag={tag}",
            query_escape(src),
            query_escape(&repo)
        ),
        "201 Created",
    );
    daemon_event(
        sim,
        ObjectRef::new("image", familiar(&target.full())),
        "Tagged",
        format!(
            "{} now also points at image {} (a tag is just a name; nothing is copied)",
            familiar(&target.full()),
            id.short()
        ),
    );
    sim.world_mut().docker.tags.insert(target.full(), id);
    Ok(String::new())
}

/// `docker rmi IMAGE…`.
pub fn rmi(sim: &mut Simulation, names: &[String], force: bool) -> Result<String, CommandError> {
    let now = sim.now();
    let mut out = String::new();
    // Validate everything first: a failed command changes nothing.
    let mut plan = Vec::new();
    for name in names {
        let host = &sim.state().docker;
        let id = find(host, name)?;
        let by_tag = Reference::parse(name)
            .ok()
            .map(|r| r.full())
            .filter(|t| host.tags.contains_key(t));
        let tags = host.tags_of(&id);
        let user = host.containers.values().find(|c| c.image_id == id);
        if let Some(c) = user
            && !force
            && !(by_tag.is_some() && tags.len() > 1)
        {
            let running = matches!(c.state(now), State::Running);
            return Err(CommandError::new(if by_tag.is_some() {
                format!(
                    "Error response from daemon: conflict: unable to remove repository reference \"{name}\" (must force) - container {} is using its referenced image {}",
                    &c.id[..12],
                    id.short()
                )
            } else {
                format!(
                    "Error response from daemon: conflict: unable to delete {} (cannot be forced) - image is being used by {} container {}",
                    id.short(),
                    if running { "running" } else { "stopped" },
                    &c.id[..12]
                )
            }));
        }
        if by_tag.is_none() && tags.len() > 1 && !force {
            return Err(CommandError::new(format!(
                "Error response from daemon: conflict: unable to delete {} (must be forced) - image is referenced in multiple repositories",
                id.short()
            )));
        }
        plan.push((name.clone(), id, by_tag));
    }
    for (name, id, by_tag) in plan {
        api(
            sim,
            ObjectRef::new("image", name.clone()),
            &format!("DELETE /{API_VERSION}/images/{}", query_escape(&name)),
            "200 OK",
        );
        let host = &mut sim.world_mut().docker;
        let untag: Vec<String> = match &by_tag {
            Some(t) => vec![t.clone()],
            None => host.tags_of(&id).iter().map(|t| t.to_string()).collect(),
        };
        for t in &untag {
            host.tags.remove(t);
            out.push_str(&format!("Untagged: {}\n", familiar(t)));
        }
        if host.tags_of(&id).is_empty()
            && let Some(img) = host.images.remove(&id)
        {
            for d in &img.repo_digests {
                out.push_str(&format!("Untagged: {}\n", familiar(d)));
            }
            out.push_str(&format!("Deleted: {id}\n"));
            let used: std::collections::BTreeSet<&Digest> = host
                .images
                .values()
                .flat_map(|i| i.image.layers.iter().map(|l| &l.digest))
                .collect();
            let gone: Vec<Digest> = img
                .image
                .layers
                .iter()
                .rev()
                .filter(|l| !used.contains(&l.digest))
                .map(|l| l.digest.clone())
                .collect();
            for g in &gone {
                host.layers.remove(g);
            }
            let n = gone.len();
            daemon_event(
                sim,
                ObjectRef::new("image", name.clone()),
                "ImageDeleted",
                format!(
                    "deleted image {} and {n} layer(s) no other image uses",
                    id.short()
                ),
            );
        }
    }
    if names.is_empty() {
        return Err(invalid_reference("", ""));
    }
    Ok(out)
}
