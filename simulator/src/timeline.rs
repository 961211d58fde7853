//! A timeline over a journal: seek to any command position, backwards or forwards, exactly.
//!
//! Seeking replays from the nearest checkpoint at or before the target (or from the
//! current state when that is nearer). Checkpoints are whole `Simulation` clones, taken
//! when either `interval` commands or `event_interval` events have passed since the last
//! one: counting commands alone is not enough, because one `sim advance 1h` can emit
//! thousands of events, and replaying that is what a seek pays for. So a seek replays at
//! most `interval` commands and fewer than `event_interval` events. Each checkpoint holds
//! its own copy of the event log, so checkpoints are thinned once together they hold more
//! than `max_events_held` events: memory stays bounded and seeks slow down gracefully.

pub mod workload;

use crate::command::CommandError;
use crate::simulation::{Applied, ReplayError, Simulation};
use crate::time::SimTime;

/// Commands between checkpoints that the app and the benchmark use.
pub const DEFAULT_INTERVAL: usize = 16;

/// Events after which a checkpoint is taken even if few commands ran.
pub const DEFAULT_EVENT_INTERVAL: usize = 250;

/// Events all checkpoints together may hold before some are dropped (about 300 bytes
/// each: tens of megabytes).
pub const DEFAULT_MAX_EVENTS_HELD: u64 = 200_000;

/// What a scrubber shows for one position: the state after that many commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// Simulated clock at this position.
    pub at: SimTime,
    /// Length of the event log at this position (events `0..events` have happened).
    pub events: u64,
    /// The command that led here; empty for position 0.
    pub line: String,
}

/// A sequence of commands from a starting simulation, with checkpoints for fast seeking.
#[derive(Debug, Clone)]
pub struct Timeline {
    lines: Vec<String>,
    /// One per position, `lines.len() + 1` in all.
    marks: Vec<Mark>,
    /// Ascending by position; the first is always position 0 (the start).
    checkpoints: Vec<(usize, Simulation)>,
    interval: usize,
    event_interval: usize,
    max_events_held: u64,
    current: Simulation,
    position: usize,
}

impl Timeline {
    /// A timeline starting at `start`, checkpointing every `interval` commands (min 1)
    /// or every [`DEFAULT_EVENT_INTERVAL`] events, whichever comes first.
    pub fn new(start: Simulation, interval: usize) -> Self {
        Timeline {
            lines: Vec::new(),
            marks: vec![Mark {
                at: start.now(),
                events: start.log().len() as u64,
                line: String::new(),
            }],
            current: start.clone(),
            checkpoints: vec![(0, start)],
            interval: interval.max(1),
            event_interval: DEFAULT_EVENT_INTERVAL,
            max_events_held: DEFAULT_MAX_EVENTS_HELD,
            position: 0,
        }
    }

    /// The same timeline, checkpointing after `events` events (min 1) instead of the default.
    pub fn with_event_interval(mut self, events: usize) -> Self {
        self.event_interval = events.max(1);
        self
    }

    /// The same timeline, holding at most about `events` events in its checkpoints.
    pub fn with_max_events_held(mut self, events: u64) -> Self {
        self.max_events_held = events;
        self
    }

    /// A timeline of `lines` run from `start`, left at its end. Fails on the first line
    /// that does not run (and did not wait), like [`Simulation::replay`].
    pub fn from_lines(
        start: Simulation,
        interval: usize,
        lines: &[String],
    ) -> Result<Self, ReplayError> {
        let mut timeline = Timeline::new(start, interval);
        for (index, line) in lines.iter().enumerate() {
            match timeline.push(line) {
                Err(error) if !error.time_passed() => {
                    return Err(ReplayError {
                        index,
                        line: line.clone(),
                        error,
                    });
                }
                _ => {}
            }
        }
        Ok(timeline)
    }

    /// Runs `line` at the current position. Any commands after the position are dropped
    /// first (like typing after an undo), so the timeline never branches. A failed
    /// command drops nothing and is not added, unless it waited (a timed-out
    /// `kubectl wait`): then the wait stays on the timeline.
    pub fn push(&mut self, line: &str) -> Result<Applied, CommandError> {
        // No copy first: a failed command leaves a simulation exactly as it was
        // (`Simulation::run`'s contract), and copying costs as much as the event log.
        let applied = self.current.run(line);
        if applied.as_ref().is_err_and(|e| !e.time_passed()) {
            return applied;
        }
        self.lines.truncate(self.position);
        self.marks.truncate(self.position + 1);
        self.checkpoints.retain(|(p, _)| *p <= self.position);
        self.lines.push(line.trim().to_string());
        self.position += 1;
        self.marks.push(Mark {
            at: self.current.now(),
            events: self.current.log().len() as u64,
            line: line.trim().to_string(),
        });
        let last = self.checkpoints[self.checkpoints.len() - 1].0;
        let events_since = self.marks[self.position].events - self.marks[last].events;
        if self.position - last >= self.interval || events_since >= self.event_interval as u64 {
            self.checkpoints.push((self.position, self.current.clone()));
            self.thin_checkpoints();
        }
        applied
    }

