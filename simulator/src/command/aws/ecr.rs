//! `aws ecr`: repositories in the private ECR-like registry
//! (`123456789012.dkr.ecr.us-east-1.amazonaws.com`), its images and scan findings, and
//! the login token `docker login` takes.

use crate::api::meta::Timestamp;
use crate::command::CommandError;
use crate::command::docker::json::{J, obj, s, strs};
use crate::components::docker::auth::ecr_token;
use crate::components::docker::registry::{EcrSettings, Registry, Repository};
use crate::components::docker::scan::SEVERITIES;
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::image::oci::Digest;
use crate::simulation::{PRIVATE_REGISTRY, Simulation};
use crate::time::SimTime;
use std::collections::BTreeMap;

/// The account the private registry belongs to.
pub const ACCOUNT: &str = "123456789012";
/// Its region.
pub const REGION: &str = "us-east-1";

/// Which image an operation names (`imageTag=1.0` or `imageDigest=sha256:…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageId {
    /// By tag.
    Tag(String),
    /// By digest.
    Digest(String),
}

/// A parsed `aws ecr` operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EcrCommand {
    /// `create-repository`.
    CreateRepository {
        /// Name.
        name: String,
        /// `--image-tag-mutability IMMUTABLE`.
        immutable: bool,
        /// `--image-scanning-configuration scanOnPush=true`.
        scan_on_push: bool,
    },
    /// `describe-repositories [--repository-names …]`.
    DescribeRepositories(Vec<String>),
    /// `delete-repository --repository-name N [--force]`.
    DeleteRepository {
        /// Name.
        name: String,
        /// `--force`.
        force: bool,
    },
    /// `list-images --repository-name N`.
    ListImages(String),
    /// `describe-images --repository-name N [--image-ids …]`.
    DescribeImages(String, Vec<ImageId>),
    /// `describe-image-scan-findings --repository-name N --image-id …`.
    DescribeImageScanFindings(String, ImageId),
    /// `get-login-password`.
    GetLoginPassword,
}

const OPERATIONS: [&str; 7] = [
    "create-repository",
    "describe-repositories",
    "delete-repository",
    "list-images",
    "describe-images",
    "describe-image-scan-findings",
    "get-login-password",
];

fn usage_error(msg: &str) -> CommandError {
    CommandError::new(format!(
        "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\nTo see help text, you can run:\n\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n\naws: error: {msg}"
    ))
}

/// `--name value…` pairs (a parameter takes every word up to the next `--`).
fn params(args: &[String]) -> Result<BTreeMap<String, Vec<String>>, CommandError> {
    super::params::Params::parse(args).map(|p| p.0)
}

fn image_id(v: &str) -> Result<ImageId, CommandError> {
    for part in v.split(',') {
        if let Some(t) = part.strip_prefix("imageTag=") {
            return Ok(ImageId::Tag(t.to_string()));
        }
        if let Some(d) = part.strip_prefix("imageDigest=") {
            return Ok(ImageId::Digest(d.to_string()));
        }
    }
    Err(usage_error(&format!(
        "Error parsing parameter '--image-id': expected imageTag=TAG or imageDigest=DIGEST, got: {v}"
    )))
}

