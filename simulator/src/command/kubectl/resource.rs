//! Helpers the write verbs share: finding the objects a command names, printing
//! `kind.group/name`, and turning API errors into kubectl's wording.

use super::{Target, parse_targets};
use crate::api::{KindInfo, Object};
use crate::apiserver::{ApiError, ObjKey};
use crate::command::CommandError;
use crate::simulation::Simulation;

/// `deployment.apps` or `pod`: how kubectl prefixes a name after a write.
pub fn prefix(info: &KindInfo) -> String {
    if info.group.is_empty() {
        info.singular.to_string()
    } else {
        format!("{}.{}", info.singular, info.group)
    }
}

/// `deployment.apps/web`.
pub fn printed(info: &KindInfo, name: &str) -> String {
    format!("{}/{name}", prefix(info))
}

/// The namespace flag, defaulting to `default`.
pub fn namespace(f: &super::flags::Flags) -> String {
    f.get("namespace").unwrap_or("default").to_string()
}

/// The store key of `name` of `info` in `ns` (cluster-scoped kinds ignore `ns`).
pub fn key(info: &'static KindInfo, ns: &str, name: &str) -> ObjKey {
    ObjKey::new(info.kind, if info.namespaced { ns } else { "" }, name)
}

/// `Error from server (NotFound): deployments.apps "web" not found`.
pub fn not_found(info: &KindInfo, name: &str) -> CommandError {
    CommandError::new(
        ApiError::NotFound {
            resource: info.resource(),
            name: name.to_string(),
        }
        .to_string(),
    )
}

/// The object, or kubectl's NotFound error.
pub fn get<'a>(
    sim: &'a Simulation,
    info: &'static KindInfo,
    ns: &str,
    name: &str,
) -> Result<&'a Object, CommandError> {
    sim.state()
        .api
        .store
        .get(&key(info, ns, name))
        .ok_or_else(|| not_found(info, name))
}

/// An API error as a Go `StatusError.Error()` (without kubectl's `Error from server`
/// prefix), for messages such as `failed to create deployment: …`.
pub fn bare(e: &ApiError) -> String {
    let s = e.to_string();
    match e {
        ApiError::NotFound { .. }
        | ApiError::AlreadyExists { .. }
        | ApiError::TooManyRequests { .. }
        | ApiError::BadRequest { .. } => {
            s.split_once("): ").map(|(_, m)| m.to_string()).unwrap_or(s)
        }
        ApiError::Invalid { .. } => s,
    }
}

/// An API error as kubectl prints it.
pub fn api(e: ApiError) -> CommandError {
    CommandError::new(e.to_string())
}

/// Exactly one `TYPE NAME` or `TYPE/NAME` from the positional words, as verbs like
/// `rollout status` and `logs` take.
pub fn one(pos: &[String], usage: &str) -> Result<(&'static KindInfo, String), CommandError> {
    if pos.is_empty() {
        return Err(CommandError::new(format!(
            "error: {usage}\nSee the examples in `help kubectl`."
        )));
    }
    let targets = parse_targets(pos)?;
    match targets.as_slice() {
        [Target { kind, names }] if names.len() == 1 && !names[0].is_empty() => {
            Ok((kind, names[0].clone()))
        }
        [Target { names, .. }] if names.is_empty() => Err(CommandError::new(
            "error: resource(s) were provided, but no name was specified",
        )),
        _ => Err(CommandError::new(
            "error: only one resource may be given at a time here",
        )),
    }
}

/// Objects named by targets (`TYPE NAME...`, `TYPE/NAME...`), or every object of the
/// kind with `all` or a selector. Missing names are NotFound errors.
pub fn select<'a>(
    sim: &'a Simulation,
    targets: &[Target],
    ns: &str,
    all: bool,
    selector: Option<&str>,
) -> Result<Vec<&'a Object>, CommandError> {
    let store = &sim.state().api.store;
    let sel = super::parse_selector(selector)?;
    let mut out = Vec::new();
    for t in targets {
        if t.names.is_empty() {
            if !all && sel.is_none() {
                return Err(CommandError::new(
                    "error: resource(s) were provided, but no name was specified",
                ));
            }
            out.extend(store.of_kind(t.kind.kind).filter(|o| {
                (!t.kind.namespaced || o.meta().namespace_or_default() == ns)
                    && sel.as_ref().is_none_or(|s| s.matches(&o.meta().labels))
            }));
        } else {
            for n in &t.names {
                out.push(get(sim, t.kind, ns, n)?);
            }
        }
    }
    Ok(out)
}
