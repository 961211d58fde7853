//! Scripts: one learner command per line, run in order, printed as a transcript.
//!
//! This is what `shipshape run` prints and what golden tests compare byte for byte.

use crate::Simulation;

/// The result of running a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    /// `$ command` lines, each followed by its output (or its error).
    pub text: String,
    /// How many commands failed.
    pub failures: usize,
    /// How many commands ran.
    pub commands: usize,
}

/// The command lines of a script: trimmed, without blank lines and `#` comments.
pub fn lines(script: &str) -> impl Iterator<Item = &str> {
    script
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Runs every command line of `script` against `sim`, continuing after failures as a
/// shell would, and returns the transcript.
pub fn run_script(sim: &mut Simulation, script: &str) -> Transcript {
    let mut text = String::new();
    let mut failures = 0;
    let mut commands = 0;
    for line in lines(script) {
        commands += 1;
        text.push_str("$ ");
        text.push_str(line);
        text.push('\n');
        match sim.run(line) {
            Ok(applied) => push_block(&mut text, &applied.output),
            Err(e) => {
                failures += 1;
                push_block(&mut text, &e.to_string());
            }
        }
    }
    Transcript {
        text,
        failures,
        commands,
    }
}

fn push_block(text: &mut String, block: &str) {
    text.push_str(block);
    if !block.is_empty() && !block.ends_with('\n') {
        text.push('\n');
    }
}
