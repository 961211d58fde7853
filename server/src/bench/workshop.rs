//! `shipshape bench workshop`: a class's load on the workshop API.
//!
//! Without a URL it starts the real server (the same [`crate::serve_until`] that
//! `shipshape serve` runs, on its own multi-threaded tokio runtime) on a free loopback
//! port with a fresh data directory, so every write goes to a real SQLite file in WAL mode
//! with `synchronous=FULL`, or, with a database URL, to PostgreSQL (whose live streams
//! then go through the LISTEN/NOTIFY change feed). Then it creates a workshop, joins the students, opens one
//! instructor event stream, and has every student post a progress event every interval
//! over its own keep-alive connection, the first posts spread evenly over the first
//! interval. It measures:
//!
//! - acknowledge latency: request written → `201` read, per event;
//! - dashboard delay: `201` read → the event with the id from that `201` read off the
//!   instructor's stream (zero when the stream was first, which happens: the server
//!   publishes before it answers);
//! - lost events: acknowledged ids never seen on the stream, and acknowledged ids missing
//!   from the database afterwards (read through a fresh store after the server stops).
//!
//! The load generator is one thread (a current-thread tokio runtime) with a few lines of
//! HTTP/1.1 over `TcpStream`, so it needs no HTTP client crate and costs little; it still
//! shares the machine's cores with the server, which the report says.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::time::MissedTickBehavior;

use super::{peak_memory, quantile};

/// The lesson every student reports progress in.
pub const LESSON: &str = "meet-the-cluster";
/// Issue #8's target for the 99th percentile of acknowledge latency.
pub const ACK_TARGET: Duration = Duration::from_millis(50);
/// A request not answered in this long counts as a timeout (and its connection is dropped).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait, after the last answer, for the stream to relay what is missing.
const STREAM_GRACE: Duration = Duration::from_secs(10);
/// Connections that join the students (before the clock starts).
const JOINERS: usize = 8;
/// Time between the end of the set-up and the first post.
const LEAD: Duration = Duration::from_millis(200);

/// What `shipshape bench workshop` runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Students posting progress.
    pub students: usize,
    /// Time between one student's posts.
    pub interval: Duration,
    /// How long students keep posting.
    pub duration: Duration,
    /// A running server (`http://host:port`) to load instead of an in-process one.
    pub url: Option<String>,
    /// The in-process server stores workshops in this PostgreSQL database instead of a
    /// fresh SQLite file.
    pub database_url: Option<String>,
}

/// Requests that did not end in a `201`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Errors {
    /// Answers with another status, by status.
    pub statuses: BTreeMap<u16, usize>,
    /// Connections that failed or closed mid-request.
    pub io: usize,
    /// Requests unanswered after 10 s.
    pub timeouts: usize,
}

impl Errors {
    /// Every failed request.
    pub fn total(&self) -> usize {
        self.statuses.values().sum::<usize>() + self.io + self.timeouts
    }

    fn add(&mut self, other: &Self) {
        for (status, count) in &other.statuses {
            *self.statuses.entry(*status).or_default() += count;
        }
        self.io += other.io;
        self.timeouts += other.timeouts;
    }
}

/// What the database held once the in-process server had stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatabaseCheck {
    /// The workshop's rows in `progress_events`.
    pub rows: u64,
    /// Acknowledged ids without a row.
    pub missing: usize,
}

