//! Real manifests from the Kubernetes documentation decode unchanged, and bad ones are
//! rejected whole with kubectl-shaped messages naming the field.
#![cfg(not(target_arch = "wasm32"))]

use simulator::api::manifest::decode;
use std::path::PathBuf;

fn real_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/real/k8s");
    assert!(
        dir.is_dir(),
        "{} is missing: tests need ../shared beside the clone",
        dir.display()
    );
    dir
}

#[test]
fn every_real_manifest_decodes() {
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(real_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let objs = decode(&text, &name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!objs.is_empty(), "{name}");
        count += objs.len();
    }
    assert!(count >= 24, "decoded {count} objects");
}

#[test]
fn unknown_fields_are_rejected_with_their_path() {
    let y = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicaz: 3\n";
    let e = decode(y, "web.yaml").unwrap_err().to_string();
    assert!(
        e.contains("strict decoding error: unknown field \"spec.replicaz\""),
        "{e}"
    );
    assert!(e.starts_with("Error from server (BadRequest): error when creating \"web.yaml\": Deployment in version \"v1\" cannot be handled as a Deployment"), "{e}");
}

#[test]
fn wrong_types_name_the_field() {
    let y =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: two\n";
    let e = decode(y, "web.yaml").unwrap_err().to_string();
    assert!(
        e.contains("spec.replicas: invalid type: string \"two\""),
        "{e}"
    );
    let y = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x\n    ports:\n    - containerPort: http\n";
    let e = decode(y, "p.yaml").unwrap_err().to_string();
    assert!(
        e.contains("spec.containers[0].ports[0].containerPort"),
        "{e}"
    );
}

#[test]
fn missing_kind_and_unknown_kinds() {
    let e = decode("apiVersion: v1\nmetadata: {name: x}\n", "x.yaml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("kind not set"), "{e}");
    let e = decode(
        "apiVersion: v1\nkind: Widget\nmetadata: {name: x}\n",
        "x.yaml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("no matches for kind \"Widget\" in version \"v1\""),
        "{e}"
    );
    let e = decode(
        "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: x}\n",
        "x.yaml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("no matches for kind \"Deployment\" in version \"apps/v1beta1\""),
        "{e}"
    );
}

#[test]
fn yaml_syntax_errors_name_the_line() {
    let e = decode(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n",
        "bad.yaml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("error: error parsing bad.yaml: error converting YAML to JSON: yaml: line"),
        "{e}"
    );
}

#[test]
fn one_bad_document_rejects_the_file() {
    let y = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad}\ndata: {a: 1}\nbogus: true\n";
    assert!(decode(y, "two.yaml").is_err());
}
