//! Reading manifests: multi-document YAML (or JSON) into typed objects, with kubectl's
//! error messages. A file is decoded whole before anything is applied, so a bad document
//! anywhere rejects the file and nothing of it reaches the cluster.

use super::object::{KINDS, Object, kind_info};
use super::values::json_type;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Why a manifest could not be decoded, worded like kubectl.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError(pub String);

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Splits `text` into YAML documents and decodes each into an object. `source` is the
/// file name used in messages. Empty documents (a leading `---`, comments only) are
/// skipped, as kubectl does.
pub fn decode(text: &str, source: &str) -> Result<Vec<Object>, ManifestError> {
    let mut out = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_str(text) {
        let value = serde_json::Value::deserialize(doc).map_err(|e| {
            ManifestError(format!(
                "error: error parsing {source}: error converting YAML to JSON: yaml: {}",
                yaml_message(&e.to_string())
            ))
        })?;
        if value.is_null() {
            continue;
        }
        out.push(decode_value(value, source)?);
    }
    if out.is_empty() {
        return Err(ManifestError(format!(
            "error: no objects passed to apply (file {source} is empty)"
        )));
    }
    Ok(out)
}

/// libyaml says "… at line 5 column 3"; kubectl (go-yaml) says "line 5: …".
fn yaml_message(msg: &str) -> String {
    match msg.rsplit_once(" at line ") {
        Some((what, pos)) => {
            let line = pos.split_whitespace().next().unwrap_or("?");
            format!("line {line}: {what}")
        }
        None => msg.to_string(),
    }
}

/// Decodes one JSON value (a document) into an object.
pub fn decode_value(value: serde_json::Value, source: &str) -> Result<Object, ManifestError> {
    let serde_json::Value::Object(map) = &value else {
        return Err(ManifestError(format!(
            "error: error validating \"{source}\": error validating data: invalid object: expected a mapping, got {}",
            json_type(&value)
        )));
    };
    let field = |k: &str| {
        map.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let (api_version, kind) = (field("apiVersion"), field("kind"));
    if kind.is_empty() || api_version.is_empty() {
        let missing = if api_version.is_empty() && kind.is_empty() {
            "[apiVersion not set, kind not set]"
        } else if kind.is_empty() {
            "kind not set"
        } else {
            "apiVersion not set"
        };
        return Err(ManifestError(format!(
            "error: error validating \"{source}\": error validating data: {missing}; if you choose to ignore these errors, turn validation off with --validate=false"
        )));
    }
    let name = map
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(|n| n.as_str())
        .unwrap_or("")
        .to_string();
    let Some(info) = kind_info(&kind).filter(|i| i.api_version == api_version) else {
        let hint = KINDS
            .iter()
            .find(|k| k.kind == kind)
            .map(|k| format!(" (this simulator serves {} as {})", k.kind, k.api_version))
            .unwrap_or_default();
        return Err(ManifestError(format!(
            "error: resource mapping not found for name: \"{name}\" namespace: \"\" from \"{source}\": no matches for kind \"{kind}\" in version \"{api_version}\"{hint}\nensure CRDs are installed first"
        )));
    };
    let strict = |detail: String| {
        ManifestError(format!(
            "Error from server (BadRequest): error when creating \"{source}\": {kind} in version \"{v}\" cannot be handled as a {kind}: strict decoding error: {detail}",
            v = info
                .api_version
                .rsplit('/')
                .next()
                .unwrap_or(info.api_version),
        ))
    };
    let obj = match kind.as_str() {
        "Namespace" => Object::Namespace(typed(value, strict)?),
        "Node" => Object::Node(typed(value, strict)?),
        "Pod" => Object::Pod(typed(value, strict)?),
        "Service" => Object::Service(typed(value, strict)?),
        "ConfigMap" => Object::ConfigMap(typed(value, strict)?),
        "Secret" => Object::Secret(typed(value, strict)?),
        "Deployment" => Object::Deployment(typed(value, strict)?),
        "ReplicaSet" => Object::ReplicaSet(typed(value, strict)?),
        "EndpointSlice" => Object::EndpointSlice(typed(value, strict)?),
        "HorizontalPodAutoscaler" => Object::HorizontalPodAutoscaler(typed(value, strict)?),
        _ => Object::PodDisruptionBudget(typed(value, strict)?),
    };
    Ok(obj)
}

/// Strict decoding with the JSON path of the first problem, as the API server reports.
fn typed<T: DeserializeOwned>(
    value: serde_json::Value,
    strict: impl Fn(String) -> ManifestError,
) -> Result<T, ManifestError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if let Some(rest) = inner.strip_prefix("unknown field `") {
            let field = rest.split('`').next().unwrap_or(rest);
            let full = if path == "." || path.is_empty() {
                field.to_string()
            } else {
                // serde_path_to_error reports the path including the unknown key.
                path.clone()
            };
            let full = if full.ends_with(field) {
                full
            } else {
                format!("{full}.{field}")
            };
            strict(format!("unknown field \"{full}\""))
        } else if path == "." || path.is_empty() {
            strict(inner)
        } else {
            strict(format!("{path}: {inner}"))
        }
    })
}