/// A finished `shipshape bench workshop`.
#[derive(Debug, Clone)]
pub struct Report {
    /// The options it ran with.
    pub options: Options,
    /// The server's base URL.
    pub base: String,
    /// Whether the server ran in this process (on a fresh data directory).
    pub in_process: bool,
    /// Time to join every student.
    pub join_time: Duration,
    /// Progress posts sent.
    pub sent: usize,
    /// Progress posts answered `201`.
    pub acked: usize,
    /// Progress posts that failed.
    pub errors: Errors,
    /// First post sent → last answer read.
    pub window: Duration,
    /// Every acknowledge latency, sorted ascending.
    pub ack_latencies: Vec<Duration>,
    /// Every dashboard delay of an acknowledged event seen on the stream, sorted ascending.
    pub dashboard_delays: Vec<Duration>,
    /// Acknowledged events the stream relayed before their `201` was read.
    pub seen_before_ack: usize,
    /// Acknowledged ids never seen on the stream.
    pub missing_from_stream: usize,
    /// Fresh snapshots the stream sent after its first (it had fallen behind).
    pub stream_resyncs: usize,
    /// Progress ids the stream relayed more than once.
    pub stream_duplicates: usize,
    /// The database check; `None` against a server given by URL.
    pub database: Option<DatabaseCheck>,
    /// The process's peak resident memory in bytes (Linux `VmHWM`), if known.
    pub peak_memory: Option<u64>,
}

impl Report {
    /// Acknowledged posts per second over the measured window.
    pub fn acks_per_second(&self) -> f64 {
        let secs = self.window.as_secs_f64();
        if secs > 0.0 {
            self.acked as f64 / secs
        } else {
            0.0
        }
    }

    /// Acknowledged events lost: missing from the stream or from the database.
    pub fn lost(&self) -> usize {
        self.missing_from_stream + self.database.map_or(0, |db| db.missing)
    }

    /// The lines `shipshape bench workshop` prints.
    pub fn text(&self) -> String {
        let o = &self.options;
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let cores = std::thread::available_parallelism().map_or(0, usize::from);
        let mut out = format!(
            "workload: {} students each posting a progress event every {} for {} (first posts spread over one interval; one keep-alive connection each), 1 instructor event stream\n",
            o.students,
            duration_text(o.interval),
            duration_text(o.duration),
        );
        if self.in_process {
            out.push_str(&format!(
                "server: in-process at {} (tokio, {cores} worker threads), {}; load generator: 1 thread; both share this machine's {cores} cores\n",
                self.base,
                if self.options.database_url.is_some() {
                    "workshops in PostgreSQL (synchronous_commit=on, LISTEN/NOTIFY feed)"
                } else {
                    "fresh data directory (SQLite WAL, synchronous=FULL)"
                }
            ));
        } else {
            out.push_str(&format!(
                "server: {} (its database is not checked); load generator: 1 thread on {cores} cores\n",
                self.base
            ));
        }
        out.push_str(&format!(
            "set-up: {} students joined in {:.2}s\n",
            o.students,
            self.join_time.as_secs_f64()
        ));
        out.push_str(&format!(
            "progress: {} sent, {} acknowledged in {:.1}s: {:.1} acks/s; errors: {}\n",
            self.sent,
            self.acked,
            self.window.as_secs_f64(),
            self.acks_per_second(),
            errors_text(&self.errors)
        ));
        let ack_max = self.ack_latencies.last().copied().unwrap_or_default();
        let p99 = quantile(&self.ack_latencies, 0.99);
        out.push_str(&format!(
            "ack latency (request sent → 201 read): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target p99 < {} ms: {})\n",
            ms(quantile(&self.ack_latencies, 0.5)),
            ms(p99),
            ms(ack_max),
            ACK_TARGET.as_millis(),
            if self.acked > 0 && p99 < ACK_TARGET {
                "met"
            } else {
                "MISSED"
            }
        ));
        let delay_max = self.dashboard_delays.last().copied().unwrap_or_default();
        out.push_str(&format!(
            "dashboard delay (201 read → same id on the stream): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} of {} relayed before their 201 was read)\n",
            ms(quantile(&self.dashboard_delays, 0.5)),
            ms(quantile(&self.dashboard_delays, 0.99)),
            ms(delay_max),
            self.seen_before_ack,
            self.dashboard_delays.len()
        ));
        if self.stream_resyncs > 0 || self.stream_duplicates > 0 {
            out.push_str(&format!(
                "stream: {} fresh snapshots after falling behind, {} ids relayed twice\n",
                self.stream_resyncs, self.stream_duplicates
            ));
        }
        let database = match self.database {
            Some(db) => format!(
                "{} from the database, which holds {} progress rows for the workshop",
                db.missing, db.rows
            ),
            None => "database not checked".to_owned(),
        };
        out.push_str(&format!(
            "lost: {} (acknowledged but missing: {} from the stream, {database})\n",
            self.lost(),
            self.missing_from_stream
        ));
        match self.peak_memory {
            Some(bytes) => out.push_str(&format!(
                "peak memory: {} MB ({})\n",
                bytes / 1_000_000,
                if self.in_process {
                    "server and load generator"
                } else {
                    "load generator"
                }
            )),
            None => out.push_str("peak memory: unknown (no /proc/self/status VmHWM)\n"),
        }
        out
    }
}

