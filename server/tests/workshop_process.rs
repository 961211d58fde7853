//! The workshop API against a real `shipshape serve` process, on a real SQLite file and
//! on a real PostgreSQL server (a scratch database on the server `SHIPSHAPE_TEST_POSTGRES`
//! names; `cargo xtask test` starts one from Debian's packages): 30 students, a live
//! stream, `kill -9` mid-stream, a restart on the same store, and every acknowledged
//! event still there. On PostgreSQL also two servers sharing one database, as behind a
//! load balancer: each one's streams relay the other's writes.
//!
//! The client is a few lines of HTTP/1.1 over `std::net::TcpStream` (one request per
//! connection), so the test needs no HTTP client crate.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use server::workshop::store::postgresql::ScratchDatabase;

#[macro_use]
mod common;

use common::Backend;

on_both_backends!(
    a_class_of_30_survives_kill_9_mid_stream,
    a_real_server_rejects_bad_requests_without_writing,
    sigterm_ends_open_streams_and_exits,
);

const INDEX: &str =
    "<!doctype html><html><head><script type=\"module\">init()</script></head></html>\n";

/// A `shipshape serve` child on a free port; killed when dropped.
struct Server {
    child: Mutex<Child>,
    port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    fn start(dirs: &Dirs) -> Self {
        Self::start_with(dirs, &[])
    }

