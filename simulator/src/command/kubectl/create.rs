//! `kubectl create`: `deployment`, `namespace`, `configmap`, `secret generic`,
//! `secret docker-registry` from flags,
//! and `-f FILE` (like apply, but an object that exists is an `AlreadyExists` error).

use super::apply::{clear_status, printed_name, read_manifests};
use super::flags::{FlagSpec, Flags, value};
use super::resource::{api, bare};
use crate::api::Object;
use crate::api::config::{ConfigMap, Namespace, Secret};
use crate::api::meta::ObjectMeta;
use crate::api::pod::{Container, ContainerPort, PodSpec};
use crate::api::selector::LabelSelector;
use crate::api::workloads::{Deployment, DeploymentSpec, PodTemplateSpec};
use crate::apiserver::ApiError;
use crate::base64::{self, Alphabet};
use crate::command::CommandError;
use crate::simulation::{Simulation, Write};
use std::collections::BTreeMap;

/// Flags of `kubectl create` (and its generators).
pub const FLAGS: [FlagSpec; 11] = [
    value("filename", Some('f')),
    value("image", None),
    value("replicas", Some('r')),
    value("port", None),
    value("from-literal", None),
    value("type", None),
    value("dry-run", None),
    value("docker-server", None),
    value("docker-username", None),
    value("docker-password", None),
    value("docker-email", None),
];

/// What `kubectl create` makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateArgs {
    /// `create -f FILE...`.
    Files {
        /// Files or directories.
        files: Vec<String>,
        /// `-n`.
        namespace: Option<String>,
    },
    /// `create deployment NAME --image=IMG [--replicas=N] [--port=P]`.
    Deployment {
        /// Name.
        name: String,
        /// Images, one container each.
        images: Vec<String>,
        /// Replicas (default 1).
        replicas: i64,
        /// Container port, if any.
        port: Option<i64>,
        /// Namespace.
        namespace: String,
    },
    /// `create namespace NAME`.
    Namespace {
        /// Name.
        name: String,
    },
    /// `create configmap NAME --from-literal=k=v...`.
    ConfigMap {
        /// Name.
        name: String,
        /// Keys and values.
        data: Vec<(String, String)>,
        /// Namespace.
        namespace: String,
    },
    /// `create secret generic NAME --from-literal=k=v...`.
    Secret {
        /// Name.
        name: String,
        /// Keys and plain values (stored base64-encoded).
        data: Vec<(String, String)>,
        /// `--type` (default Opaque).
        type_: String,
        /// Namespace.
        namespace: String,
    },
}

fn one_name(rest: &[String]) -> Result<String, CommandError> {
    match rest {
        [n] => Ok(n.clone()),
        _ => Err(CommandError::new(format!(
            "error: exactly one NAME is required, got {}",
            rest.len()
        ))),
    }
}

fn literals(f: &Flags, kind: &str, name: &str) -> Result<Vec<(String, String)>, CommandError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for lit in f.all("from-literal") {
        let Some((k, v)) = lit.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(CommandError::new(format!(
                "error: invalid literal source {lit}, expected key=value"
            )));
        };
        if out.iter().any(|(x, _)| x == k) {
            return Err(CommandError::new(format!(
                "error: cannot add key {k}, another key by that name already exists in Data for {kind} \"{name}\""
            )));
        }
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

fn int_flag(f: &Flags, flag: &str, default: i64) -> Result<i64, CommandError> {
    match f.get(flag) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            CommandError::new(format!(
                "error: invalid argument \"{v}\" for \"--{flag}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"
            ))
        }),
    }
}