fn duration_text(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.3}s", d.as_secs_f64())
    }
}

fn errors_text(errors: &Errors) -> String {
    if errors.total() == 0 {
        return "none".to_owned();
    }
    let mut parts: Vec<String> = errors
        .statuses
        .iter()
        .map(|(status, n)| format!("{n} × {status}"))
        .collect();
    if errors.io > 0 {
        parts.push(format!("{} connection failures", errors.io));
    }
    if errors.timeouts > 0 {
        parts.push(format!("{} timeouts", errors.timeouts));
    }
    format!("{} ({})", errors.total(), parts.join(", "))
}

/// Whether the options make sense (the command line's usage errors).
pub fn check(options: &Options) -> Result<(), String> {
    if options.students == 0 {
        return Err("--students must be at least 1".to_owned());
    }
    if options.interval.is_zero() || options.duration.is_zero() {
        return Err("--interval and --duration must be more than zero".to_owned());
    }
    if let Some(url) = &options.url {
        Target::parse(url)?;
        if options.database_url.is_some() {
            return Err(
                "--database-url configures the in-process server; leave out --url".to_owned(),
            );
        }
    }
    Ok(())
}

/// Runs the load and checks the outcome. Errors are set-up failures (the server did not
/// start, a workshop could not be created, a student could not join, no stream).
pub fn run(options: Options) -> Result<Report, String> {
    check(&options)?;
    let local = match &options.url {
        None => Some(LocalServer::start(options.database_url.clone())?),
        Some(_) => None,
    };
    let target = match (&options.url, &local) {
        (Some(url), _) => Target::parse(url)?,
        (None, Some(server)) => Target {
            authority: server.addr.to_string(),
            base: format!("http://{}", server.addr),
        },
        (None, None) => unreachable!("a local server was started above"),
    };
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the load generator's runtime: {e}"))?;
    let load = client.block_on(drive(&options, &target));
    // Closes every client connection before the server is stopped.
    drop(client);
    let load = load?;
    let database = match local {
        Some(server) => Some(server.stop_and_check(&load.workshop_id, &load.acks)?),
        None => None,
    };
    Ok(load.report(options, target.base, database))
}

/// Where the server is.
struct Target {
    /// `host:port`, for connecting and the `Host` header.
    authority: String,
    /// `http://host:port`, for the report.
    base: String,
}

impl Target {
    fn parse(url: &str) -> Result<Self, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            format!("--url must be an http:// URL such as http://127.0.0.1:8080 (got {url})")
        })?;
        let authority = rest.trim_end_matches('/');
        if authority.is_empty() || authority.contains('/') {
            return Err(format!(
                "--url must be the server's root, such as http://127.0.0.1:8080 (got {url})"
            ));
        }
        let authority = if authority.contains(':') && !authority.ends_with(']') {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        Ok(Self {
            base: format!("http://{authority}"),
            authority,
        })
    }
}

/// The real server on a free loopback port, with its own runtime and data directory.
struct LocalServer {
    runtime: tokio::runtime::Runtime,
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<io::Result<()>>,
    config: crate::ServeConfig,
    _dir: tempfile::TempDir,
}

