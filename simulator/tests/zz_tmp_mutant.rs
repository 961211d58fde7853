//! Deployment rollouts driven through kubectl: whatever sequence of `scale`, `set image`,
//! `rollout undo` and time passing a learner types, the Deployment converges to
//! `spec.replicas` available pods of the current template, and a rolling update never
//! runs more pods than `replicas + maxSurge`.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use simulator::api::Object;
use simulator::time::{SimDuration, SimTime};
use simulator::{Scenario, Simulation};

const MANIFEST: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  strategy:
    rollingUpdate:
      maxSurge: 2
      maxUnavailable: 1
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
";

const MAX_SURGE: i64 = 0;
const IMAGES: [&str; 3] = ["nginx:1.25", "nginx:1.26", "nginx:1.27"];

#[derive(Debug, Clone)]
enum Step {
    Scale(i64),
    SetImage(usize),
    Undo,
    Restart,
    Advance(u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0i64..7).prop_map(Step::Scale),
        (0usize..IMAGES.len()).prop_map(Step::SetImage),
        Just(Step::Undo),
        Just(Step::Restart),
        (1u64..40).prop_map(Step::Advance),
    ]
}

fn active_pods(sim: &Simulation) -> i64 {
    sim.state()
        .api
        .store
        .pods()
        .filter(|p| p.metadata.labels.get("app").map(String::as_str) == Some("web"))
        .filter(|p| p.is_active())
        .count() as i64
}

fn replicas(sim: &Simulation) -> i64 {
    sim.state()
        .api
        .store
        .deployment("default", "web")
        .and_then(|d| d.spec.replicas)
        .unwrap_or(1)
}

fn scenario() -> Scenario {
    let mut ws = Scenario::default_scenario().workspace.clone();
    ws.insert("web.yaml", MANIFEST.to_string());
    Scenario::default_scenario().with_workspace(ws)
}

/// Lets `secs` of simulated time pass, checking the surge bound after every instant.
fn advance(sim: &mut Simulation, secs: u64, bound: i64, worst: &mut (i64, i64, SimTime)) {
    let until = sim.now().after(SimDuration::from_secs(secs));
    sim.advance_until(until, |s| {
        let n = active_pods(s);
        if n - bound > worst.0 - worst.1 {
            *worst = (n, bound, s.now());
        }
        false
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn rollouts_converge_within_surge(steps in proptest::collection::vec(step(), 1..12)) {
        let mut sim = Simulation::new(&scenario());
        sim.run("kubectl apply -f web.yaml").unwrap();
        let mut worst = (0i64, 0i64, SimTime::ZERO);
        let mut bound = replicas(&sim) + MAX_SURGE;
        advance(&mut sim, 30, bound, &mut worst);
        for s in &steps {
            let line = match s {
                Step::Scale(n) => format!("kubectl scale deployment/web --replicas={n}"),
                Step::SetImage(i) => format!("kubectl set image deployment/web nginx={}", IMAGES[*i]),
                Step::Undo => "kubectl rollout undo deployment/web".to_string(),
                Step::Restart => "kubectl rollout restart deployment/web".to_string(),
                Step::Advance(secs) => {
                    advance(&mut sim, *secs, bound, &mut worst);
                    // Once time has passed, a scale-down has been acted on.
                    bound = replicas(&sim) + MAX_SURGE;
                    continue;
                }
            };
            // Undo without history is a learner error; it must change nothing.
            let _ = sim.run(&line);
            bound = bound.max(replicas(&sim) + MAX_SURGE);
        }
        advance(&mut sim, 1, bound, &mut worst);
        bound = replicas(&sim) + MAX_SURGE;
        advance(&mut sim, 600, bound, &mut worst);
        prop_assert!(
            worst.0 <= worst.1,
            "{} active pods at {} but replicas + maxSurge is {}",
            worst.0, worst.2, worst.1
        );
        let want = replicas(&sim);
        let Some(Object::Deployment(d)) = sim
            .state()
            .api
            .store
            .get(&simulator::apiserver::ObjKey::new("Deployment", "default", "web"))
        else {
            panic!("deployment gone");
        };
        prop_assert_eq!(d.status.available_replicas, want, "status: {:?}", d.status);
        prop_assert_eq!(d.status.updated_replicas, want);
        prop_assert_eq!(d.status.replicas, want);
        prop_assert_eq!(active_pods(&sim), want);
        let status = sim.run("kubectl rollout status deployment/web --timeout=1s").unwrap();
        prop_assert!(status.output.contains("successfully rolled out"), "{}", status.output);
    }
}
