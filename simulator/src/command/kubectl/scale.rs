//! `kubectl scale TYPE NAME --replicas=N` (also `TYPE/NAME`, `--current-replicas`
//! precondition, `--all`, `-l`) for Deployments and ReplicaSets.

use super::flags::{FlagSpec, Flags, switch, value};
use super::resource::{api, printed, select};
use super::{Target, parse_targets};
use crate::api::Object;
use crate::command::CommandError;
use crate::simulation::{Simulation, Write};

/// Flags of `kubectl scale`.
pub const FLAGS: [FlagSpec; 5] = [
    value("replicas", None),
    value("current-replicas", None),
    switch("all", None),
    value("selector", Some('l')),
    value("filename", Some('f')),
];

/// Arguments of `kubectl scale`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleArgs {
    /// What to scale.
    pub targets: Vec<Target>,
    /// `--replicas`.
    pub replicas: i64,
    /// `--current-replicas` (-1 = no precondition).
    pub current: i64,
    /// `--all`.
    pub all: bool,
    /// `-l`.
    pub selector: Option<String>,
    /// `-n`.
    pub namespace: String,
}

fn int(f: &Flags, flag: &str) -> Result<Option<i64>, CommandError> {
    f.get(flag)
        .map(|v| {
            v.parse::<i64>().map_err(|_| {
                CommandError::new(format!(
                    "error: invalid argument \"{v}\" for \"--{flag}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"
                ))
            })
        })
        .transpose()
}

/// Parses `scale` arguments.
pub fn parse(pos: &[String], f: &Flags) -> Result<ScaleArgs, CommandError> {
    if !f.all("filename").is_empty() {
        return Err(CommandError::new(
            "error: scale -f is not supported here; name the resource (kubectl scale deployment/NAME --replicas=N)",
        ));
    }
    let Some(replicas) = int(f, "replicas")? else {
        return Err(CommandError::new(
            "error: required flag(s) \"replicas\" not set",
        ));
    };
    if replicas < 0 {
        return Err(CommandError::new(
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0",
        ));
    }
    if pos.is_empty() {
        return Err(CommandError::new(
            "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
        ));
    }
    Ok(ScaleArgs {
        targets: parse_targets(pos)?,
        replicas,
        current: int(f, "current-replicas")?.unwrap_or(-1),
        all: f.on("all"),
        selector: f.get("selector").map(String::from),
        namespace: f.get("namespace").unwrap_or("default").to_string(),
    })
}

/// Runs `kubectl scale`.
pub fn run(sim: &mut Simulation, args: &ScaleArgs) -> Result<String, CommandError> {
    let objs = select(
        sim,
        &args.targets,
        &args.namespace,
        args.all,
        args.selector.as_deref(),
    )?;
    let mut writes = Vec::new();
    let mut names = Vec::new();
    for o in objs {
        let current = match o {
            Object::Deployment(d) => d.spec.replicas.unwrap_or(1),
            Object::ReplicaSet(rs) => rs.spec.replicas.unwrap_or(1),
            _ => {
                return Err(CommandError::new(
                    "Error from server (NotFound): the server could not find the requested resource",
                ));
            }
        };
        if args.current >= 0 && args.current != current {
            return Err(CommandError::new(format!(
                "error: Expected replicas to be {}, was {current}",
                args.current
            )));
        }
        let mut next = o.clone();
        match &mut next {
            Object::Deployment(d) => d.spec.replicas = Some(args.replicas),
            Object::ReplicaSet(rs) => rs.spec.replicas = Some(args.replicas),
            _ => {}
        }
        names.push(printed(o.info(), &o.meta().name));
        writes.push(Write::Update(Box::new(next)));
    }
    if writes.is_empty() {
        return Err(CommandError::new("error: no objects passed to scale"));
    }
    sim.submit(writes).map_err(api)?;
    Ok(names.iter().map(|n| format!("{n} scaled\n")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::kubectl::flags;

    fn parse_line(s: &str) -> Result<ScaleArgs, CommandError> {
        let words: Vec<String> = s.split_whitespace().map(String::from).collect();
        let (pos, f) = flags::parse(&words, &FLAGS)?;
        parse(&pos, &f)
    }

    #[test]
    fn parses_forms_and_errors() {
        let a = parse_line("deployment/web --replicas=3").unwrap();
        assert_eq!(a.replicas, 3);
        assert_eq!(a.targets[0].names, vec!["web".to_string()]);
        let b = parse_line("deploy web --replicas 0 --current-replicas=2").unwrap();
        assert_eq!((b.replicas, b.current), (0, 2));
        assert_eq!(
            parse_line("deploy web").unwrap_err().to_string(),
            "error: required flag(s) \"replicas\" not set"
        );
        assert_eq!(
            parse_line("deploy web --replicas=-1")
                .unwrap_err()
                .to_string(),
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
        );
        assert!(
            parse_line("deploy web --replicas=x")
                .unwrap_err()
                .to_string()
                .contains("invalid argument \"x\" for \"--replicas\" flag")
        );
        assert_eq!(
            parse_line("deploy web --replicas=1 --x")
                .unwrap_err()
                .to_string(),
            "error: unknown flag: --x"
        );
    }
}
