//! Property: whatever the traffic, the HPA keeps replicas within [minReplicas,
//! maxReplicas], and once the traffic stays constant the count settles (no oscillation
//! beyond the 5-minute downscale stabilization window).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use simulator::{Scenario, Simulation, Workspace};

const MIN: i64 = 2;
const MAX: i64 = 8;

const APP: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resources:
          requests:
            cpu: 200m
          limits:
            cpu: 500m
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: 8
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 50
";

fn replicas(sim: &Simulation) -> i64 {
    sim.state()
        .api
        .store
        .deployment("default", "web")
        .and_then(|d| d.spec.replicas)
        .unwrap_or(1)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn replicas_stay_in_bounds_and_settle(
        phases in prop::collection::vec((0u32..900, 1u32..8), 1..4),
        last in 0u32..900,
    ) {
        let mut ws = Workspace::new();
        ws.insert("app.yaml", APP);
        let scenario = Scenario::named("default").unwrap().with_workspace(ws);
        let mut sim = Simulation::new(&scenario);
        sim.run("kubectl apply -f app.yaml").unwrap();
        sim.run("sim advance 1m").unwrap();
        let mut check = |sim: &mut Simulation| -> i64 {
            sim.run("sim advance 15s").unwrap();
            let r = replicas(sim);
            let hpa = sim.state().api.store.hpa("default", "web").unwrap();
            assert!((MIN..=MAX).contains(&r), "replicas {r}");
            assert!((0..=MAX).contains(&hpa.status.desired_replicas));
            r
        };
        for (rps, minutes) in phases {
            sim.run(&format!("sim traffic service/web {rps}")).unwrap();
            for _ in 0..minutes * 4 {
                check(&mut sim);
            }
        }
        sim.run(&format!("sim traffic service/web {last}")).unwrap();
        // Scale-ups finish within a few syncs; a scale-down waits out the 5-minute window.
        for _ in 0..7 * 4 {
            check(&mut sim);
        }
        let settled = replicas(&sim);
        for _ in 0..5 * 4 {
            let r = check(&mut sim);
            prop_assert_eq!(r, settled, "still changing after 7 minutes of constant traffic ({} rps)", last);
        }
    }
}
