//! `kubectl set image TYPE/NAME CONTAINER=IMAGE...` (`*=IMAGE` for every container) on
//! Deployments, ReplicaSets and pods.

use super::flags::{FlagSpec, Flags, switch, value};
use super::resource::{api, printed, select};
use super::{Target, parse_targets};
use crate::api::Object;
use crate::api::pod::PodSpec;
use crate::command::CommandError;
use crate::simulation::{Simulation, Write};

/// Flags of `kubectl set image`.
pub const FLAGS: [FlagSpec; 3] = [
    switch("all", None),
    value("selector", Some('l')),
    value("filename", Some('f')),
];

/// Arguments of `kubectl set image`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetImageArgs {
    /// What to change.
    pub targets: Vec<Target>,
    /// `CONTAINER=IMAGE` pairs, in order.
    pub images: Vec<(String, String)>,
    /// `--all`.
    pub all: bool,
    /// `-l`.
    pub selector: Option<String>,
    /// `-n`.
    pub namespace: String,
}

/// Parses `set …` (only `set image` is simulated).
pub fn parse(pos: &[String], f: &Flags) -> Result<SetImageArgs, CommandError> {
    let Some((sub, rest)) = pos.split_first() else {
        return Err(CommandError::new(
            "Configure application resources.\n\nAvailable Commands:\n  image         Update the image of a pod template\n\nUsage:\n  kubectl set SUBCOMMAND [options]",
        ));
    };
    if sub != "image" {
        return Err(crate::command::unknown_subcommand(
            "kubectl set",
            sub,
            &["image"],
        ));
    }
    if !f.all("filename").is_empty() {
        return Err(CommandError::new(
            "error: set image -f is not supported here; name the resource (kubectl set image deployment/NAME CONTAINER=IMAGE)",
        ));
    }
    let (pairs, res): (Vec<&String>, Vec<&String>) = rest.iter().partition(|a| a.contains('='));
    let mut images = Vec::new();
    for p in pairs {
        let (c, i) = p.split_once('=').unwrap_or((p, ""));
        if c.is_empty() || i.is_empty() {
            return Err(CommandError::new(format!(
                "error: invalid image update {p}, expected CONTAINER=IMAGE"
            )));
        }
        images.push((c.to_string(), i.to_string()));
    }
    if res.is_empty() {
        return Err(CommandError::new(
            "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
        ));
    }
    if images.is_empty() {
        return Err(CommandError::new(
            "error: at least one image update is required",
        ));
    }
    let res: Vec<String> = res.into_iter().cloned().collect();
    Ok(SetImageArgs {
        targets: parse_targets(&res)?,
        images,
        all: f.on("all"),
        selector: f.get("selector").map(String::from),
        namespace: f.get("namespace").unwrap_or("default").to_string(),
    })
}

/// Applies `CONTAINER=IMAGE` pairs to a pod spec (init containers too, like kubectl).
pub fn update_images(spec: &mut PodSpec, images: &[(String, String)]) -> Result<(), CommandError> {
    for (name, image) in images {
        let mut found = false;
        for c in spec
            .init_containers
            .iter_mut()
            .chain(spec.containers.iter_mut())
        {
            if name == "*" || &c.name == name {
                c.image = image.clone();
                found = true;
            }
        }
        if !found {
            return Err(CommandError::new(format!(
                "error: unable to find container named \"{name}\""
            )));
        }
    }
    Ok(())
}

/// Runs `kubectl set image`.
pub fn run(sim: &mut Simulation, args: &SetImageArgs) -> Result<String, CommandError> {
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
        let mut next = o.clone();
        let spec = match &mut next {
            Object::Deployment(d) => &mut d.spec.template.spec,
            Object::ReplicaSet(rs) => &mut rs.spec.template.spec,
            Object::Pod(p) => &mut p.spec,
            other => {
                return Err(CommandError::new(format!(
                    "error: {}/{} the object is not a pod or does not have a pod template: *v1.{}",
                    other.info().plural,
                    other.meta().name,
                    other.info().kind
                )));
            }
        };
        update_images(spec, &args.images)?;
        names.push(printed(o.info(), &o.meta().name));
        writes.push(Write::Update(Box::new(next)));
    }
    sim.submit(writes).map_err(api)?;
    Ok(names
        .iter()
        .map(|n| format!("{n} image updated\n"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::pod::Container;
    use crate::command::kubectl::flags;

    fn parse_line(s: &str) -> Result<SetImageArgs, CommandError> {
        let words: Vec<String> = s.split_whitespace().map(String::from).collect();
        let (pos, f) = flags::parse(&words, &FLAGS)?;
        parse(&pos, &f)
    }

    #[test]
    fn parses_pairs_and_errors() {
        let a = parse_line("image deployment/web nginx=nginx:1.27 side=busybox").unwrap();
        assert_eq!(
            a.images,
            vec![
                ("nginx".to_string(), "nginx:1.27".to_string()),
                ("side".to_string(), "busybox".to_string())
            ]
        );
        assert_eq!(
            parse_line("image deployment/web").unwrap_err().to_string(),
            "error: at least one image update is required"
        );
        assert!(
            parse_line("env deployment/web")
                .unwrap_err()
                .to_string()
                .contains("unknown command \"env\" for \"kubectl set\"")
        );
    }

    #[test]
    fn unknown_container_is_an_error() {
        let mut spec = PodSpec {
            containers: vec![Container {
                name: "nginx".into(),
                image: "nginx:1.26".into(),
                ..Container::default()
            }],
            ..PodSpec::default()
        };
        assert_eq!(
            update_images(&mut spec, &[("x".into(), "y".into())])
                .unwrap_err()
                .to_string(),
            "error: unable to find container named \"x\""
        );
        update_images(&mut spec, &[("*".into(), "nginx:1.27".into())]).unwrap();
        assert_eq!(spec.containers[0].image, "nginx:1.27");
    }
}