/// Parses `create` arguments after flags are split off.
pub fn parse(pos: &[String], f: &Flags) -> Result<CreateArgs, CommandError> {
    if f.get("dry-run").is_some() {
        return Err(CommandError::new(
            "error: --dry-run is supported by `kubectl apply` here; `kubectl create` always creates",
        ));
    }
    let ns = f.get("namespace").unwrap_or("default").to_string();
    let Some((what, rest)) = pos.split_first() else {
        let files = f.all("filename").to_vec();
        if files.is_empty() {
            return Err(CommandError::new(
                "error: must specify one of -f and -k\n\nSee 'kubectl create -h' for help and examples",
            ));
        }
        return Ok(CreateArgs::Files {
            files,
            namespace: f.get("namespace").map(String::from),
        });
    };
    match what.as_str() {
        "deployment" | "deploy" => {
            let name = one_name(rest)?;
            let images = f.all("image").to_vec();
            if images.is_empty() {
                return Err(CommandError::new(
                    "error: required flag(s) \"image\" not set",
                ));
            }
            let replicas = int_flag(f, "replicas", 1)?;
            let port = int_flag(f, "port", -1)?;
            if port >= 0 && images.len() > 1 {
                return Err(CommandError::new(
                    "error: cannot use --port with multiple --image flags",
                ));
            }
            Ok(CreateArgs::Deployment {
                name,
                images,
                replicas,
                port: (port >= 0).then_some(port),
                namespace: ns,
            })
        }
        "namespace" | "ns" => Ok(CreateArgs::Namespace {
            name: one_name(rest)?,
        }),
        "configmap" | "cm" => {
            let name = one_name(rest)?;
            let data = literals(f, "ConfigMap", &name)?;
            Ok(CreateArgs::ConfigMap {
                name,
                data,
                namespace: ns,
            })
        }
        "secret" => match rest.split_first() {
            Some((g, rest)) if g == "generic" => {
                let name = one_name(rest)?;
                let data = literals(f, "Secret", &name)?;
                Ok(CreateArgs::Secret {
                    name,
                    data,
                    type_: f.get("type").unwrap_or("Opaque").to_string(),
                    namespace: ns,
                })
            }
            Some((d, rest)) if d == "docker-registry" => {
                let name = one_name(rest)?;
                let server = f
                    .get("docker-server")
                    .unwrap_or("https://index.docker.io/v1/");
                let user = f.get("docker-username").unwrap_or_default();
                let pass = f.get("docker-password").unwrap_or_default();
                if user.is_empty() || pass.is_empty() || server.is_empty() {
                    return Err(CommandError::new(
                        "error: either --from-file or the combination of --docker-username, --docker-password and --docker-server is required",
                    ));
                }
                let config = docker_config_json(server, user, pass, f.get("docker-email"));
                Ok(CreateArgs::Secret {
                    name,
                    data: vec![(".dockerconfigjson".to_string(), config)],
                    type_: "kubernetes.io/dockerconfigjson".to_string(),
                    namespace: ns,
                })
            }
            Some((other, _)) => Err(crate::command::unknown_subcommand(
                "kubectl create secret",
                other,
                &["docker-registry", "generic"],
            )),
            None => Err(CommandError::new(
                "Create a secret with specified type.\n\nAvailable Commands:\n  docker-registry   Create a secret for use with a Docker registry\n  generic           Create a secret from a local file, directory, or literal value\n\nUsage:\n  kubectl create secret (docker-registry | generic | tls) [options]",
            )),
        },
        other => Err(crate::command::unknown_subcommand(
            "kubectl create",
            other,
            &["configmap", "deployment", "namespace", "secret"],
        )),
    }
}

/// The `.dockerconfigjson` document `kubectl create secret docker-registry` stores: one
/// `auths` entry for the server with the username, password, optional email and `auth`
/// (base64 of `user:password`), as kubectl writes it.
fn docker_config_json(server: &str, user: &str, pass: &str, email: Option<&str>) -> String {
    let mut entry = serde_json::Map::new();
    entry.insert("username".into(), user.into());
    entry.insert("password".into(), pass.into());
    if let Some(email) = email.filter(|e| !e.is_empty()) {
        entry.insert("email".into(), email.into());
    }
    entry.insert(
        "auth".into(),
        base64::encode(format!("{user}:{pass}").as_bytes(), Alphabet::Standard).into(),
    );
    serde_json::json!({ "auths": { server: entry } }).to_string()
}

/// The container name `kubectl create deployment` derives from an image: the last path
/// element without tag or digest, `_` turned into `-`.
pub fn container_name(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let last = last.split('@').next().unwrap_or(last);
    let last = last.split(':').next().unwrap_or(last);
    last.replace('_', "-")
}

