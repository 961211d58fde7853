//! `kubectl apply -f FILE|DIR`: create or update objects from manifests in the workspace.
//!
//! Simplification (said in the help text too): apply replaces an object's spec with the
//! manifest's instead of doing kubectl's three-way merge, except that a Deployment whose
//! manifest omits `replicas` keeps its live count, which is the case (an HPA scaling it)
//! where the merge matters most.

use super::flags::{FlagSpec, Flags, switch, value};
use crate::api::Object;
use crate::api::manifest;
use crate::command::CommandError;
use crate::simulation::{Simulation, Write, WriteOutcome};

/// Flags of `kubectl apply`.
pub const FLAGS: [FlagSpec; 3] = [
    value("filename", Some('f')),
    value("dry-run", None),
    switch("recursive", Some('R')),
];

/// Arguments of `kubectl apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyArgs {
    /// Files or directories in the workspace.
    pub files: Vec<String>,
    /// `-n`.
    pub namespace: Option<String>,
    /// `--dry-run=client|server`.
    pub dry_run: Option<String>,
}

/// Parses `apply` arguments.
pub fn parse(pos: &[String], f: &Flags) -> Result<ApplyArgs, CommandError> {
    if let Some(p) = pos.first() {
        return Err(CommandError::new(format!(
            "error: Unexpected args: [{p}]\nSee 'kubectl apply -h' for help and examples"
        )));
    }
    let files = f.all("filename").to_vec();
    if files.is_empty() {
        return Err(CommandError::new(
            "error: must specify one of -f and -k\n\nSee 'kubectl apply -h' for help and examples",
        ));
    }
    let dry_run = match f.get("dry-run") {
        None | Some("none") => None,
        Some(m @ ("client" | "server")) => Some(m.to_string()),
        Some("true") => Some("client".to_string()),
        Some(other) => {
            return Err(CommandError::new(format!(
                "error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
            )));
        }
    };
    Ok(ApplyArgs {
        files,
        namespace: f.get("namespace").map(String::from),
        dry_run,
    })
}

/// Reads manifests named by `-f` from the workspace (a directory means its `.yaml`,
/// `.yml` and `.json` files, as kubectl does).
pub fn read_manifests(sim: &Simulation, files: &[String]) -> Result<Vec<Object>, CommandError> {
    let ws = &sim.state().workspace;
    let mut objs = Vec::new();
    for f in files {
        if f == "-" {
            return Err(CommandError::new(
                "error: reading from stdin is not supported here; save the manifest to a file first (echo ... > app.yaml)",
            ));
        }
        if f.starts_with("http://") || f.starts_with("https://") {
            return Err(CommandError::new(format!(
                "error: unable to read URL \"{f}\": this simulator has no network; put the manifest in the workspace"
            )));
        }
        let paths: Vec<String> = if let Some(text) = ws.get(f) {
            objs.extend(manifest::decode(text, f).map_err(|e| CommandError::new(e.to_string()))?);
            continue;
        } else if ws.is_dir(f) {
            let dir = crate::workspace::Workspace::normalize(f).unwrap_or_default();
            ws.files()
                .map(|(p, _)| p.to_string())
                .filter(|p| {
                    let inside = if dir.is_empty() {
                        !p.contains('/')
                    } else {
                        p.strip_prefix(&format!("{dir}/"))
                            .is_some_and(|r| !r.contains('/'))
                    };
                    inside && (p.ends_with(".yaml") || p.ends_with(".yml") || p.ends_with(".json"))
                })
                .collect()
        } else {
            return Err(CommandError::new(format!(
                "error: the path \"{f}\" does not exist"
            )));
        };
        for p in paths {
            let text = ws.get(&p).unwrap_or_default();
            objs.extend(manifest::decode(text, &p).map_err(|e| CommandError::new(e.to_string()))?);
        }
    }
    Ok(objs)
}

/// `kind.group/name` as kubectl prints it after a write.
pub fn printed_name(o: &Object) -> String {
    let info = o.info();
    if info.group.is_empty() {
        format!("{}/{}", info.singular, o.meta().name)
    } else {
        format!("{}.{}/{}", info.singular, info.group, o.meta().name)
    }
}

/// Runs `kubectl apply`.
pub fn run(sim: &mut Simulation, args: &ApplyArgs) -> Result<String, CommandError> {
    let mut objs = read_manifests(sim, &args.files)?;
    for o in &mut objs {
        if let Some(ns) = &args.namespace
            && o.info().namespaced
        {
            match &o.meta().namespace {
                Some(own) if own != ns => {
                    return Err(CommandError::new(format!(
                        "error: the namespace from the provided object \"{own}\" does not match the namespace \"{ns}\". You must pass '--namespace={own}' to perform this operation."
                    )));
                }
                _ => o.meta_mut().namespace = Some(ns.clone()),
            }
        }
        // What the API server would ignore on create, and kubectl records for next time.
        let manifest_json = serde_json::to_string(&o.to_json()).unwrap_or_default();
        clear_status(o);
        o.meta_mut().annotations.insert(
            "kubectl.kubernetes.io/last-applied-configuration".into(),
            manifest_json + "\n",
        );
        if let Object::Deployment(d) = o
            && d.spec.replicas.is_none()
        {
            let ns = d.metadata.namespace_or_default().to_string();
            if let Some(live) = sim.state().api.store.deployment(&ns, &d.metadata.name) {
                d.spec.replicas = live.spec.replicas;
            }
        }
    }
    let names: Vec<String> = objs.iter().map(printed_name).collect();
    let suffix = match args.dry_run.as_deref() {
        Some("server") => " (server dry run)",
        Some(_) => " (dry run)",
        None => "",
    };
    let writes: Vec<Write> = objs
        .into_iter()
        .map(|o| Write::Apply(Box::new(o)))
        .collect();
    let outcomes = if args.dry_run.is_some() {
        sim.try_submit(writes)
            .map_err(|e| CommandError::new(e.to_string()))?
    } else {
        sim.submit(writes)
            .map_err(|e| CommandError::new(e.to_string()))?
    };
    let mut out = String::new();
    for (name, outcome) in names.iter().zip(outcomes) {
        let verb = match outcome {
            WriteOutcome::Created(_) => "created",
            WriteOutcome::Updated(_) => "configured",
            WriteOutcome::Unchanged(_) => "unchanged",
            WriteOutcome::Deleted(_) => "deleted",
        };
        out.push_str(&format!("{name} {verb}{suffix}\n"));
    }
    Ok(out)
}

/// Status in a manifest is ignored: the API server owns it.
pub fn clear_status(o: &mut Object) {
    match o {
        Object::Pod(p) => p.status = Default::default(),
        Object::Node(n) => n.status = Default::default(),
        Object::Deployment(d) => d.status = Default::default(),
        Object::ReplicaSet(r) => r.status = Default::default(),
        Object::Service(s) => s.status = Default::default(),
        Object::HorizontalPodAutoscaler(h) => h.status = Default::default(),
        Object::PodDisruptionBudget(p) => p.status = Default::default(),
        _ => {}
    }
}
