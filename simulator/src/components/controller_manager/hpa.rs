//! The HorizontalPodAutoscaler controller (`pkg/controller/podautoscaler/horizontal.go`).
//!
//! Every HPA is synced once per `--horizontal-pod-autoscaler-sync-period` (15 s), the
//! first time one period after it was created (upstream's work queue adds every key with
//! the resync interval as its delay). A sync reads the target Deployment's scale, the
//! pods its selector picks and their metrics-server samples, asks the replica calculator
//! for one proposal per metric ([`crate::controllers::hpa::replica_calculator`]), takes
//! the largest, normalises it ([`crate::controllers::hpa::behavior`]: the legacy path
//! with a 5-minute downscale stabilization window and the `max(2×current, 4)` scale-up
//! limit when `spec.behavior` is unset; stabilization windows and rate-limit policies
//! otherwise), writes `spec.replicas` of the Deployment when it changes, and writes the
//! HPA's status (current/desired replicas, current metrics, conditions AbleToScale,
//! ScalingActive, ScalingLimited with upstream's reasons).
//!
//! Like upstream, the controller keeps the recent recommendations and scale events in
//! memory, not in the API; here that memory lives in the world ([`HpaMemory`]).
//! Every scaling decision — and every decision *not* to scale that the metrics asked for —
//! is logged with a [`HpaDecision`] that shows the numbers.

use super::Controller;
use crate::api::Object;
use crate::api::meta::Timestamp;
use crate::api::pod::Pod;
use crate::api::policy::{HorizontalPodAutoscaler, HpaScalingRules, HpaStatus, MetricSpec};
use crate::apiserver::{Change, ChangeType, ObjKey};
use crate::controllers::hpa::behavior::{
    self, NormalizationArg, PolicyType, Recommendation, ScaleEvent, ScalingPolicy, ScalingRules,
    SelectPolicy,
};
use crate::controllers::hpa::replica_calculator::{
    self as calc, CalculatorConfig, PodMetrics, PodPhase, PodView, ReadyCondition,
};
use crate::controllers::hpa::{Precheck, SYNC_PERIOD, combine_metric_proposals, precheck};
use crate::effect::{Effect, Task};
use crate::event::{Component, Detail, EventDraft, ObjectRef, Source};
use crate::time::{SimDuration, SimTime};
use crate::world::World;
use serde::Serialize;
use serde_json::{Value as Json, json};

/// What the controller remembers about one HPA between syncs (upstream keeps this in the
/// controller's memory: `recommendations`, `scaleUpEvents`, `scaleDownEvents`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HpaMemory {
    /// The HPA's uid (a re-created HPA starts afresh).
    pub uid: String,
    /// When the next sync is due.
    pub next_sync: SimTime,
    /// Raw recommendations of recent syncs (stabilization windows).
    pub recommendations: Vec<Recommendation>,
    /// Recent scale-ups (behavior rate limits).
    pub up_events: Vec<ScaleEvent>,
    /// Recent scale-downs.
    pub down_events: Vec<ScaleEvent>,
    /// The last "held" or failure event logged, so a repeated one is not logged every sync.
    pub last_note: Option<String>,
    /// The last sync's full explanation, also when it changed nothing (for "why is it
    /// not scaling?").
    pub last_decision: Option<Box<HpaDecision>>,
    /// What recent syncs saw and set, oldest first, for charts (never logged, so it
    /// changes no event and no transcript). Runs of identical samples keep only their
    /// first and last; at most [`HISTORY_LIMIT`] samples are kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HpaSample>,
}

/// How many [`HpaSample`]s an HPA's memory keeps (about 4 hours of 15 s syncs whose
/// numbers all changed; far longer when they hold steady).
pub const HISTORY_LIMIT: usize = 1000;

/// One sync that computed a replica count: the numbers a chart of the HPA plots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HpaSample {
    /// When the sync ran.
    pub at: SimTime,
    /// The target's replicas before the sync.
    pub replicas: i32,
    /// The replica count the sync set (the same as `replicas` when it held).
    pub desired: i32,
    /// Pods whose samples counted.
    pub ready_pods: i64,
    /// The deciding metric's utilisation, percent of request (None for value targets).
    pub utilization: Option<i64>,
    /// Its target utilisation, percent.
    pub target: Option<i64>,
}

impl HpaMemory {
    /// Appends a sample; the middle of a run of identical ones is dropped, and the
    /// oldest once more than [`HISTORY_LIMIT`] are kept.
    pub fn record(&mut self, sample: HpaSample) {
        let same = |a: &HpaSample| {
            HpaSample {
                at: sample.at,
                ..*a
            } == sample
        };
        let n = self.history.len();
        if n >= 2 && same(&self.history[n - 1]) && same(&self.history[n - 2]) {
            self.history[n - 1].at = sample.at;
            return;
        }
        self.history.push(sample);
        if self.history.len() > HISTORY_LIMIT {
            let excess = self.history.len() - HISTORY_LIMIT;
            self.history.drain(..excess);
        }
    }
}

