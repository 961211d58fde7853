//! `kubectl label` and `kubectl annotate`: `TYPE NAME k=v [k2=v2] [k-] [--overwrite]`,
//! also `TYPE/NAME`, `--all` and `-l`.

use super::flags::{FlagSpec, Flags, switch, value};
use super::resource::{api, printed, select};
use super::{Target, parse_targets};
use crate::command::CommandError;
use crate::simulation::{Simulation, Write};
use std::collections::BTreeMap;

/// Flags of `kubectl label` / `annotate`.
pub const FLAGS: [FlagSpec; 4] = [
    switch("overwrite", None),
    switch("all", None),
    value("selector", Some('l')),
    switch("list", None),
];

/// Which metadata map the verb edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// `kubectl label`.
    Labels,
    /// `kubectl annotate`.
    Annotations,
}

/// Arguments of `kubectl label` / `annotate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelArgs {
    /// Labels or annotations.
    pub which: Which,
    /// Objects.
    pub targets: Vec<Target>,
    /// `k=v` to set.
    pub set: Vec<(String, String)>,
    /// `k-` to remove.
    pub remove: Vec<String>,
    /// `--overwrite`.
    pub overwrite: bool,
    /// `--all`.
    pub all: bool,
    /// `-l`.
    pub selector: Option<String>,
    /// `-n`.
    pub namespace: String,
}

/// Parses `label`/`annotate` arguments.
pub fn parse(which: Which, pos: &[String], f: &Flags) -> Result<LabelArgs, CommandError> {
    let noun = match which {
        Which::Labels => "label",
        Which::Annotations => "annotation",
    };
    let mut set = Vec::new();
    let mut remove = Vec::new();
    let mut res = Vec::new();
    for a in pos {
        if let Some((k, v)) = a.split_once('=') {
            if k.is_empty() {
                return Err(CommandError::new(format!(
                    "error: invalid {noun} spec: {a}"
                )));
            }
            set.push((k.to_string(), v.to_string()));
        } else if let Some(k) = a.strip_suffix('-').filter(|_| !res.is_empty()) {
            remove.push(k.to_string());
        } else {
            res.push(a.clone());
        }
    }
    if res.is_empty() {
        return Err(CommandError::new(
            "error: one or more resources must be specified as <resource> <name> or <resource>/<name>",
        ));
    }
    if set.is_empty() && remove.is_empty() {
        return Err(CommandError::new(format!(
            "error: at least one {noun} update is required"
        )));
    }
    if let Some((k, _)) = set.iter().find(|(k, _)| remove.contains(k)) {
        return Err(CommandError::new(format!(
            "error: can not both modify and remove {noun}s in the same command: {k}"
        )));
    }
    Ok(LabelArgs {
        which,
        targets: parse_targets(&res)?,
        set,
        remove,
        overwrite: f.on("overwrite"),
        all: f.on("all"),
        selector: f.get("selector").map(String::from),
        namespace: f.get("namespace").unwrap_or("default").to_string(),
    })
}

/// Applies the changes to one map; kubectl's result word (`labeled`, `unlabeled`,
/// `not labeled`) and warnings for keys to remove that are absent.
pub fn change(
    map: &mut BTreeMap<String, String>,
    args: &LabelArgs,
) -> Result<(&'static str, Vec<String>), CommandError> {
    let before = map.clone();
    let mut notes = Vec::new();
    if !args.overwrite {
        for (k, _) in &args.set {
            if let Some(old) = map.get(k) {
                return Err(CommandError::new(format!(
                    "error: '{k}' already has a value ({old}), and --overwrite is false"
                )));
            }
        }
    }
    for k in &args.remove {
        if map.remove(k).is_none() && args.which == Which::Labels {
            notes.push(format!("label \"{k}\" not found."));
        }
    }
    for (k, v) in &args.set {
        map.insert(k.clone(), v.clone());
    }
    let word = match args.which {
        Which::Annotations => "annotated",
        Which::Labels if *map == before => "not labeled",
        Which::Labels if !args.overwrite && map.len() < before.len() => "unlabeled",
        Which::Labels => "labeled",
    };
    Ok((word, notes))
}

/// Runs `kubectl label` / `annotate`.
pub fn run(sim: &mut Simulation, args: &LabelArgs) -> Result<String, CommandError> {
    let objs = select(
        sim,
        &args.targets,
        &args.namespace,
        args.all,
        args.selector.as_deref(),
    )?;
    let mut out = String::new();
    let mut writes = Vec::new();
    for o in objs {
        let mut next = o.clone();
        let meta = next.meta_mut();
        let map = match args.which {
            Which::Labels => &mut meta.labels,
            Which::Annotations => &mut meta.annotations,
        };
        let (word, notes) = change(map, args)?;
        for n in notes {
            out.push_str(&n);
            out.push('\n');
        }
        out.push_str(&format!("{} {word}\n", printed(o.info(), &o.meta().name)));
        writes.push(Write::Update(Box::new(next)));
    }
    sim.submit(writes).map_err(api)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::kubectl::flags;

    fn parse_line(which: Which, s: &str) -> Result<LabelArgs, CommandError> {
        let words: Vec<String> = s.split_whitespace().map(String::from).collect();
        let (pos, f) = flags::parse(&words, &FLAGS)?;
        parse(which, &pos, &f)
    }

    #[test]
    fn parses_changes() {
        let a = parse_line(Which::Labels, "pods x tier=web env- --overwrite").unwrap();
        assert_eq!(a.set, vec![("tier".to_string(), "web".to_string())]);
        assert_eq!(a.remove, vec!["env".to_string()]);
        assert!(a.overwrite);
        assert_eq!(
            parse_line(Which::Labels, "pods x").unwrap_err().to_string(),
            "error: at least one label update is required"
        );
        assert_eq!(
            parse_line(Which::Annotations, "pod/x")
                .unwrap_err()
                .to_string(),
            "error: at least one annotation update is required"
        );
    }

    #[test]
    fn overwrite_rules_and_words() {
        let a = parse_line(Which::Labels, "pod/x app=db").unwrap();
        let mut m: BTreeMap<String, String> = [("app".to_string(), "web".to_string())].into();
        assert_eq!(
            change(&mut m, &a).unwrap_err().to_string(),
            "error: 'app' already has a value (web), and --overwrite is false"
        );
        let a = parse_line(Which::Labels, "pod/x app=db --overwrite").unwrap();
        assert_eq!(change(&mut m, &a).unwrap().0, "labeled");
        assert_eq!(change(&mut m, &a).unwrap().0, "not labeled");
        let a = parse_line(Which::Labels, "pod/x app- gone-").unwrap();
        let (word, notes) = change(&mut m, &a).unwrap();
        assert_eq!(word, "unlabeled");
        assert_eq!(notes, vec!["label \"gone\" not found.".to_string()]);
    }
}
