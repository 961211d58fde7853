//! The HPA controller's decisions, table-driven, on constructed worlds: a Deployment with
//! running pods, an HPA, and metrics-server samples set by hand; one `reconcile` call
//! each, checked for the replicas it writes, the conditions and the explanation.

use simulator::api::Object;
use simulator::apiserver::ObjKey;
use simulator::components::controller_manager::hpa::{self, HpaDecision, HpaMemory};
use simulator::components::metrics_server::{ContainerUsage, PodSample};
use simulator::controllers::hpa::behavior::Recommendation;
use simulator::effect::Effect;
use simulator::event::Detail;
use simulator::{Scenario, SimDuration, SimTime, Simulation, Workspace, World};

const MI: i64 = 1024 * 1024;

fn deployment(replicas: u32) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: app\n  template:\n    metadata:\n      labels:\n        app: app\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n        resources:\n          requests:\n            cpu: 200m\n            memory: 64Mi\n"
    )
}

const HPA: &str = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: app\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: app\n  minReplicas: 1\n  maxReplicas: 10\n  metrics:\n  - type: Resource\n    resource:\n      name: cpu\n      target:\n        type: Utilization\n        averageUtilization: 50\n";

/// A world with `replicas` running, ready pods of `app` and an HPA not yet synced.
fn base(replicas: u32, hpa_yaml: &str) -> (World, SimTime, Vec<String>) {
    let mut ws = Workspace::new();
    ws.insert("app.yaml", deployment(replicas));
    ws.insert("hpa.yaml", hpa_yaml);
    let scenario = Scenario::named("default").unwrap().with_workspace(ws);
    let mut sim = Simulation::new(&scenario);
    sim.run("kubectl apply -f app.yaml").unwrap();
    sim.run("sim advance 10m").unwrap();
    sim.run("kubectl apply -f hpa.yaml").unwrap();
    let world = sim.state().clone();
    let pods: Vec<String> = world
        .api
        .store
        .pods()
        .filter(|p| p.metadata.labels.get("app").map(String::as_str) == Some("app"))
        .map(|p| p.metadata.name.clone())
        .collect();
    assert_eq!(pods.len(), replicas as usize);
    assert!(
        world
            .api
            .store
            .pods()
            .filter(|p| p.metadata.labels.contains_key("app"))
            .all(|p| p.is_ready())
    );
    (world, sim.now(), pods)
}

fn key() -> ObjKey {
    ObjKey::new("HorizontalPodAutoscaler", "default", "app")
}

/// Sets each pod's sample (`None` = no sample: missing).
fn samples(world: &mut World, now: SimTime, pods: &[String], usage: &[Option<(i64, i64)>]) {
    world.metrics.pods.clear();
    for (p, u) in pods.iter().zip(usage) {
        if let Some((cpu, memory)) = u {
            world.metrics.pods.insert(
                ObjKey::new("Pod", "default", p),
                PodSample {
                    timestamp: now,
                    window: SimDuration::from_secs(15),
                    containers: vec![ContainerUsage {
                        name: "app".into(),
                        cpu: *cpu,
                        memory: *memory,
                    }],
                },
            );
        }
    }
}

fn memory(world: &World, now: SimTime, recs: &[(i32, u64)]) -> HpaMemory {
    HpaMemory {
        uid: world
            .api
            .store
            .hpa("default", "app")
            .unwrap()
            .metadata
            .uid
            .clone(),
        next_sync: now,
        recommendations: recs
            .iter()
            .map(|(r, ago)| Recommendation {
                replicas: *r,
                timestamp: SimTime(now.0 - ago * 1000),
            })
            .collect(),
        up_events: Vec::new(),
        down_events: Vec::new(),
        last_note: None,
        last_decision: None,
        history: Vec::new(),
    }
}

/// What one sync did.
#[derive(Debug)]
struct Outcome {
    /// Replicas written to the Deployment, if any.
    scaled_to: Option<i64>,
    /// Event kinds.
    events: Vec<String>,
    /// Event messages.
    messages: Vec<String>,
    /// The decision detail, if any.
    decision: Option<HpaDecision>,
    /// Conditions as `type=status/reason`.
    conditions: Vec<String>,
    /// TARGETS-style current metric.
    current_metrics: serde_json::Value,
}