impl LocalServer {
    fn start(database_url: Option<String>) -> Result<Self, String> {
        let dir = tempfile::Builder::new()
            .prefix("shipshape-bench-")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let data = dir.path().join("data");
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(&dist)
            .and_then(|()| std::fs::write(dist.join("index.html"), "<!doctype html>\n"))
            .map_err(|e| format!("cannot prepare {}: {e}", dist.display()))?;
        // The runtime `shipshape serve` uses: multi-threaded, one worker per core.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("shipshape-server")
            .build()
            .map_err(|e| format!("cannot start the server's runtime: {e}"))?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)))
            .map_err(|e| format!("cannot bind a loopback port: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the bound address: {e}"))?;
        let (stop, stopped) = oneshot::channel::<()>();
        let config = crate::ServeConfig {
            database_url,
            ..crate::ServeConfig::new(dist, data)
        };
        let task = runtime.spawn(crate::serve_until(listener, config.clone(), async move {
            let _ = stopped.await;
        }));
        Ok(Self {
            runtime,
            addr,
            stop,
            task,
            config,
            _dir: dir,
        })
    }

    /// Stops the server gracefully, then reads what its database holds for the workshop.
    fn stop_and_check(self, workshop_id: &str, acks: &[Ack]) -> Result<DatabaseCheck, String> {
        let Self {
            runtime,
            stop,
            task,
            config,
            _dir,
            ..
        } = self;
        let _ = stop.send(());
        let served =
            runtime.block_on(async { tokio::time::timeout(Duration::from_secs(30), task).await });
        match served {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(error))) => return Err(format!("the server failed: {error}")),
            Ok(Err(error)) => return Err(format!("the server task failed: {error}")),
            Err(_) => return Err("the server did not stop within 30s".to_owned()),
        }
        runtime.shutdown_timeout(Duration::from_secs(5));
        // A fresh connection through the store's own API: what a restarted server reads.
        let store = crate::open_store(&config)?;
        let stored: HashSet<i64> = store
            .progress(workshop_id)
            .map_err(|e| format!("cannot read the stored progress: {e}"))?
            .into_iter()
            .map(|event| event.id)
            .collect();
        Ok(DatabaseCheck {
            rows: stored.len() as u64,
            missing: acks.iter().filter(|a| !stored.contains(&a.id)).count(),
        })
    }
}

/// One acknowledged post.
#[derive(Debug, Clone, Copy)]
struct Ack {
    id: i64,
    sent: Instant,
    acked: Instant,
}

/// What one student's task measured.
#[derive(Debug, Default)]
struct StudentLoad {
    sent: usize,
    acks: Vec<Ack>,
    errors: Errors,
}

/// What the stream reader relays to the driver.
#[derive(Debug)]
enum Streamed {
    Snapshot,
    Progress(i64, Instant),
}

/// Everything measured, before the database check.
struct Load {
    workshop_id: String,
    join_time: Duration,
    sent: usize,
    acks: Vec<Ack>,
    errors: Errors,
    first_sent: Option<Instant>,
    seen: HashMap<i64, Instant>,
    resyncs: usize,
    duplicates: usize,
}

impl Load {
    fn report(self, options: Options, base: String, database: Option<DatabaseCheck>) -> Report {
        let last_ack = self.acks.iter().map(|a| a.acked).max();
        let window = match (self.first_sent, last_ack) {
            (Some(first), Some(last)) => last.saturating_duration_since(first),
            _ => Duration::ZERO,
        };
        let mut ack_latencies: Vec<Duration> = self
            .acks
            .iter()
            .map(|a| a.acked.saturating_duration_since(a.sent))
            .collect();
        ack_latencies.sort();
        let mut seen_before_ack = 0;
        let mut missing_from_stream = 0;
        let mut dashboard_delays = Vec::with_capacity(self.acks.len());
        for ack in &self.acks {
            match self.seen.get(&ack.id) {
                Some(&seen) => {
                    if seen < ack.acked {
                        seen_before_ack += 1;
                    }
                    dashboard_delays.push(seen.saturating_duration_since(ack.acked));
                }
                None => missing_from_stream += 1,
            }
        }
        dashboard_delays.sort();
        Report {
            in_process: options.url.is_none(),
            options,
            base,
            join_time: self.join_time,
            sent: self.sent,
            acked: self.acks.len(),
            errors: self.errors,
            window,
            ack_latencies,
            dashboard_delays,
            seen_before_ack,
            missing_from_stream,
            stream_resyncs: self.resyncs,
            stream_duplicates: self.duplicates,
            database,
            peak_memory: peak_memory(),
        }
    }
}

