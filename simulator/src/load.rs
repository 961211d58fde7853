//! The load model: how much work the simulated applications get, and what it costs them.
//!
//! Real clusters autoscale on measured resource usage; the simulator has no real
//! processes, so usage comes from a small, deterministic model that learners drive with
//! `sim` commands:
//!
//! * **Traffic** (`sim traffic TARGET RPS`): a request rate sent to a Service, a
//!   Deployment or a single pod. Requests to a Service are spread evenly over its *ready*
//!   endpoints, as kube-proxy does from the EndpointSlice (pods that are not ready get
//!   none); requests to a Deployment go evenly to its ready pods; requests to a pod go to
//!   that pod while it runs. Rates on several targets that reach the same pod add up
//!   ([`crate::components::kube_proxy`]).
//! * **Cost**: every request costs [`DEFAULT_CPU_PER_REQUEST`] millicore-seconds of CPU
//!   (2m per request per second: 100 requests/s keep 200m busy) in the pod's first
//!   container, unless the traffic says otherwise (`--cpu-per-request 5m`), and
//!   [`MEMORY_PER_RPS`] bytes of working memory per request/s. On top, every container
//!   idles at a baseline ([`IDLE_CPU`], [`IDLE_MEMORY`]; the control-plane components
//!   have their own typical baselines). CPU is capped at the container's CPU limit
//!   (the kernel throttles it there) and memory at its memory limit (the simulator does
//!   not OOM-kill). See [`crate::components::metrics_server`].
//! * **Shapes**: a steady rate; a daily curve (`--daily MIN..MAX`): a sinusoid between
//!   MIN and MAX with a 24-hour period of simulated time, starting at MIN (or, given
//!   `RPS` too, at RPS on the rising side) when the command runs; and **spikes**
//!   (`sim traffic TARGET spike 10x for 5m`) that multiply whatever the rate is for a
//!   while. Everything is a pure function of simulated time, computed with plain
//!   floating-point arithmetic (no platform `sin`/`cos`), so native and wasm agree.
//! * **Direct usage** (`sim usage TARGET cpu=250m [memory=128Mi]`): every pod of the
//!   target uses exactly that (per pod, in its first container), whatever the traffic;
//!   `sim usage TARGET clear` goes back to the model.
//!
//! metrics-server samples the result every 15 s; the HPA and `kubectl top` read those
//! samples, never this model directly.

use crate::apiserver::ObjKey;
use crate::command::CommandError;
use crate::time::{SimDuration, SimTime};
use serde::Serialize;
use std::collections::BTreeMap;

/// CPU one request costs, in millicore-seconds (so 1 request/s keeps 2m busy).
pub const DEFAULT_CPU_PER_REQUEST: i64 = 2;
/// CPU a container uses with no traffic, millicores.
pub const IDLE_CPU: i64 = 5;
/// Memory a container uses with no traffic, bytes (12 MiB).
pub const IDLE_MEMORY: i64 = 12 * 1024 * 1024;
/// Working memory per request/s of traffic, bytes (128 KiB).
pub const MEMORY_PER_RPS: i64 = 128 * 1024;
/// The period of a daily curve.
pub const DAY: SimDuration = SimDuration::from_mins(24 * 60);

/// What traffic or usage is aimed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum TargetKind {
    /// `service/NAME`: spread over the Service's ready endpoints.
    Service,
    /// `deployment/NAME`: spread over the Deployment's ready pods.
    Deployment,
    /// `pod/NAME`: one pod.
    Pod,
    /// `ecs-service/NAME --cluster C`: spread over an ECS service's healthy tasks.
    EcsService,
}

