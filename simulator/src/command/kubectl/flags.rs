//! kubectl's flag syntax (pflag): `--name value`, `--name=value`, `-n value`, `-nvalue`,
//! `-n=value`, boolean flags, and `--` ending flag parsing.

use crate::command::CommandError;
use std::collections::BTreeMap;

/// One accepted flag.
#[derive(Debug, Clone, Copy)]
pub struct FlagSpec {
    /// Long name without dashes.
    pub long: &'static str,
    /// Short letter, if any.
    pub short: Option<char>,
    /// Whether it takes a value.
    pub takes_value: bool,
}

/// Shorthand for a flag with a value.
pub const fn value(long: &'static str, short: Option<char>) -> FlagSpec {
    FlagSpec {
        long,
        short,
        takes_value: true,
    }
}

/// Shorthand for a boolean flag.
pub const fn switch(long: &'static str, short: Option<char>) -> FlagSpec {
    FlagSpec {
        long,
        short,
        takes_value: false,
    }
}

/// Flags every kubectl command accepts.
pub const GLOBAL: [FlagSpec; 2] = [value("namespace", Some('n')), value("context", None)];

/// Parsed flags: values by long name (repeatable flags keep every value).
#[derive(Debug, Default, Clone)]
pub struct Flags {
    values: BTreeMap<&'static str, Vec<String>>,
}

impl Flags {
    /// The last value of a flag.
    pub fn get(&self, long: &str) -> Option<&str> {
        self.values
            .get(long)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    /// Every value of a repeatable flag.
    pub fn all(&self, long: &str) -> &[String] {
        self.values.get(long).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether a boolean flag was given (and not `=false`).
    pub fn on(&self, long: &str) -> bool {
        self.get(long).is_some_and(|v| v != "false")
    }
}

/// Splits `args` into positional words and flags, rejecting unknown flags like kubectl.
pub fn parse(args: &[String], specs: &[FlagSpec]) -> Result<(Vec<String>, Flags), CommandError> {
    let all: Vec<FlagSpec> = specs.iter().chain(GLOBAL.iter()).copied().collect();
    let mut flags = Flags::default();
    let mut pos = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--" {
            pos.extend(it.by_ref().cloned());
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let spec = all
                .iter()
                .find(|s| s.long == name)
                .ok_or_else(|| CommandError::new(format!("error: unknown flag: --{name}")))?;
            let v = if spec.takes_value {
                match inline {
                    Some(v) => v,
                    None => it.next().cloned().ok_or_else(|| {
                        CommandError::new(format!("error: flag needs an argument: --{name}"))
                    })?,
                }
            } else {
                inline.unwrap_or_else(|| "true".into())
            };
            flags.values.entry(spec.long).or_default().push(v);
        } else if a.len() > 1
            && a.starts_with('-')
            && !a[1..].starts_with(|c: char| c.is_ascii_digit())
        {
            for (i, c) in a[1..].char_indices() {
                let spec = all.iter().find(|s| s.short == Some(c)).ok_or_else(|| {
                    CommandError::new(format!("error: unknown shorthand flag: '{c}' in {a}"))
                })?;
                if spec.takes_value {
                    let rest = &a[1 + i + c.len_utf8()..];
                    let v = if rest.is_empty() {
                        it.next().cloned().ok_or_else(|| {
                            CommandError::new(format!(
                                "error: flag needs an argument: '{c}' in -{c}"
                            ))
                        })?
                    } else {
                        rest.strip_prefix('=').unwrap_or(rest).to_string()
                    };
                    flags.values.entry(spec.long).or_default().push(v);
                    break;
                }
                flags
                    .values
                    .entry(spec.long)
                    .or_default()
                    .push("true".into());
            }
        } else {
            pos.push(a.clone());
        }
    }
    Ok((pos, flags))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_pflag_forms() {
        let specs = [
            value("output", Some('o')),
            switch("all-namespaces", Some('A')),
            value("filename", Some('f')),
        ];
        let (pos, f) = parse(
            &words("get pods -owide -A --namespace=kube-system -f a.yaml -f b.yaml"),
            &specs,
        )
        .unwrap();
        assert_eq!(pos, vec!["get", "pods"]);
        assert_eq!(f.get("output"), Some("wide"));
        assert!(f.on("all-namespaces"));
        assert_eq!(f.get("namespace"), Some("kube-system"));
        assert_eq!(
            f.all("filename"),
            &["a.yaml".to_string(), "b.yaml".to_string()]
        );
        assert_eq!(
            parse(&words("x --bogus"), &specs).unwrap_err().to_string(),
            "error: unknown flag: --bogus"
        );
        assert!(
            parse(&words("x -z"), &specs)
                .unwrap_err()
                .to_string()
                .contains("unknown shorthand flag: 'z' in -z")
        );
        assert!(
            parse(&words("x -o"), &specs)
                .unwrap_err()
                .to_string()
                .contains("flag needs an argument")
        );
    }
}
