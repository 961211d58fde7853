//! Running child processes: echo the command, stream its output, turn failure into an
//! [`Error`] that names the command; and human-readable durations.

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::error::{Error, Result};

/// Prints `$ program args...`, runs the command with inherited stdout/stderr, and
/// fails unless it exits successfully.
pub fn run(command: &mut Command) -> Result<()> {
    let shown = describe(command);
    println!("$ {shown}");
    let status = command
        .status()
        .map_err(|e| Error::new(format!("cannot start `{shown}`: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::new(format!("`{shown}` failed ({status})")))
    }
}

/// Runs the command quietly and returns its trimmed stdout, or `None` if it cannot be
/// started or exits unsuccessfully. For probing tool versions.
pub fn probe(command: &mut Command) -> Option<String> {
    let output = command.stderr(Stdio::null()).output().ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Runs the command quietly and returns its stdout; fails (showing stderr) unless it
/// exits successfully.
pub fn capture(command: &mut Command) -> Result<String> {
    let shown = describe(command);
    let output = command
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| Error::new(format!("cannot start `{shown}`: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Error::new(format!(
            "`{shown}` failed ({}):\n{}",
            output.status,
            stderr.trim_end()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The command as a person would type it (environment overrides other than PATH first).
pub fn describe(command: &Command) -> String {
    let mut shown = String::new();
    for (key, value) in command.get_envs() {
        if key == "PATH" {
            continue;
        }
        if let Some(value) = value {
            let _ = write!(
                shown,
                "{}={} ",
                key.to_string_lossy(),
                value.to_string_lossy()
            );
        }
    }
    shown.push_str(&command.get_program().to_string_lossy());
    for arg in command.get_args() {
        shown.push(' ');
        shown.push_str(&arg.to_string_lossy());
    }
    shown
}

/// A duration as `0.4s`, `12.3s` or `3m 07s`.
pub fn format_duration(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let whole = duration.as_secs();
        format!("{}m {:02}s", whole / 60, whole % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(Duration::from_millis(420)), "0.4s");
        assert_eq!(format_duration(Duration::from_millis(12_340)), "12.3s");
        assert_eq!(format_duration(Duration::from_secs(187)), "3m 07s");
    }

    #[test]
    fn describe_shows_env_overrides_but_not_path() {
        let mut command = Command::new("cargo");
        command
            .args(["test", "-p", "simulator"])
            .env("PATH", "/bin")
            .env("RUNNER", "x");
        assert_eq!(describe(&command), "RUNNER=x cargo test -p simulator");
    }

    #[test]
    fn probe_and_capture_report_exit_status() {
        assert_eq!(
            probe(Command::new("sh").args(["-c", "echo ' hi '"])),
            Some("hi".into())
        );
        assert_eq!(probe(Command::new("sh").args(["-c", "exit 3"])), None);
        assert_eq!(probe(&mut Command::new("/nonexistent/tool")), None);
        let err = capture(Command::new("sh").args(["-c", "echo oops >&2; exit 1"])).unwrap_err();
        assert!(err.to_string().contains("oops"), "{err}");
    }
}
