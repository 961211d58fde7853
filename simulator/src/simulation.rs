//! The engine: owns the world, the clock, the RNG, the task queue, the event log and the
//! journal. Components return effects; only this file applies them.

use crate::apiserver::{ApiError, ApiServer, ObjKey};
use crate::check::{self, Check, CheckOutcome, Query, Value};
use crate::command::{Command, CommandError, files, help, kubectl, sim::SimCommand};
use crate::components::{bootstrap, controller_manager, kubelet, scheduler};
use crate::effect::{Effect, Task};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::log::EventLog;
use crate::rng::SimRng;
use crate::scenario::Scenario;
use crate::time::{SimDuration, SimTime};
use crate::world::{NodeAgent, Registry, RegistryKind, World};
use std::collections::BTreeMap;
use std::ops::Range;

mod aws;
mod faults;

/// The commands that changed nothing are still journaled: replaying every successful
/// line is simpler to reason about than deciding which ones mattered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Journal {
    lines: Vec<String>,
}

impl Journal {
    /// Successful command lines, in the order they ran.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Number of commands.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True before the first command.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// What a successful command produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Text to show in the terminal, like the real tool prints it.
    pub output: String,
    /// Sequence numbers of the events the command caused.
    pub events: Range<u64>,
}

/// A replay that could not finish: the journal line at `index` failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayError {
    /// Zero-based journal position of the failing line.
    pub index: usize,
    /// The line.
    pub line: String,
    /// Why it failed.
    pub error: CommandError,
}

impl std::fmt::Display for ReplayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {} `{}`: {}", self.index + 1, self.line, self.error)
    }
}

/// One write a client asks the API server for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Write {
    /// Create, or update if it exists (`kubectl apply`).
    Apply(Box<crate::api::Object>),
    /// Create; fails if it exists (`kubectl create`).
    Create(Box<crate::api::Object>),
    /// Replace an existing object (`kubectl scale`, `label`, `taint`).
    Update(Box<crate::api::Object>),
    /// Delete an object, with an optional grace period (`--grace-period`, `--force`).
    Delete(ObjKey, Option<i64>),
    /// Evict a pod through the Eviction API (`kubectl drain`): refused with 429 when a
    /// PodDisruptionBudget allows no disruption.
    Evict(ObjKey),
}

/// What a write did.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WriteOutcome {
    /// A new object.
    Created(ObjKey),
    /// An existing object changed.
    Updated(ObjKey),
    /// The object already matched.
    Unchanged(ObjKey),
    /// The object is gone.
    Deleted(ObjKey),
}

impl WriteOutcome {
    /// The object written.
    pub(crate) fn key(&self) -> &ObjKey {
        match self {
            WriteOutcome::Created(k)
            | WriteOutcome::Updated(k)
            | WriteOutcome::Unchanged(k)
            | WriteOutcome::Deleted(k) => k,
        }
    }
}

fn apply_write(
    api: &mut ApiServer,
    w: Write,
    now: SimTime,
    rng: &mut SimRng,
) -> Result<WriteOutcome, ApiError> {
    match w {
        Write::Create(o) => api
            .create(*o, now, rng)
            .map(|o| WriteOutcome::Created(ObjKey::of(o))),
        Write::Apply(o) => {
            let key = ObjKey::of(&o);
            match api.store.get(&key).cloned() {
                None => api
                    .create(*o, now, rng)
                    .map(|o| WriteOutcome::Created(ObjKey::of(o))),
                Some(old) => {
                    let admitted = api.admit((*o).clone())?;
                    if crate::apiserver::same_desired_state(&old, &admitted) {
                        Ok(WriteOutcome::Unchanged(key))
                    } else {
                        api.update(*o).map(|o| WriteOutcome::Updated(ObjKey::of(o)))
                    }
                }
            }
        }
        Write::Update(o) => api.update(*o).map(|o| WriteOutcome::Updated(ObjKey::of(o))),
        Write::Delete(k, grace) => api
            .delete_with(&k, now, grace)
            .map(|o| WriteOutcome::Deleted(ObjKey::of(&o))),
        Write::Evict(k) => crate::apiserver::eviction::evict(api, &k, now)
            .map(|o| WriteOutcome::Deleted(ObjKey::of(&o))),
    }
}

