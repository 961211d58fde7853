//! `kubectl wait --for=condition=NAME[=VALUE]|delete TYPE/NAME... [--timeout=30s]`.
//!
//! Blocking, like `rollout status`: simulated time passes until every named object meets
//! the condition (or is gone, for `delete`), each object with the full timeout in turn
//! as kubectl does (`k8s.io/kubectl/pkg/cmd/wait`).

use super::flags::{FlagSpec, Flags, switch, value};
use super::resource::{key, printed, select};
use super::rollout::{WaitEnd, block};
use super::{Target, parse_targets};
use crate::api::Object;
use crate::command::CommandError;
use crate::simulation::Simulation;
use crate::time::SimDuration;

/// Flags of `kubectl wait`.
pub const FLAGS: [FlagSpec; 4] = [
    value("for", None),
    value("timeout", None),
    switch("all", None),
    value("selector", Some('l')),
];

/// What to wait for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitFor {
    /// `condition=TYPE[=STATUS]` (status defaults to True; both case-insensitive).
    Condition {
        /// Condition type.
        type_: String,
        /// Wanted status.
        status: String,
    },
    /// `delete`.
    Delete,
}

/// Arguments of `kubectl wait`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitArgs {
    /// Condition.
    pub for_: WaitFor,
    /// Objects.
    pub targets: Vec<Target>,
    /// `--timeout` (default 30s).
    pub timeout: SimDuration,
    /// `--all`.
    pub all: bool,
    /// `-l`.
    pub selector: Option<String>,
    /// `-n`.
    pub namespace: String,
}

const FOR_USAGE: &str = "error: --for must be one of: delete, condition=condition-name[=condition-value], jsonpath='{JSONPath expression}'=[JSONPath value] or create";

/// Parses `wait` arguments.
pub fn parse(pos: &[String], f: &Flags) -> Result<WaitArgs, CommandError> {
    let for_ = match f.get("for") {
        Some("delete") => WaitFor::Delete,
        Some(c) if c.to_ascii_lowercase().starts_with("condition=") => {
            let rest = &c["condition=".len()..];
            let (t, s) = rest.split_once('=').unwrap_or((rest, "True"));
            if t.is_empty() {
                return Err(CommandError::new(FOR_USAGE));
            }
            WaitFor::Condition {
                type_: t.to_string(),
                status: s.to_string(),
            }
        }
        Some(j) if j.starts_with("jsonpath=") => {
            return Err(CommandError::new(
                "error: --for=jsonpath is not simulated; use --for=condition=NAME or --for=delete",
            ));
        }
        _ => return Err(CommandError::new(FOR_USAGE)),
    };
    let timeout = match f.get("timeout") {
        None => SimDuration::from_secs(30),
        Some(v) => {
            let v2 = v.trim_start_matches('-');
            if v2 == "0" || v2 == "0s" {
                SimDuration::ZERO
            } else if v.starts_with('-') {
                // A negative timeout means a week in kubectl.
                SimDuration::from_secs(7 * 24 * 3600)
            } else {
                SimDuration::parse(v).map_err(|_| {
                    CommandError::new(format!(
                        "error: invalid argument \"{v}\" for \"--timeout\" flag: time: invalid duration \"{v}\""
                    ))
                })?
            }
        }
    };
    if pos.is_empty() {
        return Err(CommandError::new(
            "error: resource(s) were provided, but no name was specified",
        ));
    }
    Ok(WaitArgs {
        for_,
        targets: parse_targets(pos)?,
        timeout,
        all: f.on("all"),
        selector: f.get("selector").map(String::from),
        namespace: f.get("namespace").unwrap_or("default").to_string(),
    })
}

/// The object's status conditions as `(type, status)` pairs.
fn conditions(o: &Object) -> Vec<(String, String)> {
    match o {
        Object::Pod(p) => p
            .status
            .conditions
            .iter()
            .map(|c| (c.type_.clone(), c.status.clone()))
            .collect(),
        Object::Deployment(d) => d
            .status
            .conditions
            .iter()
            .map(|c| (c.type_.clone(), c.status.clone()))
            .collect(),
        Object::Node(n) => n
            .status
            .conditions
            .iter()
            .map(|c| (c.type_.clone(), c.status.clone()))
            .collect(),
        _ => Vec::new(),
    }
}