#[derive(Deserialize)]
struct IdOnly {
    id: i64,
}

async fn drive(options: &Options, target: &Target) -> Result<Load, String> {
    // The workshop.
    let mut http = Http::connect(&target.authority)
        .await
        .map_err(|e| format!("cannot connect to {}: {e}", target.base))?;
    let created = http
        .json(
            "POST",
            "/api/workshops",
            None,
            &json!({"title": "Bench class", "lessons": [LESSON]}),
        )
        .await?;
    let field = |name: &str| {
        created[name]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("the created workshop has no `{name}`: {created}"))
    };
    let (id, secret, code) = (
        field("id")?,
        field("instructor_secret")?,
        field("join_code")?,
    );

    // The students, joined over a few connections.
    let started = Instant::now();
    let mut joiners = Vec::new();
    for joiner in 0..JOINERS.min(options.students) {
        let (authority, code, students) =
            (target.authority.clone(), code.clone(), options.students);
        joiners.push(tokio::spawn(async move {
            let mut http = Http::connect(&authority)
                .await
                .map_err(|e| format!("cannot connect: {e}"))?;
            let mut tokens = Vec::new();
            for i in (joiner..students).step_by(JOINERS) {
                let body = json!({"code": code, "name": format!("Student {i:04}")});
                let joined = http.json("POST", "/api/join", None, &body).await?;
                let token = joined["token"]
                    .as_str()
                    .ok_or_else(|| format!("a join answer has no token: {joined}"))?;
                tokens.push((i, token.to_owned()));
            }
            Ok::<_, String>(tokens)
        }));
    }
    let mut tokens = vec![String::new(); options.students];
    for joiner in joiners {
        let joined = joiner
            .await
            .map_err(|e| format!("a joining task failed: {e}"))??;
        for (i, token) in joined {
            tokens[i] = token;
        }
    }
    let join_time = started.elapsed();

    // The instructor's stream, read until its first snapshot.
    let mut stream = Http::connect(&target.authority)
        .await
        .map_err(|e| format!("cannot connect the stream: {e}"))?;
    let events_path = format!("/api/workshops/{id}/events");
    let head = stream
        .open_stream(&events_path, &secret)
        .await
        .map_err(|e| format!("cannot open {events_path}: {e}"))?;
    if head.status != 200 || !head.chunked {
        return Err(format!(
            "{events_path} answered {} (chunked: {})",
            head.status, head.chunked
        ));
    }
    let (streamed_tx, mut streamed) = mpsc::unbounded_channel();
    let reader = tokio::spawn(read_stream(stream, streamed_tx));
    match tokio::time::timeout(REQUEST_TIMEOUT, streamed.recv()).await {
        Ok(Some(Streamed::Snapshot)) => {}
        other => {
            return Err(format!(
                "the stream did not start with a snapshot: {other:?}"
            ));
        }
    }

    // One connection per student, made before the clock starts.
    let mut connections = Vec::with_capacity(options.students);
    for _ in 0..options.students {
        connections.push(Http::connect(&target.authority).await.map_err(|e| {
            format!(
                "cannot open a connection per student ({} so far): {e}{}",
                connections.len(),
                if e.raw_os_error() == Some(24) {
                    " (too many open files: raise `ulimit -n`)"
                } else {
                    ""
                }
            )
        })?);
    }

    // The load.
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(progress_bodies());
    let path: Arc<str> = Arc::from(format!("/api/workshops/{id}/progress"));
    let authority: Arc<str> = Arc::from(target.authority.as_str());
    let t0 = tokio::time::Instant::now() + LEAD;
    let end = t0 + options.duration;
    let n = options.students as u32;
    let mut students = Vec::with_capacity(options.students);
    for (i, (token, http)) in tokens.into_iter().zip(connections).enumerate() {
        let start = t0 + options.interval * i as u32 / n;
        let (bodies, path, authority) = (
            Arc::clone(&bodies),
            Arc::clone(&path),
            Arc::clone(&authority),
        );
        let interval = options.interval;
        students.push(tokio::spawn(async move {
            student(Student {
                http,
                authority,
                path,
                token,
                bodies,
                first: i,
                start,
                end,
                interval,
            })
            .await
        }));
    }
    let mut load = Load {
        workshop_id: id.clone(),
        join_time,
        sent: 0,
        acks: Vec::new(),
        errors: Errors::default(),
        first_sent: None,
        seen: HashMap::new(),
        resyncs: 0,
        duplicates: 0,
    };
    for task in students {
        let one = task
            .await
            .map_err(|e| format!("a student task failed: {e}"))?;
        load.sent += one.sent;
        load.errors.add(&one.errors);
        load.acks.extend(one.acks);
    }
    load.first_sent = load.acks.iter().map(|a| a.sent).min();

    // Whatever the stream has not relayed yet, give it a little time.
    let mut missing: HashSet<i64> = load.acks.iter().map(|a| a.id).collect();
    let deadline = tokio::time::Instant::now() + STREAM_GRACE;
    loop {
        let next = if missing.is_empty() {
            match streamed.try_recv() {
                Ok(item) => Some(item),
                Err(_) => break,
            }
        } else {
            match tokio::time::timeout_at(deadline, streamed.recv()).await {
                Ok(Some(item)) => Some(item),
                Ok(None) | Err(_) => break,
            }
        };
        match next {
            Some(Streamed::Snapshot) => load.resyncs += 1,
            Some(Streamed::Progress(id, at)) => {
                missing.remove(&id);
                if load.seen.insert(id, at).is_some() {
                    load.duplicates += 1;
                }
            }
            None => break,
        }
    }
    reader.abort();
    Ok(load)
}

