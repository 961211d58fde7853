//! A page's simulation behind one context newtype ([`SimHandle`]) and one
//! [`SimHandle::dispatch`]: every change to the simulation or the terminal goes
//! through an [`Action`]; views read the handle's memos.
//!
//! The simulation lives on a [`simulator::Timeline`]: commands the learner runs are
//! pushed at the current position, and [`Action::Seek`] moves back and forth. A lesson's
//! set-up commands run before the timeline starts, so position 0 is "set up, nothing
//! shown yet" and set-up can never be scrubbed away.

use leptos::prelude::*;
use simulator::timeline::{DEFAULT_EVENT_INTERVAL, DEFAULT_INTERVAL, Mark};
use simulator::{Scenario, Simulation, Timeline};

/// How many of the newest events [`SimHandle::events`] turns into rows.
pub const EVENT_TAIL: usize = 500;

/// The scenario used when none (or an unknown one) is asked for.
pub const DEFAULT_SCENARIO: &str = "default";

/// One line the learner (or a lesson step) ran, and what came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Stable key for keyed rendering; unique within a page's lifetime.
    pub id: u64,
    /// The command line exactly as run.
    pub command: String,
    /// The command's output, or its error message.
    pub output: String,
    /// Whether the command failed (`output` is then the error).
    pub is_error: bool,
    /// The timeline position this entry belongs to: the position after the command
    /// for one that went onto the timeline, the position it was typed at otherwise.
    pub position: usize,
}

/// An event as the event log renders it: every field already a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    /// The event's sequence number (the key of its row).
    pub seq: u64,
    /// Simulated time the event happened.
    pub at: String,
    /// The component that emitted it, e.g. `kubelet/worker-1`.
    pub source: String,
    /// The object it is about, e.g. `node/worker-1`.
    pub object: String,
    /// The event's kind.
    pub kind: String,
    /// Why it happened.
    pub reason: String,
}

/// What the status line shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// Name of the running scenario.
    pub scenario: String,
    /// The simulation's seed.
    pub seed: u64,
    /// The simulated clock.
    pub clock: String,
}

/// Everything that can change a page's simulation or terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Run one command line; `clear` clears the screen instead (client-side only).
    Run(String),
    /// Start over: a fresh simulation of `scenario` (with `seed`, or the
    /// scenario's own), run `setup` silently, then run `commands` visibly.
    Load {
        /// Scenario name (see `simulator::Scenario::names`).
        scenario: String,
        /// Seed override; `None` keeps the scenario's default seed.
        seed: Option<u64>,
        /// Workspace files (path, contents) added to the scenario's before anything runs.
        files: Vec<(String, String)>,
        /// Set-up commands whose output is not shown (errors are).
        setup: Vec<String>,
        /// Commands run after set-up, shown in the transcript.
        commands: Vec<String>,
    },
    /// Move the timeline to a position (0 = before the first command), clamped to its end.
    Seek(usize),
    /// Record `line` in the history and the transcript as an error showing `message`,
    /// without running it (for commands a challenge does not allow).
    Reject {
        /// The line as typed.
        line: String,
        /// Why it was not run.
        message: String,
    },
    /// Rebuild a shared or exported session: a fresh `scenario` with `seed`, `journal`
    /// run visibly up to its first failing line, then a seek to `position`.
    Restore {
        /// Scenario name; unknown names fall back to the default (with a message).
        scenario: String,
        /// The seed the session started with.
        seed: u64,
        /// The session's command lines.
        journal: Vec<String>,
        /// Where the session was viewing (clamped to the journal's end).
        position: usize,
    },
}

/// Why a [`Action::Restore`] stopped before the end of its journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestoreError {
    /// One-based number of the line that failed.
    pub line_number: usize,
    /// The line.
    pub line: String,
    /// The simulator's error.
    pub message: String,
}

impl std::fmt::Display for RestoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {} (`{}`) failed: {}; the session stops before it",
            self.line_number, self.line, self.message
        )
    }
}

/// The mutable state behind a [`SimHandle`]; plain Rust, no browser APIs.
#[derive(Clone, Debug)]
pub struct SimState {
    scenario: String,
    timeline: Timeline,
    /// Every entry since the last `clear` or load, in the order typed, including those
    /// after the current position; [`SimState::transcript`] shows the visible ones.
    transcript: Vec<Entry>,
    history: Vec<String>,
    next_id: u64,
    restore_error: Option<RestoreError>,
}

