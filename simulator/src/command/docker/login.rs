//! `docker login [-u USER] [-p PASS | --password-stdin] [SERVER]` and `docker logout`.
//! For the ECR-like registry the password must be a token from `aws ecr
//! get-login-password` (it expires after 12 hours); Docker Hub accepts any credentials.

use super::{api, parse_flags, registry_event};
use crate::command::CommandError;
use crate::components::docker::auth::{TokenCheck, check_ecr_token};
use crate::components::docker::daemon::{API_VERSION, Login};
use crate::event::ObjectRef;
use crate::simulation::Simulation;
use crate::world::RegistryKind;

/// Parsed `docker login`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginArgs {
    /// Registry host (Docker Hub when absent).
    pub server: Option<String>,
    /// `-u`.
    pub username: Option<String>,
    /// `-p`.
    pub password: Option<String>,
    /// `--password-stdin`.
    pub password_stdin: bool,
}

/// Parses `docker login`.
pub fn parse(args: &[String]) -> Result<LoginArgs, CommandError> {
    let (pos, f) = parse_flags(
        "login",
        args,
        &[
            ("username", Some('u'), true),
            ("password", Some('p'), true),
            ("password-stdin", None, false),
        ],
        true,
    )?;
    if pos.len() > 1 {
        return Err(super::arg_count(
            "login",
            "[OPTIONS] [SERVER]",
            "at most 1 argument",
        ));
    }
    if f.on("password-stdin") && f.value("password").is_some() {
        return Err(CommandError::new(
            "--password and --password-stdin are mutually exclusive",
        ));
    }
    Ok(LoginArgs {
        server: pos.first().map(|s| {
            s.trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_string()
        }),
        username: f.value("username").map(str::to_string),
        password: f.value("password").map(str::to_string),
        password_stdin: f.on("password-stdin"),
    })
}

const STORED: &str = "WARNING! Your credentials are stored unencrypted in '/home/learner/.docker/config.json'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n";

/// `docker login`.
pub fn run(
    sim: &mut Simulation,
    a: &LoginArgs,
    stdin: Option<&str>,
) -> Result<String, CommandError> {
    let server = a.server.clone().unwrap_or_else(|| "docker.io".to_string());
    let mut out = String::new();
    let password = if a.password_stdin {
        match stdin.map(|s| s.trim_end_matches(['\n', '\r'])) {
            Some(p) if !p.is_empty() => p.to_string(),
            _ => return Err(CommandError::new("Error: Password Required")),
        }
    } else if let Some(p) = &a.password {
        out.push_str("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
        p.clone()
    } else {
        return Err(CommandError::new(
            "Error: Cannot perform an interactive login from a non TTY device",
        ));
    };
    let Some(username) = a.username.clone() else {
        return Err(CommandError::new(
            "Error: Cannot perform an interactive login from a non TTY device",
        ));
    };
    let now = sim.now();
    let private = sim
        .state()
        .registries
        .get(&server)
        .is_some_and(|r| r.kind == RegistryKind::Private);
    let bad = || {
        CommandError::new(format!(
            "Error response from daemon: login attempt to https://{server}/v2/ failed with status: 400 Bad Request"
        ))
    };
    let expires = if private {
        if username != "AWS" {
            return Err(bad());
        }
        match check_ecr_token(&server, &password, now) {
            TokenCheck::Valid(until) => Some(until),
            TokenCheck::Expired | TokenCheck::Invalid => return Err(bad()),
        }
    } else {
        None
    };
    api(
        sim,
        ObjectRef::new("registry", server.clone()),
        &format!("POST /{API_VERSION}/auth"),
        "200 OK (Login Succeeded)",
    );
    registry_event(
        sim,
        &server,
        ObjectRef::new("registry", server.clone()),
        "Authenticated",
        match expires {
            Some(t) => format!(
                "GET /v2/ with basic auth for {username} → 200: the ECR token is valid until {t} (12 hours); the client stores it in ~/.docker/config.json"
            ),
            None => format!("GET /v2/ with basic auth for {username} → 200"),
        },
    );
    sim.world_mut()
        .docker
        .auths
        .insert(server, Login { username, expires });
    out.push_str(STORED);
    out.push_str("Login Succeeded\n");
    Ok(out)
}

/// `docker logout [SERVER]`.
pub fn logout(sim: &mut Simulation, server: Option<&str>) -> Result<String, CommandError> {
    let server = server.unwrap_or("docker.io").to_string();
    let shown = if server == "docker.io" {
        "https://index.docker.io/v1/".to_string()
    } else {
        server.clone()
    };
    if sim.world_mut().docker.auths.remove(&server).is_none() {
        return Ok(format!("Not logged in to {shown}\n"));
    }
    Ok(format!("Removing login credentials for {shown}\n"))
}