/// A percentage as the decision shows it (`84%`), as a number.
fn percent(shown: &str) -> Option<i64> {
    shown.strip_suffix('%')?.parse().ok()
}

/// One metric's proposal, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct MetricProposal {
    /// Upstream's metric name (`cpu resource utilization (percentage of request)`).
    pub metric: String,
    /// Current value as shown (`84%`, `168m`).
    pub current: String,
    /// Target as shown (`50%`, `100m`).
    pub target: String,
    /// current / target (two decimals).
    pub ratio: String,
    /// Pods whose samples counted.
    pub ready_pods: i64,
    /// Pods without a sample yet.
    pub missing: Vec<String>,
    /// Pods not ready (or whose CPU is not trusted yet, within the CPU initialization
    /// period).
    pub unready: Vec<String>,
    /// Deleting or failed pods.
    pub ignored: Vec<String>,
    /// The arithmetic, with numbers (`ceil(3 × 84/50) = ceil(5.04) = 6`).
    pub formula: String,
    /// The proposed replica count, if the metric could be computed.
    pub replicas: Option<i32>,
    /// Why it could not.
    pub error: Option<String>,
}

/// The full explanation of one HPA sync that scaled, or would have (`Detail::Autoscaling`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HpaDecision {
    /// The HPA.
    pub hpa: String,
    /// Its target (`Deployment/php-apache`).
    pub scale_target: String,
    /// The metric that decided (largest proposal).
    pub metric: String,
    /// Its current value.
    pub current: String,
    /// Its target.
    pub target: String,
    /// current / target.
    pub ratio: String,
    /// Pods whose samples counted.
    pub ready_pods: i64,
    /// Pods without samples.
    pub missing: Vec<String>,
    /// Pods not ready (or CPU not trusted yet).
    pub unready: Vec<String>,
    /// The arithmetic.
    pub formula: String,
    /// Replicas before.
    pub current_replicas: i32,
    /// `spec.minReplicas`.
    pub min_replicas: i32,
    /// `spec.maxReplicas`.
    pub max_replicas: i32,
    /// The largest proposal over metrics.
    pub raw: i32,
    /// After the stabilization window(s).
    pub stabilized: i32,
    /// Whether a rate limit or min/max clamp changed the stabilized count.
    pub rate_limited: bool,
    /// ScalingLimited reason (`ScaleUpLimit`, `TooManyReplicas`, `DesiredWithinRange` …).
    pub limit_reason: String,
    /// AbleToScale reason (`ReadyForNewScale`, `ScaleDownStabilized` …).
    pub stabilization_reason: String,
    /// The replica count set.
    #[serde(rename = "final")]
    pub final_replicas: i32,
    /// Upstream's rescale reason (`cpu resource utilization (percentage of request) above
    /// target`, `All metrics below target`).
    pub reason: String,
    /// Every metric's proposal, in spec order.
    pub metrics: Vec<MetricProposal>,
}

/// Source name in event messages.
pub const NAME: &str = "horizontal-pod-autoscaler";

/// HPA creations queue the HPA (its first sync is one period later); deletions queue it
/// so its memory is dropped. Updates — including the status this controller writes — do
/// not: the periodic sync picks up spec changes.
pub fn watch(change: &Change) -> Vec<ObjKey> {
    match (&change.object, change.kind) {
        (Object::HorizontalPodAutoscaler(_), ChangeType::Added | ChangeType::Deleted) => {
            vec![change.key.clone()]
        }
        _ => Vec::new(),
    }
}

fn task(key: &ObjKey) -> Task {
    Task::Reconcile {
        controller: Controller::HorizontalPodAutoscaler,
        key: key.clone(),
    }
}

fn remember(key: &ObjKey, memory: HpaMemory) -> Effect {
    Effect::HpaMemory {
        key: key.clone(),
        memory: Some(Box::new(memory)),
    }
}

/// Runs one sync if it is due (otherwise makes sure one is scheduled).
pub fn reconcile(key: &ObjKey, world: &World, now: SimTime) -> Vec<Effect> {
    let Some(hpa) = world.api.store.hpa(&key.namespace, &key.name) else {
        return if world.hpa_controller.contains_key(key) {
            vec![Effect::HpaMemory {
                key: key.clone(),
                memory: None,
            }]
        } else {
            Vec::new()
        };
    };
    let memory = world
        .hpa_controller
        .get(key)
        .filter(|m| m.uid == hpa.metadata.uid);
    let Some(memory) = memory else {
        let created = hpa.metadata.creation_timestamp.map_or(now, |t| t.0);
        let due = created.after(SYNC_PERIOD).max(now);
        return vec![
            remember(
                key,
                HpaMemory {
                    uid: hpa.metadata.uid.clone(),
                    next_sync: due,
                    recommendations: Vec::new(),
                    up_events: Vec::new(),
                    down_events: Vec::new(),
                    last_note: None,
                    last_decision: None,
                    history: Vec::new(),
                },
            ),
            Effect::Schedule {
                after: due.since(now),
                task: task(key),
            },
        ];
    };
    if now < memory.next_sync {
        return vec![Effect::Schedule {
            after: memory.next_sync.since(now),
            task: task(key),
        }];
    }
    let mut memory = memory.clone();
    memory.next_sync = now.after(SYNC_PERIOD);
    let mut effects = sync(hpa, world, now, &mut memory);
    effects.push(remember(key, memory));
    effects.push(Effect::Schedule {
        after: SYNC_PERIOD,
        task: task(key),
    });
    effects
}

