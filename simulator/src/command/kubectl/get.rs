//! `kubectl get`: tables, `-o wide|name|json|yaml`, `-A`, `--show-labels`, `-l`.

use super::Target;
use super::printers::{columns, row};
use crate::api::{KindInfo, Object};
use crate::apiserver::{ApiError, ObjKey};
use crate::command::CommandError;
use crate::format::table;
use crate::simulation::Simulation;

/// Output format of `get`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Output {
    /// The default table.
    #[default]
    Table,
    /// `-o wide`.
    Wide,
    /// `-o name`.
    Name,
    /// `-o json`.
    Json,
    /// `-o yaml`.
    Yaml,
}

impl Output {
    /// Parses `-o`.
    pub fn parse(s: Option<&str>) -> Result<Output, CommandError> {
        Ok(match s {
            None | Some("") => Output::Table,
            Some("wide") => Output::Wide,
            Some("name") => Output::Name,
            Some("json") => Output::Json,
            Some("yaml") => Output::Yaml,
            Some(other) => {
                return Err(CommandError::new(format!(
                    "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,name,wide,yaml"
                )));
            }
        })
    }
}

/// Arguments of `kubectl get`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetArgs {
    /// What to list.
    pub targets: Vec<Target>,
    /// `-n`.
    pub namespace: Option<String>,
    /// `-A`.
    pub all_namespaces: bool,
    /// `-o`.
    pub output: Output,
    /// `--show-labels`.
    pub show_labels: bool,
    /// `-l`.
    pub selector: Option<String>,
}

fn matches_selector(o: &Object, sel: Option<&crate::kube::label_selector::Selector>) -> bool {
    sel.is_none_or(|s| s.matches(&o.meta().labels))
}

fn render_json(objs: &[&Object], single: bool) -> serde_json::Value {
    if single && objs.len() == 1 {
        return objs[0].to_json();
    }
    serde_json::json!({
        "apiVersion": "v1",
        "items": objs.iter().map(|o| o.to_json()).collect::<Vec<_>>(),
        "kind": "List",
        "metadata": { "resourceVersion": "" },
    })
}

/// Runs `kubectl get`.
pub fn run(sim: &Simulation, args: &GetArgs) -> Result<String, CommandError> {
    let store = &sim.state().api.store;
    let ns = args.namespace.clone().unwrap_or_else(|| "default".into());
    let selector = super::parse_selector(args.selector.as_deref())?;
    let mut groups: Vec<(&'static KindInfo, Vec<&Object>)> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    let single = args.targets.len() == 1 && args.targets[0].names.len() == 1;
    for t in &args.targets {
        let info = t.kind;
        let mut objs: Vec<&Object> = Vec::new();
        if t.names.is_empty() {
            objs.extend(store.of_kind(info.kind).filter(|o| {
                (!info.namespaced || args.all_namespaces || o.meta().namespace_or_default() == ns)
                    && matches_selector(o, selector.as_ref())
            }));
        } else {
            for n in &t.names {
                let key = ObjKey::new(info.kind, if info.namespaced { &ns } else { "" }, n);
                match store.get(&key) {
                    Some(o) => objs.push(o),
                    None => errors.push(
                        ApiError::NotFound {
                            resource: info.resource(),
                            name: n.clone(),
                        }
                        .to_string(),
                    ),
                }
            }
        }
        groups.push((info, objs));
    }
    let mut out = String::new();
    let all: Vec<&Object> = groups.iter().flat_map(|(_, o)| o.iter().copied()).collect();
    match args.output {
        Output::Json => {
            if !all.is_empty() || errors.is_empty() {
                out = serde_json::to_string_pretty(&render_json(&all, single)).unwrap_or_default()
                    + "\n";
            }
        }
        Output::Yaml => {
            if !all.is_empty() || errors.is_empty() {
                out = serde_yaml_ng::to_string(&render_json(&all, single)).unwrap_or_default();
            }
        }
        Output::Name => {
            for (info, objs) in &groups {
                let prefix = if info.group.is_empty() {
                    info.singular.to_string()
                } else {
                    format!("{}.{}", info.singular, info.group)
                };
                for o in objs {
                    out.push_str(&format!("{prefix}/{}\n", o.meta().name));
                }
            }
        }
        Output::Table | Output::Wide => {
            let wide = args.output == Output::Wide;
            let multi = groups.len() > 1;
            for (info, objs) in &groups {
                if objs.is_empty() {
                    continue;
                }
                let mut header: Vec<&str> = Vec::new();
                if args.all_namespaces && info.namespaced {
                    header.push("NAMESPACE");
                }
                header.extend(columns(info.kind, wide));
                if args.show_labels {
                    header.push("LABELS");
                }
                let rows: Vec<Vec<String>> = objs
                    .iter()
                    .map(|o| {
                        let mut r = Vec::new();
                        if args.all_namespaces && info.namespaced {
                            r.push(o.meta().namespace_or_default().to_string());
                        }
                        let mut cells = row(o, sim.now(), wide);
                        if multi {
                            let prefix = if info.group.is_empty() {
                                info.singular.to_string()
                            } else {
                                format!("{}.{}", info.singular, info.group)
                            };
                            cells[0] = format!("{prefix}/{}", cells[0]);
                        }
                        r.extend(cells);
                        if args.show_labels {
                            let labels: Vec<String> = o
                                .meta()
                                .labels
                                .iter()
                                .map(|(k, v)| format!("{k}={v}"))
                                .collect();
                            r.push(if labels.is_empty() {
                                "<none>".into()
                            } else {
                                labels.join(",")
                            });
                        }
                        r
                    })
                    .collect();
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&table(&header, &rows));
            }
            if out.is_empty() && errors.is_empty() {
                let namespaced = groups.iter().any(|(i, _)| i.namespaced);
                out = if namespaced && !args.all_namespaces {
                    format!("No resources found in {ns} namespace.\n")
                } else {
                    "No resources found\n".to_string()
                };
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        // kubectl prints what it found, then the errors, and exits non-zero.
        Err(CommandError::new(format!("{out}{}", errors.join("\n"))))
    }
}

/// Parses `get` arguments after flags are split off.
pub fn parse(pos: &[String], flags: &super::flags::Flags) -> Result<GetArgs, CommandError> {
    if pos.is_empty() {
        return Err(CommandError::new(
            "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples",
        ));
    }
    Ok(GetArgs {
        targets: super::parse_targets(pos)?,
        namespace: flags.get("namespace").map(String::from),
        all_namespaces: flags.on("all-namespaces"),
        output: Output::parse(flags.get("output"))?,
        show_labels: flags.on("show-labels"),
        selector: flags.get("selector").map(String::from),
    })
}
