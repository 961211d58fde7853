//! `docker exec CONTAINER CMD`: a few canned commands answered from the container's
//! configuration (`whoami`, `id`, `pwd`, `ls`, `env`, `cat /etc/os-release`); anything
//! else says plainly that it is not simulated. Distroless and `scratch` images have no
//! shell or coreutils, so every command fails there as it would for real.

use super::api;
use crate::command::CommandError;
use crate::components::docker::daemon::{API_VERSION, Container, State};
use crate::event::ObjectRef;
use crate::simulation::Simulation;

fn os_release(base: &str) -> Option<&'static str> {
    if base.contains("alpine-minirootfs-3.21") {
        Some(
            "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.21.2\nPRETTY_NAME=\"Alpine Linux v3.21\"\nHOME_URL=\"https://alpinelinux.org/\"\nBUG_REPORT_URL=\"https://gitlab.alpinelinux.org/alpine/aports/-/issues\"\n",
        )
    } else if base.contains("alpine-minirootfs-3.20") {
        Some(
            "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME=\"Alpine Linux v3.20\"\n",
        )
    } else if base.contains("alpine-minirootfs") {
        Some("NAME=\"Alpine Linux\"\nID=alpine\nPRETTY_NAME=\"Alpine Linux (end of life)\"\n")
    } else if base.contains("'bookworm'") {
        Some(
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL=\"https://www.debian.org/\"\n",
        )
    } else if base.contains("'buster'") {
        Some(
            "PRETTY_NAME=\"Debian GNU/Linux 10 (buster)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"10\"\nVERSION=\"10 (buster)\"\nVERSION_CODENAME=buster\nID=debian\n",
        )
    } else if base.contains("'stretch'") {
        Some(
            "PRETTY_NAME=\"Debian GNU/Linux 9 (stretch)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"9\"\nVERSION=\"9 (stretch)\"\nID=debian\n",
        )
    } else if base.contains("jammy") {
        Some(
            "PRETTY_NAME=\"Ubuntu 22.04.5 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\n",
        )
    } else if base.contains("noble") {
        Some(
            "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nID=ubuntu\n",
        )
    } else {
        None
    }
}

fn ids(user: &str) -> (String, String) {
    let (u, g) = user.split_once(':').unwrap_or((user, ""));
    let named = |n: &str| match n {
        "" | "root" | "0" => Some((0, "root")),
        "node" | "1000" => Some((1000, "node")),
        "nginx" | "101" => Some((101, "nginx")),
        "nobody" | "65534" => Some((65534, "nobody")),
        "nonroot" | "65532" => Some((65532, "nonroot")),
        _ => None,
    };
    let (uid, uname) = match named(u) {
        Some((i, n)) => (i.to_string(), Some(n)),
        None => (u.to_string(), None),
    };
    let gid = if g.is_empty() {
        match uname {
            Some(n) => format!("{uid}({n})"),
            None => "0(root)".to_string(),
        }
    } else {
        match named(g) {
            Some((i, n)) => format!("{i}({n})"),
            None => g.to_string(),
        }
    };
    let who = match uname {
        Some(n) => n.to_string(),
        None => format!("whoami: unknown uid {uid}"),
    };
    let id = match uname {
        Some(n) => format!("uid={uid}({n}) gid={gid} groups={gid}"),
        None => format!("uid={uid} gid={gid} groups={gid}"),
    };
    (who, id)
}

/// `docker exec`.
pub fn run(sim: &mut Simulation, name: &str, cmd: &[String]) -> Result<String, CommandError> {
    let now = sim.now();
    let host = &sim.state().docker;
    let c: Container = host.find_container(name).cloned().ok_or_else(|| {
        CommandError::new(format!(
            "Error response from daemon: No such container: {name}"
        ))
    })?;
    if !matches!(c.state(now), State::Running) {
        return Err(CommandError::new(format!(
            "Error response from daemon: container {} is not running",
            c.id
        )));
    }
    let img = host.images.get(&c.image_id).cloned();
    let base = img
        .as_ref()
        .and_then(|i| i.image.layers.first())
        .map(|l| l.created_by.clone())
        .unwrap_or_default();
    // Distroless images (built with bazel) and `scratch` have no shell and no coreutils.
    let no_userland = base.is_empty() || base.starts_with("bazel build");
    let program = cmd[0].as_str();
    let not_found = || {
        CommandError::new(format!(
            "OCI runtime exec failed: exec failed: unable to start container process: exec: \"{program}\": executable file not found in $PATH: unknown"
        ))
    };
    api(
        sim,
        ObjectRef::new("container", c.name.clone()),
        &format!("POST /{API_VERSION}/containers/{}/exec", &c.id[..12]),
        "201 Created",
    );
    if no_userland
        && matches!(
            program,
            "whoami" | "id" | "ls" | "cat" | "env" | "pwd" | "sh" | "bash"
        )
    {
        return Err(not_found());
    }
    let (who, id) = ids(&c.user);
    let out = match (program, &cmd[1..]) {
        ("whoami", []) => format!("{who}\n"),
        ("id", []) => format!("{id}\n"),
        ("pwd", []) => format!("{}\n", c.workdir),
        ("env", []) => {
            let mut lines = vec![format!("HOSTNAME={}", &c.id[..12])];
            lines.extend(c.env.iter().cloned());
            let home = if c.user.is_empty() || c.user == "root" || c.user == "0" {
                "/root".to_string()
            } else {
                format!("/home/{}", c.user.split(':').next().unwrap_or_default())
            };
            lines.push(format!("HOME={home}"));
            lines.join("\n") + "\n"
        }
        ("ls", rest) if rest.is_empty() || rest == ["."] => {
            let files = img.map(|i| i.files).unwrap_or_default();
            if c.workdir == "/" || files.is_empty() {
                "bin\ndev\netc\nhome\nlib\nmedia\nmnt\nopt\nproc\nroot\nrun\nsbin\nsrv\nsys\ntmp\nusr\nvar\n"
                    .to_string()
            } else {
                files.join("\n") + "\n"
            }
        }
        ("cat", [f]) if f == "/etc/os-release" => os_release(&base)
            .map(str::to_string)
            .unwrap_or_else(|| "PRETTY_NAME=\"Linux\"\n".to_string()),
        _ => {
            return Err(CommandError::new(format!(
                "shipshape: `{}` is not simulated inside containers; `docker exec` answers whoami, id, pwd, ls, env and cat /etc/os-release",
                cmd.join(" ")
            )));
        }
    };
    Ok(out)
}
