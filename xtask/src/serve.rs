//! Serving: build, then run `shipshape serve`; and a server child process for tests
//! that is always stopped, even when the tests fail.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::build::{self, Profile};
use crate::error::{Error, Result, bail};
use crate::process;
use crate::setup::{self, Scope};
use crate::workspace::Workspace;

/// The port `cargo xtask serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8080;

/// Options of `cargo xtask serve`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Port to listen on.
    pub port: u16,
    /// Data directory (workshop database); `None` means `data/` in the workspace.
    pub data: Option<PathBuf>,
    /// Debug build instead of release.
    pub dev: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            port: DEFAULT_PORT,
            data: None,
            dev: false,
        }
    }
}

/// Sets up, builds, and replaces this process with `shipshape serve`.
pub fn run(ws: &Workspace, options: &Options) -> Result<()> {
    let profile = if options.dev {
        Profile::Debug
    } else {
        Profile::Release
    };
    setup::run(ws, Scope::Build)?;
    build::run(ws, profile)?;

    // A relative --data is relative to where the person ran the command.
    let data = match &options.data {
        Some(dir) => std::path::absolute(dir)?,
        None => ws.join("data"),
    };
    let mut server = ws.command(build::server_binary(ws, profile));
    server
        .arg("serve")
        .arg("--port")
        .arg(options.port.to_string())
        .arg("--data")
        .arg(&data)
        .arg("--dist")
        .arg(build::dist_dir(ws))
        .stdin(Stdio::inherit());
    println!();
    println!("Shipshape: http://127.0.0.1:{}", options.port);
    println!("(data in {}; stop with Ctrl-C)", data.display());
    println!("$ {}", process::describe(&server));
    // exec only returns on failure.
    let error = server.exec();
    Err(Error::new(format!("cannot start the server: {error}")))
}

/// A `shipshape serve` child process on a free port with a throw-away data directory,
/// killed (and its data removed) when dropped.
#[derive(Debug)]
pub struct TestServer {
    child: Child,
    port: u16,
    data: PathBuf,
    log: PathBuf,
}

impl TestServer {
    /// Starts `binary serve` on a free port with a fresh data directory, writing its
    /// output to `log`, and waits until `GET /healthz` answers 200.
    pub fn start(ws: &Workspace, binary: &Path, dist: &Path, log: &Path) -> Result<Self> {
        if !binary.is_file() {
            bail!(
                "{} is missing: build it first (`cargo xtask build --release`)",
                binary.display()
            );
        }
        if !dist.join("index.html").is_file() {
            bail!(
                "{}/index.html is missing: build the app first (`cargo xtask build --release`)",
                dist.display()
            );
        }
        let port = free_port()?;
        let data = temp_dir("shipshape-test-data")?;
        if let Some(parent) = log.parent() {
            fs::create_dir_all(parent)?;
        }
        let output = File::create(log)?;
        let mut command = ws.command(binary);
        command
            .arg("serve")
            .arg("--port")
            .arg(port.to_string())
            .arg("--data")
            .arg(&data)
            .arg("--dist")
            .arg(dist)
            .stdout(output.try_clone()?)
            .stderr(output);
        println!("$ {}", process::describe(&command));
        let child = command
            .spawn()
            .map_err(|e| Error::new(format!("cannot start {}: {e}", binary.display())))?;
        let mut server = Self {
            child,
            port,
            data,
            log: log.to_path_buf(),
        };
        server.wait_healthy(Duration::from_secs(30))?;
        Ok(server)
    }

    /// The server's base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The end of the server's log, for failure reports.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    fn wait_healthy(&mut self, timeout: Duration) -> Result<()> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the server exited ({status}) before answering /healthz; its log ({}):\n{}",
                    self.log.display(),
                    self.log_tail(30)
                );
            }
            if http_status(self.port, "/healthz") == Some(200) {
                println!(
                    "server healthy at {} after {}",
                    self.url(),
                    process::format_duration(started.elapsed())
                );
                return Ok(());
            }
            if started.elapsed() > timeout {
                bail!(
                    "GET {}/healthz did not answer 200 within {}s; server log ({}):\n{}",
                    self.url(),
                    timeout.as_secs(),
                    self.log.display(),
                    self.log_tail(30)
                );
            }
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Only our own child, by its handle; ignore "already exited".
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.data);
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// A new, empty directory under the system temp dir.
pub fn temp_dir(prefix: &str) -> Result<PathBuf> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The HTTP status of `GET path` on 127.0.0.1:`port`, or `None` if nothing answers.
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut head = [0u8; 64];
    let read = stream.read(&mut head).ok()?;
    parse_status_line(&String::from_utf8_lossy(&head[..read]))
}

/// The status code in an HTTP/1.x status line such as `HTTP/1.1 200 OK`.
fn parse_status_line(response: &str) -> Option<u16> {
    let mut words = response.split_whitespace();
    words.next()?.strip_prefix("HTTP/1.")?;
    words.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(parse_status_line("HTTP/1.1 200 OK\r\n"), Some(200));
        assert_eq!(parse_status_line("HTTP/1.0 404 Not Found"), Some(404));
        assert_eq!(parse_status_line("SSH-2.0-OpenSSH"), None);
        assert_eq!(parse_status_line(""), None);
    }

    #[test]
    fn http_status_against_a_tiny_server() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = Vec::new();
            let mut chunk = [0u8; 256];
            while !request.ends_with(b"\r\n\r\n") {
                let read = stream.read(&mut chunk).unwrap();
                assert!(read > 0, "request ended early");
                request.extend_from_slice(&chunk[..read]);
            }
            assert!(request.starts_with(b"GET /healthz HTTP/1.1\r\n"));
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                .unwrap();
        });
        assert_eq!(http_status(port, "/healthz"), Some(200));
        server.join().unwrap();
    }

    #[test]
    fn nothing_listening_means_no_status() {
        let port = free_port().unwrap();
        assert_eq!(http_status(port, "/healthz"), None);
    }
}
