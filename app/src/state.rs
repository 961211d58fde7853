//! A page's simulation behind one context newtype ([`SimHandle`]) and one
//! [`SimHandle::dispatch`]: every change to the simulation or the terminal goes
//! through an [`Action`]; views read the handle's memos.

use leptos::prelude::*;
use simulator::{Scenario, Simulation};

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
}

/// The mutable state behind a [`SimHandle`]; plain Rust, no browser APIs.
#[derive(Clone, Debug)]
pub struct SimState {
    scenario: String,
    sim: Simulation,
    transcript: Vec<Entry>,
    history: Vec<String>,
    next_id: u64,
}

impl SimState {
    /// A fresh simulation of the named scenario (unknown names fall back to the default).
    pub fn new(scenario: &str, seed: Option<u64>) -> Self {
        let mut state = SimState {
            scenario: String::new(),
            sim: Simulation::new(&default_scenario()),
            transcript: Vec::new(),
            history: Vec::new(),
            next_id: 0,
        };
        state.load(scenario, seed, &[]);
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
                self.load(&scenario, seed, &files);
                for line in setup {
                    if let Err(err) = self.sim.run(&line) {
                        self.push(format!("{line}  # set-up"), err.to_string(), true);
                    }
                }
                for line in commands {
                    self.execute(line);
                }
            }
        }
    }

    /// The simulation as it stands.
    pub fn simulation(&self) -> &Simulation {
        &self.sim
    }

    /// The terminal's transcript since the last `clear` or load.
    pub fn transcript(&self) -> &[Entry] {
        &self.transcript
    }

    /// Command lines run so far (oldest first), for ArrowUp/ArrowDown.
    pub fn history(&self) -> &[String] {
        &self.history
    }

    fn load(&mut self, name: &str, seed: Option<u64>, files: &[(String, String)]) {
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
        self.sim = Simulation::new(&scenario);
        self.scenario = scenario.name.to_string();
        self.transcript.clear();
        if !known {
            let names = Scenario::names().join(", ");
            self.push(
                format!("# scenario {name:?}"),
                format!("unknown scenario {name:?}; using {DEFAULT_SCENARIO:?} (known: {names})"),
                true,
            );
        }
    }

    fn run_line(&mut self, line: String) {
        let trimmed = line.trim();
        if !trimmed.is_empty() && self.history.last().map(String::as_str) != Some(trimmed) {
            self.history.push(trimmed.to_string());
        }
        match trimmed {
            "" => self.push(String::new(), String::new(), false),
            "clear" => self.transcript.clear(),
            _ => self.execute(trimmed.to_string()),
        }
    }

    fn execute(&mut self, line: String) {
        match self.sim.run(&line) {
            Ok(applied) => self.push(line, applied.output, false),
            Err(err) => self.push(line, err.to_string(), true),
        }
    }

    fn push(&mut self, command: String, output: String, is_error: bool) {
        let id = self.next_id;
        self.next_id += 1;
        self.transcript.push(Entry {
            id,
            command,
            output: output.trim_end().to_string(),
            is_error,
        });
    }

    fn event_rows(&self) -> Vec<EventRow> {
        self.sim
            .log()
            .events()
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
            seed: self.sim.seed(),
            clock: self.sim.now().to_string(),
        }
    }
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
    status: Memo<Status>,
}

impl SimHandle {
    /// Creates a handle for `scenario` (and `seed`) and provides it as context.
    pub fn provide(scenario: &str, seed: Option<u64>) -> Self {
        let state = RwSignal::new_local(SimState::new(scenario, seed));
        let handle = SimHandle {
            state,
            transcript: Memo::new(move |_| state.with(|s| s.transcript.clone())),
            history: Memo::new(move |_| state.with(|s| s.history.clone())),
            events: Memo::new(move |_| state.with(SimState::event_rows)),
            status: Memo::new(move |_| state.with(SimState::status)),
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
        self.state.with_untracked(|s| f(&s.sim))
    }

    /// The terminal transcript.
    pub fn transcript(&self) -> Memo<Vec<Entry>> {
        self.transcript
    }

    /// Command history, oldest first.
    pub fn history(&self) -> Memo<Vec<String>> {
        self.history
    }

    /// The event log, oldest first.
    pub fn events(&self) -> Memo<Vec<EventRow>> {
        self.events
    }

    /// Scenario, seed and clock.
    pub fn status(&self) -> Memo<Status> {
        self.status
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
}
