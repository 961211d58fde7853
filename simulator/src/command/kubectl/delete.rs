//! `kubectl delete`: by type and name, `TYPE/NAME`, `-f FILE`, `--all` or `-l`.

use super::apply::{printed_name, read_manifests};
use super::flags::{FlagSpec, Flags, switch, value};
use super::{Target, parse_targets};
use crate::apiserver::ObjKey;
use crate::command::CommandError;
use crate::simulation::{Simulation, Write};

/// Flags of `kubectl delete`.
pub const FLAGS: [FlagSpec; 8] = [
    value("filename", Some('f')),
    switch("all", None),
    value("selector", Some('l')),
    value("grace-period", None),
    switch("force", None),
    switch("now", None),
    value("wait", None),
    value("cascade", None),
];

/// Arguments of `kubectl delete`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteArgs {
    /// Types and names.
    pub targets: Vec<Target>,
    /// Manifest files whose objects to delete.
    pub files: Vec<String>,
    /// `--all`.
    pub all: bool,
    /// `-l`.
    pub selector: Option<String>,
    /// `-n`.
    pub namespace: Option<String>,
    /// `--grace-period` (`--force` and `--now` imply 0 and 1).
    pub grace: Option<i64>,
}

/// Parses `delete` arguments.
pub fn parse(pos: &[String], f: &Flags) -> Result<DeleteArgs, CommandError> {
    let files = f.all("filename").to_vec();
    let targets = if pos.is_empty() {
        Vec::new()
    } else {
        parse_targets(pos)?
    };
    let all = f.on("all");
    let selector = f.get("selector").map(String::from);
    if files.is_empty() && targets.is_empty() {
        return Err(CommandError::new(
            "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
        ));
    }
    if !targets.is_empty()
        && targets.iter().all(|t| t.names.is_empty())
        && !all
        && selector.is_none()
    {
        return Err(CommandError::new(
            "error: resource(s) were provided, but no name was specified",
        ));
    }
    let grace = match f.get("grace-period") {
        Some(g) => Some(g.parse::<i64>().map_err(|_| {
            CommandError::new(format!(
                "error: invalid argument \"{g}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{g}\": invalid syntax"
            ))
        })?),
        None if f.on("force") => Some(0),
        None if f.on("now") => Some(1),
        None => None,
    };
    Ok(DeleteArgs {
        targets,
        files,
        all,
        selector,
        namespace: f.get("namespace").map(String::from),
        grace,
    })
}

/// Runs `kubectl delete`.
pub fn run(sim: &mut Simulation, args: &DeleteArgs) -> Result<String, CommandError> {
    let ns = args.namespace.clone().unwrap_or_else(|| "default".into());
    let store = &sim.state().api.store;
    let selector = super::parse_selector(args.selector.as_deref())?;
    let mut keys: Vec<(ObjKey, String)> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for o in read_manifests(sim, &args.files)? {
        let key = ObjKey::of(&o);
        let name = printed_name(&o);
        if store.contains(&key) {
            keys.push((key, name))
        } else {
            missing.push(format!(
                "Error from server (NotFound): error when deleting \"{}\": {} \"{}\" not found",
                args.files.join(","),
                o.info().resource(),
                o.meta().name
            ));
        }
    }
    for t in &args.targets {
        let ns_of = if t.kind.namespaced { ns.as_str() } else { "" };
        let prefix = if t.kind.group.is_empty() {
            t.kind.singular.to_string()
        } else {
            format!("{}.{}", t.kind.singular, t.kind.group)
        };
        if t.names.is_empty() {
            for o in store.of_kind(t.kind.kind) {
                let in_ns = !t.kind.namespaced || o.meta().namespace_or_default() == ns;
                if in_ns
                    && selector
                        .as_ref()
                        .is_none_or(|s| s.matches(&o.meta().labels))
                {
                    keys.push((ObjKey::of(o), format!("{prefix}/{}", o.meta().name)));
                }
            }
        } else {
            for n in &t.names {
                let key = ObjKey::new(t.kind.kind, ns_of, n);
                if store.contains(&key) {
                    keys.push((key, format!("{prefix}/{n}")));
                } else {
                    missing.push(format!(
                        "Error from server (NotFound): {} \"{n}\" not found",
                        t.kind.resource()
                    ));
                }
            }
        }
    }
    let mut out = String::new();
    if !keys.is_empty() {
        let writes = keys
            .iter()
            .map(|(k, _)| Write::Delete(k.clone(), args.grace))
            .collect();
        sim.submit(writes)
            .map_err(|e| CommandError::new(e.to_string()))?;
        for (k, printed) in &keys {
            let (kind, name) = printed.split_once('/').unwrap_or((printed, &k.name));
            let forced = if args.grace == Some(0) {
                " (force: removed without waiting for the kubelet)"
            } else {
                ""
            };
            out.push_str(&format!("{kind} \"{name}\" deleted{forced}\n"));
        }
    }
    if keys.is_empty() && missing.is_empty() {
        return Ok(if args.targets.iter().any(|t| t.kind.namespaced) {
            format!("No resources found in {ns} namespace.\n")
        } else {
            "No resources found\n".into()
        });
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(CommandError::new(format!("{out}{}", missing.join("\n"))))
    }
}