    /// Keeps the events held by checkpoints under `max_events_held`: every checkpoint
    /// copies the whole log so far, so without a cap memory grows with the square of the
    /// session (one `sim advance 1d` is tens of thousands of events). Drops the interior
    /// checkpoint whose removal leaves the shortest gap, so seeks slow down evenly.
    fn thin_checkpoints(&mut self) {
        let held = |cps: &[(usize, Simulation)]| -> u64 {
            cps.iter().map(|(_, s)| s.log().len() as u64).sum()
        };
        while self.checkpoints.len() > 2 && held(&self.checkpoints) > self.max_events_held {
            let events = |i: usize| self.marks[self.checkpoints[i].0].events;
            let Some(drop) =
                (1..self.checkpoints.len() - 1).min_by_key(|&i| events(i + 1) - events(i - 1))
            else {
                break;
            };
            self.checkpoints.remove(drop);
        }
    }

    /// Moves to position `pos` (0 = before any command), clamped to the end.
    pub fn seek(&mut self, pos: usize) -> &Simulation {
        let pos = pos.min(self.lines.len());
        if pos == self.position {
            return &self.current;
        }
        // The nearest checkpoint at or before `pos`; position 0 always has one.
        let index = self.checkpoints.partition_point(|(p, _)| *p <= pos);
        let (base_pos, base) = &self.checkpoints[index.saturating_sub(1)];
        // Going forward past no checkpoint: carry on from here, no clone needed.
        if self.position < pos && self.position >= *base_pos {
            self.replay_to(pos);
        } else {
            self.current = base.clone();
            self.position = *base_pos;
            self.replay_to(pos);
        }
        &self.current
    }

    fn replay_to(&mut self, pos: usize) {
        for line in &self.lines[self.position..pos] {
            // Every stored line ran from this exact state before (succeeding, or waiting
            // and timing out), and the simulation is deterministic: the outcome is the
            // same, so it is not looked at.
            let _ = self.current.run(line);
        }
        self.position = pos;
    }

    /// The simulation at position 0, before any command.
    pub fn start(&self) -> &Simulation {
        &self.checkpoints[0].1
    }

    /// The simulation at the current position.
    pub fn current(&self) -> &Simulation {
        &self.current
    }

    /// The current position (number of commands applied).
    pub fn position(&self) -> usize {
        self.position
    }

    /// Number of commands on the timeline (the last position).
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True before the first command.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// True when the current position is the last one (typing appends).
    pub fn at_end(&self) -> bool {
        self.position == self.lines.len()
    }