impl SimState {
    /// A fresh simulation of the named scenario (unknown names fall back to the default).
    pub fn new(scenario: &str, seed: Option<u64>) -> Self {
        let mut state = SimState {
            scenario: String::new(),
            timeline: new_timeline(Simulation::new(&default_scenario())),
            transcript: Vec::new(),
            history: Vec::new(),
            next_id: 0,
            restore_error: None,
        };
        let start = state.load(scenario, seed, &[]);
        state.timeline = new_timeline(start);
        state
    }

    /// Applies one action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Run(line) => self.run_line(line),
            Action::Load {
                scenario,
                seed,
                files,
                setup,
                commands,
            } => {
                let mut start = self.load(&scenario, seed, &files);
                let mut failed = Vec::new();
                for line in setup {
                    if let Err(err) = start.run(&line) {
                        failed.push((format!("{line}  # set-up"), err.to_string()));
                    }
                }
                self.timeline = new_timeline(start);
                for (line, err) in failed {
                    self.push(line, err, true);
                }
                for line in commands {
                    self.execute(line);
                }
            }
            Action::Seek(position) => {
                self.timeline.seek(position);
            }
            Action::Reject { line, message } => {
                let line = line.trim().to_string();
                self.remember(&line);
                self.push(line, message, true);
            }
            Action::Restore {
                scenario,
                seed,
                journal,
                position,
            } => {
                let start = self.load(&scenario, Some(seed), &[]);
                self.timeline = new_timeline(start);
                for (index, line) in journal.iter().enumerate() {
                    if !self.execute(line.trim().to_string()) {
                        self.restore_error = Some(RestoreError {
                            line_number: index + 1,
                            line: line.trim().to_string(),
                            message: self
                                .transcript
                                .last()
                                .map(|e| e.output.clone())
                                .unwrap_or_default(),
                        });
                        break;
                    }
                }
                self.timeline.seek(position);
            }
        }
    }

    /// The simulation at the timeline's current position.
    pub fn simulation(&self) -> &Simulation {
        self.timeline.current()
    }

    /// The timeline the simulation lives on.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// The last [`Action::Restore`]'s failure, if it stopped early (cleared by any load).
    pub fn restore_error(&self) -> Option<&RestoreError> {
        self.restore_error.as_ref()
    }

    /// The terminal's transcript since the last `clear` or load, up to the current
    /// position: rewinding shows the screen as it was then. Entries typed while viewing
    /// the past (failed or rejected ones, which do not truncate) sit with the position
    /// they were typed at, so the order is by position, then by when they were typed.
    pub fn transcript(&self) -> Vec<Entry> {
        let position = self.timeline.position();
        let mut shown: Vec<Entry> = self
            .transcript
            .iter()
            .filter(|e| e.position <= position)
            .cloned()
            .collect();
        shown.sort_by_key(|e| e.position);
        shown
    }

    /// Command lines run so far (oldest first), for ArrowUp/ArrowDown.
    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Resets the page to a fresh simulation of `name` and returns it; the caller runs any
    /// set-up on it and starts the timeline from it.
    #[must_use]
    fn load(&mut self, name: &str, seed: Option<u64>, files: &[(String, String)]) -> Simulation {
        let (scenario, known) = match Scenario::named(name) {
            Some(s) => (s, true),
            None => (default_scenario(), false),
        };
        let scenario = match seed {
            Some(seed) => scenario.with_seed(seed),
            None => scenario,
        };
        let scenario = if files.is_empty() {
            scenario
        } else {
            let mut workspace = scenario.workspace.clone();
            for (path, contents) in files {
                workspace.insert(path, contents.clone());
            }
            scenario.with_workspace(workspace)
        };
        let sim = Simulation::new(&scenario);
        self.scenario = scenario.name.to_string();
        self.transcript.clear();
        self.restore_error = None;
        if !known {
            let names = Scenario::names().join(", ");
            self.push(
                format!("# scenario {name:?}"),
                format!("unknown scenario {name:?}; using {DEFAULT_SCENARIO:?} (known: {names})"),
                true,
            );
        }
        sim
    }

    fn remember(&mut self, line: &str) {
        if !line.is_empty() && self.history.last().map(String::as_str) != Some(line) {
            self.history.push(line.to_string());
        }
    }

    fn run_line(&mut self, line: String) {
        let trimmed = line.trim();
        self.remember(trimmed);
        match trimmed {
            "" => self.push(String::new(), String::new(), false),
            "clear" => self.transcript.clear(),
            _ => {
                self.execute(trimmed.to_string());
            }
        }
    }

    /// Runs `line` on the timeline; returns whether it went onto it (succeeded, or
    /// failed after waiting).
    fn execute(&mut self, line: String) -> bool {
        let before = self.timeline.len();
        let from = self.timeline.position();
        let result = self.timeline.push(&line);
        let entered = self.timeline.len() != before || self.timeline.position() != from;
        if entered {
            // Typing in the past: the commands after `from` are gone, and so are their
            // entries.
            self.transcript.retain(|e| e.position <= from);
        }
        match result {
            Ok(applied) => self.push(line, applied.output, false),
            Err(err) => self.push(line, err.to_string(), true),
        }
        entered
    }

    fn push(&mut self, command: String, output: String, is_error: bool) {
        let id = self.next_id;
        self.next_id += 1;
        self.transcript.push(Entry {
            id,
            command,
            output: output.trim_end().to_string(),
            is_error,
            position: self.timeline.position(),
        });
    }

    /// The newest [`EVENT_TAIL`] events as rows: a long session holds tens of thousands,
    /// and turning them all into strings on every change made each seek cost more the
    /// longer the session.
    fn event_rows(&self) -> Vec<EventRow> {
        let events = self.simulation().log().events();
        events[events.len().saturating_sub(EVENT_TAIL)..]
            .iter()
            .map(|e| EventRow {
                seq: e.seq,
                at: e.at.to_string(),
                source: e.source.to_string(),
                object: e.object.to_string(),
                kind: e.kind.to_string(),
                reason: e.reason.to_string(),
            })
            .collect()
    }

    fn status(&self) -> Status {
        Status {
            scenario: self.scenario.clone(),
            seed: self.simulation().seed(),
            clock: self.simulation().now().to_string(),
        }
    }

    /// What a share link or an exported file needs to rebuild this exact state.
    pub fn session(&self) -> Session {
        Session {
            scenario: self.scenario.clone(),
            seed: self.timeline.start().seed(),
            journal: self.timeline.lines().to_vec(),
            position: self.timeline.position(),
        }
    }
}