/// The bodies students cycle through: every step of the lesson, then some time spent.
fn progress_bodies() -> Vec<Vec<u8>> {
    let mut bodies: Vec<Vec<u8>> = lessons::find(LESSON)
        .map(|lesson| {
            lesson
                .steps
                .iter()
                .map(|step| {
                    json!({"kind": "step", "lesson": LESSON, "item": step.id})
                        .to_string()
                        .into_bytes()
                })
                .collect()
        })
        .unwrap_or_default();
    bodies.push(
        json!({"kind": "time", "lesson": LESSON, "item": "lesson", "value": 2})
            .to_string()
            .into_bytes(),
    );
    bodies
}

struct Student {
    http: Http,
    authority: Arc<str>,
    path: Arc<str>,
    token: String,
    bodies: Arc<Vec<Vec<u8>>>,
    first: usize,
    start: tokio::time::Instant,
    end: tokio::time::Instant,
    interval: Duration,
}

async fn student(s: Student) -> StudentLoad {
    let mut load = StudentLoad::default();
    let mut http = Some(s.http);
    let mut ticker = tokio::time::interval_at(s.start, s.interval);
    // A post that is late (the previous answer took longer than the interval) goes out
    // at once: every student makes exactly duration / interval posts.
    ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut request = Vec::with_capacity(512);
    for n in 0.. {
        if ticker.tick().await >= s.end {
            break;
        }
        let body = &s.bodies[(s.first + n) % s.bodies.len()];
        let connection = match http.take() {
            Some(connection) => connection,
            None => match Http::connect(&s.authority).await {
                Ok(connection) => connection,
                Err(_) => {
                    load.errors.io += 1;
                    continue;
                }
            },
        };
        let mut connection = connection;
        request.clear();
        connection.write_head(
            &mut request,
            "POST",
            &s.path,
            Some(&s.token),
            Some(body.len()),
        );
        request.extend_from_slice(body);
        load.sent += 1;
        let sent = Instant::now();
        let answer = tokio::time::timeout(REQUEST_TIMEOUT, connection.exchange(&request)).await;
        let acked = Instant::now();
        match answer {
            Ok(Ok(answer)) => {
                let reusable = !answer.close;
                if answer.status == 201 {
                    match serde_json::from_slice::<IdOnly>(&answer.body) {
                        Ok(IdOnly { id }) => load.acks.push(Ack { id, sent, acked }),
                        Err(_) => *load.errors.statuses.entry(201).or_default() += 1,
                    }
                } else {
                    *load.errors.statuses.entry(answer.status).or_default() += 1;
                }
                if reusable {
                    http = Some(connection);
                }
            }
            Ok(Err(_)) => load.errors.io += 1,
            Err(_) => load.errors.timeouts += 1,
        }
    }
    load
}

