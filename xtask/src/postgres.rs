//! A throw-away PostgreSQL server for the test run: a private cluster in a fresh temp
//! directory on a free port, stopped and deleted when dropped. It never touches
//! Debian's own `main` cluster, port 5432 or /var/run/postgresql.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Result, bail};
use crate::process;
use crate::serve::free_port;
use crate::workspace::Workspace;

/// Where Debian's `postgresql-<major>` packages put their server binaries.
pub const DEBIAN_ROOT: &str = "/usr/lib/postgresql";
/// The superuser the test cluster is created with (it may create and drop databases).
const ROLE: &str = "shipshape";
/// The system user Debian's package creates; PostgreSQL refuses to run as root.
const SYSTEM_USER: &str = "postgres";
/// Prefix of the cluster directories under the temp dir: `PREFIX<pid>-<n>`.
const DIR_PREFIX: &str = "shipshape-postgres-";

/// Numbers the clusters one process starts, so that two never share a directory.
static STARTED: AtomicUsize = AtomicUsize::new(0);

/// A private PostgreSQL cluster, running until dropped; dropping stops it and deletes
/// its directory.
#[derive(Debug)]
pub struct TestPostgres {
    ws: Workspace,
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    version: String,
    as_postgres: bool,
}

impl TestPostgres {
    /// Creates a cluster in a fresh temp directory (`initdb`), starts it on a free port
    /// of 127.0.0.1 and waits until it accepts connections.
    pub fn start(ws: &Workspace) -> Result<Self> {
        let Some(bin) = bin_dir(Path::new(DEBIAN_ROOT)) else {
            bail!(
                "no PostgreSQL server binaries (initdb, pg_ctl) under {DEBIAN_ROOT}/<major>/bin: \
                 run `cargo xtask setup` (installs Debian's `postgresql` package), or set \
                 SHIPSHAPE_TEST_POSTGRES to a server of your own"
            );
        };
        let uid = process::probe(ws.command("id").arg("-u")).and_then(|id| id.parse().ok());
        let as_postgres = uid == Some(0);
        let base = cluster_base(as_postgres);
        remove_stale_clusters(ws, &bin, &base, uid);
        let dir = base.join(format!(
            "{DIR_PREFIX}{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        // A leftover from a crashed run with a recycled pid would make initdb refuse.
        if dir.exists() {
            stop_cluster(ws, &bin, &dir, as_postgres);
            fs::remove_dir_all(&dir)?;
        }
        fs::create_dir_all(&dir)?;
        let version = process::probe(ws.command(bin.join("postgres")).arg("--version"))
            .and_then(|out| parse_version(&out))
            .unwrap_or_else(|| "version unknown".to_string());
        // From here on, dropping `server` cleans up whatever part of the start happened.
        let server = Self {
            ws: ws.clone(),
            bin,
            dir,
            port: free_port()?,
            version,
            as_postgres,
        };
        if as_postgres {
            server.give_dir_to_postgres()?;
        }
        server.init()?;
        server.launch()?;
        Ok(server)
    }

    /// The libpq connection URL of the `postgres` database, as the superuser.
    pub fn url(&self) -> String {
        url(self.port)
    }

    /// `127.0.0.1:PORT (PostgreSQL 15.x, cluster DIR)`, for the test log.
    pub fn description(&self) -> String {
        format!(
            "127.0.0.1:{} (PostgreSQL {}, cluster {})",
            self.port,
            self.version,
            self.dir.display()
        )
    }

    /// Hands the (empty) cluster directory to the `postgres` user, who runs the server.
    fn give_dir_to_postgres(&self) -> Result<()> {
        let id = |flag: &str| -> Result<u32> {
            let out =
                process::capture(self.ws.command("id").args([flag, SYSTEM_USER])).map_err(|e| {
                    Error::new(format!(
                        "{e}\n(PostgreSQL refuses to run as root, so the test server runs as \
                         the `{SYSTEM_USER}` user that Debian's `postgresql` package creates)"
                    ))
                })?;
            out.trim()
                .parse()
                .map_err(|_| Error::new(format!("`id {flag} {SYSTEM_USER}` printed `{out}`")))
        };
        std::os::unix::fs::chown(&self.dir, Some(id("-u")?), Some(id("-g")?))?;
        Ok(())
    }

    /// `initdb`: the superuser `shipshape`, trusted on every connection (the server only
    /// listens on 127.0.0.1 and a socket in its own directory).
    fn init(&self) -> Result<()> {
        let mut initdb = self.pg_command("initdb");
        initdb
            .arg("-D")
            .arg(&self.dir)
            .args(["-U", ROLE, "-A", "trust", "-E", "UTF8", "--no-locale"])
            // Skips only initdb's final flush of the new files (seconds on a slow disk);
            // the server itself keeps the default fsync=on.
            .arg("--no-sync");
        println!("$ {}", process::describe(&initdb));
        process::capture(&mut initdb)?;
        Ok(())
    }

    /// `pg_ctl start -w`, then `pg_isready` as a client would connect.
    fn launch(&self) -> Result<()> {
        let options = server_options(self.port, &self.dir)?;
        let mut pg_ctl = self.pg_command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(&self.dir)
            .arg("-l")
            .arg(self.log())
            .args(["-w", "-t", "60", "-o", &options, "start"]);
        println!("$ {}", process::describe(&pg_ctl));
        if let Err(error) = process::capture(&mut pg_ctl) {
            bail!(
                "the PostgreSQL test server did not start: {error}\n\
                 server log, last lines ({}):\n{}",
                self.log().display(),
                self.log_tail(20)
            );
        }
        let port = self.port.to_string();
        let ready = process::capture(self.ws.command(self.bin.join("pg_isready")).args([
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-U",
            ROLE,
            "-d",
            "postgres",
            "-t",
            "30",
        ]));
        if let Err(error) = ready {
            bail!(
                "the PostgreSQL test server started but does not accept connections on \
                 127.0.0.1:{port}: {error}\nserver log, last lines ({}):\n{}",
                self.log().display(),
                self.log_tail(20)
            );
        }
        Ok(())
    }

    /// A server command (`initdb`, `pg_ctl`) from the chosen bin directory, as the
    /// `postgres` user when we are root, running in the cluster directory (the
    /// workspace may not be readable by `postgres`).
    fn pg_command(&self, tool: &str) -> std::process::Command {
        pg_command(&self.ws, &self.bin, &self.dir, tool, self.as_postgres)
    }

    fn log(&self) -> PathBuf {
        self.dir.join("server.log")
    }

    /// The end of the server log, for failure reports.
    fn log_tail(&self, lines: usize) -> String {
        let text = fs::read_to_string(self.log()).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        stop_cluster(&self.ws, &self.bin, &self.dir, self.as_postgres);
        if let Err(error) = fs::remove_dir_all(&self.dir) {
            eprintln!(
                "warning: cannot remove the PostgreSQL test cluster {}: {error}",
                self.dir.display()
            );
        }
    }
}

/// `pg_ctl stop` (immediate: the cluster is deleted next, so nothing needs saving), if a
/// server may be running there. Failures are only reported: this runs while cleaning up.
fn stop_cluster(ws: &Workspace, bin: &Path, dir: &Path, as_postgres: bool) {
    if !dir.join("postmaster.pid").exists() {
        return;
    }
    let mut stop = pg_command(ws, bin, dir, "pg_ctl", as_postgres);
    stop.arg("-D")
        .arg(dir)
        .args(["-m", "immediate", "-w", "-t", "60", "stop"]);
    if let Err(error) = process::capture(&mut stop) {
        eprintln!("warning: cannot stop the PostgreSQL test server: {error}");
    }
}

/// Clusters that earlier runs of this user left behind (killed before their `Drop`
/// ran, e.g. by Ctrl-C): stopped and deleted, so that runs never pile up servers or disk.
fn remove_stale_clusters(ws: &Workspace, bin: &Path, base: &Path, uid: Option<u32>) {
    use std::os::unix::fs::MetadataExt;
    let as_postgres = uid == Some(0);
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.filter_map(|entry| entry.ok()) {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(owner_pid) else {
            continue;
        };
        // A running owner (another test run, or this one) still needs its cluster, and
        // without root another user's clusters are not ours to stop.
        let ours = as_postgres || entry.metadata().is_ok_and(|meta| Some(meta.uid()) == uid);
        if !ours || Path::new("/proc").join(pid.to_string()).exists() {
            continue;
        }
        let dir = entry.path();
        println!(
            "postgres: removing a stale test cluster {} (its run, pid {pid}, is gone)",
            dir.display()
        );
        stop_cluster(ws, bin, &dir, as_postgres);
        let _ = fs::remove_dir_all(&dir);
    }
}

/// See [`TestPostgres::pg_command`].
fn pg_command(
    ws: &Workspace,
    bin: &Path,
    dir: &Path,
    tool: &str,
    as_postgres: bool,
) -> std::process::Command {
    let mut command = if as_postgres {
        let mut runuser = ws.command("runuser");
        runuser.args(["-u", SYSTEM_USER, "--"]).arg(bin.join(tool));
        runuser
    } else {
        ws.command(bin.join(tool))
    };
    command.current_dir(dir);
    command
}

/// The `bin` directory of the newest PostgreSQL under `root` (`root/<major>/bin`) that
/// has both `initdb` and `pg_ctl`.
pub fn bin_dir(root: &Path) -> Option<PathBuf> {
    let names = fs::read_dir(root)
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok());
    majors_newest_first(names).into_iter().find_map(|major| {
        let bin = root.join(major.to_string()).join("bin");
        (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some(bin)
    })
}

/// The directory names that are PostgreSQL major versions (`15`, `16`), newest first.
fn majors_newest_first(names: impl IntoIterator<Item = String>) -> Vec<u32> {
    let mut majors: Vec<u32> = names
        .into_iter()
        .filter_map(|name| name.parse().ok())
        .collect();
    majors.sort_unstable_by(|a, b| b.cmp(a));
    majors
}

/// Where cluster directories go: the temp dir, unless we are root and the `postgres`
/// user could not reach into it (a private `TMPDIR`), then /tmp.
fn cluster_base(as_postgres: bool) -> PathBuf {
    let temp = std::env::temp_dir();
    if as_postgres && !traversable_by_anyone(&temp) {
        return PathBuf::from("/tmp");
    }
    temp
}

/// Whether every directory from `/` down to `dir` lets other users through (`o+x`).
fn traversable_by_anyone(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    dir.ancestors().all(|ancestor| {
        fs::metadata(ancestor).is_ok_and(|meta| meta.permissions().mode() & 0o001 != 0)
    })
}

/// The pid in a cluster directory's name `shipshape-postgres-<pid>-<n>`.
fn owner_pid(name: &str) -> Option<u32> {
    let (pid, n) = name.strip_prefix(DIR_PREFIX)?.split_once('-')?;
    n.parse::<usize>().ok()?;
    pid.parse().ok()
}

/// The libpq URL of the `postgres` database on 127.0.0.1:`port`, as the superuser.
fn url(port: u16) -> String {
    format!("postgres://{ROLE}@127.0.0.1:{port}/postgres")
}

/// The server options `pg_ctl -o` passes on: the port, the Unix socket in the cluster
/// directory (so nothing needs /var/run/postgresql), TCP on 127.0.0.1 only, and room
/// for tests that open many connections in parallel. `pg_ctl` hands this string to a
/// shell, so the directory is single-quoted.
fn server_options(port: u16, dir: &Path) -> Result<String> {
    let dir = dir.to_string_lossy();
    if dir.contains('\'') {
        bail!("the PostgreSQL test cluster directory {dir} contains a quote");
    }
    Ok(format!(
        "-p {port} -k '{dir}' -c listen_addresses=127.0.0.1 -c max_connections=200"
    ))
}

/// The version in `postgres --version` output such as
/// `postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`.
fn parse_version(output: &str) -> Option<String> {
    let rest = output.split_once("(PostgreSQL)")?.1;
    rest.split_whitespace().next().map(str::to_string)
}

/// `url` with any password replaced by `***`, for printing.
pub fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, SocketAddr, TcpStream};
    use std::time::Duration;

