//! The `shipshape` binary: parses the command line and hands off to the `server` library.
//!
//! Exit codes: 0 success, 1 a command or lesson check failed, 2 usage errors (clap's own
//! convention, kept for bad inputs such as an unknown scenario or unreadable script).

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use server::cli::{
    BenchCommand, BenchSchedulerArgs, BenchTimelineArgs, BenchWorkshopArgs, Cli, Command,
    ConformanceArgs, LessonsCommand, RunArgs, ServeArgs,
};
use server::run::{RunError, RunOptions};
use server::{ServeConfig, lessons_cmd};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Run(args) => run(args),
        Command::Lessons { command } => match command {
            LessonsCommand::List { json } => {
                let text = if json {
                    lessons_cmd::list_json()
                } else {
                    lessons_cmd::list_table()
                };
                print(&text)
            }
            LessonsCommand::Check => {
                let (text, clean) = lessons_cmd::check();
                let code = print(&text);
                if clean { code } else { ExitCode::FAILURE }
            }
        },
        Command::Conformance(args) => conformance(args),
        Command::Bench { command } => match command {
            BenchCommand::Scheduler(args) => bench_scheduler(args),
            BenchCommand::Timeline(args) => bench_timeline(args),
            BenchCommand::Workshop(args) => bench_workshop(args),
        },
    }
}

fn conformance(args: ConformanceArgs) -> ExitCode {
    match server::conformance::run(&args.files) {
        Ok(outcome) => {
            let code = print(&outcome.text);
            if outcome.failed > 0 {
                ExitCode::FAILURE
            } else {
                code
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn bench_scheduler(args: BenchSchedulerArgs) -> ExitCode {
    let report = server::bench::scheduler(server::bench::Options {
        nodes: args.nodes,
        init_pods: args.init_pods.unwrap_or(args.nodes),
        pods: args.pods,
        seed: args.seed,
    });
    print(&report.text())
}

fn bench_timeline(args: BenchTimelineArgs) -> ExitCode {
    let report = server::bench::timeline(server::bench::TimelineOptions {
        events: args.events,
        seeks: args.seeks,
        seed: args.seed,
        interval: args.checkpoint_commands,
        event_interval: args.checkpoint_events,
    });
    print(&report.text())
}

fn bench_workshop(args: BenchWorkshopArgs) -> ExitCode {
    let options = server::bench::workshop::Options {
        students: args.students,
        interval: args.interval,
        duration: args.duration,
        url: args.url,
        database_url: args.database_url,
    };
    if let Err(error) = server::bench::workshop::check(&options) {
        eprintln!("shipshape: bench workshop: {error}");
        return ExitCode::from(2);
    }
    match server::bench::workshop::run(options) {
        Ok(report) => {
            let code = print(&report.text());
            if report.lost() > 0 {
                eprintln!("shipshape: {} acknowledged events were lost", report.lost());
                ExitCode::FAILURE
            } else {
                code
            }
        }
        Err(error) => {
            eprintln!("shipshape: bench workshop: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: RunArgs) -> ExitCode {
    let options = RunOptions {
        scenario: args.scenario,
        seed: args.seed,
        workspace: args.workspace,
    };
    let result = server::run::read_script(&args.script)
        .and_then(|script| server::run::run(&options, &script));
    match result {
        Ok(transcript) => {
            let code = print(&transcript.text);
            if transcript.failures > 0 {
                eprintln!(
                    "shipshape: {} command{} failed",
                    transcript.failures,
                    if transcript.failures == 1 { "" } else { "s" }
                );
                ExitCode::FAILURE
            } else {
                code
            }
        }
        Err(error) => usage_error(&error),
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    // Logs go to stderr, coloured only for a terminal, so redirected logs stay plain text.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let config = ServeConfig {
        dist: args.dist,
        data: args.data,
        database_url: args.database_url,
        trusted_proxies: server::workshop::trusted_proxies::TrustedProxies(args.trusted_proxies),
    };
    let addr = SocketAddr::new(args.host, args.port);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("shipshape: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(server::listen(config, addr)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("shipshape: cannot serve on {addr}: {error}");
            ExitCode::FAILURE
        }
    }
}

fn usage_error(error: &RunError) -> ExitCode {
    eprintln!("shipshape: {error}");
    ExitCode::from(2)
}

/// Writes to stdout, treating a closed pipe (`shipshape run x | head`) as success.
fn print(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("shipshape: cannot write output: {error}");
            ExitCode::FAILURE
        }
    }
}