impl TargetKind {
    /// The API kind.
    pub fn api_kind(self) -> &'static str {
        match self {
            TargetKind::Service => "Service",
            TargetKind::Deployment => "Deployment",
            TargetKind::Pod => "Pod",
            TargetKind::EcsService => "EcsService",
        }
    }

    /// kubectl's resource name (`service`, `deployment`, `pod`).
    pub fn word(self) -> &'static str {
        match self {
            TargetKind::Service => "service",
            TargetKind::Deployment => "deployment",
            TargetKind::Pod => "pod",
            TargetKind::EcsService => "ecs-service",
        }
    }

    /// The plural resource, for NotFound errors (`services`, `deployments.apps`).
    pub fn resource(self) -> &'static str {
        match self {
            TargetKind::Service => "services",
            TargetKind::Deployment => "deployments.apps",
            TargetKind::Pod => "pods",
            TargetKind::EcsService => "ECS services",
        }
    }
}

/// A parsed `TYPE/NAME` target with its namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Which kind.
    pub kind: TargetKind,
    /// Namespace (`-n`, default `default`).
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl Target {
    /// The object key.
    pub fn key(&self) -> ObjKey {
        ObjKey::new(self.kind.api_kind(), &self.namespace, &self.name)
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind.word(), self.name)
    }
}

/// How the base rate varies with time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Shape {
    /// A constant rate, milli-requests per second.
    Steady {
        /// Milli-requests per second.
        milli_rps: i64,
    },
    /// A 24-hour sinusoid between `min` and `max` (milli-requests per second).
    Daily {
        /// Trough.
        min: i64,
        /// Peak.
        max: i64,
        /// Where in the cycle the curve was at `since`, in milliseconds from a trough.
        phase_ms: u64,
    },
}

/// A temporary multiplier on a target's rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Spike {
    /// Starts (inclusive).
    pub start: SimTime,
    /// Ends (exclusive).
    pub end: SimTime,
    /// Multiplier in thousandths (`10x` = 10 000).
    pub factor_milli: i64,
}

/// Traffic aimed at one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Traffic {
    /// The base rate's shape.
    pub shape: Shape,
    /// When it was set (the origin of a daily curve).
    pub since: SimTime,
    /// CPU per request, millicore-seconds.
    pub cpu_per_request: i64,
    /// Spikes, in the order they were added.
    pub spikes: Vec<Spike>,
}

/// Usage set directly with `sim usage` (per pod).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageOverride {
    /// Millicores.
    pub cpu: Option<i64>,
    /// Bytes.
    pub memory: Option<i64>,
}

/// The load state kept in the world: traffic and usage overrides by target object.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LoadState {
    /// Traffic by target (`Service`, `Deployment` or `Pod` key).
    pub traffic: BTreeMap<ObjKey, Traffic>,
    /// Direct usage by target.
    pub usage: BTreeMap<ObjKey, UsageOverride>,
}

/// A parsed `sim traffic …` / `sim usage …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadCommand {
    /// `sim traffic TARGET RPS|off [--daily MIN..MAX] [--cpu-per-request Q]`.
    Traffic {
        /// Where the requests go.
        target: Target,
        /// Milli-requests per second (`None` with a daily curve and no RPS).
        milli_rps: Option<i64>,
        /// `--daily MIN..MAX` in milli-requests per second.
        daily: Option<(i64, i64)>,
        /// `--cpu-per-request`, millicore-seconds.
        cpu_per_request: Option<i64>,
    },
    /// `sim traffic TARGET spike FACTORx for DURATION`.
    Spike {
        /// Whose traffic.
        target: Target,
        /// Multiplier in thousandths.
        factor_milli: i64,
        /// How long.
        duration: SimDuration,
    },
    /// `sim traffic TARGET off` (also `0`).
    TrafficOff {
        /// Whose traffic.
        target: Target,
    },
    /// `sim usage TARGET cpu=Q [memory=Q]`.
    Usage {
        /// Which pods.
        target: Target,
        /// What they use.
        usage: UsageOverride,
    },
    /// `sim usage TARGET clear`.
    UsageClear {
        /// Which pods.
        target: Target,
    },
}

// ---------------------------------------------------------------------------------------
// Deterministic trigonometry.

const TAU: f64 = std::f64::consts::TAU;
const PI: f64 = std::f64::consts::PI;