/// Everything that rebuilds a sandbox exactly: scenario, starting seed, the timeline's
/// command lines and the position viewed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// Scenario name.
    pub scenario: String,
    /// The seed the timeline started with (later `sim seed` lines are in the journal).
    pub seed: u64,
    /// Every command on the timeline, including those after `position`.
    pub journal: Vec<String>,
    /// Commands applied (0..=journal.len()).
    pub position: usize,
}

impl Session {
    /// The action that rebuilds this session.
    pub fn restore(&self) -> Action {
        Action::Restore {
            scenario: self.scenario.clone(),
            seed: self.seed,
            journal: self.journal.clone(),
            position: self.position,
        }
    }
}

fn new_timeline(start: Simulation) -> Timeline {
    Timeline::new(start, DEFAULT_INTERVAL).with_event_interval(DEFAULT_EVENT_INTERVAL)
}

fn default_scenario() -> Scenario {
    Scenario::named(DEFAULT_SCENARIO)
        .or_else(|| Scenario::names().first().and_then(|n| Scenario::named(n)))
        .expect("the simulator has at least one scenario")
}

/// Context newtype: a page's simulation, its one `dispatch`, and memos to read.
#[derive(Clone, Copy)]
pub struct SimHandle {
    state: RwSignal<SimState, LocalStorage>,
    transcript: Memo<Vec<Entry>>,
    history: Memo<Vec<String>>,
    events: Memo<Vec<EventRow>>,
    event_total: Memo<usize>,
    status: Memo<Status>,
    position: Memo<usize>,
    len: Memo<usize>,
    marks: Memo<Vec<Mark>>,
    journal: Memo<Vec<String>>,
    session: Memo<Session>,
}

impl SimHandle {
    /// Creates a handle for `scenario` (and `seed`) and provides it as context.
    pub fn provide(scenario: &str, seed: Option<u64>) -> Self {
        let state = RwSignal::new_local(SimState::new(scenario, seed));
        let handle = SimHandle {
            state,
            transcript: Memo::new(move |_| state.with(SimState::transcript)),
            history: Memo::new(move |_| state.with(|s| s.history.clone())),
            events: Memo::new(move |_| state.with(SimState::event_rows)),
            event_total: Memo::new(move |_| state.with(|s| s.simulation().log().events().len())),
            status: Memo::new(move |_| state.with(SimState::status)),
            position: Memo::new(move |_| state.with(|s| s.timeline.position())),
            len: Memo::new(move |_| state.with(|s| s.timeline.len())),
            marks: Memo::new(move |_| state.with(|s| s.timeline.marks().to_vec())),
            journal: Memo::new(move |_| state.with(|s| s.timeline.lines().to_vec())),
            session: Memo::new(move |_| state.with(SimState::session)),
        };
        provide_context(handle);
        handle
    }

