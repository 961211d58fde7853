//! The Kubernetes HPA walkthrough's own manifests, unchanged: php-apache (Deployment with
//! a 200m CPU request, and its Service) and the flow-style `autoscaling/v2` HPA (1 to 10
//! replicas at 50% CPU). Under load it scales out within the scale-up limits; when the
//! load stops it waits out the 5-minute downscale stabilization window, then scales in.

use simulator::{Scenario, Simulation, Workspace};

/// The upstream manifests, read where they stand beside the repository.
const REAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/reference/real/k8s/"
);

fn real(name: &str) -> String {
    let path = format!("{REAL}{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn replicas(sim: &Simulation) -> i64 {
    let store = &sim.state().api.store;
    store
        .deployment("default", "php-apache")
        .and_then(|d| d.spec.replicas)
        .unwrap_or(1)
}

fn run(sim: &mut Simulation, line: &str) -> String {
    sim.run(line)
        .unwrap_or_else(|e| panic!("{line}: {e}"))
        .output
}

#[test]
fn the_walkthrough_scales_out_under_load_and_back_in() {
    let mut ws = Workspace::new();
    ws.insert("php-apache.yaml", real("application__php-apache.yaml"));
    ws.insert("hpa.yaml", real("application__hpa__php-apache.yaml"));
    let scenario = Scenario::named("default").unwrap().with_workspace(ws);
    let mut sim = Simulation::new(&scenario);
    run(&mut sim, "kubectl apply -f php-apache.yaml");
    assert_eq!(
        run(&mut sim, "kubectl apply -f hpa.yaml"),
        "horizontalpodautoscaler.autoscaling/php-apache created\n"
    );
    run(&mut sim, "sim advance 1m");
    let idle = run(&mut sim, "kubectl get hpa");
    assert!(idle.contains("cpu: 2%/50%"), "{idle}");
    assert_eq!(replicas(&sim), 1);

    // The walkthrough's load generator: a busy loop of requests through the Service.
    run(&mut sim, "sim traffic service/php-apache 400");
    let mut seen = vec![replicas(&sim)];
    for _ in 0..16 {
        run(&mut sim, "sim advance 15s");
        seen.push(replicas(&sim));
    }
    let peak = *seen.iter().max().unwrap();
    assert!((5..=10).contains(&peak), "{seen:?}");
    // Legacy scale-up limit: at most max(2 × current, 4) per sync.
    for w in seen.windows(2) {
        assert!(w[1] <= (2 * w[0]).max(4), "{seen:?}");
    }
    let top = run(&mut sim, "kubectl top pods");
    assert_eq!(top.lines().count() as i64, peak + 1, "{top}");
    let hpa = run(&mut sim, "kubectl get hpa");
    assert!(hpa.contains("Deployment/php-apache"), "{hpa}");

    // Load off: the downscale stabilization window holds the count for 5 minutes.
    run(&mut sim, "sim traffic service/php-apache off");
    run(&mut sim, "sim advance 4m30s");
    assert_eq!(replicas(&sim), peak);
    run(&mut sim, "sim advance 1m30s");
    assert_eq!(replicas(&sim), 1);
    let rescales: Vec<&str> = sim
        .log()
        .events()
        .iter()
        .filter(|e| e.kind == "SuccessfulRescale")
        .map(|e| e.reason.as_str())
        .collect();
    assert!(
        rescales
            .iter()
            .any(|m| m
                .contains("reason: cpu resource utilization (percentage of request) above target")),
        "{rescales:#?}"
    );
    assert!(
        rescales
            .last()
            .is_some_and(|m| m.contains("New size: 1; reason: All metrics below target")),
        "{rescales:#?}"
    );
}