/// `cos(x)` from +, −, ×, ÷ and `floor` only (all exactly rounded in IEEE 754), so it
/// returns the same bits natively and in wasm, unlike the platform's libm. Accurate to
/// about 1e-15 after reduction to `[-π, π]`.
pub fn det_cos(x: f64) -> f64 {
    let mut r = x - TAU * (x / TAU).floor();
    if r > PI {
        r -= TAU;
    }
    // Taylor series around 0, 14 terms (|r| ≤ π: the last term is below 1e-17).
    let r2 = r * r;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..=14 {
        let n = f64::from(2 * k);
        term = -term * r2 / ((n - 1.0) * n);
        sum += term;
    }
    sum
}

/// The fraction of the way from trough to peak of a daily curve `ms` into its cycle:
/// `(1 − cos(2π·ms/day)) / 2`.
fn daily_fraction(ms: u64) -> f64 {
    let day = DAY.as_millis();
    let x = TAU * ((ms % day) as f64) / (day as f64);
    (1.0 - det_cos(x)) / 2.0
}

/// The phase (ms from a trough, on the rising half) at which a daily curve between `min`
/// and `max` is at `rate`; bisection on [`daily_fraction`], deterministic.
pub fn daily_phase_for(min: i64, max: i64, rate: i64) -> u64 {
    if max <= min || rate <= min {
        return 0;
    }
    let half = DAY.as_millis() / 2;
    if rate >= max {
        return half;
    }
    let want = (rate - min) as f64 / (max - min) as f64;
    let (mut lo, mut hi) = (0u64, half);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if daily_fraction(mid) < want {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

impl Traffic {
    /// Requests per second at `now`: the shape's base rate times every active spike.
    pub fn rps_at(&self, now: SimTime) -> f64 {
        let base = match &self.shape {
            Shape::Steady { milli_rps } => *milli_rps as f64 / 1000.0,
            Shape::Daily { min, max, phase_ms } => {
                let elapsed = now.since(self.since).as_millis();
                let f = daily_fraction(elapsed.wrapping_add(*phase_ms));
                (*min as f64 + (*max - *min) as f64 * f) / 1000.0
            }
        };
        self.spikes
            .iter()
            .filter(|s| s.start <= now && now < s.end)
            .fold(base, |r, s| r * s.factor_milli as f64 / 1000.0)
    }

    /// A short description (`100 requests/s`, `daily 50..400 requests/s`).
    pub fn describe(&self) -> String {
        let shape = match &self.shape {
            Shape::Steady { milli_rps } => format!("{} requests/s", fmt_milli(*milli_rps)),
            Shape::Daily { min, max, .. } => format!(
                "a daily curve between {} and {} requests/s (24h period)",
                fmt_milli(*min),
                fmt_milli(*max)
            ),
        };
        format!("{shape}, {}m CPU per request", self.cpu_per_request)
    }
}

/// `1500` → `1.5`, `100000` → `100`.
pub fn fmt_milli(v: i64) -> String {
    if v % 1000 == 0 {
        (v / 1000).to_string()
    } else {
        let s = format!("{}.{:03}", v / 1000, (v % 1000).abs());
        s.trim_end_matches('0').to_string()
    }
}

// ---------------------------------------------------------------------------------------
// Parsing.

const TRAFFIC_USAGE: &str = "usage: sim traffic TYPE/NAME RPS [--cpu-per-request 2m] [-n NS]\n       sim traffic TYPE/NAME [RPS] --daily MIN..MAX\n       sim traffic TYPE/NAME spike FACTORx for DURATION\n       sim traffic TYPE/NAME off\n  TYPE: service (svc), deployment (deploy), pod (po)";
const USAGE_USAGE: &str = "usage: sim usage TYPE/NAME cpu=250m [memory=128Mi] [-n NS]\n       sim usage TYPE/NAME clear\n  TYPE: service (svc), deployment (deploy), pod (po)";

fn err(msg: impl std::fmt::Display, usage: &str) -> CommandError {
    CommandError::new(format!("error: {msg}\n{usage}"))
}

/// A non-negative decimal number in thousandths (`100`, `12.5`, `0.001`).
pub fn parse_milli(s: &str) -> Option<i64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 3
    {
        return None;
    }
    let i: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let f: i64 = format!("{frac:0<3}").parse().ok()?;
    i.checked_mul(1000)?.checked_add(f)
}

/// The most traffic one target may get (a million requests per second).
pub const MAX_RPS: i64 = 1_000_000;

fn parse_rps(s: &str, usage: &str) -> Result<i64, CommandError> {
    match parse_milli(s) {
        Some(v) if v <= MAX_RPS * 1000 => Ok(v),
        Some(_) => Err(err(
            format!("invalid rate {s:?}: at most {MAX_RPS} requests per second"),
            usage,
        )),
        None => Err(err(
            format!("invalid rate {s:?}: expected requests per second, e.g. 100 or 2.5"),
            usage,
        )),
    }
}

fn parse_target(s: &str, namespace: &str, usage: &str) -> Result<Target, CommandError> {
    let Some((ty, name)) = s.split_once('/') else {
        return Err(err(
            format!("invalid target {s:?}: expected TYPE/NAME, e.g. service/web"),
            usage,
        ));
    };
    let kind = match ty {
        "service" | "services" | "svc" => TargetKind::Service,
        "deployment" | "deployments" | "deploy" => TargetKind::Deployment,
        "pod" | "pods" | "po" => TargetKind::Pod,
        "ecs-service" | "ecs" => TargetKind::EcsService,
        other => {
            return Err(err(
                format!(
                    "cannot send traffic to {other:?}: TYPE must be service, deployment, pod or ecs-service"
                ),
                usage,
            ));
        }
    };
    if name.is_empty() {
        return Err(err(format!("invalid target {s:?}: missing NAME"), usage));
    }
    Ok(Target {
        kind,
        namespace: namespace.to_string(),
        name: name.to_string(),
    })
}

/// Splits `-n NS` / `--namespace NS` / `--namespace=NS` and `--flag value` pairs out.
fn split_flags(
    args: &[String],
    known: &[&str],
    usage: &str,
) -> Result<(Vec<String>, BTreeMap<String, String>), CommandError> {
    let mut pos = Vec::new();
    let mut flags = BTreeMap::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let name = if a == "-n" || a == "--cluster" {
            "namespace".to_string()
        } else if let Some(rest) = a.strip_prefix("--") {
            rest.to_string()
        } else {
            pos.push(a.clone());
            continue;
        };
        let (name, inline) = match name.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (name, None),
        };
        if name != "namespace" && !known.contains(&name.as_str()) {
            return Err(err(format!("unknown flag: --{name}"), usage));
        }
        let value = match inline {
            Some(v) => v,
            None => it
                .next()
                .cloned()
                .ok_or_else(|| err(format!("flag needs an argument: --{name}"), usage))?,
        };
        flags.insert(name, value);
    }
    Ok((pos, flags))
}