/// Parses the words after `aws ecr`.
pub fn parse(args: &[String]) -> Result<EcrCommand, CommandError> {
    let Some((op, rest)) = args.split_first() else {
        return Err(usage_error(
            "the following arguments are required: operation",
        ));
    };
    let p = params(rest)?;
    let allowed: &[&str] = match op.as_str() {
        "create-repository" => &[
            "repository-name",
            "image-tag-mutability",
            "image-scanning-configuration",
            "encryption-configuration",
            "tags",
        ],
        "describe-repositories" => &["repository-names", "registry-id"],
        "delete-repository" => &["repository-name", "force", "registry-id"],
        "list-images" | "describe-images" => &["repository-name", "image-ids", "registry-id"],
        "describe-image-scan-findings" => &["repository-name", "image-id", "registry-id"],
        "get-login-password" => &[],
        other => {
            let mut msg = format!(
                "argument operation: Invalid choice, valid choices are:\n\n{}",
                OPERATIONS.join(" | ")
            );
            if let Some(s) = crate::command::suggest::suggestions(other, &OPERATIONS).first() {
                msg.push_str(&format!(
                    "\n\nInvalid choice: '{other}', maybe you meant:\n\n  * {s}"
                ));
            }
            return Err(usage_error(&msg));
        }
    };
    if let Some(bad) = p.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(usage_error(&format!("Unknown options: --{bad}")));
    }
    let one = |name: &str| -> Result<String, CommandError> {
        match p.get(name).map(Vec::as_slice) {
            Some([v]) => Ok(v.clone()),
            _ => Err(usage_error(&format!(
                "the following arguments are required: --{name}"
            ))),
        }
    };
    Ok(match op.as_str() {
        "create-repository" => {
            let immutable = match p.get("image-tag-mutability").map(Vec::as_slice) {
                None => false,
                Some([v]) if v == "MUTABLE" => false,
                Some([v]) if v == "IMMUTABLE" => true,
                Some(v) => {
                    return Err(CommandError::new(format!(
                        "\nAn error occurred (InvalidParameterException) when calling the CreateRepository operation: Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [MUTABLE, IMMUTABLE]' (got {})",
                        v.join(" ")
                    )));
                }
            };
            let scan_on_push = match p.get("image-scanning-configuration").map(Vec::as_slice) {
                None => false,
                Some([v]) => match v.replace(' ', "").as_str() {
                    "scanOnPush=true" | "{\"scanOnPush\":true}" => true,
                    "scanOnPush=false" | "{\"scanOnPush\":false}" => false,
                    _ => {
                        return Err(usage_error(&format!(
                            "Error parsing parameter '--image-scanning-configuration': expected scanOnPush=true|false, got: {v}"
                        )));
                    }
                },
                Some(_) => {
                    return Err(usage_error(
                        "Error parsing parameter '--image-scanning-configuration'",
                    ));
                }
            };
            EcrCommand::CreateRepository {
                name: one("repository-name")?,
                immutable,
                scan_on_push,
            }
        }
        "describe-repositories" => {
            EcrCommand::DescribeRepositories(p.get("repository-names").cloned().unwrap_or_default())
        }
        "delete-repository" => EcrCommand::DeleteRepository {
            name: one("repository-name")?,
            force: p.contains_key("force"),
        },
        "list-images" => EcrCommand::ListImages(one("repository-name")?),
        "describe-images" => EcrCommand::DescribeImages(
            one("repository-name")?,
            p.get("image-ids")
                .map(|v| v.iter().map(|x| image_id(x)).collect::<Result<_, _>>())
                .transpose()?
                .unwrap_or_default(),
        ),
        "describe-image-scan-findings" => EcrCommand::DescribeImageScanFindings(
            one("repository-name")?,
            image_id(&one("image-id")?)?,
        ),
        _ => EcrCommand::GetLoginPassword,
    })
}

fn aws_error(code: &str, operation: &str, message: String) -> CommandError {
    CommandError::new(format!(
        "\nAn error occurred ({code}) when calling the {operation} operation: {message}"
    ))
}

fn not_found(name: &str, operation: &str) -> CommandError {
    aws_error(
        "RepositoryNotFoundException",
        operation,
        format!(
            "The repository with name '{name}' does not exist in the registry with id '{ACCOUNT}'"
        ),
    )
}

/// An ISO 8601 time the way the AWS CLI prints it.
pub fn iso(t: SimTime) -> String {
    Timestamp(t).rfc3339().replace('Z', "+00:00")
}

fn valid_name(name: &str) -> bool {
    let seg_ok = |seg: &str| {
        !seg.is_empty()
            && seg.split(['.', '_', '-']).all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            })
    };
    (2..=256).contains(&name.len()) && name.split('/').all(seg_ok)
}

fn repository_json(name: &str, e: &EcrSettings) -> J {
    obj([
        (
            "repositoryArn",
            s(format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}")),
        ),
        ("registryId", s(ACCOUNT)),
        ("repositoryName", s(name)),
        ("repositoryUri", s(format!("{PRIVATE_REGISTRY}/{name}"))),
        ("createdAt", s(iso(e.created_at))),
        (
            "imageTagMutability",
            s(if e.immutable { "IMMUTABLE" } else { "MUTABLE" }),
        ),
        (
            "imageScanningConfiguration",
            obj([("scanOnPush", J::Bool(e.scan_on_push))]),
        ),
        (
            "encryptionConfiguration",
            obj([("encryptionType", s("AES256"))]),
        ),
    ])
}

fn registry(sim: &Simulation) -> &Registry {
    &sim.state().registries[PRIVATE_REGISTRY]
}

fn repo<'a>(sim: &'a Simulation, name: &str, op: &str) -> Result<&'a Repository, CommandError> {
    registry(sim)
        .repositories
        .get(name)
        .filter(|r| r.ecr.is_some())
        .ok_or_else(|| not_found(name, op))
}

fn tags_of(r: &Repository, d: &Digest) -> Vec<String> {
    r.tags
        .iter()
        .filter(|(_, x)| *x == d)
        .map(|(t, _)| t.clone())
        .collect()
}

fn event(sim: &mut Simulation, repo: &str, kind: &str, reason: String) {
    sim.record(EventDraft::new(
        Source::on(Component::Registry, PRIVATE_REGISTRY),
        ObjectRef::new("repository", repo),
        kind,
        reason,
    ));
}

