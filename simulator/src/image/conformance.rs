//! Glue between `shared/reference/vectors/images.json` and this module: each case kind is
//! run through the *same* functions the simulator uses.
//!
//! Kinds: `dockerfileParse` (BuildKit's AST dump, `parser_test.go TestParseCases`),
//! `dockerfileHeredoc` (`parser_heredoc_test.go TestParseExtractsHeredoc`) and `digest`
//! (image-spec descriptors).

use super::dockerfile::parser::{Heredoc, parse};
use super::oci::Digest;
use serde_json::Value;

/// Runs one vector case. `None` if `kind` is not an image kind; `Err` explains a mismatch
/// as "expected X, got Y".
pub fn run_case(kind: &str, input: &Value, expected: &Value) -> Option<Result<(), String>> {
    match kind {
        "dockerfileParse" => Some(dockerfile_parse(input, expected)),
        "dockerfileHeredoc" => Some(dockerfile_heredoc(input, expected)),
        "digest" => Some(digest(input, expected)),
        _ => None,
    }
}

fn str_field<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("input.{key} missing or not a string"))
}

fn dockerfile_parse(input: &Value, expected: &Value) -> Result<(), String> {
    let src = str_field(input, "dockerfile")?;
    let result = parse(src);
    if let Some(err) = expected.get("error") {
        return match result {
            Err(e) => match err.as_str() {
                Some(want) if !e.message.contains(want) && !e.to_string().contains(want) => {
                    Err(format!(
                        "expected error containing {want:?}, got {:?}",
                        e.to_string()
                    ))
                }
                _ => Ok(()),
            },
            Ok(ast) => Err(format!(
                "expected error {err}, got ast {:?}",
                ast.dump_lines()
            )),
        };
    }
    let want: Vec<String> = expected
        .get("ast")
        .and_then(Value::as_array)
        .ok_or("expected.ast missing")?
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    let got = result
        .map_err(|e| format!("expected ast {want:?}, got error {e}"))?
        .dump_lines();
    if got == want {
        Ok(())
    } else {
        Err(format!("expected {want:?}, got {got:?}"))
    }
}

/// The heredoc cases are instructions inside a Dockerfile that starts with
/// `FROM alpine:3.6` and `ENV NAME=me` (the upstream test's preamble).
fn dockerfile_heredoc(input: &Value, expected: &Value) -> Result<(), String> {
    let instruction = str_field(input, "instruction")?;
    let src = format!("FROM alpine:3.6\n\nENV NAME=me\n\n{instruction}\n");
    let ast = parse(&src).map_err(|e| format!("expected heredocs, got parse error {e}"))?;
    let node = ast
        .children
        .get(2)
        .ok_or("expected an instruction after the preamble")?;
    let got = &node.heredocs;
    let want = match expected.get("heredocs") {
        None | Some(Value::Null) => {
            return if got.is_empty() {
                Ok(())
            } else {
                Err(format!("expected no heredocs, got {}", describe(got)))
            };
        }
        Some(Value::Array(a)) => a,
        Some(other) => return Err(format!("expected.heredocs has unexpected shape: {other}")),
    };
    if want.len() != got.len() {
        return Err(format!(
            "expected {} heredocs, got {}",
            want.len(),
            describe(got)
        ));
    }
    for (w, g) in want.iter().zip(got) {
        let name = w.get("name").and_then(Value::as_str).unwrap_or_default();
        let content = w.get("content").and_then(Value::as_str).unwrap_or_default();
        let expand = w.get("expand").and_then(Value::as_bool).unwrap_or(false);
        let chomp = w.get("chomp").and_then(Value::as_bool).unwrap_or(false);
        let fd = ["fileDescriptor", "fd", "file_descriptor"]
            .iter()
            .find_map(|k| w.get(*k).and_then(Value::as_u64))
            .unwrap_or(0);
        if g.name != name
            || g.content != content
            || g.expand != expand
            || g.chomp != chomp
            || u64::from(g.file_descriptor) != fd
        {
            return Err(format!(
                "expected {{name:{name:?}, content:{content:?}, expand:{expand}, chomp:{chomp}, fd:{fd}}}, got {}",
                describe(std::slice::from_ref(g))
            ));
        }
    }
    Ok(())
}

fn describe(h: &[Heredoc]) -> String {
    let parts: Vec<String> = h
        .iter()
        .map(|h| {
            format!(
                "{{name:{:?}, content:{:?}, expand:{}, chomp:{}, fd:{}}}",
                h.name, h.content, h.expand, h.chomp, h.file_descriptor
            )
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

fn digest(input: &Value, expected: &Value) -> Result<(), String> {
    let bytes = str_field(input, "bytes")?;
    let alg = input
        .get("algorithm")
        .and_then(Value::as_str)
        .unwrap_or("sha256");
    let d = Digest::with_algorithm(alg, bytes.as_bytes())?;
    if let Some(want) = expected.get("digest").and_then(Value::as_str)
        && want != d.as_str()
    {
        return Err(format!("expected digest {want}, got {d}"));
    }
    if let Some(want) = expected.get("size").and_then(Value::as_u64)
        && want != bytes.len() as u64
    {
        return Err(format!("expected size {want}, got {}", bytes.len()));
    }
    Ok(())
}