/// Parses the words after `sim traffic`.
pub fn parse_traffic(args: &[String]) -> Result<LoadCommand, CommandError> {
    let u = TRAFFIC_USAGE;
    let (pos, flags) = split_flags(args, &["daily", "cpu-per-request"], u)?;
    let ns = flags.get("namespace").map_or("default", String::as_str);
    let Some((t, rest)) = pos.split_first() else {
        return Err(err("sim traffic needs a TARGET and a rate", u));
    };
    let target = parse_target(t, ns, u)?;
    let cpu_per_request = flags
        .get("cpu-per-request")
        .map(|q| {
            crate::kube::quantity::parse_for_resource("cpu", q)
                .ok()
                .filter(|v| *v >= 0)
                .ok_or_else(|| {
                    err(
                        format!("invalid --cpu-per-request {q:?}: expected a CPU quantity such as 2m or 0.01"),
                        u,
                    )
                })
        })
        .transpose()?;
    let daily = flags
        .get("daily")
        .map(|d| {
            let bad = || {
                err(
                    format!(
                        "invalid --daily {d:?}: expected MIN..MAX requests per second, e.g. 50..400"
                    ),
                    u,
                )
            };
            let (a, b) = d.split_once("..").ok_or_else(bad)?;
            let (min, max) = (parse_rps(a, u)?, parse_rps(b, u)?);
            if min > max {
                return Err(err(
                    format!("invalid --daily {d:?}: MIN is larger than MAX"),
                    u,
                ));
            }
            Ok((min, max))
        })
        .transpose()?;
    match rest {
        [] if daily.is_some() => Ok(LoadCommand::Traffic {
            target,
            milli_rps: None,
            daily,
            cpu_per_request,
        }),
        [] => Err(err(format!("sim traffic {t} needs a rate"), u)),
        [w] if w == "off" => {
            if daily.is_some() || cpu_per_request.is_some() {
                return Err(err("sim traffic … off takes no flags", u));
            }
            Ok(LoadCommand::TrafficOff { target })
        }
        [rate] => {
            let milli_rps = parse_rps(rate, u)?;
            if let Some((min, max)) = daily
                && !(min..=max).contains(&milli_rps)
            {
                return Err(err(
                    format!(
                        "a daily curve between {} and {} cannot start at {}: RPS must lie within --daily",
                        fmt_milli(min),
                        fmt_milli(max),
                        fmt_milli(milli_rps)
                    ),
                    u,
                ));
            }
            if milli_rps == 0 && daily.is_none() {
                if cpu_per_request.is_some() {
                    return Err(err("traffic of 0 has no cost to set", u));
                }
                return Ok(LoadCommand::TrafficOff { target });
            }
            Ok(LoadCommand::Traffic {
                target,
                milli_rps: Some(milli_rps),
                daily,
                cpu_per_request,
            })
        }
        [s, factor, for_, duration] if s == "spike" => {
            if for_ != "for" {
                return Err(err(
                    format!("expected `for` after the spike factor, got {for_:?}"),
                    u,
                ));
            }
            if daily.is_some() || cpu_per_request.is_some() {
                return Err(err("a spike takes no flags", u));
            }
            let factor_milli = factor
                .strip_suffix('x')
                .and_then(parse_milli)
                .filter(|f| *f > 0 && *f <= 1_000_000)
                .ok_or_else(|| {
                    err(
                        format!("invalid spike factor {factor:?}: expected a multiplier such as 10x or 1.5x (at most 1000x)"),
                        u,
                    )
                })?;
            let duration = SimDuration::parse(duration).map_err(|e| err(e, u))?;
            if duration == SimDuration::ZERO {
                return Err(err("a spike needs a duration longer than 0s", u));
            }
            Ok(LoadCommand::Spike {
                target,
                factor_milli,
                duration,
            })
        }
        [s, ..] if s == "spike" => Err(err("expected: spike FACTORx for DURATION", u)),
        _ => Err(err(
            format!(
                "unexpected arguments after the rate: {}",
                rest[1..].join(" ")
            ),
            u,
        )),
    }
}

