//! The AWS CLI's parameter syntax: `--name value…` pairs, the shorthand syntax
//! (`awsvpcConfiguration={subnets=[subnet-1,subnet-2],assignPublicIp=ENABLED}`), JSON
//! values, and `file://` inputs read from the workspace.

use crate::command::CommandError;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The usage banner the CLI prints before an argument error.
pub fn usage_error(msg: &str) -> CommandError {
    CommandError::new(format!(
        "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\nTo see help text, you can run:\n\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n\naws: error: {msg}"
    ))
}

/// A service error, as botocore prints it.
pub fn aws_error(code: &str, operation: &str, message: impl std::fmt::Display) -> CommandError {
    CommandError::new(format!(
        "\nAn error occurred ({code}) when calling the {operation} operation: {message}"
    ))
}

/// `--name value…` pairs (a parameter takes every word up to the next `--`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params(pub BTreeMap<String, Vec<String>>);

impl Params {
    /// Splits the words after the operation.
    pub fn parse(args: &[String]) -> Result<Params, CommandError> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut cur: Option<String> = None;
        for a in args {
            if let Some(name) = a.strip_prefix("--") {
                let (n, v) = match name.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (name.to_string(), None),
                };
                let e = out.entry(n.clone()).or_default();
                if let Some(v) = v {
                    e.push(v);
                }
                cur = Some(n);
            } else if let Some(c) = &cur {
                out.entry(c.clone()).or_default().push(a.clone());
            } else {
                return Err(usage_error(&format!("Unknown options: {a}")));
            }
        }
        Ok(Params(out))
    }

    /// Whether `--name` was given.
    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// The single value of an optional parameter.
    pub fn opt(&self, name: &str) -> Result<Option<String>, CommandError> {
        match self.0.get(name).map(Vec::as_slice) {
            None => Ok(None),
            Some([v]) => Ok(Some(v.clone())),
            Some([]) => Err(usage_error(&format!(
                "argument --{name}: expected one argument"
            ))),
            Some(vs) => Err(usage_error(&format!(
                "Unknown options: {}",
                vs[1..].join(", ")
            ))),
        }
    }

    /// The single value of a required parameter.
    pub fn one(&self, name: &str) -> Result<String, CommandError> {
        self.opt(name)?
            .ok_or_else(|| usage_error(&format!("the following arguments are required: --{name}")))
    }

    /// A list parameter: space-separated words (`--subnets a b`), each also split on
    /// commas.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.0
            .get(name)
            .map(|vs| {
                vs.iter()
                    .flat_map(|v| v.split(','))
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// An optional integer parameter.
    pub fn int(&self, name: &str) -> Result<Option<i64>, CommandError> {
        match self.opt(name)? {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| usage_error(&format!("argument --{name}: invalid int value: '{v}'"))),
        }
    }

    /// A boolean switch (`--enable-execute-command` / `--no-enable-execute-command`).
    pub fn switch(&self, name: &str) -> Option<bool> {
        if self.has(name) {
            Some(true)
        } else if self.has(&format!("no-{name}")) {
            Some(false)
        } else {
            None
        }
    }

    /// A structure parameter: JSON, shorthand, or `file://` (read from the workspace).
    pub fn structure(
        &self,
        name: &str,
        workspace: &crate::workspace::Workspace,
    ) -> Result<Option<Value>, CommandError> {
        let Some(vs) = self.0.get(name) else {
            return Ok(None);
        };
        if vs.len() > 1 {
            // Lists of structures (`--load-balancers a=1 b=2`).
            let items: Result<Vec<Value>, CommandError> =
                vs.iter().map(|v| value(name, v, workspace)).collect();
            return Ok(Some(Value::Array(items?)));
        }
        match vs.first() {
            None => Err(usage_error(&format!(
                "argument --{name}: expected one argument"
            ))),
            Some(v) => value(name, v, workspace).map(Some),
        }
    }
}

/// Parses one parameter value: `file://PATH`, JSON, or shorthand.
pub fn value(
    name: &str,
    text: &str,
    workspace: &crate::workspace::Workspace,
) -> Result<Value, CommandError> {
    let text = match text.strip_prefix("file://") {
        Some(path) => workspace.get(path).ok_or_else(|| {
            CommandError::new(format!(
                "\nError parsing parameter '--{name}': Unable to load paramfile file://{path}: [Errno 2] No such file or directory: '{path}'"
            ))
        })?,
        None => text,
    };
    let t = text.trim();
    if t.starts_with('{') || t.starts_with('[') || t.starts_with('"') {
        if let Ok(v) = serde_json::from_str::<Value>(t) {
            return Ok(v);
        }
        if t.starts_with('"') || text != t && t.starts_with('{') {
            return Err(CommandError::new(format!(
                "\nError parsing parameter '--{name}': Invalid JSON: {t}"
            )));
        }
    }
    shorthand(t).map_err(|e| {
        CommandError::new(format!(
            "\nError parsing parameter '--{name}': Expected: '=', received: '{e}' for input:\n{t}"
        ))
    })
}