/// Work due within this delay counts as an immediate workqueue `Add` (deduplicated);
/// anything later is a timer.
pub const IMMEDIATE: SimDuration = SimDuration::from_secs(1);

/// A deterministic simulation: same scenario, seed and journal ⇒ byte-identical log.
#[derive(Debug, Clone)]
pub struct Simulation {
    scenario: Scenario,
    seed: u64,
    now: SimTime,
    rng: SimRng,
    world: World,
    queue: BTreeMap<(SimTime, u64), Task>,
    next_task: u64,
    /// Earliest due time of queued work that is deduplicated, like a client-go
    /// workqueue: adding a key already due sooner is a no-op, while a key only waiting
    /// on a later timer (`AddAfter`) is still queued for now.
    pending: BTreeMap<Task, SimTime>,
    log: EventLog,
    journal: Journal,
}

/// Host of the public (Docker Hub-like) registry.
pub const PUBLIC_REGISTRY: &str = "docker.io";
/// Host of the private (ECR-like) registry.
pub const PRIVATE_REGISTRY: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

/// The registries a scenario starts with: the public ones seeded from the image catalog
/// (see `components::docker::registry`) and an empty private ECR-like one.
fn registries() -> BTreeMap<String, Registry> {
    let catalog = crate::image::catalog::Catalog::standard();
    let mut regs: BTreeMap<String, Registry> =
        crate::components::docker::registry::public_registries(&catalog)
            .into_iter()
            .map(|r| (r.host.clone(), r))
            .collect();
    regs.insert(
        PRIVATE_REGISTRY.to_string(),
        Registry::new(PRIVATE_REGISTRY, RegistryKind::Private),
    );
    regs
}

fn empty_world(scenario: &Scenario) -> World {
    World {
        api: ApiServer::new(),
        scheduler: Default::default(),
        agents: BTreeMap::new(),
        load_balancers: BTreeMap::new(),
        registries: registries(),
        workspace: scenario.workspace.clone(),
        docker: Default::default(),
        load: Default::default(),
        metrics: Default::default(),
        hpa_controller: BTreeMap::new(),
        aws: Default::default(),
        billing: Default::default(),
    }
}

impl Simulation {
    /// A simulation of `scenario` with the scenario's own seed.
    pub fn new(scenario: &Scenario) -> Self {
        Self::with_seed(scenario, scenario.seed)
    }

    /// A simulation of `scenario` with another seed.
    pub fn with_seed(scenario: &Scenario, seed: u64) -> Self {
        let mut sim = Simulation {
            scenario: scenario.clone(),
            seed,
            now: SimTime::ZERO,
            rng: SimRng::seeded(seed),
            world: empty_world(scenario),
            queue: BTreeMap::new(),
            next_task: 0,
            pending: BTreeMap::new(),
            log: EventLog::new(),
            journal: Journal::default(),
        };
        sim.boot();
        sim
    }

    fn boot(&mut self) {
        self.world = empty_world(&self.scenario);
        self.rng = SimRng::seeded(self.seed);
        self.now = SimTime::ZERO;
        self.queue.clear();
        self.pending.clear();
        self.next_task = 0;
        let effects = bootstrap::cluster(&self.scenario, self.now, &mut self.rng);
        self.apply_effects(effects);
        // metrics-server runs from the start and scrapes every metric resolution.
        self.schedule(
            crate::components::metrics_server::RESOLUTION,
            Task::MetricsScrape,
        );
    }