    #[test]
    fn newest_major_first() {
        let names = ["13", "main", "15", "9", "16beta"].map(String::from);
        assert_eq!(majors_newest_first(names), vec![15, 13, 9]);
        assert!(majors_newest_first(Vec::new()).is_empty());
    }

    #[test]
    fn bin_dir_needs_initdb_and_pg_ctl() {
        let root = crate::serve::temp_dir("xtask-pg-root").unwrap();
        for (major, tools) in [
            ("14", &["initdb", "pg_ctl"][..]),
            ("16", &["pg_ctl"][..]),
            ("15", &["initdb", "pg_ctl"][..]),
        ] {
            let bin = root.join(major).join("bin");
            fs::create_dir_all(&bin).unwrap();
            for tool in tools {
                fs::write(bin.join(tool), "").unwrap();
            }
        }
        // 16 has no initdb (only the client package), so 15 it is.
        assert_eq!(bin_dir(&root), Some(root.join("15/bin")));
        fs::remove_dir_all(&root).unwrap();
        assert_eq!(bin_dir(&root), None);
    }

    #[test]
    fn url_and_options() {
        assert_eq!(url(54321), "postgres://shipshape@127.0.0.1:54321/postgres");
        assert_eq!(
            server_options(5433, Path::new("/tmp/shipshape-postgres-7-0")).unwrap(),
            "-p 5433 -k '/tmp/shipshape-postgres-7-0' -c listen_addresses=127.0.0.1 \
             -c max_connections=200"
        );
        assert!(server_options(5433, Path::new("/tmp/it's")).is_err());
    }

