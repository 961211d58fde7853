//! `cargo xtask`: Shipshape's developer tasks (set-up, build, serve, test).
//!
//! This file only wires the command line to the task modules.

mod bench;
mod build;
mod cli;
mod error;
mod postgres;
mod process;
mod serve;
mod setup;
mod test;
mod workspace;

use std::process::ExitCode;

use cli::Task;
use workspace::Workspace;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> error::Result<()> {
    let task = cli::parse(args)?;
    if let Task::Help(text) = &task {
        println!("{text}");
        return Ok(());
    }
    let ws = Workspace::locate()?;
    match task {
        Task::Help(_) => Ok(()),
        Task::Setup(scope) => setup::run(&ws, scope),
        Task::Build(profile) => {
            setup::run(&ws, setup::Scope::Build)?;
            build::run(&ws, profile)
        }
        Task::Serve(options) => serve::run(&ws, &options),
        Task::Test(options) => test::run(&ws, &options),
        Task::Bench => bench::run(&ws),
    }
}