/// Reads the instructor's stream: one [`Streamed`] per `snapshot` and `progress` event.
async fn read_stream(mut http: Http, out: mpsc::UnboundedSender<Streamed>) {
    let mut text: Vec<u8> = Vec::new();
    while let Ok(Some(chunk)) = http.read_chunk().await {
        let at = Instant::now();
        text.extend_from_slice(&chunk);
        while let Some(end) = text.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = text.drain(..end + 2).collect();
            let block = String::from_utf8_lossy(&block);
            let mut name = "message";
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    name = v.trim();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.strip_prefix(' ').unwrap_or(v));
                }
            }
            let item = match name {
                "snapshot" => Streamed::Snapshot,
                "progress" => match serde_json::from_str::<IdOnly>(&data) {
                    Ok(IdOnly { id }) => Streamed::Progress(id, at),
                    Err(_) => continue,
                },
                _ => continue,
            };
            if out.send(item).is_err() {
                return;
            }
        }
    }
}

/// A response's status line and the headers that say how its body is framed.
#[derive(Debug)]
struct Head {
    status: u16,
    length: Option<usize>,
    chunked: bool,
    close: bool,
}

/// A response.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Vec<u8>,
    close: bool,
}

/// One keep-alive HTTP/1.1 connection.
struct Http {
    io: BufReader<TcpStream>,
    host: String,
    line: Vec<u8>,
}

