//! The `shipshape` command line, declared with clap's derive API.
//!
//! Only the shape of the arguments lives here; `main.rs` hands them to the library.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// Shipshape: learn containers and orchestration by driving a simulated cluster.
#[derive(Debug, Parser)]
#[command(name = "shipshape", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands of `shipshape`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the built web app and the workshop API over HTTP.
    ///
    /// The app comes from `--dist` (SPA fallback, compression, cache headers, a CSP that
    /// allows exactly its inline start-up script). The workshop API lives under `/api`
    /// and is described by `GET /api/openapi.json`: `POST /api/workshops` (create; returns
    /// the join code and the instructor secret), `POST /api/join` (students), `POST
    /// /api/workshops/{id}/progress`, and for the instructor `.../dashboard`, `.../events`
    /// (live, Server-Sent Events), `.../broadcast` and `.../results.csv`.
    ///
    /// Workshops are stored in SQLite at `<DATA>/shipshape.db` (WAL, every write fsynced
    /// before it is acknowledged; the schema is migrated on start). Back it up with
    /// `sqlite3 shipshape.db ".backup copy.db"`, not by copying the file while serving.
    /// With `--database-url` (or `DATABASE_URL`) they are stored in that PostgreSQL
    /// database instead, same schema and migrations, and several servers may share it
    /// behind a load balancer: each relays the others' writes to its live streams
    /// (LISTEN/NOTIFY). Stops gracefully on Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Run a script of learner commands in the simulator and print the transcript.
    ///
    /// Each non-blank line that doesn't start with `#` is one command, typed as a learner
    /// would (`kubectl get nodes`, `sim advance 30s`). The transcript shows `$ command`
    /// followed by its output. The same script, scenario, seed and workspace always give
    /// byte-identical output. Exits 1 if any command failed (the whole transcript is
    /// still printed), 2 for usage errors such as an unknown scenario.
    Run(RunArgs),
    /// Inspect the built-in lessons.
    Lessons {
        /// Which lessons operation to run.
        #[command(subcommand)]
        command: LessonsCommand,
    },
    /// Run upstream conformance vector files through the simulator's own code.
    ///
    /// Each file is a vector file (`{topic, version, cases: [{id, kind, input, expected}]}`,
    /// e.g. `../shared/reference/vectors/*.json`). Every case goes through the same
    /// functions the simulation uses; the file's `topic` picks the runner (cases of other
    /// kinds find theirs by kind). Prints `PASS id`, `FAIL id: expected …, got …` or
    /// `SKIP id` (a kind the simulator does not implement) per case,
    /// then `N passed, M failed, K skipped`. Exits 1 if any case failed, 2 if a file cannot
    /// be read or is not a vector file.
    Conformance(ConformanceArgs),
    /// Measure the simulator against upstream benchmarks, and the workshop server under load.
    Bench {
        /// Which benchmark to run.
        #[command(subcommand)]
        command: BenchCommand,
    },
}

/// Options of `shipshape conformance`.
#[derive(Debug, Args)]
pub struct ConformanceArgs {
    /// Vector files to run.
    #[arg(value_name = "FILE.json", required = true)]
    pub files: Vec<PathBuf>,
}

/// The subcommands of `shipshape bench`.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Schedule pods with the simulator's kube-scheduler, in upstream scheduler_perf's
    /// `SchedulingBasic` shape.
    ///
    /// Nodes are upstream's default node template (4 cpu, 32Gi memory, 110 pods); pods
    /// are its default pod template (100m cpu, 500Mi memory). Each pod gets one scheduling
    /// cycle through the same code the simulation runs (Filter, Score, seeded tie-break,
    /// cache update). `--init-pods` are scheduled first, untimed; then `--pods` are timed.
    /// Prints pods/s, peak memory, and upstream's CI threshold for comparison.
    Scheduler(BenchSchedulerArgs),
    /// Seek back and forth on a long timeline, as the app's timeline slider does.
    ///
    /// Builds a timeline of at least `--events` events from a realistic learner session
    /// (nodes, deployments, scaling, an HPA under `sim traffic`, `sim advance`), with the
    /// app's checkpoint policy, then seeks to `--seeks` random positions (seeded). Prints
    /// the timeline's length, checkpoints and a memory estimate, the build time, and seek
    /// p50/p99/max against the 50 ms budget.
    Timeline(BenchTimelineArgs),
    /// Load the workshop API like a class: students posting progress, one dashboard open.
    ///
    /// Starts the real server in this process on a free loopback port with a fresh
    /// temporary data directory (a real SQLite file, WAL, synchronous=FULL; or the
    /// PostgreSQL database of `--database-url`), or loads the server at `--url`. Creates a workshop, joins `--students` students, opens the
    /// instructor's event stream, then each student posts a progress event every
    /// `--interval` for `--duration` over its own keep-alive connection (first posts spread
    /// over one interval). Prints acks/s, acknowledge latency p50/p99/max (request sent →
    /// 201 read) against the 50 ms p99 target, dashboard delay (201 read → the same event
    /// id on the stream), errors, and lost events: acknowledged ids missing from the
    /// stream or, for the in-process server, from the database. The server and the
    /// load generator share the machine's cores. Exits 1 if an acknowledged event was lost.
    Workshop(BenchWorkshopArgs),
}