    /// Rebuilds the state after running `lines` from the start: the basis of timelines,
    /// share links and lesson checks.
    pub fn replay(scenario: &Scenario, seed: u64, lines: &[String]) -> Result<Self, ReplayError> {
        let mut sim = Simulation::with_seed(scenario, seed);
        for (index, line) in lines.iter().enumerate() {
            match sim.run(line) {
                // A blocking command that timed out is journaled: its wait is replayed.
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
        Ok(sim)
    }

    /// Parses and applies one learner command line, journaling it if it succeeds.
    /// A failed command leaves the state exactly as it was, except a blocking command
    /// that timed out ([`CommandError::time_passed`]): the time it waited stays, and the
    /// line is journaled so replays wait the same way.
    pub fn run(&mut self, line: &str) -> Result<Applied, CommandError> {
        let cmd = Command::parse(line)?;
        match self.apply(&cmd) {
            Ok(applied) => {
                self.journal.lines.push(line.trim().to_string());
                Ok(applied)
            }
            Err(e) => {
                if e.time_passed() {
                    self.journal.lines.push(line.trim().to_string());
                }
                Err(e)
            }
        }
    }

    /// Applies a parsed command (not journaled; use [`Simulation::run`] for learner input).
    pub fn apply(&mut self, cmd: &Command) -> Result<Applied, CommandError> {
        let first = self.log.len() as u64;
        let output = self.execute(cmd, None)?;
        Ok(Applied {
            output,
            events: first..self.log.len() as u64,
        })
    }

    /// Runs one command with an optional standard input (the left side of a pipe).
    fn execute(&mut self, cmd: &Command, stdin: Option<&str>) -> Result<String, CommandError> {
        Ok(match cmd {
            Command::Help { topic } => help::text(topic.as_deref())?,
            Command::Files(f) => files::run(&self.world.workspace, f)?,
            Command::Kubectl(k) => kubectl::run(self, k)?,
            Command::Sim(SimCommand::Node(n)) => self.apply_node(n)?,
            Command::Sim(SimCommand::Pod(p)) => self.apply_pod(p)?,
            Command::Sim(SimCommand::Load(l)) => self.apply_load(l)?,
            Command::Sim(s) => self.apply_sim(s),
            Command::Echo(e) => e.output(),
            Command::Docker(d) => crate::command::docker::run(self, d, stdin)?,
            Command::Aws(a) => crate::command::aws::run(self, a)?,
            Command::Redirect {
                command,
                path,
                append,
            } => {
                let out = self.execute(command, stdin)?;
                crate::command::echo::write_file(&mut self.world.workspace, path, &out, *append)?;
                String::new()
            }
            Command::Pipe(left, right) => {
                // All or nothing, like any command: a failing right side undoes the left.
                let before = self.clone();
                let out = self.execute(left, stdin)?;
                match self.execute(right, Some(&out)) {
                    Ok(o) => o,
                    Err(e) => {
                        *self = before;
                        return Err(e);
                    }
                }
            }
        })
    }

    /// The world, for commands that change the learner's machine or the registries
    /// (`docker`, `aws ecr`, file redirections). Cluster objects go through `submit`.
    pub(crate) fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    /// Logs an event at the current instant (commands' own events: REST calls, pushes).
    pub(crate) fn record(&mut self, draft: EventDraft) {
        self.emit(draft);
    }

    /// `sim traffic` / `sim usage`: change the load model (`crate::load`).
    fn apply_load(&mut self, cmd: &crate::load::LoadCommand) -> Result<String, CommandError> {
        let (out, msg) = crate::load::apply(
            &mut self.world.load,
            &self.world.api.store,
            &self.world.aws,
            cmd,
            self.now,
        )?;
        let t = cmd.target();
        self.emit(EventDraft::new(
            Source::of(Component::Sim),
            ObjectRef::namespaced(t.kind.word(), &t.namespace, &t.name),
            if matches!(
                cmd,
                crate::load::LoadCommand::Usage { .. }
                    | crate::load::LoadCommand::UsageClear { .. }
            ) {
                "UsageSet"
            } else {
                "TrafficSet"
            },
            msg,
        ));
        Ok(out)
    }

    fn apply_sim(&mut self, cmd: &SimCommand) -> String {
        match cmd {
            // Fallible: `execute` sends them to `apply_node` / `apply_pod` (faults.rs).
            SimCommand::Node(_) | SimCommand::Pod(_) => String::new(),
            SimCommand::Advance(d) => {
                let from = self.now;
                let first = self.log.len();
                self.run_until(self.now.after(*d));
                let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
                for e in self.log.since(first as u64) {
                    *kinds.entry(e.kind.as_str()).or_default() += 1;
                }
                let n = self.log.len() - first;
                let summary = if n == 0 {
                    "no events".to_string()
                } else {
                    let parts: Vec<String> =
                        kinds.iter().map(|(k, c)| format!("{c} {k}")).collect();
                    format!(
                        "{n} event{}: {}",
                        if n == 1 { "" } else { "s" },
                        parts.join(", ")
                    )
                };
                format!("Advanced {d}: {from} → {} ({summary})\n", self.now)
            }
            SimCommand::Seed(None) => format!("seed: {}\n", self.seed),
            SimCommand::Seed(Some(n)) => {
                self.seed = *n;
                self.rng = SimRng::seeded(*n);
                self.emit(EventDraft::new(
                    Source::of(Component::Sim),
                    ObjectRef::new("simulation", &self.scenario.name),
                    "Reseeded",
                    format!("random number generator reseeded with {n}; `sim reset` rebuilds the scenario with it"),
                ));
                format!("seed set to {n}\n")
            }
            SimCommand::Reset => {
                self.boot();
                self.emit(EventDraft::new(
                    Source::of(Component::Sim),
                    ObjectRef::new("simulation", &self.scenario.name),
                    "Reset",
                    format!(
                        "scenario \"{}\" restarted from 00:00:00 with seed {}",
                        self.scenario.name, self.seed
                    ),
                ));
                format!(
                    "Reset scenario \"{}\" (seed {}) to 00:00:00\n",
                    self.scenario.name, self.seed
                )
            }
            // Validated against the cluster, so it can fail: see `apply_load`.
            SimCommand::Load(_) => String::new(),
            SimCommand::Cost => crate::cost::report(&self.world.billing, self.now),
            SimCommand::Price(None) => crate::cost::price_table(&self.world.billing.prices),
            SimCommand::Price(Some((name, nano))) => {
                self.world.billing.prices.set(name, *nano);
                let msg = format!(
                    "price {name} set to {} per hour; resources started from now on are billed at it",
                    crate::cost::dollars(*nano, 6)
                );
                self.emit(EventDraft::new(
                    Source::of(Component::Billing),
                    ObjectRef::new("price", name.clone()),
                    "PriceSet",
                    msg.clone(),
                ));
                msg + "\n"
            }
            SimCommand::Compare(args) => {
                let out = crate::compare::run(args, self.seed, &self.world.billing.prices);
                self.emit(EventDraft::new(
                    Source::of(Component::Sim),
                    ObjectRef::new("comparison", args.platforms.join(",")),
                    "Compared",
                    format!(
                        "ran the same app on {} for {} of simulated time",
                        args.platforms.join(", "),
                        args.duration
                    ),
                ));
                out
            }
        }
    }

    /// Runs the next due task, if any, moving the clock to its time. Returns that time.
    pub fn step(&mut self) -> Option<SimTime> {
        let (&(at, seq), _) = self.queue.iter().next()?;
        let task = self.queue.remove(&(at, seq))?;
        self.now = at;
        if self.pending.get(&task) == Some(&at) {
            self.pending.remove(&task);
        }
        let effects = match &task {
            Task::KubeletHeartbeat { node } => kubelet::heartbeat(&self.world, node),
            Task::Reconcile { controller, key } => {
                controller_manager::reconcile(*controller, key, &self.world, self.now)
            }
            Task::ScheduleNext => match self.world.scheduler.pop() {
                Some(key) => {
                    let out = scheduler::schedule(&key, &self.world, self.now, &mut self.rng);
                    self.world.scheduler.next_start = out.next_start;
                    if out.unschedulable {
                        self.world.scheduler.unschedulable.insert(key.clone());
                    } else {
                        self.world.scheduler.unschedulable.remove(&key);
                    }
                    let mut effects = out.effects;
                    // One cycle at a time: the next pod's cycle follows this one.
                    if !self.world.scheduler.active.is_empty() {
                        effects.push(Effect::Schedule {
                            after: scheduler::CYCLE_LATENCY,
                            task: scheduler::task(),
                        });
                    }
                    effects
                }
                None => Vec::new(),
            },
            Task::KubeletPod { node, key, step } => {
                kubelet::pod_worker::step(&self.world, node, key, step, self.now)
            }
            Task::MetricsScrape => crate::components::metrics_server::scrape(&self.world, self.now),
            Task::Aws(t) => crate::components::aws::step(t, &self.world, self.now, &mut self.rng),
        };
        self.apply_effects(effects);
        Some(at)
    }

    /// Runs every task due at or before `until`, then sets the clock to `until`.
    pub fn run_until(&mut self, until: SimTime) {
        while let Some((&(at, _), _)) = self.queue.iter().next() {
            if at > until {
                break;
            }
            self.step();
        }
        if until > self.now {
            self.now = until;
        }
    }

    /// Runs tasks in time order until `done` holds or the clock would pass `deadline`,
    /// for commands that block in reality (`kubectl rollout status`, `kubectl wait`).
    /// `done` is asked once before anything runs and then after all tasks of each
    /// instant; when it never holds, the clock ends at `deadline`. Returns whether
    /// `done` held.
    pub fn advance_until(
        &mut self,
        deadline: SimTime,
        mut done: impl FnMut(&Simulation) -> bool,
    ) -> bool {
        if done(self) {
            return true;
        }
        while let Some(at) = self.next_due().filter(|t| *t <= deadline) {
            while self.next_due() == Some(at) {
                self.step();
            }
            if done(self) {
                return true;
            }
        }
        if deadline > self.now {
            self.now = deadline;
        }
        done(self)
    }

    fn emit(&mut self, draft: EventDraft) {
        self.log.append(self.now, draft);
    }

    /// Queues `task`. Immediate reconcile, scheduling and pod-sync work already pending is
    /// not queued twice (the pending run will see the latest state), as a client-go
    /// workqueue deduplicates `Add`. Timers (`AddAfter`, anything due later than
    /// [`IMMEDIATE`]) are always queued: an earlier pending run must not swallow a
    /// back-off retry or a deadline check.
    fn schedule(&mut self, after: SimDuration, task: Task) {
        let dedup = matches!(
            task,
            Task::Reconcile { .. }
                | Task::ScheduleNext
                | Task::Aws(
                    crate::components::aws::AwsTask::ServiceSync { .. }
                        | crate::components::aws::AwsTask::CapacityCheck { .. }
                )
                | Task::KubeletPod {
                    step: crate::effect::PodStep::Sync,
                    ..
                }
        );
        let at = self.now.after(after);
        if dedup && after <= IMMEDIATE {
            if self.pending.get(&task).is_some_and(|due| *due <= at) {
                return;
            }
            self.pending.insert(task.clone(), at);
        }
        self.queue.insert((at, self.next_task), task);
        self.next_task += 1;
    }

    fn apply_effects(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Emit(d) => self.emit(d),
                Effect::Schedule { after, task } => self.schedule(after, task),
                Effect::Create(obj) => {
                    let what = ObjKey::of(&obj).to_string();
                    if let Err(e) = self.world.api.create(*obj, self.now, &mut self.rng) {
                        self.emit(EventDraft::new(
                            Source::of(Component::KubeApiserver),
                            ObjectRef::new("object", what),
                            "FailedCreate",
                            e.to_string(),
                        ));
                    }
                }
                Effect::Restore(obj) => {
                    let mut obj = *obj;
                    crate::apiserver::admission::default_object(&mut obj);
                    self.world.api.write(obj);
                }
                Effect::CreateNamed { object, event } => {
                    let what = ObjKey::of(&object).to_string();
                    match self.world.api.create(*object, self.now, &mut self.rng) {
                        Ok(created) => {
                            let name = created.meta().name.clone();
                            let mut event = event;
                            event.reason = event.reason.replace("{name}", &name);
                            self.emit(event);
                        }
                        Err(e) => self.emit(EventDraft::new(
                            Source::of(Component::KubeApiserver),
                            ObjectRef::new("object", what),
                            "FailedCreate",
                            e.to_string(),
                        )),
                    }
                }
                Effect::Write(obj) => {
                    let key = ObjKey::of(&obj);
                    // A write to an object deleted meanwhile is dropped, as a conflicting
                    // update would be refused upstream.
                    if self.world.api.store.contains(&key) {
                        self.world.api.write(*obj);
                    }
                }
                Effect::Delete(key) => self.delete_object(&key),
                Effect::Remove(key) => {
                    let _ = self.world.api.delete(&key);
                }
                Effect::AgentJoined { node, index } => {
                    self.world.agents.insert(
                        node,
                        NodeAgent {
                            kubelet_running: true,
                            last_heartbeat: self.now,
                            index,
                            last_pod_ip: 1,
                            images: BTreeMap::new(),
                            layers: Default::default(),
                            bandwidth: kubelet::DEFAULT_BANDWIDTH,
                            pods: BTreeMap::new(),
                        },
                    );
                }
                Effect::PodRuntime { node, key, runtime } => {
                    if let Some(a) = self.world.agents.get_mut(&node) {
                        match runtime {
                            Some(r) => {
                                a.pods.insert(key, r);
                            }
                            None => {
                                a.pods.remove(&key);
                            }
                        }
                    }
                }
                Effect::NodeImage {
                    node,
                    reference,
                    size,
                    layers,
                } => {
                    if let Some(a) = self.world.agents.get_mut(&node) {
                        a.images.insert(reference.clone(), size);
                        a.layers.extend(layers);
                    }
                    // The kubelet reports its images in node status (ImageLocality reads it).
                    if let Some(n) = self.world.api.store.node_named(&node) {
                        let mut n = n.clone();
                        if !n.status.images.iter().any(|i| i.names.contains(&reference)) {
                            n.status.images.push(crate::api::node::ContainerImage {
                                names: vec![reference],
                                size_bytes: size as i64,
                            });
                            self.world.api.write(crate::api::Object::Node(n));
                        }
                    }
                }
                Effect::LoadBalancerRequested {
                    service,
                    ip,
                    ready_at,
                } => {
                    self.world.load_balancers.insert(service, (ip, ready_at));
                }
                Effect::PodIpsUsed { node, last } => {
                    if let Some(a) = self.world.agents.get_mut(&node) {
                        a.last_pod_ip = a.last_pod_ip.max(last);
                    }
                }
                Effect::NodeHeartbeat { node } => {
                    if let Some(a) = self.world.agents.get_mut(&node) {
                        a.last_heartbeat = self.now;
                    }
                    if let Some(n) = self.world.api.store.node_named(&node) {
                        let mut n = n.clone();
                        kubelet::node_status::post(&mut n, self.now);
                        self.world.api.write(crate::api::Object::Node(n));
                    }
                }
                Effect::AgentLeft { node } => {
                    self.world.agents.remove(&node);
                }
                Effect::Metrics(state) => self.world.metrics = *state,
                Effect::Aws(e) => self.apply_aws(*e),
                Effect::HpaMemory { key, memory } => match memory {
                    Some(m) => {
                        self.world.hpa_controller.insert(key, *m);
                    }
                    None => {
                        self.world.hpa_controller.remove(&key);
                    }
                },
            }
            self.dispatch_changes();
        }
    }