/// The HPA's view of a pod.
pub fn pod_view(p: &Pod) -> PodView {
    let info = crate::components::scheduler::pod_info(p);
    PodView {
        name: p.metadata.name.clone(),
        phase: match p.status.phase.as_deref() {
            Some("Running") => PodPhase::Running,
            Some("Succeeded") => PodPhase::Succeeded,
            Some("Failed") => PodPhase::Failed,
            _ => PodPhase::Pending,
        },
        deleting: p.is_terminating(),
        ready: p.condition("Ready").map(|c| ReadyCondition {
            status: match c.status.as_str() {
                "True" => Some(true),
                "False" => Some(false),
                _ => None,
            },
            last_transition: c.last_transition_time.map(|t| t.0).unwrap_or_default(),
        }),
        start_time: p.status.start_time.map(|t| t.0),
        containers: info.resources.containers,
        init_containers: info.resources.init_containers,
    }
}

/// A condition being set this sync.
struct Cond {
    type_: &'static str,
    status: bool,
    reason: String,
    message: String,
}

fn cond(type_: &'static str, status: bool, reason: &str, message: impl Into<String>) -> Cond {
    Cond {
        type_,
        status,
        reason: reason.to_string(),
        message: message.into(),
    }
}

/// `setCondition` over the old list: update in place (keeping `lastTransitionTime` when
/// the status did not change), append new types in the order set.
fn merge_conditions(old: Option<&Json>, set: &[Cond], now: SimTime) -> Json {
    let mut list: Vec<Json> = old.and_then(|o| o.as_array()).cloned().unwrap_or_default();
    for c in set {
        let status = if c.status { "True" } else { "False" };
        let pos = list
            .iter()
            .position(|o| o.get("type").and_then(|t| t.as_str()) == Some(c.type_));
        let transition = pos
            .and_then(|i| list[i].as_object())
            .filter(|o| o.get("status").and_then(|s| s.as_str()) == Some(status))
            .and_then(|o| o.get("lastTransitionTime").cloned())
            .unwrap_or_else(|| json!(Timestamp(now).rfc3339()));
        let v = json!({
            "type": c.type_,
            "status": status,
            "lastTransitionTime": transition,
            "reason": c.reason,
            "message": c.message,
        });
        match pos {
            Some(i) => list[i] = v,
            None => list.push(v),
        }
    }
    Json::Array(list)
}

/// A milli-value as a DecimalSI quantity (`resource.NewMilliQuantity(v, DecimalSI)`):
/// `168m`, `1`, `128M`, `134217728`.
pub fn milli_quantity(v: i64) -> String {
    if v == 0 {
        return "0".into();
    }
    if v % 1000 != 0 {
        return format!("{v}m");
    }
    let mut n = v / 1000;
    let mut i = 0;
    const SUFFIX: [&str; 7] = ["", "k", "M", "G", "T", "P", "E"];
    while n % 1000 == 0 && i < SUFFIX.len() - 1 {
        n /= 1000;
        i += 1;
    }
    format!("{n}{}", SUFFIX[i])
}

/// A value for formulas: millicores as `168m`, memory in MiB.
fn shown(resource: &str, milli: i64) -> String {
    if resource == "cpu" {
        format!("{milli}m")
    } else {
        let mib = milli as f64 / 1000.0 / (1024.0 * 1024.0);
        format!("{mib:.1}Mi")
    }
}

/// What one metric gave.
struct Outcome {
    proposal: Result<(i32, String), String>,
    /// Condition reason on failure (`FailedGetResourceMetric`).
    fail_reason: &'static str,
    status: Json,
    explain: MetricProposal,
}

struct Ctx<'a> {
    world: &'a World,
    namespace: &'a str,
    pods: Vec<&'a Pod>,
    views: Vec<PodView>,
    current: i32,
    config: CalculatorConfig,
    now: SimTime,
}

fn set_groups(e: &mut MetricProposal, g: &calc::PodGroups) {
    e.ready_pods = g.ready_pod_count;
    e.missing = g.missing.iter().cloned().collect();
    e.unready = g.unready.iter().cloned().collect();
    e.ignored = g.ignored.iter().cloned().collect();
}