impl Http {
    async fn connect(authority: &str) -> io::Result<Self> {
        let stream = TcpStream::connect(authority).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            io: BufReader::new(stream),
            host: authority.to_owned(),
            line: Vec::with_capacity(256),
        })
    }

    fn write_head(
        &self,
        out: &mut Vec<u8>,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<usize>,
    ) {
        use std::io::Write;
        let _ = write!(out, "{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.host);
        if let Some(token) = token {
            let _ = write!(out, "Authorization: Bearer {token}\r\n");
        }
        if let Some(length) = body {
            let _ = write!(
                out,
                "Content-Type: application/json\r\nContent-Length: {length}\r\n"
            );
        }
        out.extend_from_slice(b"\r\n");
    }

    /// Sends a whole request and reads the whole answer.
    async fn exchange(&mut self, request: &[u8]) -> io::Result<Answer> {
        self.io.get_mut().write_all(request).await?;
        let head = self.read_head().await?;
        let body = if head.chunked {
            let mut body = Vec::new();
            while let Some(chunk) = self.read_chunk().await? {
                body.extend_from_slice(&chunk);
            }
            body
        } else if let Some(length) = head.length {
            let mut body = vec![0; length];
            self.io.read_exact(&mut body).await?;
            body
        } else if head.close {
            let mut body = Vec::new();
            self.io.read_to_end(&mut body).await?;
            body
        } else {
            Vec::new()
        };
        Ok(Answer {
            status: head.status,
            body,
            close: head.close,
        })
    }

    /// A JSON request whose answer must be a `201` with a JSON body.
    async fn json(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Result<Value, String> {
        let body = body.to_string();
        let mut request = Vec::new();
        self.write_head(&mut request, method, path, token, Some(body.len()));
        request.extend_from_slice(body.as_bytes());
        let answer = tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(&request))
            .await
            .map_err(|_| format!("{method} {path}: no answer in {REQUEST_TIMEOUT:?}"))?
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let value: Value = serde_json::from_slice(&answer.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&answer.body).into_owned()));
        if answer.status != 201 {
            return Err(format!(
                "{method} {path} answered {}: {value}",
                answer.status
            ));
        }
        Ok(value)
    }

    /// Sends `GET path` for an event stream and reads the answer's head.
    async fn open_stream(&mut self, path: &str, token: &str) -> io::Result<Head> {
        let mut request = Vec::new();
        self.write_head(&mut request, "GET", path, Some(token), None);
        // `Accept` goes before the blank line that ends the head.
        request.truncate(request.len() - 2);
        request.extend_from_slice(b"Accept: text/event-stream\r\n\r\n");
        self.io.get_mut().write_all(&request).await?;
        self.read_head().await
    }

    async fn read_line(&mut self) -> io::Result<&[u8]> {
        self.line.clear();
        if self.io.read_until(b'\n', &mut self.line).await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        Ok(self.line.trim_ascii_end())
    }

    async fn read_head(&mut self) -> io::Result<Head> {
        let status_line = String::from_utf8_lossy(self.read_line().await?).into_owned();
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io::Error::other(format!("bad status line {status_line:?}")))?;
        let mut head = Head {
            status,
            length: None,
            chunked: false,
            close: false,
        };
        loop {
            let line = self.read_line().await?;
            if line.is_empty() {
                return Ok(head);
            }
            let line = String::from_utf8_lossy(line).to_ascii_lowercase();
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match name.trim() {
                "content-length" => head.length = value.parse().ok(),
                "transfer-encoding" => head.chunked = value.contains("chunked"),
                "connection" => head.close = value.contains("close"),
                _ => {}
            }
        }
    }

    /// The next chunk of a chunked body; `None` after the last.
    async fn read_chunk(&mut self) -> io::Result<Option<Vec<u8>>> {
        let size_line = String::from_utf8_lossy(self.read_line().await?).into_owned();
        let size = usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| io::Error::other(format!("bad chunk size {size_line:?}")))?;
        if size == 0 {
            // Trailers, if any, end with a blank line.
            while !self.read_line().await?.is_empty() {}
            return Ok(None);
        }
        let mut chunk = vec![0; size + 2];
        self.io.read_exact(&mut chunk).await?;
        chunk.truncate(size);
        Ok(Some(chunk))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_server_root() {
        let t = Target::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            (t.authority.as_str(), t.base.as_str()),
            ("127.0.0.1:8080", "http://127.0.0.1:8080")
        );
        assert_eq!(
            Target::parse("http://example.com").unwrap().authority,
            "example.com:80"
        );
        assert!(Target::parse("https://example.com").is_err());
        assert!(Target::parse("http://example.com/api").is_err());
    }

    #[test]
    fn every_body_is_a_valid_progress_report() {
        let bodies = progress_bodies();
        assert!(bodies.len() > 2);
        let lesson = lessons::find(LESSON).unwrap();
        let workshop = crate::workshop::model::Workshop {
            id: "0123456789abcdef".into(),
            title: "T".into(),
            lessons: vec![LESSON.into()],
            preset: "default".into(),
            join_code: "ABCDEF".into(),
            instructor_secret_hash: String::new(),
            created_at: 0,
        };
        assert_eq!(bodies.len(), lesson.steps.len() + 1);
        for body in bodies {
            let request: crate::workshop::api::ProgressRequest =
                serde_json::from_slice(&body).unwrap();
            crate::workshop::validate::progress(
                &workshop,
                request.kind,
                &request.lesson,
                &request.item,
                &request.value,
            )
            .unwrap();
        }
    }
}
