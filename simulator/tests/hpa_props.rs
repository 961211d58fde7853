//! Property: whatever the traffic, the HPA keeps replicas within [minReplicas,
//! maxReplicas], and once the traffic stays constant the count converges: after one
//! downscale stabilization window (5 minutes) it never changes direction again, and it
//! reaches a fixed point (a scale-down may take several windows, one step each, as
//! upstream's stabilization works).
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
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

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
        let check = |sim: &mut Simulation| -> i64 {
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
        // Recommendations made before the change weigh for one stabilization window
        // (5 minutes): until then the count may still move either way.
        for _ in 0..(5 * 4 + 2) {
            check(&mut sim);
        }
        // After it, the count only moves one way — a scale-down may come in steps, each
        // waiting out the window — and reaches a fixed point.
        let mut seen = vec![replicas(&sim)];
        for _ in 0..35 * 4 {
            seen.push(check(&mut sim));
        }
        let ups = seen.windows(2).any(|w| w[1] > w[0]);
        let downs = seen.windows(2).any(|w| w[1] < w[0]);
        prop_assert!(!(ups && downs), "oscillates at a constant {} rps: {:?}", last, seen);
        let tail = &seen[seen.len() - 5 * 4..];
        prop_assert!(
            tail.iter().all(|r| *r == tail[0]),
            "still changing after 35 minutes at a constant {} rps: {:?}", last, seen
        );
    }
}