/// Explains a proposal: the plain `ceil(ready × current/target)` path, or the path where
/// pods without samples (and unready pods on a scale-up) were filled in and the ratio
/// recomputed. `recompute` gives that adjusted ratio's (value shown, ratio, pods counted).
fn formula(
    ctx: &Ctx,
    g: &calc::PodGroups,
    ratio: f64,
    cur: &str,
    tgt: &str,
    replicas: i32,
    recompute: impl Fn() -> Option<(String, f64, usize)>,
) -> String {
    let tol = ctx.config.tolerances;
    // No missing pods, and no unready pods during a scale-up.
    let simple = g.missing.is_empty() && (g.unready.is_empty() || ratio <= 1.0);
    if simple {
        if tol.is_within(ratio) {
            return format!(
                "{cur}/{tgt} = {ratio:.2}, within the tolerance ({:.2}..{:.2}): keep {}",
                1.0 - tol.scale_down,
                1.0 + tol.scale_up,
                ctx.current
            );
        }
        let x = ratio * g.ready_pod_count as f64;
        return format!(
            "ceil({} × {cur}/{tgt}) = ceil({x:.2}) = {replicas}",
            g.ready_pod_count
        );
    }
    let mut why = Vec::new();
    if !g.missing.is_empty() {
        why.push(format!(
            "{} pod(s) without metrics counted at {}",
            g.missing.len(),
            if ratio < 1.0 {
                "their request (scale-down)"
            } else {
                "0 (scale-up)"
            }
        ));
    }
    if !g.unready.is_empty() && ratio > 1.0 {
        why.push(format!("{} unready pod(s) counted at 0", g.unready.len()));
    }
    let Some((v, r2, n)) = recompute() else {
        return format!("{}: {replicas}", why.join(", "));
    };
    let x = r2 * n as f64;
    let plain = x.ceil() as i32;
    let mut s = format!(
        "{cur}/{tgt} = {ratio:.2}, but {}: ceil({n} × {v}/{tgt}) = ceil({x:.2}) = {plain}",
        why.join(", ")
    );
    if plain != replicas {
        s.push_str(&format!(
            "; the adjusted ratio {r2:.2} is within tolerance or points the other way: keep {replicas}"
        ));
    } else if tol.is_within(r2) {
        s.push_str(&format!(": within tolerance, keep {replicas}"));
    }
    s
}

fn resource_metric(ctx: &Ctx, spec: &MetricSpec) -> Outcome {
    let fail = |e: String, explain: MetricProposal| Outcome {
        proposal: Err(e.clone()),
        fail_reason: "FailedGetResourceMetric",
        status: json!({"type": ""}),
        explain: MetricProposal {
            error: Some(e),
            ..explain
        },
    };
    let Some(res) = spec.resource.as_ref() else {
        return fail(
            "invalid metric: type Resource without a resource source".into(),
            MetricProposal::default(),
        );
    };
    let name = res.name.as_str();
    let metrics: PodMetrics =
        crate::components::metrics_server::resource_metrics(ctx.world, ctx.namespace, name, |p| {
            ctx.pods.iter().any(|q| q.metadata.name == p.metadata.name)
        });
    let groups = calc::group_pods(&ctx.views, &metrics, Some(name), &ctx.config, ctx.now);
    let mut explain = MetricProposal::default();
    set_groups(&mut explain, &groups);
    if let Some(q) = &res.target.average_value {
        explain.metric = format!("{name} resource");
        let target = crate::kube::quantity::Quantity::parse(&q.0)
            .and_then(|q| q.milli_value())
            .unwrap_or(0)
            .max(1);
        explain.target = q.0.clone();
        return match calc::get_raw_resource_replicas(
            ctx.current,
            target,
            name,
            &ctx.views,
            &metrics,
            &ctx.config,
            ctx.now,
        ) {
            Err(e) => fail(format!("failed to get {name} usage: {e}"), explain),
            Ok((replicas, usage)) => {
                let ratio = usage as f64 / target as f64;
                explain.current = milli_quantity(usage);
                explain.ratio = format!("{ratio:.2}");
                let (cur, tgt) = (shown(name, usage), shown(name, target));
                explain.formula = formula(ctx, &groups, ratio, &cur, &tgt, replicas, || {
                    let mut m = metrics.clone();
                    for n in groups.ignored.iter().chain(&groups.unready) {
                        m.remove(n);
                    }
                    let fill = if ratio < 1.0 { target } else { 0 };
                    for n in &groups.missing {
                        m.insert(n.clone(), calc::PodMetric::value(fill));
                    }
                    if ratio > 1.0 {
                        for n in &groups.unready {
                            m.insert(n.clone(), calc::PodMetric::value(0));
                        }
                    }
                    let (r2, u2) = calc::get_metric_usage_ratio(&m, target);
                    Some((shown(name, u2), r2, m.len()))
                });
                explain.replicas = Some(replicas);
                Outcome {
                    proposal: Ok((replicas, explain.metric.clone())),
                    fail_reason: "",
                    status: json!({
                        "type": "Resource",
                        "resource": {"name": name, "current": {"averageValue": milli_quantity(usage)}}
                    }),
                    explain,
                }
            }
        };
    }
    let Some(target) = res.target.average_utilization else {
        return fail(
            "invalid resource metric source: neither an average utilization target nor an average value (usage) target was set".into(),
            explain,
        );
    };
    let target = target as i32;
    explain.metric = format!("{name} resource utilization (percentage of request)");
    explain.target = format!("{target}%");
    match calc::get_resource_replicas(
        ctx.current,
        target,
        name,
        &ctx.views,
        &metrics,
        None,
        &ctx.config,
        ctx.now,
    ) {
        Err(e) => fail(format!("failed to get {name} utilization: {e}"), explain),
        Ok(r) => {
            let ratio = f64::from(r.utilization) / f64::from(target);
            explain.current = format!("{}%", r.utilization);
            explain.ratio = format!("{ratio:.2}");
            let cur = r.utilization.to_string();
            let tgt = target.to_string();
            explain.formula = formula(ctx, &groups, ratio, &cur, &tgt, r.replicas, || {
                let requests = calc::calculate_pod_requests(&ctx.views, None, name).ok()?;
                let mut m = metrics.clone();
                for n in groups.ignored.iter().chain(&groups.unready) {
                    m.remove(n);
                }
                for n in &groups.missing {
                    let fill = if ratio < 1.0 {
                        requests.get(n).copied().unwrap_or(0) * i64::from(target.max(100)) / 100
                    } else {
                        0
                    };
                    m.insert(n.clone(), calc::PodMetric::value(fill));
                }
                if ratio > 1.0 {
                    for n in &groups.unready {
                        m.insert(n.clone(), calc::PodMetric::value(0));
                    }
                }
                let (r2, u2, _) =
                    calc::get_resource_utilization_ratio(&m, &requests, target).ok()?;
                Some((u2.to_string(), r2, m.len()))
            });
            explain.replicas = Some(r.replicas);
            Outcome {
                proposal: Ok((r.replicas, explain.metric.clone())),
                fail_reason: "",
                status: json!({
                    "type": "Resource",
                    "resource": {"name": name, "current": {
                        "averageUtilization": r.utilization,
                        "averageValue": milli_quantity(r.raw_utilization),
                    }}
                }),
                explain,
            }
        }
    }
}