    /// The handle provided by the enclosing page.
    pub fn expect() -> Self {
        expect_context::<SimHandle>()
    }

    /// The one way to change the simulation or the terminal.
    pub fn dispatch(&self, action: Action) {
        self.state.update(|s| s.apply(action));
    }

    /// Reads the simulation as it stands, without subscribing to changes.
    pub fn with_simulation<R>(&self, f: impl FnOnce(&Simulation) -> R) -> R {
        self.state.with_untracked(|s| f(s.simulation()))
    }

    /// Reads the timeline (marks, lines, event positions) without subscribing to changes.
    pub fn with_timeline<R>(&self, f: impl FnOnce(&Timeline) -> R) -> R {
        self.state.with_untracked(|s| f(&s.timeline))
    }

    /// The last restore's failure (which line stopped it), read without subscribing.
    pub fn restore_error(&self) -> Option<RestoreError> {
        self.state.with_untracked(|s| s.restore_error.clone())
    }

    /// The terminal transcript.
    pub fn transcript(&self) -> Memo<Vec<Entry>> {
        self.transcript
    }

    /// Command history, oldest first.
    pub fn history(&self) -> Memo<Vec<String>> {
        self.history
    }

    /// The newest [`EVENT_TAIL`] events of the log, oldest first.
    pub fn events(&self) -> Memo<Vec<EventRow>> {
        self.events
    }

    /// How many events the simulation has logged (at the current position).
    pub fn event_total(&self) -> Memo<usize> {
        self.event_total
    }

    /// Scenario, seed and clock.
    pub fn status(&self) -> Memo<Status> {
        self.status
    }

    /// The timeline position: commands applied, `0..=len()`.
    pub fn position(&self) -> Memo<usize> {
        self.position
    }

    /// Commands on the timeline (its last position).
    pub fn len(&self) -> Memo<usize> {
        self.len
    }

    /// One mark per position `0..=len()`: clock, event count and command.
    pub fn marks(&self) -> Memo<Vec<Mark>> {
        self.marks
    }

    /// Every command on the timeline, up to its end (not just the current position).
    pub fn journal(&self) -> Memo<Vec<String>> {
        self.journal
    }