/// Options of `shipshape bench workshop`.
#[derive(Debug, Args)]
pub struct BenchWorkshopArgs {
    /// Students posting progress, one connection each.
    #[arg(long, value_name = "N", default_value_t = 500)]
    pub students: usize,
    /// Time between one student's posts (`2s`, `500ms`, `1m`).
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    pub interval: Duration,
    /// How long the students keep posting.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Load the server running at this root URL (`http://host:port`) instead of starting
    /// one; its database is then not checked.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Have the in-process server store workshops in this PostgreSQL database (as
    /// `shipshape serve --database-url`) instead of a fresh SQLite file.
    #[arg(long, value_name = "POSTGRES_URL", conflicts_with = "url")]
    pub database_url: Option<String>,
}

/// Parses `250ms`, `2s`, `1.5s` or `1m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 500ms, 2s or 1m"))?;
    let seconds = match unit.trim() {
        "ms" => number / 1000.0,
        "s" => number,
        "m" | "min" => number * 60.0,
        _ => return Err(format!("`{text}` needs a unit: ms, s or m (500ms, 2s, 1m)")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("`{text}`: {e}"))
}

/// Options of `shipshape bench timeline`.
#[derive(Debug, Args)]
pub struct BenchTimelineArgs {
    /// Minimum number of events on the timeline.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub events: usize,
    /// Random seeks to time.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub seeks: usize,
    /// Seed for the seek targets.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    /// Checkpoint after this many commands.
    #[arg(long, value_name = "N", default_value_t = simulator::timeline::DEFAULT_INTERVAL)]
    pub checkpoint_commands: usize,
    /// Checkpoint after this many events.
    #[arg(long, value_name = "N", default_value_t = simulator::timeline::DEFAULT_EVENT_INTERVAL)]
    pub checkpoint_events: usize,
}

/// Options of `shipshape bench scheduler`.
#[derive(Debug, Args)]
pub struct BenchSchedulerArgs {
    /// Nodes in the cluster.
    #[arg(long, value_name = "N", default_value_t = 5000)]
    pub nodes: usize,
    /// Pods to schedule while timed (upstream's measurePods).
    #[arg(long, value_name = "N", default_value_t = 50_000)]
    pub pods: usize,
    /// Pods to schedule before timing starts (upstream's initPods) [default: --nodes].
    #[arg(long, value_name = "N")]
    pub init_pods: Option<usize>,
    /// Seed for breaking score ties.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
}

/// Options of `shipshape serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TCP port to listen on.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to bind; use 0.0.0.0 to accept connections from other machines.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Directory for the server's own data: the workshop database `shipshape.db` (with
    /// its `-wal` and `-shm` files); created if missing.
    #[arg(long, value_name = "DIR", default_value = "data")]
    pub data: PathBuf,
    /// Directory holding the built app (Trunk's output, with index.html).
    #[arg(long, value_name = "DIR", default_value = "dist")]
    pub dist: PathBuf,
    /// Store workshops in this PostgreSQL database instead of `<DATA>/shipshape.db`:
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE` or `host=... dbname=...`. The role
    /// needs to create tables on first start. Plain connections only (no TLS): keep the
    /// database on a private network.
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// A load balancer (address, or network as ADDRESS/BITS) whose `X-Forwarded-For`
    /// header names the client; repeat or separate with commas. Only used to count wrong
    /// join codes per student address instead of per balancer; never trust a network
    /// that clients can connect from directly.
    #[arg(
        long = "trusted-proxy",
        value_name = "NETWORK",
        value_delimiter = ',',
        value_parser = parse_network
    )]
    pub trusted_proxies: Vec<crate::workshop::trusted_proxies::Network>,
}

/// Parses `--trusted-proxy` values.
fn parse_network(text: &str) -> Result<crate::workshop::trusted_proxies::Network, String> {
    text.parse()
}

/// Options of `shipshape run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Seed for the simulation's random choices (defaults to the scenario's own seed).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Named starting scenario [default: default]; an unknown name lists the others.
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Load this directory's text files into the simulation's workspace (what `ls` and
    /// `cat` see, and what `docker build` builds from).
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    /// The script file, or `-` to read it from standard input.
    #[arg(value_name = "SCRIPT")]
    pub script: PathBuf,
}

/// The subcommands of `shipshape lessons`.
#[derive(Debug, Subcommand)]
pub enum LessonsCommand {
    /// List the built-in lessons as a table (or JSON).
    List {
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Replay every lesson, its quiz answers and challenge solutions; exit 1 on any problem.
    Check,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn run_takes_stdin_as_dash() {
        let cli = Cli::try_parse_from(["shipshape", "run", "--seed", "3", "-"]).unwrap();
        match cli.command {
            Command::Run(args) => {
                assert_eq!(args.seed, Some(3));
                assert_eq!(args.script, PathBuf::from("-"));
            }
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn bench_workshop_has_defaults_and_reads_durations() {
        let cli = Cli::try_parse_from(["shipshape", "bench", "workshop"]).unwrap();
        match cli.command {
            Command::Bench {
                command: BenchCommand::Workshop(args),
            } => {
                assert_eq!(args.students, 500);
                assert_eq!(args.interval, Duration::from_secs(2));
                assert_eq!(args.duration, Duration::from_secs(60));
                assert_eq!(args.url, None);
            }
            other => panic!("parsed as {other:?}"),
        }
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_duration("2").is_err());
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("2h").is_err());
    }

    #[test]
    fn bench_timeline_has_defaults() {
        let cli = Cli::try_parse_from(["shipshape", "bench", "timeline", "--seeks", "5"]).unwrap();
        match cli.command {
            Command::Bench {
                command: BenchCommand::Timeline(args),
            } => {
                assert_eq!((args.events, args.seeks, args.seed), (10_000, 5, 1));
            }
            other => panic!("parsed as {other:?}"),
        }
    }
}
