//! Ordered JSON for tool output: `docker inspect` (Go's `json.MarshalIndent` with four
//! spaces) and the AWS CLI (Python's `json.dumps(indent=4)`) both keep their fields in a
//! fixed order, which a sorted map would lose.

/// A JSON value with ordered object fields.
#[derive(Debug, Clone, PartialEq)]
pub enum J {
    /// `null`.
    Null,
    /// `true`/`false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<J>),
    /// An object, fields in order.
    Obj(Vec<(String, J)>),
}

/// An object from `(key, value)` pairs.
pub fn obj<const N: usize>(fields: [(&str, J); N]) -> J {
    J::Obj(
        fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// A string value.
pub fn s(v: impl Into<String>) -> J {
    J::Str(v.into())
}

/// An array of strings.
pub fn strs<I: IntoIterator<Item = S>, S: Into<String>>(v: I) -> J {
    J::Arr(v.into_iter().map(|x| J::Str(x.into())).collect())
}

fn quote(v: &str) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| format!("\"{v}\""))
}

impl J {
    /// Pretty-printed with four-space indentation.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, depth: usize) {
        let pad = |d: usize| "    ".repeat(d);
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Int(i) => out.push_str(&i.to_string()),
            J::Str(v) => out.push_str(&quote(v)),
            J::Arr(items) if items.is_empty() => out.push_str("[]"),
            J::Obj(fields) if fields.is_empty() => out.push_str("{}"),
            J::Arr(items) => {
                out.push_str("[\n");
                for (i, v) in items.iter().enumerate() {
                    out.push_str(&pad(depth + 1));
                    v.write(out, depth + 1);
                    if i + 1 < items.len() {
                        out.push(',');
                    }
                    out.push('\n');
                }
                out.push_str(&pad(depth));
                out.push(']');
            }
            J::Obj(fields) => {
                out.push_str("{\n");
                for (i, (k, v)) in fields.iter().enumerate() {
                    out.push_str(&pad(depth + 1));
                    out.push_str(&quote(k));
                    out.push_str(": ");
                    v.write(out, depth + 1);
                    if i + 1 < fields.len() {
                        out.push(',');
                    }
                    out.push('\n');
                }
                out.push_str(&pad(depth));
                out.push('}');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_marshal_indent() {
        let v = obj([
            ("b", J::Int(1)),
            ("a", strs(["x"])),
            ("e", J::Arr(vec![])),
            ("o", obj([("k", J::Null)])),
        ]);
        assert_eq!(
            v.pretty(),
            "{\n    \"b\": 1,\n    \"a\": [\n        \"x\"\n    ],\n    \"e\": [],\n    \"o\": {\n        \"k\": null\n    }\n}"
        );
    }
}