fn sync(world: &World, now: SimTime) -> Outcome {
    let effects = hpa::reconcile(&key(), world, now);
    let mut o = Outcome {
        scaled_to: None,
        events: Vec::new(),
        messages: Vec::new(),
        decision: None,
        conditions: Vec::new(),
        current_metrics: serde_json::Value::Null,
    };
    for e in effects {
        match e {
            Effect::Write(obj) => match *obj {
                Object::Deployment(d) => o.scaled_to = d.spec.replicas,
                Object::HorizontalPodAutoscaler(h) => {
                    for c in h.status.conditions.unwrap().as_array().unwrap() {
                        o.conditions.push(format!(
                            "{}={}/{}",
                            c["type"].as_str().unwrap(),
                            c["status"].as_str().unwrap(),
                            c["reason"].as_str().unwrap()
                        ));
                    }
                    o.current_metrics = h.status.current_metrics.unwrap_or_default();
                }
                _ => {}
            },
            Effect::HpaMemory {
                memory: Some(m), ..
            } if o.decision.is_none() => {
                o.decision = m.last_decision.map(|d| *d);
            }
            Effect::Emit(d) => {
                o.events.push(d.kind.clone());
                o.messages.push(d.reason.clone());
                if let Some(b) = d.detail
                    && let Detail::Autoscaling(x) = *b
                {
                    o.decision = Some(*x);
                }
            }
            _ => {}
        }
    }
    o
}

const LEGACY: &str = HPA;

struct Case {
    name: &'static str,
    replicas: u32,
    hpa: String,
    /// Per pod (cpu millicores, memory bytes), `None` = missing.
    usage: Vec<Option<(i64, i64)>>,
    /// Stored recommendations (replicas, seconds ago).
    recs: Vec<(i32, u64)>,
    /// Override the Deployment's spec.replicas (current) without changing pods.
    current: Option<i64>,
    want_scaled_to: Option<i64>,
    want_event: Option<&'static str>,
    /// Substrings of the event message.
    want_in_message: Vec<&'static str>,
    /// Conditions that must be present (`type=status/reason`).
    want_conditions: Vec<&'static str>,
}

fn case(name: &'static str, replicas: u32, usage: &[Option<(i64, i64)>]) -> Case {
    Case {
        name,
        replicas,
        hpa: LEGACY.to_string(),
        usage: usage.to_vec(),
        recs: Vec::new(),
        current: None,
        want_scaled_to: None,
        want_event: None,
        want_in_message: Vec::new(),
        want_conditions: Vec::new(),
    }
}

fn with_behavior(behavior: &str) -> String {
    format!("{LEGACY}  behavior:\n{behavior}")
}

fn cpu(m: i64) -> Option<(i64, i64)> {
    Some((m, 20 * MI))
}