    /// Deletes an object the way the API server does (gracefully for bound pods).
    fn delete_object(&mut self, key: &ObjKey) {
        let _ = self.world.api.delete_with(key, self.now, None);
    }

    /// Applies a batch of API writes from a client (kubectl) all-or-nothing: the batch is
    /// first tried on a copy of the API server, and only if every write succeeds is it
    /// applied for real, so a bad object anywhere leaves the cluster untouched.
    pub(crate) fn submit(&mut self, writes: Vec<Write>) -> Result<Vec<WriteOutcome>, ApiError> {
        self.try_submit(writes.clone())?;
        let mut out = Vec::new();
        for w in writes {
            let outcome = apply_write(&mut self.world.api, w, self.now, &mut self.rng)?;
            let verb = match &outcome {
                WriteOutcome::Created(_) => "Created",
                WriteOutcome::Updated(_) => "Updated",
                WriteOutcome::Unchanged(_) => "Unchanged",
                WriteOutcome::Deleted(_) => "Deleted",
            };
            let key = outcome.key().clone();
            if verb != "Unchanged" {
                self.emit(EventDraft::new(
                    Source::of(Component::KubeApiserver),
                    ObjectRef::from_key(&key),
                    verb,
                    format!(
                        "{} {} and persisted it to etcd (resourceVersion {})",
                        verb.to_lowercase(),
                        key,
                        self.world.api.store.resource_version()
                    ),
                ));
            }
            out.push(outcome);
        }
        self.dispatch_changes();
        Ok(out)
    }