fn compute_metric(ctx: &Ctx, spec: &MetricSpec) -> Outcome {
    if spec.type_ == "Resource" {
        return resource_metric(ctx, spec);
    }
    let reason = match spec.type_.as_str() {
        "Pods" => "FailedGetPodsMetric",
        "Object" => "FailedGetObjectMetric",
        "External" => "FailedGetExternalMetric",
        "ContainerResource" => "FailedGetContainerResourceMetric",
        _ => "InvalidMetricSourceType",
    };
    let e = format!(
        "{} metrics are not simulated (this cluster has no custom or external metrics API); use a Resource metric (cpu or memory)",
        spec.type_
    );
    Outcome {
        proposal: Err(e.clone()),
        fail_reason: reason,
        status: json!({"type": ""}),
        explain: MetricProposal {
            metric: format!("{} metric", spec.type_),
            error: Some(e),
            ..MetricProposal::default()
        },
    }
}

fn rules(r: Option<&HpaScalingRules>) -> Option<ScalingRules> {
    r.map(|r| ScalingRules {
        stabilization_window_seconds: r.stabilization_window_seconds.map(|v| v as i32),
        select_policy: r
            .select_policy
            .as_deref()
            .and_then(|s| SelectPolicy::parse(s).ok()),
        policies: (!r.policies.is_empty()).then(|| {
            r.policies
                .iter()
                .map(|p| ScalingPolicy {
                    policy_type: if p.type_ == "Percent" {
                        PolicyType::Percent
                    } else {
                        PolicyType::Pods
                    },
                    value: p.value as i32,
                    period_seconds: p.period_seconds as i32,
                })
                .collect()
        }),
    })
}

fn tolerance(r: Option<&HpaScalingRules>) -> Option<f64> {
    let q = r?.tolerance.as_ref()?;
    let m = crate::kube::quantity::Quantity::parse(&q.0)
        .ok()?
        .milli_value()
        .ok()?;
    Some(m as f64 / 1000.0)
}

fn able_message(reason: &str) -> &'static str {
    match reason {
        behavior::REASON_SCALE_DOWN_STABILIZED => {
            "recent recommendations were higher than current one, applying the highest recent recommendation"
        }
        behavior::REASON_SCALE_UP_STABILIZED => {
            "recent recommendations were lower than current one, applying the lowest recent recommendation"
        }
        _ => "recommended size matches current size",
    }
}

fn src() -> Source {
    Source::of(Component::KubeControllerManager)
}

fn hpa_ref(h: &HorizontalPodAutoscaler) -> ObjectRef {
    ObjectRef::namespaced(
        "horizontalpodautoscaler",
        h.metadata.namespace_or_default(),
        &h.metadata.name,
    )
}

/// Logs `kind`/`msg` unless the same note (`kind` + `id`) was the last one logged for
/// this HPA: a held-back decision or a failure is logged when it starts or changes, not
/// every 15 seconds.
fn note(
    out: &mut Vec<Effect>,
    memory: &mut HpaMemory,
    h: &HorizontalPodAutoscaler,
    (kind, id): (&str, &str),
    msg: String,
    detail: Option<HpaDecision>,
) {
    let id = format!("{kind}: {id}");
    if memory.last_note.as_deref() == Some(id.as_str()) {
        return;
    }
    memory.last_note = Some(id);
    let mut d = EventDraft::new(src(), hpa_ref(h), kind, format!("{NAME}: {msg}"));
    if let Some(detail) = detail {
        d = d.with_detail(Detail::Autoscaling(Box::new(detail)));
    }
    out.push(Effect::Emit(d));
}