fn find_image(r: &Repository, id: &ImageId) -> Option<Digest> {
    match id {
        ImageId::Tag(t) => r.tags.get(t).cloned(),
        ImageId::Digest(d) => r.images.keys().find(|x| x.as_str() == d).cloned(),
    }
}

fn image_id_json(id: &ImageId) -> String {
    match id {
        ImageId::Tag(t) => format!("{{imageTag:'{t}'}}"),
        ImageId::Digest(d) => format!("{{imageDigest:'{d}'}}"),
    }
}

fn severity_counts(f: &[crate::components::docker::scan::Finding]) -> J {
    J::Obj(
        SEVERITIES
            .iter()
            .filter_map(|sev| {
                let n = f.iter().filter(|x| x.severity == *sev).count();
                (n > 0).then(|| (sev.to_string(), J::Int(n as i64)))
            })
            .collect(),
    )
}

/// Runs an `aws ecr` operation.
pub fn run(sim: &mut Simulation, cmd: &EcrCommand) -> Result<String, CommandError> {
    let now = sim.now();
    match cmd {
        EcrCommand::GetLoginPassword => {
            event(
                sim,
                "-",
                "GetAuthorizationToken",
                "ecr:GetAuthorizationToken: issued a registry token valid for 12 hours (pipe it into `docker login --username AWS --password-stdin`)".into(),
            );
            Ok(format!("{}\n", ecr_token(PRIVATE_REGISTRY, now)))
        }
        EcrCommand::CreateRepository {
            name,
            immutable,
            scan_on_push,
        } => {
            if !valid_name(name) {
                return Err(aws_error(
                    "InvalidParameterException",
                    "CreateRepository",
                    "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''".into(),
                ));
            }
            if registry(sim)
                .repositories
                .get(name)
                .is_some_and(|r| r.ecr.is_some())
            {
                return Err(aws_error(
                    "RepositoryAlreadyExistsException",
                    "CreateRepository",
                    format!(
                        "The repository with name '{name}' already exists in the registry with id '{ACCOUNT}'"
                    ),
                ));
            }
            let settings = EcrSettings {
                created_at: now,
                immutable: *immutable,
                scan_on_push: *scan_on_push,
            };
            event(
                sim,
                name,
                "RepositoryCreated",
                format!(
                    "ecr:CreateRepository {name}: tags {}, scan on push {}",
                    if *immutable {
                        "IMMUTABLE (a pushed tag can never point at another image)"
                    } else {
                        "MUTABLE"
                    },
                    if *scan_on_push { "on" } else { "off" }
                ),
            );
            let json = obj([("repository", repository_json(name, &settings))]).pretty();
            if let Some(reg) = sim.world_mut().registries.get_mut(PRIVATE_REGISTRY) {
                reg.repositories.insert(
                    name.clone(),
                    Repository {
                        ecr: Some(settings),
                        ..Repository::default()
                    },
                );
            }
            Ok(json + "\n")
        }
        EcrCommand::DescribeRepositories(names) => {
            let reg = registry(sim);
            let mut out = Vec::new();
            for n in names {
                repo(sim, n, "DescribeRepositories")?;
            }
            for (n, r) in &reg.repositories {
                if let Some(e) = &r.ecr
                    && (names.is_empty() || names.contains(n))
                {
                    out.push(repository_json(n, e));
                }
            }
            Ok(obj([("repositories", J::Arr(out))]).pretty() + "\n")
        }
        EcrCommand::DeleteRepository { name, force } => {
            let r = repo(sim, name, "DeleteRepository")?;
            if !r.images.is_empty() && !force {
                return Err(aws_error(
                    "RepositoryNotEmptyException",
                    "DeleteRepository",
                    format!(
                        "The repository with name '{name}' in registry with id '{ACCOUNT}' cannot be deleted because it still contains images"
                    ),
                ));
            }
            let json = obj([(
                "repository",
                repository_json(name, r.ecr.as_ref().expect("filtered by repo()")),
            )])
            .pretty();
            event(
                sim,
                name,
                "RepositoryDeleted",
                format!("ecr:DeleteRepository {name}"),
            );
            if let Some(reg) = sim.world_mut().registries.get_mut(PRIVATE_REGISTRY) {
                reg.repositories.remove(name);
            }
            Ok(json + "\n")
        }
        EcrCommand::ListImages(name) => {
            let r = repo(sim, name, "ListImages")?;
            let mut ids = Vec::new();
            for d in r.images.keys() {
                let tags = tags_of(r, d);
                if tags.is_empty() {
                    ids.push(obj([("imageDigest", s(d.to_string()))]));
                }
                for t in tags {
                    ids.push(obj([("imageDigest", s(d.to_string())), ("imageTag", s(t))]));
                }
            }
            Ok(obj([("imageIds", J::Arr(ids))]).pretty() + "\n")
        }
        EcrCommand::DescribeImages(name, filter) => {
            let r = repo(sim, name, "DescribeImages")?;
            let reg = registry(sim);
            let mut wanted: Vec<Digest> = Vec::new();
            for id in filter {
                match find_image(r, id) {
                    Some(d) => wanted.push(d),
                    None => {
                        return Err(aws_error(
                            "ImageNotFoundException",
                            "DescribeImages",
                            format!(
                                "The image with imageId {} does not exist within the repository with name '{name}' in the registry with id '{ACCOUNT}'",
                                image_id_json(id)
                            ),
                        ));
                    }
                }
            }
            let mut details = Vec::new();
            for (d, p) in &r.images {
                if !filter.is_empty() && !wanted.contains(d) {
                    continue;
                }
                let size = reg
                    .manifests
                    .get(d)
                    .map(|i| i.compressed_size())
                    .unwrap_or(0);
                let tags = tags_of(r, d);
                let mut fields = vec![
                    ("registryId".to_string(), s(ACCOUNT)),
                    ("repositoryName".to_string(), s(name.clone())),
                    ("imageDigest".to_string(), s(d.to_string())),
                ];
                if !tags.is_empty() {
                    fields.push(("imageTags".to_string(), strs(tags)));
                }
                fields.push(("imageSizeInBytes".to_string(), J::Int(size as i64)));
                fields.push(("imagePushedAt".to_string(), s(iso(p.pushed_at))));
                if let Some(f) = &p.scan {
                    fields.push((
                        "imageScanStatus".to_string(),
                        obj([
                            ("status", s("COMPLETE")),
                            ("description", s("The scan was completed successfully.")),
                        ]),
                    ));
                    fields.push((
                        "imageScanFindingsSummary".to_string(),
                        obj([
                            ("imageScanCompletedAt", s(iso(p.pushed_at))),
                            ("vulnerabilitySourceUpdatedAt", s(iso(SimTime::ZERO))),
                            ("findingSeverityCounts", severity_counts(f)),
                        ]),
                    ));
                }
                fields.push((
                    "imageManifestMediaType".to_string(),
                    s(crate::image::oci::MEDIA_TYPE_MANIFEST),
                ));
                fields.push((
                    "artifactMediaType".to_string(),
                    s(crate::image::oci::MEDIA_TYPE_CONFIG),
                ));
                details.push(J::Obj(fields));
            }
            Ok(obj([("imageDetails", J::Arr(details))]).pretty() + "\n")
        }
        EcrCommand::DescribeImageScanFindings(name, id) => {
            let r = repo(sim, name, "DescribeImageScanFindings")?;
            let Some(d) = find_image(r, id) else {
                return Err(aws_error(
                    "ImageNotFoundException",
                    "DescribeImageScanFindings",
                    format!(
                        "The image with imageId {} does not exist within the repository with name '{name}' in the registry with id '{ACCOUNT}'",
                        image_id_json(id)
                    ),
                ));
            };
            let p = &r.images[&d];
            let Some(findings) = &p.scan else {
                return Err(aws_error(
                    "ScanNotFoundException",
                    "DescribeImageScanFindings",
                    format!(
                        "Image scan does not exist for the image with '{{imageDigest:'{d}', {}}}' in the repository with name '{name}' in the registry with id '{ACCOUNT}'",
                        match id {
                            ImageId::Tag(t) => format!("imageTag:'{t}'"),
                            ImageId::Digest(_) => "imageTag:'null'".to_string(),
                        }
                    ),
                ));
            };
            let list: Vec<J> = findings
                .iter()
                .map(|f| {
                    obj([
                        ("name", s(f.name.clone())),
                        ("description", s(f.description.clone())),
                        ("uri", s(f.uri.clone())),
                        ("severity", s(f.severity.clone())),
                    ])
                })
                .collect();
            let mut image_id = vec![("imageDigest".to_string(), s(d.to_string()))];
            if let ImageId::Tag(t) = id {
                image_id.push(("imageTag".to_string(), s(t.clone())));
            }
            Ok(obj([
                (
                    "imageScanFindings",
                    obj([
                        ("findings", J::Arr(list)),
                        ("imageScanCompletedAt", s(iso(p.pushed_at))),
                        ("vulnerabilitySourceUpdatedAt", s(iso(SimTime::ZERO))),
                        ("findingSeverityCounts", severity_counts(findings)),
                    ]),
                ),
                ("registryId", s(ACCOUNT)),
                ("repositoryName", s(name.clone())),
                ("imageId", J::Obj(image_id)),
                (
                    "imageScanStatus",
                    obj([
                        ("status", s("COMPLETE")),
                        ("description", s("The scan was completed successfully.")),
                    ]),
                ),
            ])
            .pretty()
                + "\n")
        }
    }
}