    /// Starts with extra `shipshape serve` arguments.
    fn start_with(dirs: &Dirs, extra: &[&str]) -> Self {
        let (data, dist, log) = (&dirs.data, &dirs.dist, &dirs.log);
        let port = free_port();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_shipshape"))
            .args(["serve", "--port", &port.to_string(), "--data"])
            .arg(data)
            .arg("--dist")
            .arg(dist)
            .env_remove("DATABASE_URL")
            .args(extra)
            .args(
                dirs.scratch
                    .as_ref()
                    .map(|scratch| format!("--database-url={}", scratch.url())),
            )
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("shipshape starts");
        let server = Self {
            child: Mutex::new(child),
            port,
        };
        let started = Instant::now();
        loop {
            if let Some(status) = server.child.lock().unwrap().try_wait().unwrap() {
                panic!("shipshape serve exited early: {status}");
            }
            if matches!(
                server.try_request("GET", "/healthz", None, None),
                Ok((200, _, _))
            ) {
                return server;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "server not healthy in 30s"
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL: no graceful shutdown, no chance to flush anything.
    fn kill_9(&self) {
        let mut child = self.child.lock().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }

    fn try_request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
    ) -> std::io::Result<(u16, String, String)> {
        self.try_request_with(method, path, token, body, &[])
    }

    /// [`Server::try_request`] with extra header lines.
    fn try_request_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
        headers: &[(&str, &str)],
    ) -> std::io::Result<(u16, String, String)> {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(20)))?;
        let mut head =
            format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        if let Some(token) = token {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(body) = body {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        if let Some(body) = body {
            // The server may answer (413) and close before reading it all.
            let _ = stream.write_all(body);
        }
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text
            .split_once("\r\n\r\n")
            .ok_or_else(|| std::io::Error::other(format!("no header end in {text:?}")))?;
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line in {head:?}")))?;
        let body = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(body)
        } else {
            body.to_owned()
        };
        Ok((status, head.to_owned(), body))
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let bytes = body.map(|b| b.to_string().into_bytes());
        let (status, _, text) = self
            .try_request(method, path, token, bytes.as_deref())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    fn events(&self, path: &str, token: &str) -> Sse {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\
             Authorization: Bearer {token}\r\n\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(stream);
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
        let mut chunked = false;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            let lower = line.to_ascii_lowercase();
            chunked |= lower.starts_with("transfer-encoding:") && lower.contains("chunked");
            if lower.starts_with("content-type:") {
                assert!(lower.contains("text/event-stream"), "{line}");
            }
        }
        assert!(chunked, "an SSE response streams in chunks");
        Sse {
            reader,
            text: String::new(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(|p| p.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// What [`Sse::next`] calls a keep-alive comment.
const KEEP_ALIVE: &str = ":keep-alive";

/// A Server-Sent Events reader over a chunked HTTP/1.1 body.
struct Sse {
    reader: BufReader<TcpStream>,
    text: String,
}

impl Sse {
    /// The next `(event, data)` (a keep-alive comment as [`KEEP_ALIVE`]); `None` when the
    /// connection ends.
    fn next(&mut self) -> Option<(String, Value)> {
        loop {
            if let Some(end) = self.text.find("\n\n") {
                let block: String = self.text.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    }
                }
                if data.is_empty() {
                    return Some((KEEP_ALIVE.to_owned(), Value::Null));
                }
                return Some((name, serde_json::from_str(&data).unwrap()));
            }
            // One chunk: size line, data, CRLF.
            let mut size = String::new();
            match self.reader.read_line(&mut size) {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
            let size = usize::from_str_radix(size.trim(), 16).ok()?;
            if size == 0 {
                return None;
            }
            let mut chunk = vec![0; size + 2];
            self.reader.read_exact(&mut chunk).ok()?;
            self.text
                .push_str(std::str::from_utf8(&chunk[..size]).unwrap());
        }
    }

    /// The next `name` event, skipping others. Keep-alive comments (every 15 s) reset
    /// the socket's read timeout, so a missing event fails here after a minute instead.
    fn expect(&mut self, name: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            assert!(Instant::now() < deadline, "no `{name}` event within 60 s");
            let (event, data) = self
                .next()
                .unwrap_or_else(|| panic!("stream ended before `{name}`"));
            if event == name {
                return data;
            }
        }
    }
}

/// A test's directories, and its scratch database on PostgreSQL.
struct Dirs {
    _root: tempfile::TempDir,
    data: PathBuf,
    dist: PathBuf,
    log: PathBuf,
    scratch: Option<ScratchDatabase>,
}

/// Fresh directories for `backend`; `None` (the test is skipped) for PostgreSQL when the
/// environment names no server.
fn dirs(backend: Backend) -> Option<Dirs> {
    let scratch = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(ScratchDatabase::from_env()?),
    };
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let dist = root.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    let log = root.path().join("server.log");
    Some(Dirs {
        data,
        dist,
        log,
        scratch,
        _root: root,
    })
}

impl Dirs {
    /// Every stored progress id, read from the database itself.
    fn db_ids(&self) -> BTreeSet<i64> {
        const SQL: &str = "SELECT id FROM progress_events";
        if let Some(scratch) = &self.scratch {
            let mut client = scratch.connect().unwrap();
            return client
                .query(SQL, &[])
                .unwrap()
                .iter()
                .map(|row| row.get(0))
                .collect();
        }
        let conn = rusqlite::Connection::open(self.data.join("shipshape.db")).unwrap();
        let mut statement = conn.prepare(SQL).unwrap();
        statement
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// Rows in each table, read from the database itself.
    fn rows(&self) -> [i64; 4] {
        const TABLES: [&str; 4] = ["workshops", "students", "progress_events", "broadcasts"];
        let count = |table: &str| format!("SELECT COUNT(*) FROM {table}");
        if let Some(scratch) = &self.scratch {
            let mut client = scratch.connect().unwrap();
            return TABLES.map(|table| client.query_one(&count(table), &[]).unwrap().get(0));
        }
        let conn = rusqlite::Connection::open(self.data.join("shipshape.db")).unwrap();
        TABLES.map(|table| conn.query_row(&count(table), [], |r| r.get(0)).unwrap())
    }
}

/// Creates a one-lesson workshop and joins "Ana": (workshop id, instructor secret, Ana's
/// token).
fn workshop_with_ana(server: &Server) -> (String, String, String) {
    let (status, created) = server.request(
        "POST",
        "/api/workshops",
        None,
        Some(&json!({"title": "T", "lessons": ["meet-the-cluster"]})),
    );
    assert_eq!(status, 201, "{created}");
    let (status, joined) = server.request(
        "POST",
        "/api/join",
        None,
        Some(&json!({"code": created["join_code"], "name": "Ana"})),
    );
    assert_eq!(status, 201, "{joined}");
    let text = |value: &Value, key: &str| value[key].as_str().unwrap().to_owned();
    (
        text(&created, "id"),
        text(&created, "instructor_secret"),
        text(&joined, "token"),
    )
}

/// Method, path, token, body and the expected status.
type Case<'a> = (&'a str, &'a str, Option<&'a str>, Vec<u8>, u16);

const STEPS: &[&str] = &[
    "front-door",
    "nodes",
    "system-pods",
    "heartbeats",
    "node-details",
];

fn a_class_of_30_survives_kill_9_mid_stream(backend: Backend) {
    let Some(dirs) = dirs(backend) else {
        return;
    };
    let server = Server::start(&dirs);

    let (status, created) = server.request(
        "POST",
        "/api/workshops",
        None,
        Some(&json!({"title": "Thursday class", "lessons": ["meet-the-cluster", "scheduling"]})),
    );
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let secret = created["instructor_secret"].as_str().unwrap().to_owned();
    let code = created["join_code"].as_str().unwrap().to_owned();

    let mut dashboard_stream = server.events(&format!("/api/workshops/{id}/events"), &secret);
    let snapshot = dashboard_stream.expect("snapshot");
    assert_eq!(snapshot["students"], json!([]));

    // 30 students join from one address: a class behind one NAT is not rate-limited.
    let mut students = Vec::new();
    for i in 0..30 {
        let (status, joined) = server.request(
            "POST",
            "/api/join",
            None,
            Some(&json!({"code": code, "name": format!("Student {i:02}")})),
        );
        assert_eq!(status, 201, "{joined}");
        students.push((
            joined["student_id"].as_str().unwrap().to_owned(),
            joined["token"].as_str().unwrap().to_owned(),
        ));
    }
    let mut student_stream = server.events(
        &format!("/api/workshops/{id}/student-events"),
        &students[0].1,
    );
    assert_eq!(student_stream.expect("snapshot")["broadcasts"], json!([]));
    let mut joined_ids = BTreeSet::new();
    for _ in 0..30 {
        joined_ids.insert(
            dashboard_stream.expect("join")["student"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(joined_ids.len(), 30);

    // Everyone reports progress, six clients at a time.
    let acked: Arc<Mutex<BTreeSet<i64>>> = Arc::default();
    let server = Arc::new(server);
    thread::scope(|scope| {
        for group in students.chunks(5) {
            let (server, acked, id) = (Arc::clone(&server), Arc::clone(&acked), id.clone());
            scope.spawn(move || {
                for (_, token) in group {
                    for step in &STEPS[..3] {
                        let body = json!({"kind": "step", "lesson": "meet-the-cluster", "item": step});
                        let (status, ack) = server.request("POST", &format!("/api/workshops/{id}/progress"), Some(token), Some(&body));
                        assert_eq!(status, 201, "{ack}");
                        acked.lock().unwrap().insert(ack["id"].as_i64().unwrap());
                    }
                    let body = json!({"kind": "answer", "lesson": "meet-the-cluster", "item": "ready-workers", "value": {"correct": true}});
                    let (status, ack) = server.request("POST", &format!("/api/workshops/{id}/progress"), Some(token), Some(&body));
                    assert_eq!(status, 201, "{ack}");
                    acked.lock().unwrap().insert(ack["id"].as_i64().unwrap());
                }
            });
        }
    });
    assert_eq!(acked.lock().unwrap().len(), 120);

    // The stream relays every committed event, once each.
    let mut streamed = BTreeSet::new();
    while streamed.len() < 120 {
        let event = dashboard_stream.expect("progress");
        assert!(streamed.insert(event["id"].as_i64().unwrap()), "{event}");
    }
    assert_eq!(&streamed, &*acked.lock().unwrap());

    let (status, dashboard) = server.request(
        "GET",
        &format!("/api/workshops/{id}/dashboard"),
        Some(&secret),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(dashboard["students"].as_array().unwrap().len(), 30);
    for row in dashboard["students"].as_array().unwrap() {
        assert_eq!(row["lessons"][0]["steps_done"], 3, "{row}");
        assert_eq!(row["lessons"][0]["questions_correct"], 1, "{row}");
    }

    // A broadcast reaches the student stream (and the instructor's).
    let (status, sent) = server.request(
        "POST",
        &format!("/api/workshops/{id}/broadcast"),
        Some(&secret),
        Some(&json!({"event": "traffic-spike", "params": {"rps": 400}})),
    );
    assert_eq!(status, 201, "{sent}");
    let got = student_stream.expect("broadcast");
    assert_eq!(
        (got["event"].as_str(), got["params"]["rps"].as_i64()),
        (Some("traffic-spike"), Some(400))
    );

    // Writers keep posting while the server is killed with SIGKILL.
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = students
        .chunks(10)
        .map(|group| {
            let group = group.to_vec();
            let (server, acked, stop, id) = (Arc::clone(&server), Arc::clone(&acked), Arc::clone(&stop), id.clone());
            thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let (_, token) = &group[n % group.len()];
                    let body = json!({"kind": "time", "lesson": "scheduling", "item": "lesson", "value": 1});
                    let bytes = body.to_string().into_bytes();
                    match server.try_request("POST", &format!("/api/workshops/{id}/progress"), Some(token), Some(&bytes)) {
                        Ok((201, _, text)) => {
                            let ack: Value = serde_json::from_str(&text).unwrap();
                            acked.lock().unwrap().insert(ack["id"].as_i64().unwrap());
                        }
                        Ok((status, _, text)) => panic!("unexpected {status}: {text}"),
                        // The server is gone: this one was never acknowledged.
                        Err(_) => thread::sleep(Duration::from_millis(5)),
                    }
                    n += 1;
                }
            })
        })
        .collect();
    let before_kill = acked.lock().unwrap().len();
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.lock().unwrap().len() < before_kill + 60 {
        assert!(Instant::now() < deadline, "writers stalled before the kill");
        assert!(!writers.iter().any(|w| w.is_finished()), "a writer failed");
        thread::sleep(Duration::from_millis(5));
    }
    server.kill_9();
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.join().unwrap();
    }
    // The open stream ends with the process.
    while dashboard_stream.next().is_some() {}

    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 180, "{}", acked.len());
    // Every acknowledged event is in the database, read straight after the crash.
    let stored = dirs.db_ids();
    let missing: Vec<_> = acked.difference(&stored).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");

    // Restart on the same store: the API sees them too, and old tokens still work.
    let server = Server::start(&dirs);
    let mut stream = server.events(&format!("/api/workshops/{id}/events"), &secret);
    let snapshot = stream.expect("snapshot");
    assert_eq!(snapshot["students"].as_array().unwrap().len(), 30);
    assert!(snapshot["events"].as_u64().unwrap() >= acked.len() as u64);
    assert!(snapshot["last_event_id"].as_i64().unwrap() >= *acked.last().unwrap());
    let (status, ack) = server.request(
        "POST",
        &format!("/api/workshops/{id}/progress"),
        Some(&students[7].1),
        Some(&json!({"kind": "step", "lesson": "meet-the-cluster", "item": "heartbeats"})),
    );
    assert_eq!(status, 201, "{ack}");
    let live = stream.expect("progress");
    assert_eq!(live["student_id"].as_str(), Some(students[7].0.as_str()));
    let (status, sse) = server.request(
        "GET",
        &format!("/api/workshops/{id}/student-events"),
        Some(&secret),
        None,
    );
    assert_eq!(status, 403, "{sse}");
}

fn a_real_server_rejects_bad_requests_without_writing(backend: Backend) {
    let Some(dirs) = dirs(backend) else {
        return;
    };
    let server = Server::start(&dirs);
    let (id, secret, token) = workshop_with_ana(&server);
    let (id, token) = (id.as_str(), token.as_str());
    let before = dirs.rows();
    let progress = format!("/api/workshops/{id}/progress");
    let dashboard = format!("/api/workshops/{id}/dashboard");

    let huge = format!(
        "{{\"kind\":\"step\",\"lesson\":\"meet-the-cluster\",\"item\":\"{}\"}}",
        "x".repeat(64 * 1024)
    );
    let cases: Vec<Case> = vec![
        ("POST", &progress, None, b"{}".to_vec(), 401),
        ("POST", &progress, Some("not-a-token"), b"{}".to_vec(), 401),
        (
            "POST",
            &progress,
            Some(secret.as_str()),
            br#"{"kind":"step","lesson":"meet-the-cluster","item":"nodes"}"#.to_vec(),
            403,
        ),
        ("POST", &progress, Some(token), b"{oops".to_vec(), 400),
        ("POST", &progress, Some(token), huge.into_bytes(), 413),
        (
            "POST",
            &progress,
            Some(token),
            br#"{"kind":"step","lesson":"meet-the-cluster","item":"warp"}"#.to_vec(),
            422,
        ),
        ("GET", &dashboard, Some(token), Vec::new(), 403),
        (
            "POST",
            "/api/join",
            None,
            br#"{"code":"ZZZZZZ","name":"Eve"}"#.to_vec(),
            404,
        ),
    ];
    for (method, path, token, body, expected) in cases {
        let body = (!body.is_empty() || method == "POST").then_some(body);
        let (status, head, text) = server
            .try_request(method, path, token, body.as_deref())
            .unwrap();
        assert_eq!(status, expected, "{method} {path}: {text}");
        let lower = head.to_ascii_lowercase();
        assert!(lower.contains("content-type: application/json"), "{head}");
        assert!(lower.contains("content-security-policy: "), "{head}");
        assert!(lower.contains("x-content-type-options: nosniff"), "{head}");
        let value: Value = serde_json::from_str(&text).unwrap();
        assert!(value["error"]["message"].is_string(), "{text}");
    }
    assert_eq!(dirs.rows(), before);
    if dirs.scratch.is_some() {
        // With a database URL nothing is written to the data directory.
        assert!(!dirs.data.join("shipshape.db").exists());
        return;
    }
    // The file is where the README says, in WAL mode.
    assert!(dirs.data.join("shipshape.db").is_file());
    let conn = rusqlite::Connection::open(dirs.data.join("shipshape.db")).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

fn sigterm_ends_open_streams_and_exits(backend: Backend) {
    let Some(dirs) = dirs(backend) else {
        return;
    };
    let server = Server::start(&dirs);
    let (_, created) = server.request(
        "POST",
        "/api/workshops",
        None,
        Some(&json!({"title": "T", "lessons": ["meet-the-cluster"]})),
    );
    let id = created["id"].as_str().unwrap();
    let mut stream = server.events(
        &format!("/api/workshops/{id}/events"),
        created["instructor_secret"].as_str().unwrap(),
    );
    stream.expect("snapshot");
    let pid = server.child.lock().unwrap().id();
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    // The open stream must not hold the graceful shutdown up.
    assert!(stream.next().is_none());
    let started = Instant::now();
    loop {
        if let Some(status) = server.child.lock().unwrap().try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still running after SIGTERM"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

/// Two servers on one PostgreSQL database, as behind a load balancer: whichever server a
/// request lands on, every server's streams relay it, and killing one loses nothing the
/// other (or it) acknowledged.
#[test]
fn two_servers_share_one_postgres_database() {
    let Some(dirs) = dirs(Backend::Postgres) else {
        return;
    };
    let a = Arc::new(Server::start(&dirs));
    let b = Server::start(&dirs);

    let (status, created) = a.request(
        "POST",
        "/api/workshops",
        None,
        Some(&json!({"title": "Two rooms", "lessons": ["meet-the-cluster"]})),
    );
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let secret = created["instructor_secret"].as_str().unwrap().to_owned();
    let code = created["join_code"].as_str().unwrap();

    // The instructor watches through B; students join through A and B in turn.
    let mut dashboard = b.events(&format!("/api/workshops/{id}/events"), &secret);
    assert_eq!(dashboard.expect("snapshot")["students"], json!([]));
    let mut students = Vec::new();
    for i in 0..6 {
        let server: &Server = if i % 2 == 0 { &a } else { &b };
        let (status, joined) = server.request(
            "POST",
            "/api/join",
            None,
            Some(&json!({"code": code, "name": format!("Student {i}")})),
        );
        assert_eq!(status, 201, "{joined}");
        students.push(joined["token"].as_str().unwrap().to_owned());
        let heard = dashboard.expect("join");
        assert_eq!(heard["student"]["name"], format!("Student {i}"));
    }
    // The same name through the other server is still taken: the database decides.
    let (status, taken) = b.request(
        "POST",
        "/api/join",
        None,
        Some(&json!({"code": code, "name": "Student 0"})),
    );
    assert_eq!(status, 409, "{taken}");

    // A student of A listens for broadcasts on A; the instructor broadcasts through B.
    let mut student_stream = a.events(&format!("/api/workshops/{id}/student-events"), &students[0]);
    student_stream.expect("snapshot");
    let (status, sent) = b.request(
        "POST",
        &format!("/api/workshops/{id}/broadcast"),
        Some(&secret),
        Some(&json!({"event": "node-failure", "params": {"node": "worker-2"}})),
    );
    assert_eq!(status, 201, "{sent}");
    let got = student_stream.expect("broadcast");
    assert_eq!(got["id"], sent["id"]);
    assert_eq!(got["params"]["node"], "worker-2");

    // Progress posted to both servers at once reaches B's dashboard, every event once,
    // each workshop's ids in ascending order (commit order).
    let acked: Arc<Mutex<BTreeSet<i64>>> = Arc::default();
    let b = Arc::new(b);
    thread::scope(|scope| {
        for (n, token) in students.iter().enumerate() {
            let server = Arc::clone(if n % 2 == 0 { &a } else { &b });
            let (acked, id) = (Arc::clone(&acked), id.clone());
            scope.spawn(move || {
                for step in STEPS {
                    let body = json!({"kind": "step", "lesson": "meet-the-cluster", "item": step});
                    let (status, ack) = server.request(
                        "POST",
                        &format!("/api/workshops/{id}/progress"),
                        Some(token),
                        Some(&body),
                    );
                    assert_eq!(status, 201, "{ack}");
                    acked.lock().unwrap().insert(ack["id"].as_i64().unwrap());
                }
            });
        }
    });
    let acked = acked.lock().unwrap().clone();
    assert_eq!(acked.len(), students.len() * STEPS.len());
    let mut streamed = Vec::new();
    while streamed.len() < acked.len() {
        streamed.push(dashboard.expect("progress")["id"].as_i64().unwrap());
    }
    assert!(
        streamed.windows(2).all(|pair| pair[0] < pair[1]),
        "ids out of commit order: {streamed:?}"
    );
    assert_eq!(streamed.into_iter().collect::<BTreeSet<_>>(), acked);

    // A dies; B and its open stream carry on, and A's acknowledged events are stored.
    a.kill_9();
    let (status, ack) = b.request(
        "POST",
        &format!("/api/workshops/{id}/progress"),
        Some(&students[1]),
        Some(&json!({"kind": "answer", "lesson": "meet-the-cluster", "item": "ready-workers", "value": {"correct": true}})),
    );
    assert_eq!(status, 201, "{ack}");
    assert_eq!(dashboard.expect("progress")["id"], ack["id"]);
    let stored = dirs.db_ids();
    assert!(acked.is_subset(&stored));
    let (status, summary) = b.request(
        "GET",
        &format!("/api/workshops/{id}/dashboard"),
        Some(&secret),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(summary["students"].as_array().unwrap().len(), 6);
    assert_eq!(summary["events"], acked.len() + 1);
}

/// The database drops every connection of the server (a failover, an administrator's
/// `pg_terminate_backend`): the next requests reconnect instead of failing, and the open
/// dashboard gets a fresh snapshot, since notifications sent meanwhile are gone.
#[test]
fn a_server_recovers_when_postgres_drops_its_connections() {
    let Some(dirs) = dirs(Backend::Postgres) else {
        return;
    };
    let scratch = dirs.scratch.as_ref().unwrap();
    let server = Server::start(&dirs);
    let (id, secret, token) = workshop_with_ana(&server);
    let (id, secret, token) = (id.as_str(), secret.as_str(), token.as_str());
    let progress = format!("/api/workshops/{id}/progress");
    let mut stream = server.events(&format!("/api/workshops/{id}/events"), secret);
    // (The join may still arrive on the stream too: it was committed just before.)
    stream.expect("snapshot");
    let (status, _) = server.request("POST", &progress, Some(token), Some(&step("nodes")));
    assert_eq!(status, 201);
    stream.expect("progress");

    let mut admin = scratch.connect().unwrap();
    let killed: i64 = admin
        .query_one(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(
        killed >= 2,
        "the writer and the listener at least: {killed}"
    );

    // The stream re-reads the dashboard once the feed is back.
    let snapshot = stream.expect("snapshot");
    assert_eq!(snapshot["events"], 1, "{snapshot}");
    // Reads and writes reconnect on their own: no request fails.
    let (status, ack) = server.request("POST", &progress, Some(token), Some(&step("heartbeats")));
    assert_eq!(status, 201, "{ack}");
    assert_eq!(stream.expect("progress")["id"], ack["id"]);
    let (status, _) = server.request(
        "GET",
        &format!("/api/workshops/{id}/dashboard"),
        Some(secret),
        None,
    );
    assert_eq!(status, 200);
}

fn step(item: &str) -> Value {
    json!({"kind": "step", "lesson": "meet-the-cluster", "item": item})
}

/// Behind a load balancer (`--trusted-proxy`), wrong join codes count per student address
/// from `X-Forwarded-For`, so one guesser doesn't lock the class out; without the flag
/// the header is ignored, so a guesser cannot dodge the limit by making addresses up.
#[test]
fn the_guess_limit_counts_per_forwarded_client_only_behind_a_trusted_proxy() {
    let Some(dirs) = dirs(Backend::Sqlite) else {
        return;
    };
    let join = |server: &Server, code: &str, name: &str, client: &str| {
        let body = json!({"code": code, "name": name}).to_string().into_bytes();
        server
            .try_request_with(
                "POST",
                "/api/join",
                None,
                Some(&body),
                &[("X-Forwarded-For", client)],
            )
            .unwrap()
            .0
    };
    for (trusted, spoof_escapes) in [(true, true), (false, false)] {
        let args: &[&str] = if trusted {
            &["--trusted-proxy", "127.0.0.1,10.0.0.0/8"]
        } else {
            &[]
        };
        let server = Server::start_with(&dirs, args);
        let (_, created) = server.request(
            "POST",
            "/api/workshops",
            None,
            Some(&json!({"title": "T", "lessons": ["meet-the-cluster"]})),
        );
        let code = created["join_code"].as_str().unwrap();
        for i in 0..10 {
            assert_eq!(
                join(&server, "222222", &format!("G{i}"), "203.0.113.7"),
                404
            );
        }
        assert_eq!(join(&server, "222222", "G10", "203.0.113.7"), 429);
        // Another student behind the same balancer, with the right code.
        let other = join(&server, code, &format!("Ana {trusted}"), "203.0.113.8");
        assert_eq!(other == 201, spoof_escapes, "trusted={trusted}: {other}");
        drop(server);
    }
}