/// Parses the words after `sim usage`.
pub fn parse_usage(args: &[String]) -> Result<LoadCommand, CommandError> {
    let u = USAGE_USAGE;
    let (pos, flags) = split_flags(args, &[], u)?;
    let ns = flags.get("namespace").map_or("default", String::as_str);
    let Some((t, rest)) = pos.split_first() else {
        return Err(err("sim usage needs a TARGET and cpu=… and/or memory=…", u));
    };
    let target = parse_target(t, ns, u)?;
    if let [w] = rest
        && w == "clear"
    {
        return Ok(LoadCommand::UsageClear { target });
    }
    if rest.is_empty() {
        return Err(err(format!("sim usage {t} needs cpu=… and/or memory=…"), u));
    }
    let mut usage = UsageOverride::default();
    for item in rest {
        let Some((k, v)) = item.split_once('=') else {
            return Err(err(
                format!("invalid usage {item:?}: expected cpu=QUANTITY or memory=QUANTITY"),
                u,
            ));
        };
        let amount = crate::kube::quantity::parse_for_resource(k, v)
            .ok()
            .filter(|a| *a >= 0)
            .ok_or_else(|| err(format!("invalid quantity {v:?} for {k}"), u))?;
        match k {
            "cpu" => usage.cpu = Some(amount),
            "memory" => usage.memory = Some(amount),
            other => {
                return Err(err(
                    format!("unknown resource {other:?}: only cpu and memory usage can be set"),
                    u,
                ));
            }
        }
    }
    Ok(LoadCommand::Usage { target, usage })
}

