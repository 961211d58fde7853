//! Node failures and recoveries: whatever sequence of `sim node fail`, `sim node recover`
//! and time passing happens, no node is ever asked to run more than it can hold (checked
//! after every step), and once every node is back and enough time has passed (the 40 s
//! grace period, the 300 s toleration, a restart) the Deployment has `spec.replicas`
//! Ready pods, all on Ready nodes.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use simulator::workspace::Workspace;
use simulator::{Scenario, Simulation};

const MANIFEST: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: app
        image: nginx:1.27
        resources:
          requests:
            cpu: 1500m
            memory: 3Gi
";

const WORKERS: [&str; 3] = ["worker-1", "worker-2", "worker-3"];
const REPLICAS: usize = 4;

#[derive(Debug, Clone)]
enum Step {
    Fail(usize),
    Recover(usize),
    Advance(u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0usize..WORKERS.len()).prop_map(Step::Fail),
        (0usize..WORKERS.len()).prop_map(Step::Recover),
        (1u64..180).prop_map(Step::Advance),
    ]
}

fn millis(q: &str) -> i64 {
    simulator::kube::quantity::parse_for_resource("cpu", q).unwrap()
}

fn bytes(q: &str) -> i64 {
    simulator::kube::quantity::parse_for_resource("memory", q).unwrap()
}

/// Every node's bound, unfinished pods request no more than its allocatable.
fn check_not_overcommitted(sim: &Simulation) -> Result<(), String> {
    let store = &sim.state().api.store;
    for n in store.nodes() {
        let alloc_cpu = millis(&n.status.allocatable["cpu"].0);
        let alloc_mem = bytes(&n.status.allocatable["memory"].0);
        let (mut cpu, mut mem) = (0, 0);
        for p in store.pods().filter(|p| {
            p.spec.node_name.as_deref() == Some(n.metadata.name.as_str())
                && !matches!(
                    p.status.phase.as_deref(),
                    Some("Succeeded") | Some("Failed")
                )
        }) {
            for c in &p.spec.containers {
                if let Some(q) = c.resources.requests.get("cpu") {
                    cpu += millis(&q.0);
                }
                if let Some(q) = c.resources.requests.get("memory") {
                    mem += bytes(&q.0);
                }
            }
        }
        if cpu > alloc_cpu || mem > alloc_mem {
            return Err(format!(
                "{} over-committed at {}: cpu {cpu}m of {alloc_cpu}m, memory {mem} of {alloc_mem}",
                n.metadata.name,
                sim.now()
            ));
        }
    }
    Ok(())
}

fn node_ready(sim: &Simulation, name: &str) -> bool {
    sim.state()
        .api
        .store
        .node_named(name)
        .is_some_and(|n| n.ready_status() == Some("True"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn deployments_survive_node_failures(steps in prop::collection::vec(step(), 1..14)) {
        let mut ws = Workspace::new();
        ws.insert("web.yaml", MANIFEST);
        let scenario = Scenario::default_scenario().with_workspace(ws);
        let mut sim = Simulation::new(&scenario);
        sim.run("kubectl apply -f web.yaml").unwrap();
        sim.run("sim advance 20s").unwrap();
        check_not_overcommitted(&sim).map_err(TestCaseError::fail)?;
        for s in &steps {
            let line = match s {
                Step::Fail(i) => format!("sim node fail {}", WORKERS[*i]),
                Step::Recover(i) => format!("sim node recover {}", WORKERS[*i]),
                Step::Advance(secs) => format!("sim advance {secs}s"),
            };
            // Failing a failed node (or recovering a healthy one) is refused, changing nothing.
            let _ = sim.run(&line);
            check_not_overcommitted(&sim).map_err(TestCaseError::fail)?;
        }
        for w in WORKERS {
            let _ = sim.run(&format!("sim node recover {w}"));
        }
        // Grace period + toleration + scheduling, stepping so over-commit is checked too.
        for _ in 0..8 {
            sim.run("sim advance 1m").unwrap();
            check_not_overcommitted(&sim).map_err(TestCaseError::fail)?;
        }
        for w in WORKERS {
            prop_assert!(node_ready(&sim, w), "{w} not Ready after recovery");
        }
        let store = &sim.state().api.store;
        let web: Vec<_> = store
            .pods()
            .filter(|p| p.metadata.labels.get("app").map(String::as_str) == Some("web"))
            .collect();
        let ready_on_ready_nodes = web
            .iter()
            .filter(|p| {
                p.is_ready()
                    && !p.is_terminating()
                    && p.spec.node_name.as_deref().is_some_and(|n| node_ready(&sim, n))
            })
            .count();
        prop_assert_eq!(ready_on_ready_nodes, REPLICAS, "pods: {:?}", web.iter().map(|p| (&p.metadata.name, &p.spec.node_name, p.status.phase.clone(), p.is_ready(), p.is_terminating())).collect::<Vec<_>>());
        prop_assert_eq!(web.len(), REPLICAS, "terminating pods left behind after recovery");
        let d = store.deployment("default", "web").unwrap();
        prop_assert_eq!(d.status.ready_replicas, REPLICAS as i64);
    }
}