/// The Deployment `kubectl create deployment` generates (labels `app=NAME`).
pub fn deployment(
    name: &str,
    ns: &str,
    images: &[String],
    replicas: i64,
    port: Option<i64>,
) -> Deployment {
    let labels: BTreeMap<String, String> = [("app".to_string(), name.to_string())].into();
    let mut containers: Vec<Container> = Vec::new();
    for image in images {
        let base = container_name(image);
        let mut cname = base.clone();
        let mut n = 1;
        while containers.iter().any(|c| c.name == cname) {
            cname = format!("{base}-{n}");
            n += 1;
        }
        containers.push(Container {
            name: cname,
            image: image.clone(),
            ports: port
                .map(|p| ContainerPort {
                    container_port: p,
                    name: None,
                    protocol: None,
                    host_port: None,
                    host_ip: None,
                })
                .into_iter()
                .collect(),
            ..Container::default()
        });
    }
    Deployment {
        api_version: "apps/v1".into(),
        kind: "Deployment".into(),
        metadata: ObjectMeta {
            name: name.into(),
            namespace: Some(ns.into()),
            labels: labels.clone(),
            ..ObjectMeta::default()
        },
        spec: DeploymentSpec {
            replicas: Some(replicas),
            selector: LabelSelector {
                match_labels: labels.clone(),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: ObjectMeta {
                    labels,
                    ..ObjectMeta::default()
                },
                spec: PodSpec {
                    containers,
                    ..PodSpec::default()
                },
            },
            ..DeploymentSpec::default()
        },
        status: Default::default(),
    }
}

fn create_one(
    sim: &mut Simulation,
    obj: Object,
    wrap: impl Fn(&ApiError) -> String,
) -> Result<String, CommandError> {
    let name = printed_name(&obj);
    sim.submit(vec![Write::Create(Box::new(obj))])
        .map_err(|e| CommandError::new(wrap(&e)))?;
    Ok(format!("{name} created\n"))
}