    /// Runs a batch against a copy of the API server and reports what it would do,
    /// changing nothing (`--dry-run`, and the first half of [`Simulation::submit`]).
    pub(crate) fn try_submit(&self, writes: Vec<Write>) -> Result<Vec<WriteOutcome>, ApiError> {
        let mut trial = self.world.api.clone();
        let mut trial_rng = self.rng.clone();
        writes
            .into_iter()
            .map(|w| apply_write(&mut trial, w, self.now, &mut trial_rng))
            .collect()
    }

    /// Hands the store's change feed to the watchers (controllers, scheduler, kubelets).
    fn dispatch_changes(&mut self) {
        loop {
            let changes = self.world.api.store.drain_changes();
            if changes.is_empty() {
                return;
            }
            for change in &changes {
                let made_room = self.world.scheduler.observe(change);
                for (controller, key) in controller_manager::watchers(change, &self.world) {
                    self.schedule(
                        controller_manager::REACTION,
                        Task::Reconcile { controller, key },
                    );
                }
                for key in scheduler::watch(change, &self.world.scheduler, made_room) {
                    let priority = self
                        .world
                        .api
                        .store
                        .pod(&key.namespace, &key.name)
                        .and_then(|p| p.spec.priority)
                        .unwrap_or(0);
                    self.world.scheduler.enqueue(key, priority, self.now);
                    self.schedule(scheduler::CYCLE_LATENCY, scheduler::task());
                }
                for task in kubelet::pod_worker::watch(change, &self.world) {
                    self.schedule(kubelet::pod_worker::REACTION, task);
                }
                // EKS watches pods too, like its Fargate admission webhook and the
                // fargate-scheduler: a new pod matching a Fargate profile is taken (its
                // schedulerName rewritten before kube-scheduler's cycle, which is
                // CYCLE_LATENCY later), and a finished or deleted Fargate pod releases
                // its micro-VM (`components::aws::eks::watch`).
                for task in crate::components::aws::eks::watch(change, &self.world) {
                    self.schedule(
                        SimDuration::ZERO,
                        Task::Aws(crate::components::aws::AwsTask::Eks(task)),
                    );
                }
            }
        }
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The seed in use.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The scenario this simulation started from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The world, read-only.
    pub fn state(&self) -> &World {
        &self.world
    }

    /// The event log.
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// The successful commands so far.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The time of the next scheduled task, if any.
    pub fn next_due(&self) -> Option<SimTime> {
        self.queue.keys().next().map(|(t, _)| *t)
    }

    /// Answers a query about the current state.
    pub fn query(&self, q: &Query) -> Value {
        check::answer(self, q)
    }

    /// Evaluates a goal.
    pub fn check(&self, c: &Check) -> CheckOutcome {
        c.evaluate(self)
    }

    /// A fingerprint of everything observable: time, seed, log digest and world. Two
    /// simulations with the same fingerprint are indistinguishable to the learner.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.now.as_millis().to_le_bytes());
        h.update(self.seed.to_le_bytes());
        h.update(self.log.digest().as_bytes());
        h.update(serde_json::to_vec(&self.world).expect("the world serialises to JSON"));
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}