// ---------------------------------------------------------------------------------------
// Applying (called by the engine, which owns the world).

impl LoadCommand {
    /// The target.
    pub fn target(&self) -> &Target {
        match self {
            LoadCommand::Traffic { target, .. }
            | LoadCommand::Spike { target, .. }
            | LoadCommand::TrafficOff { target }
            | LoadCommand::Usage { target, .. }
            | LoadCommand::UsageClear { target } => target,
        }
    }
}

fn fmt_cpu(m: i64) -> String {
    format!("{m}m")
}

fn fmt_memory(b: i64) -> String {
    if b % (1024 * 1024) == 0 {
        format!("{}Mi", b / (1024 * 1024))
    } else {
        format!("{b}")
    }
}

/// Applies a load command to `state`, after checking the target exists in `store` (or,
/// for an ECS service, in `aws`). Returns the terminal output and the sentence for the
/// event log.
pub fn apply(
    state: &mut LoadState,
    store: &crate::apiserver::Store,
    aws: &crate::ecs::EcsState,
    cmd: &LoadCommand,
    now: SimTime,
) -> Result<(String, String), CommandError> {
    let target = cmd.target();
    let key = target.key();
    if target.kind == TargetKind::EcsService {
        let cluster = target.namespace.clone();
        if aws
            .services
            .get(&(cluster.clone(), target.name.clone()))
            .is_none_or(|s| s.status != "ACTIVE")
        {
            return Err(CommandError::new(format!(
                "error: ECS service {} not found in cluster {} (use --cluster NAME)",
                target.name, cluster
            )));
        }
        if matches!(
            cmd,
            LoadCommand::Usage { .. } | LoadCommand::UsageClear { .. }
        ) {
            return Err(CommandError::new(
                "error: sim usage works on Kubernetes targets; ECS task usage follows the traffic model (sim traffic ecs-service/NAME RPS)",
            ));
        }
    } else if !store.contains(&key) {
        return Err(CommandError::new(format!(
            "Error from server (NotFound): {} \"{}\" not found",
            target.kind.resource(),
            target.name
        )));
    }
    let (out, msg) = match cmd {
        LoadCommand::Traffic {
            milli_rps,
            daily,
            cpu_per_request,
            ..
        } => {
            let cost = cpu_per_request
                .or_else(|| state.traffic.get(&key).map(|t| t.cpu_per_request))
                .unwrap_or(DEFAULT_CPU_PER_REQUEST);
            let shape = match (daily, milli_rps) {
                (Some((min, max)), start) => Shape::Daily {
                    min: *min,
                    max: *max,
                    phase_ms: start.map_or(0, |r| daily_phase_for(*min, *max, r)),
                },
                (None, r) => Shape::Steady {
                    milli_rps: r.unwrap_or(0),
                },
            };
            let t = Traffic {
                shape,
                since: now,
                cpu_per_request: cost,
                spikes: Vec::new(),
            };
            let d = t.describe();
            let now_rate = t.rps_at(now);
            state.traffic.insert(key, t);
            let extra = if daily.is_some() {
                format!(" (now {:.1} requests/s)", now_rate)
            } else {
                String::new()
            };
            (
                format!("traffic to {target}: {d}{extra}\n"),
                format!("{target} now receives {d}{extra}"),
            )
        }
        LoadCommand::Spike {
            factor_milli,
            duration,
            ..
        } => {
            let Some(t) = state.traffic.get_mut(&key) else {
                return Err(CommandError::new(format!(
                    "error: {target} has no traffic to spike; set a rate first (sim traffic {target} 100)"
                )));
            };
            t.spikes.push(Spike {
                start: now,
                end: now.after(*duration),
                factor_milli: *factor_milli,
            });
            let until = now.after(*duration);
            let s = format!(
                "{target} traffic spikes {}x for {duration} (until {until})",
                fmt_milli(*factor_milli)
            );
            (format!("{s}\n"), s)
        }
        LoadCommand::TrafficOff { .. } => {
            state.traffic.remove(&key);
            (
                format!("traffic to {target} stopped\n"),
                format!("{target} no longer receives traffic"),
            )
        }
        LoadCommand::Usage { usage, .. } => {
            let e = state.usage.entry(key).or_default();
            if usage.cpu.is_some() {
                e.cpu = usage.cpu;
            }
            if usage.memory.is_some() {
                e.memory = usage.memory;
            }
            let mut parts = Vec::new();
            if let Some(c) = e.cpu {
                parts.push(format!("cpu={}", fmt_cpu(c)));
            }
            if let Some(m) = e.memory {
                parts.push(format!("memory={}", fmt_memory(m)));
            }
            let s = format!(
                "every pod of {target} now uses {} (per pod)",
                parts.join(" ")
            );
            (format!("{s}\n"), s)
        }
        LoadCommand::UsageClear { .. } => {
            state.usage.remove(&key);
            let s = format!("usage of {target} follows the load model again");
            (format!("{s}\n"), s)
        }
    };
    Ok((out, msg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn deterministic_cosine_is_accurate() {
        for i in 0..=1000 {
            let x = -20.0 + f64::from(i) * 0.04;
            assert!((det_cos(x) - x.cos()).abs() < 1e-12, "{x}");
        }
    }

    #[test]
    fn parses_rates_and_flags() {
        let c = parse_traffic(&words("service/web 100 --cpu-per-request 5m")).unwrap();
        assert_eq!(
            c,
            LoadCommand::Traffic {
                target: Target {
                    kind: TargetKind::Service,
                    namespace: "default".into(),
                    name: "web".into()
                },
                milli_rps: Some(100_000),
                daily: None,
                cpu_per_request: Some(5),
            }
        );
        let c = parse_traffic(&words("svc/web 2.5 -n prod")).unwrap();
        assert_eq!(c.target().namespace, "prod");
        assert!(matches!(
            c,
            LoadCommand::Traffic {
                milli_rps: Some(2500),
                ..
            }
        ));
        assert!(matches!(
            parse_traffic(&words("pod/p 0")).unwrap(),
            LoadCommand::TrafficOff { .. }
        ));
        assert!(matches!(
            parse_traffic(&words("deploy/d off")).unwrap(),
            LoadCommand::TrafficOff { .. }
        ));
        assert!(matches!(
            parse_traffic(&words("service/web --daily 50..400")).unwrap(),
            LoadCommand::Traffic {
                milli_rps: None,
                daily: Some((50_000, 400_000)),
                ..
            }
        ));
        assert!(matches!(
            parse_traffic(&words("service/web spike 10x for 5m")).unwrap(),
            LoadCommand::Spike {
                factor_milli: 10_000,
                ..
            }
        ));
    }

    #[test]
    fn rejects_bad_input_with_usage() {
        for (line, want) in [
            ("", "needs a TARGET"),
            ("web 100", "expected TYPE/NAME"),
            ("node/a 100", "TYPE must be service"),
            ("service/web", "needs a rate"),
            ("service/web fast", "invalid rate"),
            ("service/web -5", "invalid rate"),
            ("service/web 100 --daily 400..50", "MIN is larger"),
            ("service/web 500 --daily 50..400", "must lie within"),
            (
                "service/web 100 --cpu-per-request lots",
                "--cpu-per-request",
            ),
            ("service/web spike ten for 5m", "spike factor"),
            ("service/web spike 10x 5m", "spike FACTORx"),
            ("service/web spike 10x during 5m", "expected `for`"),
            ("service/web spike 10x for 5", "missing unit"),
            ("service/web 100 --burst 3", "unknown flag"),
            ("service/web 100 200", "unexpected arguments"),
        ] {
            let e = parse_traffic(&words(line)).unwrap_err().to_string();
            assert!(e.contains(want), "{line:?}: {e}");
            assert!(e.contains("usage: sim traffic"), "{line:?}: {e}");
        }
        for (line, want) in [
            ("pod/a", "needs cpu="),
            ("pod/a cpu", "expected cpu=QUANTITY"),
            ("pod/a gpu=1", "unknown resource"),
            ("pod/a cpu=lots", "invalid quantity"),
        ] {
            let e = parse_usage(&words(line)).unwrap_err().to_string();
            assert!(e.contains(want), "{line:?}: {e}");
        }
        assert_eq!(
            parse_usage(&words("pod/a cpu=250m memory=128Mi")).unwrap(),
            LoadCommand::Usage {
                target: Target {
                    kind: TargetKind::Pod,
                    namespace: "default".into(),
                    name: "a".into()
                },
                usage: UsageOverride {
                    cpu: Some(250),
                    memory: Some(128 * 1024 * 1024)
                }
            }
        );
    }

    fn traffic(shape: Shape) -> Traffic {
        Traffic {
            shape,
            since: SimTime(1000),
            cpu_per_request: 2,
            spikes: vec![],
        }
    }

    #[test]
    fn daily_curve_spans_min_to_max() {
        let t = traffic(Shape::Daily {
            min: 50_000,
            max: 400_000,
            phase_ms: 0,
        });
        let at = |h: u64| t.rps_at(SimTime(1000).after(SimDuration::from_mins(h * 60)));
        assert!((at(0) - 50.0).abs() < 1e-9);
        assert!((at(6) - 225.0).abs() < 1e-9);
        assert!((at(12) - 400.0).abs() < 1e-9);
        assert!((at(18) - 225.0).abs() < 1e-9);
        assert!((at(24) - 50.0).abs() < 1e-9);
        // Starting at a given rate on the rising side.
        let phase = daily_phase_for(50_000, 400_000, 100_000);
        let t = traffic(Shape::Daily {
            min: 50_000,
            max: 400_000,
            phase_ms: phase,
        });
        assert!((t.rps_at(SimTime(1000)) - 100.0).abs() < 0.01);
        assert!(t.rps_at(SimTime(1000).after(SimDuration::from_mins(60))) > 100.0);
    }

    #[test]
    fn spikes_multiply_while_active() {
        let mut t = traffic(Shape::Steady { milli_rps: 20_000 });
        t.spikes.push(Spike {
            start: SimTime(10_000),
            end: SimTime(20_000),
            factor_milli: 10_000,
        });
        assert_eq!(t.rps_at(SimTime(9_999)), 20.0);
        assert_eq!(t.rps_at(SimTime(10_000)), 200.0);
        assert_eq!(t.rps_at(SimTime(19_999)), 200.0);
        assert_eq!(t.rps_at(SimTime(20_000)), 20.0);
    }

    #[test]
    fn milli_numbers() {
        assert_eq!(parse_milli("12.5"), Some(12_500));
        assert_eq!(parse_milli(".5"), Some(500));
        assert_eq!(parse_milli("1.2345"), None);
        assert_eq!(parse_milli("-1"), None);
        assert_eq!(fmt_milli(12_500), "12.5");
        assert_eq!(fmt_milli(100_000), "100");
        assert_eq!(fmt_milli(1), "0.001");
    }
}
