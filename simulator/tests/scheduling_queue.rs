//! The scheduler's active queue follows upstream `PrioritySort`: a higher
//! `spec.priority` is scheduled first, then earlier arrival.
#![cfg(not(target_arch = "wasm32"))]

use simulator::{Scenario, Simulation, Workspace};

fn pod(name: &str, priority: i64) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  priority: {priority}\n  containers:\n  - name: app\n    image: nginx:1.27\n    resources:\n      requests: {{cpu: '3'}}\n"
    )
}

#[test]
fn higher_priority_pods_are_scheduled_first_when_room_is_short() {
    let mut ws = Workspace::new();
    // Three pods that each need 3 of a worker's 4 CPUs, submitted low priority first,
    // onto a cluster with two workers: only two can run.
    ws.insert(
        "pods.yaml",
        [pod("low", 0), pod("mid", 100), pod("high", 1000)].join("---\n"),
    );
    let scenario = Scenario::named("empty").unwrap().with_workspace(ws);
    let mut sim = Simulation::new(&scenario);
    for line in [
        "sim node add a --cpu 4",
        "sim node add b --cpu 4",
        "sim advance 1s",
        "kubectl apply -f pods.yaml",
        "sim advance 5s",
    ] {
        sim.run(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    }
    let node_of = |name: &str| {
        sim.state()
            .api
            .store
            .pod("default", name)
            .and_then(|p| p.spec.node_name.clone())
    };
    assert!(node_of("high").is_some(), "highest priority is placed");
    assert!(node_of("mid").is_some(), "then the next");
    assert_eq!(
        node_of("low"),
        None,
        "the lowest waits, although it was submitted first"
    );
    let order: Vec<&str> = sim
        .log()
        .events()
        .iter()
        .filter(|e| e.kind == "Scheduled" || e.kind == "FailedScheduling")
        .map(|e| e.object.name.as_str())
        .collect();
    assert_eq!(&order[..3], &["high", "mid", "low"]);
}