    /// Every command on the timeline, including those after the current position.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// One mark per position, `0..=len()`: clock, event count and the command that led there.
    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }

    /// The position whose command produced event `seq`: 0 for events from before the
    /// first command, `len()` for sequence numbers past the end.
    pub fn position_of_event(&self, seq: u64) -> usize {
        self.marks
            .partition_point(|m| m.events <= seq)
            .min(self.lines.len())
    }

    /// Number of checkpoints held (the start included).
    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    /// Events held by all checkpoints and the current state together: each holds its
    /// own copy of the log so far, so this is what the timeline's memory grows with.
    pub fn events_held(&self) -> u64 {
        self.checkpoints
            .iter()
            .map(|(_, s)| s.log().len() as u64)
            .sum::<u64>()
            + self.current.log().len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    fn start() -> Simulation {
        Simulation::new(&Scenario::default_scenario())
    }

    #[test]
    fn marks_follow_positions_and_events_map_back() {
        let mut tl = Timeline::new(start(), 4);
        let boot_events = tl.marks()[0].events;
        tl.push("sim advance 10s").unwrap();
        tl.push("kubectl get nodes").unwrap();
        tl.push("sim advance 1m").unwrap();
        assert_eq!(tl.len(), 3);
        assert_eq!(tl.marks().len(), 4);
        assert_eq!(tl.marks()[1].line, "sim advance 10s");
        assert_eq!(tl.marks()[1].at.as_millis(), 10_000);
        assert_eq!(tl.marks()[3].at.as_millis(), 70_000);
        assert_eq!(tl.marks()[2].events, tl.marks()[1].events);
        // Boot events belong before any command; the first heartbeat to the first advance.
        if boot_events > 0 {
            assert_eq!(tl.position_of_event(0), 0);
        }
        assert_eq!(tl.position_of_event(boot_events), 1);
        assert_eq!(tl.position_of_event(tl.marks()[2].events), 3);
        assert_eq!(tl.position_of_event(u64::MAX), 3);
    }

    #[test]
    fn failed_commands_drop_nothing_and_typing_in_the_past_truncates() {
        let mut tl = Timeline::new(start(), 2);
        for line in ["sim advance 10s", "sim advance 20s", "sim advance 30s"] {
            tl.push(line).unwrap();
        }
        tl.seek(1);
        assert!(tl.push("no such command").is_err());
        assert_eq!(tl.len(), 3, "a failed command keeps the future");
        assert_eq!(tl.position(), 1);
        tl.push("sim advance 5s").unwrap();
        assert_eq!(tl.lines(), ["sim advance 10s", "sim advance 5s"]);
        assert_eq!(tl.marks().len(), 3);
        assert_eq!(tl.current().now().as_millis(), 15_000);
        assert!(tl.at_end());
        let fresh = Simulation::replay(&Scenario::default_scenario(), 1, tl.lines()).unwrap();
        assert_eq!(tl.seek(0).now().as_millis(), 0);
        assert_eq!(tl.seek(2).fingerprint(), fresh.fingerprint());
    }

    #[test]
    fn big_commands_checkpoint_by_events() {
        let mut tl = Timeline::new(start(), 1000).with_event_interval(100);
        tl.push("sim advance 1h").unwrap();
        assert_eq!(
            tl.checkpoint_count(),
            2,
            "one command, many events: a checkpoint"
        );
        tl.push("kubectl get nodes").unwrap();
        assert_eq!(tl.checkpoint_count(), 2);
    }

    #[test]
    fn checkpoints_are_thinned_to_the_memory_cap_and_stay_exact() {
        let mut tl = Timeline::new(start(), 1).with_max_events_held(2_000);
        for _ in 0..12 {
            tl.push("sim advance 2m").unwrap();
        }
        let held: u64 = tl.events_held() - tl.current().log().len() as u64;
        assert!(held <= 2_000 || tl.checkpoint_count() == 2, "{held}");
        assert!(tl.checkpoint_count() < 13);
        let lines = tl.lines().to_vec();
        for pos in [5, 0, 12, 7] {
            let fresh =
                Simulation::replay(&Scenario::default_scenario(), 1, &lines[..pos]).unwrap();
            assert_eq!(tl.seek(pos).fingerprint(), fresh.fingerprint());
        }
    }

    #[test]
    fn from_lines_reports_the_failing_line() {
        let lines = vec!["sim advance 10s".to_string(), "kubectl frob".to_string()];
        let err = Timeline::from_lines(start(), 8, &lines).unwrap_err();
        assert_eq!(err.index, 1);
        let ok = Timeline::from_lines(start(), 8, &lines[..1]).unwrap();
        assert_eq!(ok.position(), 1);
    }

    #[test]
    fn a_ten_thousand_event_timeline_seeks_exactly() {
        let workload = workload::Workload;
        let scenario = workload.scenario();
        let mut tl = Timeline::new(Simulation::new(&scenario), DEFAULT_INTERVAL);
        let failed = workload.fill(&mut tl, 10_000);
        assert_eq!(failed, Vec::<String>::new());
        assert!(tl.marks()[tl.len()].events >= 10_000);
        let lines = tl.lines().to_vec();
        let n = tl.len();
        for pos in [n / 2, 3, n, 0, n - 1, n / 3] {
            let fresh = Simulation::replay(&scenario, scenario.seed, &lines[..pos]).unwrap();
            let got = tl.seek(pos);
            assert_eq!(got.fingerprint(), fresh.fingerprint(), "position {pos}");
            assert_eq!(got.log().events(), fresh.log().events());
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        const MENU: &[&str] = &[
            "sim advance 10s",
            "sim advance 3m",
            "sim advance 20m",
            "kubectl create deployment web --image=nginx --replicas=3",
            "kubectl scale deployment/web --replicas=5",
            "kubectl delete deployment web",
            "sim node add worker-9",
            "sim node fail worker-1",
            "sim node recover worker-1",
            "kubectl wait --for=condition=Available deployment/web --timeout=5s",
            "kubectl get pods -A",
            "sim seed 7",
            "sim reset",
            "kubectl get widgets",
        ];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(24))]

            #[test]
            fn random_seeks_match_a_straight_replay(
                picks in proptest::collection::vec(0..MENU.len(), 1..20),
                targets in proptest::collection::vec(0usize..24, 1..8),
                interval in 1usize..6,
                events in 1usize..200,
            ) {
                let scenario = Scenario::default_scenario();
                let mut tl = Timeline::new(Simulation::new(&scenario), interval)
                    .with_event_interval(events);
                for &i in &picks {
                    let _ = tl.push(MENU[i]);
                }
                let lines = tl.lines().to_vec();
                for &t in &targets {
                    let pos = t.min(lines.len());
                    let fresh = Simulation::replay(&scenario, scenario.seed, &lines[..pos])
                        .expect("timeline lines replay");
                    let got = tl.seek(pos);
                    prop_assert_eq!(got.fingerprint(), fresh.fingerprint(), "seek to {}", pos);
                    prop_assert_eq!(got.log().events(), fresh.log().events());
                    prop_assert_eq!(tl.marks()[pos].events, fresh.log().len() as u64);
                    prop_assert_eq!(tl.marks()[pos].at, fresh.now());
                }
            }
        }
    }
}
