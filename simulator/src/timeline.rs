//! A timeline over a journal: seek to any command position, backwards or forwards, exactly.
//!
//! Seeking replays from the nearest checkpoint at or before the target. Checkpoints are
//! whole `Simulation` clones taken every `interval` commands, so a seek costs at most
//! `interval` command replays.

use crate::command::CommandError;
use crate::simulation::{Applied, Simulation};

/// A sequence of commands from a starting simulation, with checkpoints for fast seeking.
#[derive(Debug, Clone)]
pub struct Timeline {
    start: Simulation,
    lines: Vec<String>,
    checkpoints: Vec<(usize, Simulation)>,
    interval: usize,
    current: Simulation,
    position: usize,
}

impl Timeline {
    /// A timeline starting at `start`, checkpointing every `interval` commands (min 1).
    pub fn new(start: Simulation, interval: usize) -> Self {
        Timeline {
            current: start.clone(),
            start,
            lines: Vec::new(),
            checkpoints: Vec::new(),
            interval: interval.max(1),
            position: 0,
        }
    }

    /// Runs `line` at the current position. Any commands after the position are dropped
    /// first (like typing after an undo), so the timeline never branches.
    pub fn push(&mut self, line: &str) -> Result<Applied, CommandError> {
        let mut next = self.current.clone();
        let applied = next.run(line);
        // A failed command is dropped, unless it waited first (a timed-out
        // `kubectl wait`): then the wait stays on the timeline.
        if applied.as_ref().is_err_and(|e| !e.time_passed()) {
            return applied;
        }
        self.lines.truncate(self.position);
        self.checkpoints.retain(|(p, _)| *p <= self.position);
        self.lines.push(line.trim().to_string());
        self.position += 1;
        self.current = next;
        if self.position.is_multiple_of(self.interval) {
            self.checkpoints.push((self.position, self.current.clone()));
        }
        applied
    }

    /// Moves to position `pos` (0 = before any command), clamped to the end.
    pub fn seek(&mut self, pos: usize) -> &Simulation {
        let pos = pos.min(self.lines.len());
        if pos == self.position {
            return &self.current;
        }
        let (base_pos, base) = self
            .checkpoints
            .iter()
            .rev()
            .find(|(p, _)| *p <= pos)
            .map(|(p, s)| (*p, s.clone()))
            .unwrap_or_else(|| (0, self.start.clone()));
        let mut sim = base;
        for line in &self.lines[base_pos..pos] {
            // Every stored line succeeded from this exact state before, and the
            // simulation is deterministic, so replay cannot fail.
            let _ = sim.run(line);
        }
        self.current = sim;
        self.position = pos;
        &self.current
    }

    /// The simulation at the current position.
    pub fn current(&self) -> &Simulation {
        &self.current
    }

    /// The current position (number of commands applied).
    pub fn position(&self) -> usize {
        self.position
    }

    /// Every command on the timeline, including those after the current position.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }
}