/// One `reconcileAutoscaler`.
fn sync(
    h: &HorizontalPodAutoscaler,
    world: &World,
    now: SimTime,
    memory: &mut HpaMemory,
) -> Vec<Effect> {
    let mut out = Vec::new();
    let ns = h.metadata.namespace_or_default();
    let target_ref = &h.spec.scale_target_ref;
    let scale_target = format!("{}/{}", target_ref.kind, target_ref.name);
    let mut conds: Vec<Cond> = Vec::new();
    let mut status = HpaStatus {
        last_scale_time: h.status.last_scale_time,
        desired_replicas: h.status.desired_replicas,
        ..HpaStatus::default()
    };
    let write_status = |out: &mut Vec<Effect>, status: HpaStatus, conds: &[Cond]| {
        let mut status = status;
        status.conditions = Some(merge_conditions(h.status.conditions.as_ref(), conds, now));
        if status != h.status {
            let mut h2 = h.clone();
            h2.status = status;
            out.push(Effect::Write(Box::new(Object::HorizontalPodAutoscaler(h2))));
        }
    };
    let deployment = (target_ref.kind == "Deployment")
        .then(|| world.api.store.deployment(ns, &target_ref.name))
        .flatten();
    let Some(deployment) = deployment else {
        let why = if target_ref.kind == "Deployment" {
            format!("deployments.apps \"{}\" not found", target_ref.name)
        } else {
            format!(
                "the simulator scales Deployments only, not {}",
                target_ref.kind
            )
        };
        let msg = format!("the HPA controller was unable to get the target's current scale: {why}");
        conds.push(cond("AbleToScale", false, "FailedGetScale", msg.clone()));
        status.current_replicas = h.status.current_replicas;
        note(
            &mut out,
            memory,
            h,
            ("FailedGetScale", &msg.clone()),
            msg,
            None,
        );
        write_status(&mut out, status, &conds);
        return out;
    };
    conds.push(cond(
        "AbleToScale",
        true,
        "SucceededGetScale",
        "the HPA controller was able to get the target's current scale",
    ));
    let current = deployment.spec.replicas.unwrap_or(1) as i32;
    let min = h
        .spec
        .min_replicas
        .unwrap_or(i64::from(crate::controllers::hpa::DEFAULT_MIN_REPLICAS)) as i32;
    let max = h.spec.max_replicas as i32;
    status.current_replicas = i64::from(current);
    let behavior_spec = h.spec.behavior.as_ref();
    let up_rules = behavior_spec.and_then(|b| b.scale_up.as_ref());
    let down_rules = behavior_spec.and_then(|b| b.scale_down.as_ref());
    let mut config = CalculatorConfig::default();
    if let Some(t) = tolerance(up_rules) {
        config.tolerances.scale_up = t;
    }
    if let Some(t) = tolerance(down_rules) {
        config.tolerances.scale_down = t;
    }

    let mut decision = HpaDecision {
        hpa: h.metadata.name.clone(),
        scale_target: scale_target.clone(),
        metric: String::new(),
        current: String::new(),
        target: String::new(),
        ratio: String::new(),
        ready_pods: 0,
        missing: Vec::new(),
        unready: Vec::new(),
        formula: String::new(),
        current_replicas: current,
        min_replicas: min,
        max_replicas: max,
        raw: current,
        stabilized: current,
        rate_limited: false,
        limit_reason: String::new(),
        stabilization_reason: String::new(),
        final_replicas: current,
        reason: String::new(),
        metrics: Vec::new(),
    };
    // Stabilization windows (scale-up, scale-down), seconds, for explanations.
    let windows = match behavior_spec {
        None => (0, behavior::DEFAULT_DOWNSCALE_STABILIZATION_SECONDS),
        Some(_) => (
            behavior::generate_scale_up_rules(rules(up_rules).as_ref())
                .stabilization_window_seconds,
            behavior::generate_scale_down_rules(
                rules(down_rules).as_ref(),
                behavior::DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
            )
            .stabilization_window_seconds,
        ),
    };
    let desired;
    let reason;
    match precheck(current, min, max) {
        Precheck::Disabled => {
            conds.push(cond(
                "ScalingActive",
                false,
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero",
            ));
            status.desired_replicas = i64::from(current);
            write_status(&mut out, status, &conds);
            return out;
        }
        Precheck::Clamp(n, why) => {
            desired = n;
            reason = why.to_string();
            decision.raw = n;
            decision.stabilized = n;
            decision.formula = format!("{current} is outside [{min}, {max}]: set {n}");
        }
        Precheck::Compute => {
            let selector = &deployment.spec.selector;
            let pods: Vec<&Pod> = world
                .api
                .store
                .pods()
                .filter(|p| {
                    p.metadata.namespace_or_default() == ns && selector.matches(&p.metadata.labels)
                })
                .collect();
            let views = pods.iter().map(|p| pod_view(p)).collect();
            let ctx = Ctx {
                world,
                namespace: ns,
                pods,
                views,
                current,
                config,
                now,
            };
            let default_metric;
            let specs: &[MetricSpec] = if h.spec.metrics.is_empty() {
                default_metric = vec![MetricSpec {
                    type_: "Resource".into(),
                    resource: Some(crate::api::policy::ResourceMetricSource {
                        name: "cpu".into(),
                        target: crate::api::policy::MetricTarget {
                            type_: "Utilization".into(),
                            average_utilization: Some(i64::from(
                                crate::controllers::hpa::DEFAULT_CPU_UTILIZATION,
                            )),
                            ..Default::default()
                        },
                    }),
                    ..Default::default()
                }];
                &default_metric
            } else {
                &h.spec.metrics
            };
            let outcomes: Vec<Outcome> = specs.iter().map(|s| compute_metric(&ctx, s)).collect();
            let proposals: Vec<Result<(i32, String), String>> =
                outcomes.iter().map(|o| o.proposal.clone()).collect();
            status.current_metrics = Some(Json::Array(
                outcomes.iter().map(|o| o.status.clone()).collect(),
            ));
            decision.metrics = outcomes.iter().map(|o| o.explain.clone()).collect();
            let first_failure = outcomes.iter().find(|o| o.proposal.is_err());
            match combine_metric_proposals(current, &proposals) {
                Err(e) => {
                    if let Some(f) = first_failure {
                        let msg = f.explain.error.clone().unwrap_or_default();
                        conds.push(cond(
                            "ScalingActive",
                            false,
                            f.fail_reason,
                            format!("the HPA was unable to compute the replica count: {msg}"),
                        ));
                        note(
                            &mut out,
                            memory,
                            h,
                            ("FailedComputeMetricsReplicas", &e),
                            e.clone(),
                            None,
                        );
                    }
                    write_status(&mut out, status, &conds);
                    return out;
                }
                Ok((replicas, metric, _)) => {
                    conds.push(cond(
                        "ScalingActive",
                        true,
                        "ValidMetricFound",
                        format!(
                            "the HPA was able to successfully calculate a replica count from {metric}"
                        ),
                    ));
                    if let Some(w) = outcomes.iter().find(|o| {
                        o.proposal
                            .as_ref()
                            .is_ok_and(|p| p.0 == replicas && p.1 == metric)
                    }) {
                        let e = &w.explain;
                        decision.metric = e.metric.clone();
                        decision.current = e.current.clone();
                        decision.target = e.target.clone();
                        decision.ratio = e.ratio.clone();
                        decision.ready_pods = e.ready_pods;
                        decision.missing = e.missing.clone();
                        decision.unready = e.unready.clone();
                        decision.formula = e.formula.clone();
                    }
                    let raw = replicas;
                    decision.raw = raw;
                    reason = if raw > current {
                        format!("{metric} above target")
                    } else if raw < current {
                        "All metrics below target".to_string()
                    } else {
                        String::new()
                    };
                    let n = match behavior_spec {
                        None => behavior::normalize_desired_replicas(
                            &mut memory.recommendations,
                            current,
                            raw,
                            min,
                            max,
                            behavior::DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
                            now,
                        ),
                        Some(_) => {
                            let args = NormalizationArg {
                                scale_up: behavior::generate_scale_up_rules(
                                    rules(up_rules).as_ref(),
                                ),
                                scale_down: behavior::generate_scale_down_rules(
                                    rules(down_rules).as_ref(),
                                    behavior::DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
                                ),
                                min_replicas: min,
                                max_replicas: max,
                                current_replicas: current,
                                desired_replicas: raw,
                            };
                            behavior::normalize_desired_replicas_with_behaviors(
                                &mut memory.recommendations,
                                &memory.up_events,
                                &memory.down_events,
                                &args,
                                now,
                            )
                        }
                    };
                    conds[0] = cond(
                        "AbleToScale",
                        true,
                        &n.able_to_scale_reason,
                        able_message(&n.able_to_scale_reason),
                    );
                    conds.push(cond(
                        "ScalingLimited",
                        n.scaling_limited,
                        &n.limit_reason,
                        n.limit_message.clone(),
                    ));
                    decision.stabilized = n.stabilized;
                    decision.rate_limited = n.scaling_limited;
                    decision.limit_reason = n.limit_reason.clone();
                    decision.stabilization_reason = n.able_to_scale_reason.clone();
                    desired = n.replicas;
                }
            }
        }
    }
    decision.final_replicas = desired;
    decision.reason = reason.clone();
    let mut explanation = decision.formula.clone();
    let stabilized_by = (decision.stabilized != decision.raw).then(|| {
        let (up, down) = windows;
        match decision.stabilization_reason.as_str() {
            behavior::REASON_SCALE_UP_STABILIZED => format!(
                "the lowest recommendation within the scale-up stabilization window ({}) is {}",
                SimDuration::from_secs(up as u64),
                decision.stabilized
            ),
            _ => format!(
                "the highest recommendation within the downscale stabilization window ({}) is {}",
                SimDuration::from_secs(down as u64),
                decision.stabilized
            ),
        }
    });
    if let Some(s) = &stabilized_by {
        explanation.push_str(&format!("; {s}"));
    }
    if decision.rate_limited {
        explanation.push_str(&format!(
            "; limited to {desired} ({})",
            decision.limit_reason
        ));
    }
    memory.record(HpaSample {
        at: now,
        replicas: current,
        desired,
        ready_pods: decision.ready_pods,
        utilization: percent(&decision.current),
        target: percent(&decision.target),
    });
    memory.last_decision = Some(Box::new(decision.clone()));
    if desired != current {
        // Rescale through the scale subresource: spec.replicas, a new generation.
        let mut d = deployment.clone();
        d.spec.replicas = Some(i64::from(desired));
        d.metadata.generation += 1;
        out.push(Effect::Write(Box::new(Object::Deployment(d))));
        conds[0] = cond(
            "AbleToScale",
            true,
            "SucceededRescale",
            format!("the HPA controller was able to update the target scale to {desired}"),
        );
        if let Some(b) = behavior_spec {
            let up = behavior::generate_scale_up_rules(rules(b.scale_up.as_ref()).as_ref());
            let down = behavior::generate_scale_down_rules(
                rules(b.scale_down.as_ref()).as_ref(),
                behavior::DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
            );
            behavior::store_scale_event(
                &mut memory.up_events,
                &mut memory.down_events,
                &up,
                &down,
                current,
                desired,
                now,
            );
        }
        status.last_scale_time = Some(Timestamp(now));
        status.desired_replicas = i64::from(desired);
        memory.last_note = None;
        out.push(Effect::Emit(
            EventDraft::new(
                src(),
                hpa_ref(h),
                "SuccessfulRescale",
                format!(
                    "{NAME}: New size: {desired}; reason: {} ({explanation})",
                    if reason.is_empty() {
                        "recent recommendations were higher than current one"
                    } else {
                        reason.as_str()
                    }
                ),
            )
            .with_detail(Detail::Autoscaling(Box::new(decision))),
        ));
    } else {
        status.desired_replicas = i64::from(current);
        if decision.raw != current {
            let kind = if stabilized_by.is_some() {
                decision.stabilization_reason.clone()
            } else {
                decision.limit_reason.clone()
            };
            let msg = format!(
                "keeping {current} replicas: {} recommends {} ({})",
                decision.metric, decision.raw, explanation
            );
            let id = format!("{} -> {}", decision.raw, decision.final_replicas);
            note(&mut out, memory, h, (&kind, &id), msg, Some(decision));
        } else {
            memory.last_note = None;
        }
    }
    write_status(&mut out, status, &conds);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_the_ends_of_steady_runs_and_a_bounded_length() {
        let mut m = HpaMemory {
            uid: "u".into(),
            next_sync: SimTime(0),
            recommendations: Vec::new(),
            up_events: Vec::new(),
            down_events: Vec::new(),
            last_note: None,
            last_decision: None,
            history: Vec::new(),
        };
        let sample = |s: u64, desired: i32| HpaSample {
            at: SimTime(s * 1000),
            replicas: 2,
            desired,
            ready_pods: 2,
            utilization: Some(50),
            target: Some(60),
        };
        for s in 0..10 {
            m.record(sample(s * 15, 2));
        }
        m.record(sample(150, 4));
        let at: Vec<u64> = m.history.iter().map(|h| h.at.0 / 1000).collect();
        assert_eq!(at, [0, 135, 150]);
        for s in 0..(HISTORY_LIMIT as u64 * 2) {
            m.record(sample(200 + s, (s % 2) as i32));
        }
        assert_eq!(m.history.len(), HISTORY_LIMIT);
        assert_eq!(
            m.history.last().map(|h| h.at.0 / 1000),
            Some(200 + HISTORY_LIMIT as u64 * 2 - 1)
        );
    }

    #[test]
    fn decimal_si_milli_quantities() {
        assert_eq!(milli_quantity(0), "0");
        assert_eq!(milli_quantity(168), "168m");
        assert_eq!(milli_quantity(1000), "1");
        assert_eq!(milli_quantity(1500), "1500m");
        assert_eq!(milli_quantity(134_217_728_000), "134217728");
        assert_eq!(milli_quantity(128_000_000_000), "128M");
    }

    #[test]
    fn conditions_keep_their_transition_time_while_unchanged() {
        let first = merge_conditions(
            None,
            &[cond("AbleToScale", true, "SucceededGetScale", "ok")],
            SimTime(0),
        );
        let second = merge_conditions(
            Some(&first),
            &[
                cond("AbleToScale", true, "ReadyForNewScale", "ok"),
                cond("ScalingActive", false, "FailedGetResourceMetric", "no"),
            ],
            SimTime(60_000),
        );
        let a = second.as_array().unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[0]["reason"], "ReadyForNewScale");
        assert_eq!(a[0]["lastTransitionTime"], first[0]["lastTransitionTime"]);
        assert_ne!(a[1]["lastTransitionTime"], first[0]["lastTransitionTime"]);
    }
}