    #[test]
    fn versions_and_cluster_names() {
        assert_eq!(
            parse_version("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)").as_deref(),
            Some("15.18")
        );
        assert_eq!(parse_version("garbage"), None);
        assert_eq!(owner_pid("shipshape-postgres-1234-0"), Some(1234));
        assert_eq!(owner_pid("shipshape-postgres-1234"), None);
        assert_eq!(owner_pid("shipshape-test-data-1234-5"), None);
    }

    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(
            redact_password("postgres://me:secret@db:5432/x"),
            "postgres://me:***@db:5432/x"
        );
        assert_eq!(
            redact_password("postgres://me@127.0.0.1/x"),
            "postgres://me@127.0.0.1/x"
        );
        assert_eq!(redact_password("host=db"), "host=db");
    }

    #[test]
    fn a_real_server_starts_accepts_databases_and_is_cleaned_up() {
        let Some(bin) = bin_dir(Path::new(DEBIAN_ROOT)) else {
            eprintln!(
                "skipped: no PostgreSQL server binaries under {DEBIAN_ROOT}/<major>/bin \
                 (`cargo xtask setup` installs them)"
            );
            return;
        };
        let ws = Workspace::locate().unwrap();
        // Twice in a row: a second cluster in the same process must not collide with
        // what the first left behind.
        for round in 0..2 {
            let server = TestPostgres::start(&ws).unwrap();
            let dir = server.dir.clone();
            let port = server.port;
            assert!(dir.join("postmaster.pid").is_file());
            let database = format!("xtask_probe_{round}");
            let psql = |sql: &str| {
                process::capture(ws.command(bin.join("psql")).arg(server.url()).args([
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-Atc",
                    sql,
                ]))
                .unwrap()
            };
            assert_eq!(psql("SELECT 1").trim(), "1");
            // What the server's tests do: one throw-away database each.
            psql(&format!("CREATE DATABASE {database}"));
            psql(&format!("DROP DATABASE {database}"));
            drop(server);
            assert!(!dir.exists(), "{} is still there", dir.display());
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            assert!(
                TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err(),
                "something still listens on port {port}"
            );
        }
    }
}
