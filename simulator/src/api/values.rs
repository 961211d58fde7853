//! Scalar value types of the Kubernetes API: `IntOrString` (from [`crate::kube::intstr`])
//! and `Quantity` as written in manifests.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

pub use crate::kube::intstr::IntOrString;

/// A resource amount as written in a manifest (`250m`, `0.5`, `128Mi`), kept as text like
/// the API server keeps it; [`crate::kube::quantity`] turns it into numbers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(pub String);

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    /// YAML lets people write `cpu: 0.5` or `cpu: 1` unquoted; the API accepts numbers too.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => Ok(Quantity(n.to_string())),
            serde_json::Value::String(s) => Ok(Quantity(s)),
            other => Err(serde::de::Error::custom(format!(
                "invalid type: expected a quantity such as \"250m\" or \"1Gi\", got {}",
                json_type(&other)
            ))),
        }
    }
}

/// The JSON type name kubectl uses in validation messages.
pub(crate) fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}