#[test]
fn controller_decisions() {
    let memory_hpa = LEGACY.replace(
        "      name: cpu\n      target:\n        type: Utilization\n        averageUtilization: 50\n",
        "      name: memory\n      target:\n        type: AverageValue\n        averageValue: 100Mi\n",
    );
    let cases = vec![
        Case {
            want_scaled_to: Some(6),
            want_event: Some("SuccessfulRescale"),
            want_in_message: vec![
                "New size: 6; reason: cpu resource utilization (percentage of request) above target",
                "ceil(3 × 84/50) = ceil(5.04) = 6",
            ],
            want_conditions: vec![
                "AbleToScale=True/SucceededRescale",
                "ScalingActive=True/ValidMetricFound",
                "ScalingLimited=False/DesiredWithinRange",
            ],
            ..case("scale up by the ratio", 3, &[cpu(168), cpu(168), cpu(168)])
        },
        Case {
            want_scaled_to: Some(4),
            want_event: Some("SuccessfulRescale"),
            want_in_message: vec![
                "ceil(1 × 250/50) = ceil(5.00) = 5",
                "limited to 4 (ScaleUpLimit)",
            ],
            want_conditions: vec!["ScalingLimited=True/ScaleUpLimit"],
            ..case("legacy scale-up limit max(2x, 4)", 1, &[cpu(500)])
        },
        Case {
            want_conditions: vec![
                "AbleToScale=True/ReadyForNewScale",
                "ScalingActive=True/ValidMetricFound",
            ],
            ..case("within tolerance", 3, &[cpu(105), cpu(100), cpu(95)])
        },
        Case {
            recs: vec![(3, 60)],
            want_event: Some("ScaleDownStabilized"),
            want_in_message: vec![
                "keeping 3 replicas",
                "recommends 1",
                "downscale stabilization window (5m) is 3",
            ],
            want_conditions: vec!["AbleToScale=True/ScaleDownStabilized"],
            ..case(
                "scale-down held by the 5m window",
                3,
                &[cpu(10), cpu(10), cpu(10)],
            )
        },
        Case {
            recs: vec![(3, 301)],
            want_scaled_to: Some(1),
            want_event: Some("SuccessfulRescale"),
            want_in_message: vec!["New size: 1; reason: All metrics below target"],
            ..case(
                "scale-down after the window",
                3,
                &[cpu(10), cpu(10), cpu(10)],
            )
        },
        Case {
            hpa: LEGACY.replace("minReplicas: 1", "minReplicas: 2"),
            want_scaled_to: Some(2),
            want_conditions: vec!["ScalingLimited=True/TooFewReplicas"],
            ..case("clamped to minReplicas", 3, &[cpu(10), cpu(10), cpu(10)])
        },
        Case {
            hpa: LEGACY.replace("maxReplicas: 10", "maxReplicas: 4"),
            want_scaled_to: Some(4),
            want_conditions: vec!["ScalingLimited=True/TooManyReplicas"],
            ..case("clamped to maxReplicas", 3, &[cpu(200), cpu(200), cpu(200)])
        },
        Case {
            want_scaled_to: Some(4),
            want_in_message: vec!["1 pod(s) without metrics counted at 0 (scale-up)"],
            ..case(
                "missing pods count as 0 on a scale-up",
                3,
                &[cpu(200), cpu(200), None],
            )
        },
        Case {
            want_in_message: vec!["1 pod(s) without metrics counted at their request"],
            want_event: None,
            ..case(
                "missing pods count as their request on a scale-down",
                3,
                &[cpu(60), cpu(60), None],
            )
        },
        Case {
            hpa: with_behavior(
                "    scaleUp:\n      policies:\n      - type: Pods\n        value: 1\n        periodSeconds: 60\n",
            ),
            want_scaled_to: Some(4),
            want_conditions: vec!["ScalingLimited=True/ScaleUpLimit"],
            ..case(
                "behavior: one pod per minute",
                3,
                &[cpu(168), cpu(168), cpu(168)],
            )
        },
        Case {
            hpa: with_behavior(
                "    scaleDown:\n      stabilizationWindowSeconds: 0\n      policies:\n      - type: Percent\n        value: 50\n        periodSeconds: 60\n",
            ),
            want_scaled_to: Some(2),
            want_conditions: vec!["ScalingLimited=True/ScaleDownLimit"],
            ..case(
                "behavior: halve at most per minute",
                4,
                &[cpu(10), cpu(10), cpu(10), cpu(10)],
            )
        },
        Case {
            current: Some(0),
            want_conditions: vec!["ScalingActive=False/ScalingDisabled"],
            ..case(
                "scaled to zero disables the HPA",
                3,
                &[cpu(300), cpu(300), cpu(300)],
            )
        },
        Case {
            current: Some(12),
            want_scaled_to: Some(10),
            want_in_message: vec!["Current number of replicas above Spec.MaxReplicas"],
            ..case("above maxReplicas", 3, &[cpu(10), cpu(10), cpu(10)])
        },
        Case {
            hpa: memory_hpa,
            want_scaled_to: Some(5),
            want_in_message: vec![
                "memory resource above target",
                "ceil(3 × 150.0Mi/100.0Mi) = ceil(4.50) = 5",
            ],
            ..case(
                "memory AverageValue",
                3,
                &[
                    Some((5, 150 * MI)),
                    Some((5, 150 * MI)),
                    Some((5, 150 * MI)),
                ],
            )
        },
        Case {
            want_event: Some("FailedComputeMetricsReplicas"),
            want_in_message: vec![
                "unable to get metrics for resource cpu: no metrics returned from resource metrics API",
            ],
            want_conditions: vec!["ScalingActive=False/FailedGetResourceMetric"],
            ..case("no metrics yet", 3, &[None, None, None])
        },
    ];
    for c in cases {
        let (mut world, now, pods) = base(c.replicas, &c.hpa);
        samples(&mut world, now, &pods, &c.usage);
        let m = memory(&world, now, &c.recs);
        world.hpa_controller.insert(key(), m);
        if let Some(cur) = c.current {
            let mut d = world
                .api
                .store
                .deployment("default", "app")
                .unwrap()
                .clone();
            d.spec.replicas = Some(cur);
            world.api.write(Object::Deployment(d));
        }
        let o = sync(&world, now);
        let ctx = format!("{}: {o:#?}", c.name);
        assert_eq!(o.scaled_to, c.want_scaled_to, "{ctx}");
        if let Some(ev) = c.want_event {
            assert!(o.events.iter().any(|e| e == ev), "{ctx}");
        } else if c.want_scaled_to.is_none() && c.want_in_message.is_empty() {
            assert!(o.events.is_empty(), "{ctx}");
        }
        for s in &c.want_in_message {
            let in_messages = o.messages.iter().any(|m| m.contains(s));
            let in_formula = o.decision.as_ref().is_some_and(|d| {
                d.formula.contains(s) || d.metrics.iter().any(|m| m.formula.contains(s))
            });
            assert!(in_messages || in_formula, "{}: want {s:?}: {ctx}", c.name);
        }
        for cond in &c.want_conditions {
            assert!(
                o.conditions.iter().any(|x| x == cond),
                "{}: want {cond}: {ctx}",
                c.name
            );
        }
    }
}