/// Parses the CLI's shorthand syntax into JSON: `a=1,b=[x,y],c={d=e}`. A bare word with
/// no `=` is a string. Scalars stay strings (the operation converts them), except that
/// `true`/`false` become booleans.
pub fn shorthand(s: &str) -> Result<Value, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut pos = 0;
    if !s.contains('=') {
        return Ok(Value::String(s.to_string()));
    }
    let v = parse_struct(&chars, &mut pos, None)?;
    if pos != chars.len() {
        return Err(chars[pos..].iter().collect());
    }
    Ok(v)
}

fn parse_struct(c: &[char], pos: &mut usize, close: Option<char>) -> Result<Value, String> {
    let mut map = Map::new();
    loop {
        let start = *pos;
        while *pos < c.len() && c[*pos] != '=' && c[*pos] != ',' && Some(c[*pos]) != close {
            *pos += 1;
        }
        let key: String = c[start..*pos].iter().collect::<String>().trim().to_string();
        if *pos >= c.len() || c[*pos] != '=' {
            return Err(key);
        }
        *pos += 1;
        let v = parse_value(c, pos, close)?;
        map.insert(key, v);
        if *pos < c.len() && c[*pos] == ',' {
            *pos += 1;
            continue;
        }
        break;
    }
    Ok(Value::Object(map))
}

fn parse_value(c: &[char], pos: &mut usize, close: Option<char>) -> Result<Value, String> {
    if *pos < c.len() && c[*pos] == '{' {
        *pos += 1;
        let v = parse_struct(c, pos, Some('}'))?;
        if *pos >= c.len() || c[*pos] != '}' {
            return Err("end of input".into());
        }
        *pos += 1;
        return Ok(v);
    }
    if *pos < c.len() && c[*pos] == '[' {
        *pos += 1;
        let mut items = Vec::new();
        while *pos < c.len() && c[*pos] != ']' {
            let v = if c[*pos] == '{' {
                parse_value(c, pos, Some(']'))?
            } else {
                scalar(c, pos, &[',', ']'])
            };
            items.push(v);
            if *pos < c.len() && c[*pos] == ',' {
                *pos += 1;
            }
        }
        if *pos >= c.len() {
            return Err("end of input".into());
        }
        *pos += 1;
        return Ok(Value::Array(items));
    }
    let stops: Vec<char> = match close {
        Some(cl) => vec![',', cl],
        None => vec![','],
    };
    Ok(scalar(c, pos, &stops))
}

fn scalar(c: &[char], pos: &mut usize, stops: &[char]) -> Value {
    let start = *pos;
    // A value runs to the next separator, unless that separator is followed by
    // another `key=` (then it ends), so `a=x,y` keeps `x,y` only inside lists.
    while *pos < c.len() && !stops.contains(&c[*pos]) {
        *pos += 1;
    }
    let s: String = c[start..*pos].iter().collect::<String>().trim().to_string();
    match s.as_str() {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(s),
    }
}

/// A string field of a JSON object, accepting numbers too.
pub fn str_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An integer field of a JSON object, accepting numeric strings.
pub fn int_field(v: &Value, key: &str) -> Option<i64> {
    match v.get(key)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A list-of-strings field of a JSON object.
pub fn strs_field(v: &Value, key: &str) -> Vec<String> {
    match v.get(key) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| match x {
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shorthand_parses_nested_structures_and_lists() {
        assert_eq!(
            shorthand("awsvpcConfiguration={subnets=[subnet-1,subnet-2],securityGroups=[sg-1],assignPublicIp=ENABLED}").unwrap(),
            json!({"awsvpcConfiguration": {"subnets": ["subnet-1", "subnet-2"], "securityGroups": ["sg-1"], "assignPublicIp": "ENABLED"}})
        );
        assert_eq!(
            shorthand("targetGroupArn=tg,containerName=web,containerPort=80").unwrap(),
            json!({"targetGroupArn": "tg", "containerName": "web", "containerPort": "80"})
        );
        assert_eq!(
            shorthand("deploymentCircuitBreaker={enable=true,rollback=true},maximumPercent=200")
                .unwrap(),
            json!({"deploymentCircuitBreaker": {"enable": true, "rollback": true}, "maximumPercent": "200"})
        );
        assert_eq!(shorthand("FARGATE").unwrap(), json!("FARGATE"));
        assert!(shorthand("a=1,b").is_err());
        assert!(shorthand("a={b=1").is_err());
    }

    #[test]
    fn json_values_and_files() {
        let mut ws = crate::workspace::Workspace::new();
        ws.insert("td.json", "{\"family\": \"web\"}");
        assert_eq!(
            value("x", "file://td.json", &ws).unwrap(),
            json!({"family": "web"})
        );
        assert!(value("x", "file://missing.json", &ws).is_err());
        assert_eq!(value("x", "[1, 2]", &ws).unwrap(), json!([1, 2]));
    }
}