/// Runs `kubectl create`.
pub fn run(sim: &mut Simulation, args: &CreateArgs) -> Result<String, CommandError> {
    match args {
        CreateArgs::Files { files, namespace } => {
            let mut objs = read_manifests(sim, files)?;
            for o in &mut objs {
                if let Some(ns) = namespace
                    && o.info().namespaced
                {
                    match &o.meta().namespace {
                        Some(own) if own != ns => {
                            return Err(CommandError::new(format!(
                                "error: the namespace from the provided object \"{own}\" does not match the namespace \"{ns}\". You must pass '--namespace={own}' to perform this operation."
                            )));
                        }
                        _ => o.meta_mut().namespace = Some(ns.clone()),
                    }
                }
                clear_status(o);
            }
            let names: Vec<String> = objs.iter().map(printed_name).collect();
            let writes = objs
                .into_iter()
                .map(|o| Write::Create(Box::new(o)))
                .collect();
            sim.submit(writes).map_err(|e| match &e {
                ApiError::AlreadyExists { .. } | ApiError::NotFound { .. } => {
                    let s = e.to_string();
                    let (head, msg) = s.split_once(": ").unwrap_or(("", &s));
                    CommandError::new(format!(
                        "{head}: error when creating \"{}\": {msg}",
                        files.join(",")
                    ))
                }
                _ => api(e),
            })?;
            Ok(names.iter().map(|n| format!("{n} created\n")).collect())
        }
        CreateArgs::Deployment {
            name,
            images,
            replicas,
            port,
            namespace,
        } => {
            let d = deployment(name, namespace, images, *replicas, *port);
            create_one(sim, Object::Deployment(d), |e| {
                format!("error: failed to create deployment: {}", bare(e))
            })
        }
        CreateArgs::Namespace { name } => {
            let ns = Namespace {
                api_version: "v1".into(),
                kind: "Namespace".into(),
                metadata: ObjectMeta {
                    name: name.clone(),
                    ..ObjectMeta::default()
                },
                spec: None,
                status: Some(serde_json::json!({ "phase": "Active" })),
            };
            create_one(sim, Object::Namespace(ns), |e| e.to_string())
        }
        CreateArgs::ConfigMap {
            name,
            data,
            namespace,
        } => {
            let cm = ConfigMap {
                api_version: "v1".into(),
                kind: "ConfigMap".into(),
                metadata: ObjectMeta {
                    name: name.clone(),
                    namespace: Some(namespace.clone()),
                    ..ObjectMeta::default()
                },
                data: data.iter().cloned().collect(),
                binary_data: BTreeMap::new(),
                immutable: None,
            };
            create_one(sim, Object::ConfigMap(cm), |e| {
                format!("error: failed to create configmap: {}", bare(e))
            })
        }
        CreateArgs::Secret {
            name,
            data,
            type_,
            namespace,
        } => {
            let s = Secret {
                api_version: "v1".into(),
                kind: "Secret".into(),
                metadata: ObjectMeta {
                    name: name.clone(),
                    namespace: Some(namespace.clone()),
                    ..ObjectMeta::default()
                },
                type_: Some(type_.clone()),
                data: data
                    .iter()
                    .map(|(k, v)| (k.clone(), base64::encode(v.as_bytes(), Alphabet::Standard)))
                    .collect(),
                string_data: BTreeMap::new(),
                immutable: None,
            };
            create_one(sim, Object::Secret(s), |e| {
                format!("error: failed to create secret {}", bare(e))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::kubectl::flags;

    fn parse_line(s: &str) -> Result<CreateArgs, CommandError> {
        let words: Vec<String> = s.split_whitespace().map(String::from).collect();
        let (pos, f) = flags::parse(&words, &FLAGS)?;
        parse(&pos, &f)
    }

    #[test]
    fn parses_generators() {
        assert_eq!(
            parse_line("deployment web --image=nginx:1.27 --replicas=3 --port=80").unwrap(),
            CreateArgs::Deployment {
                name: "web".into(),
                images: vec!["nginx:1.27".into()],
                replicas: 3,
                port: Some(80),
                namespace: "default".into()
            }
        );
        assert_eq!(
            parse_line("deployment web").unwrap_err().to_string(),
            "error: required flag(s) \"image\" not set"
        );
        assert_eq!(
            parse_line("deployment --image=x").unwrap_err().to_string(),
            "error: exactly one NAME is required, got 0"
        );
        assert_eq!(
            parse_line("configmap c --from-literal=a")
                .unwrap_err()
                .to_string(),
            "error: invalid literal source a, expected key=value"
        );
        assert!(matches!(
            parse_line("secret generic s --from-literal=a=b=c").unwrap(),
            CreateArgs::Secret { data, .. } if data == vec![("a".to_string(), "b=c".to_string())]
        ));
        assert_eq!(
            parse_line("deployment web --image=x --bogus")
                .unwrap_err()
                .to_string(),
            "error: unknown flag: --bogus"
        );
        assert!(
            parse_line("widget x")
                .unwrap_err()
                .to_string()
                .starts_with("error: unknown command \"widget\" for \"kubectl create\"")
        );
    }

    #[test]
    fn parses_docker_registry_secrets() {
        let Ok(CreateArgs::Secret {
            name, data, type_, ..
        }) = parse_line(
            "secret docker-registry regcred --docker-server=r.example --docker-username=AWS --docker-password=tok",
        )
        else {
            panic!("not a secret");
        };
        assert_eq!(
            (name.as_str(), type_.as_str()),
            ("regcred", "kubernetes.io/dockerconfigjson")
        );
        assert_eq!(data[0].0, ".dockerconfigjson");
        assert_eq!(
            crate::components::docker::auth::dockerconfig_auth(&data[0].1, "r.example"),
            Some(("AWS".to_string(), "tok".to_string()))
        );
        assert!(data[0].1.contains(&format!(
            "\"auth\":\"{}\"",
            base64::encode(b"AWS:tok", Alphabet::Standard)
        )));
        assert_eq!(
            parse_line("secret docker-registry regcred --docker-username=AWS")
                .unwrap_err()
                .to_string(),
            "error: either --from-file or the combination of --docker-username, --docker-password and --docker-server is required"
        );
    }

    #[test]
    fn container_names_and_base64() {
        assert_eq!(container_name("nginx:1.27"), "nginx");
        assert_eq!(container_name("ghcr.io/a/my_app@sha256:abc"), "my-app");
        assert_eq!(container_name("localhost:5000/web:v1"), "web");
        assert_eq!(base64::encode(b"hello", Alphabet::Standard), "aGVsbG8=");
        assert_eq!(base64::encode(b"hi", Alphabet::Standard), "aGk=");
        assert_eq!(base64::encode(b"abc", Alphabet::Standard), "YWJj");
        assert_eq!(base64::encode(b"", Alphabet::Standard), "");
    }
}