/// Runs `kubectl wait`.
pub fn run(sim: &mut Simulation, args: &WaitArgs) -> Result<String, CommandError> {
    let objs: Vec<(crate::apiserver::ObjKey, String, String)> = match &args.for_ {
        // Deleting objects may already be gone: only those that exist are waited on.
        WaitFor::Delete => {
            let mut v = Vec::new();
            for t in &args.targets {
                if t.names.is_empty() {
                    for o in select(
                        sim,
                        std::slice::from_ref(t),
                        &args.namespace,
                        args.all,
                        args.selector.as_deref(),
                    )? {
                        v.push((
                            crate::apiserver::ObjKey::of(o),
                            printed(o.info(), &o.meta().name),
                            t.kind.plural.to_string(),
                        ));
                    }
                }
                for n in &t.names {
                    let k = key(t.kind, &args.namespace, n);
                    if sim.state().api.store.contains(&k) {
                        v.push((k, printed(t.kind, n), t.kind.plural.to_string()));
                    }
                }
            }
            v
        }
        WaitFor::Condition { .. } => select(
            sim,
            &args.targets,
            &args.namespace,
            args.all,
            args.selector.as_deref(),
        )?
        .into_iter()
        .map(|o| {
            (
                crate::apiserver::ObjKey::of(o),
                printed(o.info(), &o.meta().name),
                o.info().plural.to_string(),
            )
        })
        .collect(),
    };
    if objs.is_empty() && matches!(args.for_, WaitFor::Condition { .. }) {
        return Err(CommandError::new("error: no matching resources found"));
    }
    let mut out = String::new();
    let mut waited = false;
    for (k, name, plural) in objs {
        let for_ = args.for_.clone();
        let (_, end, ran) = block(sim, Some(args.timeout), |s| {
            let o = s.state().api.store.get(&k);
            match (&for_, o) {
                (WaitFor::Delete, None) => Ok(None),
                (WaitFor::Delete, Some(_)) => Ok(Some(String::new())),
                (WaitFor::Condition { .. }, None) => Err(format!(
                    "Error from server (NotFound): {} \"{}\" not found",
                    crate::api::kind_info(k.kind)
                        .map(|i| i.resource())
                        .unwrap_or_default(),
                    k.name
                )),
                (WaitFor::Condition { type_, status }, Some(o)) => {
                    let met = conditions(o).iter().any(|(t, st)| {
                        t.eq_ignore_ascii_case(type_) && st.eq_ignore_ascii_case(status)
                    });
                    if met {
                        Ok(None)
                    } else {
                        Ok(Some(String::new()))
                    }
                }
            }
        });
        waited |= ran;
        let fail = |msg: String| {
            if waited {
                CommandError::after_waiting(msg)
            } else {
                CommandError::new(msg)
            }
        };
        match end {
            WaitEnd::Done => out.push_str(&format!("{name} condition met\n")),
            WaitEnd::Failed(e) => return Err(fail(format!("{out}{e}"))),
            WaitEnd::TimedOut => {
                return Err(fail(format!(
                    "{out}error: timed out waiting for the condition on {plural}/{}",
                    k.name
                )));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::kubectl::flags;

    fn parse_line(s: &str) -> Result<WaitArgs, CommandError> {
        let words: Vec<String> = s.split_whitespace().map(String::from).collect();
        let (pos, f) = flags::parse(&words, &FLAGS)?;
        parse(&pos, &f)
    }

    #[test]
    fn parses_conditions() {
        let a = parse_line("--for=condition=Available deployment/web --timeout=2m").unwrap();
        assert_eq!(
            a.for_,
            WaitFor::Condition {
                type_: "Available".into(),
                status: "True".into()
            }
        );
        assert_eq!(a.timeout, SimDuration::from_mins(2));
        let b = parse_line("--for=condition=Ready=false pod/x").unwrap();
        assert_eq!(
            b.for_,
            WaitFor::Condition {
                type_: "Ready".into(),
                status: "false".into()
            }
        );
        assert_eq!(b.timeout, SimDuration::from_secs(30));
        assert_eq!(
            parse_line("--for=delete pod/x").unwrap().for_,
            WaitFor::Delete
        );
        assert_eq!(parse_line("pod/x").unwrap_err().to_string(), FOR_USAGE);
        assert_eq!(
            parse_line("--for=delete pod/x --x")
                .unwrap_err()
                .to_string(),
            "error: unknown flag: --x"
        );
    }
}