#[test]
fn missing_pods_on_a_scale_down_keep_the_count_explained() {
    // 60m of 200m = 30% on two pods, one pod without a sample: filled in at its request
    // (100%), the ratio becomes (60+60+200)/600 = 53% → within tolerance: keep 3.
    let (mut world, now, pods) = base(3, HPA);
    samples(&mut world, now, &pods, &[cpu(60), cpu(60), None]);
    world.hpa_controller.insert(key(), memory(&world, now, &[]));
    let effects = hpa::reconcile(&key(), &world, now);
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Write(o) if matches!(**o, Object::Deployment(_))))
    );
}

#[test]
fn the_current_metric_is_reported_in_status() {
    let (mut world, now, pods) = base(3, HPA);
    samples(&mut world, now, &pods, &[cpu(168), cpu(168), cpu(168)]);
    world.hpa_controller.insert(key(), memory(&world, now, &[]));
    let o = sync(&world, now);
    assert_eq!(
        o.current_metrics,
        serde_json::json!([{
            "type": "Resource",
            "resource": {"name": "cpu", "current": {"averageUtilization": 84, "averageValue": "168m"}}
        }])
    );
    let d = o.decision.unwrap();
    assert_eq!((d.raw, d.stabilized, d.final_replicas), (6, 6, 6));
    assert_eq!(d.ready_pods, 3);
    assert_eq!(d.ratio, "1.68");
}

#[test]
fn first_sync_is_one_period_after_creation() {
    let (world, now, _) = base(1, HPA);
    // No memory yet: the controller schedules its first sync 15s after creation.
    let effects = hpa::reconcile(&key(), &world, now);
    let due = effects.iter().find_map(|e| match e {
        Effect::Schedule { after, .. } => Some(*after),
        _ => None,
    });
    assert_eq!(due, Some(SimDuration::from_secs(15)));
    assert!(!effects.iter().any(|e| matches!(e, Effect::Write(_))));
}