    /// What rebuilds this state exactly (for share links and exports).
    pub fn session(&self) -> Memo<Session> {
        self.session
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clear_empties_the_screen_but_keeps_history() {
        let mut s = SimState::new("default", Some(1));
        s.apply(Action::Run("sim advance 10s".into()));
        assert_eq!(s.transcript().len(), 1);
        s.apply(Action::Run("clear".into()));
        assert!(s.transcript().is_empty());
        assert_eq!(s.history(), ["sim advance 10s", "clear"]);
    }

    #[test]
    fn errors_are_marked_and_unknown_scenarios_fall_back() {
        let mut s = SimState::new("no-such-scenario", None);
        assert_eq!(s.status().scenario, DEFAULT_SCENARIO);
        assert!(s.transcript()[0].is_error);
        s.apply(Action::Run("definitely not a command".into()));
        assert!(s.transcript().last().is_some_and(|e| e.is_error));
    }

    #[test]
    fn load_replays_deterministically() {
        let load = Action::Load {
            scenario: "default".into(),
            seed: Some(7),
            files: vec![("a.txt".into(), "hello".into())],
            setup: vec![],
            commands: vec!["sim advance 10s".into()],
        };
        let mut a = SimState::new("empty", None);
        a.apply(load.clone());
        let mut b = SimState::new("default", None);
        b.apply(load);
        assert_eq!(a.event_rows(), b.event_rows());
        assert_eq!(a.status(), b.status());
        assert_eq!(a.simulation().state().workspace.get("a.txt"), Some("hello"));
    }

    fn commands(s: &SimState) -> Vec<String> {
        s.transcript().into_iter().map(|e| e.command).collect()
    }

    #[test]
    fn seeking_moves_the_simulation_and_the_transcript() {
        let mut s = SimState::new("default", Some(1));
        for line in ["sim advance 10s", "kubectl get nodes", "sim advance 1m"] {
            s.apply(Action::Run(line.into()));
        }
        assert_eq!(s.timeline().position(), 3);
        s.apply(Action::Seek(1));
        assert_eq!(s.status().clock, "00:00:10");
        assert_eq!(commands(&s), ["sim advance 10s"]);
        let rows_at_1 = s.event_rows();
        s.apply(Action::Seek(99));
        assert_eq!(s.timeline().position(), 3, "clamped to the end");
        assert_eq!(commands(&s).len(), 3);
        assert!(s.event_rows().len() > rows_at_1.len());
        s.apply(Action::Seek(0));
        assert!(s.transcript().is_empty());
        assert_eq!(s.status().clock, "00:00:00");
    }

    #[test]
    fn typing_in_the_past_drops_what_came_after() {
        let mut s = SimState::new("default", Some(1));
        for line in ["sim advance 10s", "sim advance 20s", "sim advance 30s"] {
            s.apply(Action::Run(line.into()));
        }
        s.apply(Action::Seek(1));
        // A mistake does not truncate: the future is still there.
        s.apply(Action::Run("kubectl frobnicate".into()));
        assert_eq!(s.timeline().len(), 3);
        assert_eq!(commands(&s), ["sim advance 10s", "kubectl frobnicate"]);
        s.apply(Action::Run("sim advance 5s".into()));
        assert_eq!(s.timeline().lines(), ["sim advance 10s", "sim advance 5s"]);
        assert_eq!(
            commands(&s),
            ["sim advance 10s", "kubectl frobnicate", "sim advance 5s"]
        );
        assert_eq!(s.status().clock, "00:00:15");
        // The history keeps everything typed, for ArrowUp.
        assert_eq!(s.history().len(), 5);
    }

    #[test]
    fn reject_records_without_running() {
        let mut s = SimState::new("default", Some(1));
        s.apply(Action::Reject {
            line: " sim advance 1h ".into(),
            message: "not allowed in this challenge".into(),
        });
        assert_eq!(s.history(), ["sim advance 1h"]);
        let entry = &s.transcript()[0];
        assert!(entry.is_error);
        assert_eq!(entry.command, "sim advance 1h");
        assert_eq!(entry.output, "not allowed in this challenge");
        assert_eq!(s.timeline().len(), 0);
        assert_eq!(s.status().clock, "00:00:00");
    }

    #[test]
    fn load_starts_the_timeline_after_set_up() {
        let mut s = SimState::new("default", None);
        s.apply(Action::Load {
            scenario: "default".into(),
            seed: Some(3),
            files: vec![],
            setup: vec!["sim advance 1m".into()],
            commands: vec!["sim advance 10s".into()],
        });
        assert_eq!(s.timeline().len(), 1);
        s.apply(Action::Seek(0));
        assert_eq!(s.status().clock, "00:01:00", "set-up is not scrubbable");
        // The simulation's own journal still has set-up (lessons count from it).
        assert_eq!(s.simulation().journal().len(), 1);
    }

    #[test]
    fn a_session_restores_exactly() {
        let mut a = SimState::new("default", Some(5));
        for line in [
            "sim advance 10s",
            "sim seed 9",
            "sim advance 1m",
            "sim reset",
        ] {
            a.apply(Action::Run(line.into()));
        }
        a.apply(Action::Seek(3));
        let session = a.session();
        assert_eq!(session.seed, 5, "the starting seed, not the current one");
        let mut b = SimState::new("empty", None);
        b.apply(session.restore());
        assert_eq!(b.session(), session);
        assert_eq!(b.simulation().fingerprint(), a.simulation().fingerprint());
        assert!(b.restore_error().is_none());
    }

    #[test]
    fn a_bad_journal_stops_at_its_failing_line() {
        let mut s = SimState::new("default", None);
        s.apply(Action::Restore {
            scenario: "default".into(),
            seed: 1,
            journal: vec![
                "sim advance 10s".into(),
                "kubectl frob".into(),
                "sim advance 1m".into(),
            ],
            position: 3,
        });
        let err = s.restore_error().cloned().expect("an error");
        assert_eq!(err.line_number, 2);
        assert_eq!(err.line, "kubectl frob");
        assert_eq!(s.timeline().len(), 1);
        assert_eq!(s.status().clock, "00:00:10");
    }
}
