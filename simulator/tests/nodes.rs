//! Nodes and failures end to end: node lifecycle timings, taint-based eviction, the
//! CrashLoopBackOff sequence, liveness kills and PodDisruptionBudget-aware eviction.

use simulator::workspace::Workspace;
use simulator::{Event, Scenario, Simulation};

const WEB: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
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
        livenessProbe:
          httpGet:
            path: /
            port: 80
";

const PDB: &str = "\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 3
  selector:
    matchLabels:
      app: web
";

fn sim() -> Simulation {
    let mut ws = Workspace::new();
    ws.insert("web.yaml", WEB);
    ws.insert("pdb.yaml", PDB);
    let mut sim = Simulation::new(&Scenario::default_scenario().with_workspace(ws));
    sim.run("kubectl apply -f web.yaml").unwrap();
    sim.run("sim advance 20s").unwrap();
    sim
}

fn events<'a>(sim: &'a Simulation, kind: &str) -> Vec<&'a Event> {
    sim.log()
        .events()
        .iter()
        .filter(|e| e.kind == kind)
        .collect()
}

/// A web pod and its node, avoiding worker-1 (where the bootstrap CoreDNS pods run).
fn web_pod(sim: &Simulation) -> (String, String) {
    sim.state()
        .api
        .store
        .pods()
        .find(|p| {
            p.metadata.labels.get("app").map(String::as_str) == Some("web")
                && p.spec.node_name.as_deref() != Some("worker-1")
        })
        .map(|p| (p.metadata.name.clone(), p.spec.node_name.clone().unwrap()))
        .expect("a web pod off worker-1")
}

#[test]
fn a_silent_node_is_not_ready_after_the_grace_period_and_evicted_after_300s() {
    let mut sim = sim();
    let (victim, node_name) = web_pod(&sim);
    let failed_at = sim.now().as_millis();
    sim.run(&format!("sim node fail {node_name}")).unwrap();
    sim.run("sim advance 10m").unwrap();
    let not_ready = events(&sim, "NodeNotReady")
        .into_iter()
        .find(|e| e.object.name == node_name && e.object.kind == "node")
        .expect("NodeNotReady");
    let after = not_ready.at.as_millis() - failed_at;
    // Last heartbeat at most 10s before the failure; checked every 5s; 40s grace.
    assert!(
        (40_000..=50_000).contains(&after),
        "NotReady after {after}ms"
    );
    let node = sim.state().api.store.node_named(&node_name).unwrap();
    let taints: Vec<String> = node.spec.taints.iter().map(|t| t.to_string()).collect();
    assert_eq!(
        taints,
        [
            "node.kubernetes.io/unreachable:NoExecute",
            "node.kubernetes.io/unreachable:NoSchedule"
        ]
    );
    let eviction = events(&sim, "TaintManagerEviction")
        .into_iter()
        .find(|e| e.object.name == victim)
        .expect("evicted");
    assert!(
        eviction
            .reason
            .contains(&format!("Marking for deletion Pod default/{victim}"))
    );
    assert_eq!(eviction.at.as_millis() - not_ready.at.as_millis(), 300_000);
    // Terminating on the dead node; three ready replacements elsewhere.
    let store = &sim.state().api.store;
    assert!(store.pod("default", &victim).unwrap().is_terminating());
    let ready = store
        .pods()
        .filter(|p| p.metadata.labels.get("app").map(String::as_str) == Some("web"))
        .filter(|p| p.is_ready() && !p.is_terminating())
        .inspect(|p| assert_ne!(p.spec.node_name.as_deref(), Some(node_name.as_str())))
        .count();
    assert_eq!(ready, 3);
    sim.run(&format!("sim node recover {node_name}")).unwrap();
    sim.run("sim advance 10s").unwrap();
    let node = sim.state().api.store.node_named(&node_name).unwrap();
    assert!(node.spec.taints.is_empty());
    assert_eq!(node.ready_status(), Some("True"));
    assert!(sim.state().api.store.pod("default", &victim).is_none());
}

#[test]
fn crash_loop_back_off_doubles_to_five_minutes() {
    let mut sim = sim();
    let (pod, _) = web_pod(&sim);
    sim.run(&format!("sim pod crash {pod} --loop")).unwrap();
    sim.run("sim advance 20m").unwrap();
    let waits: Vec<String> = events(&sim, "BackOff")
        .iter()
        .map(|e| {
            assert!(
                e.reason.starts_with(&format!(
                    "Back-off restarting failed container app in pod {pod}"
                )),
                "{}",
                e.reason
            );
            let w = e.reason.split("next restart in ").nth(1).unwrap();
            w.split(' ').next().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        waits[..7],
        ["10s", "20s", "40s", "1m20s", "2m40s", "5m", "5m"]
    );
    let p = sim.state().api.store.pod("default", &pod).unwrap();
    assert!(p.restarts() >= 7);
    // Healed: the next start stays up, and after 10 minutes the back-off is forgotten,
    // so a later crash restarts at once.
    sim.run(&format!("sim pod heal {pod}")).unwrap();
    sim.run("sim advance 16m").unwrap();
    let restarts = sim
        .state()
        .api
        .store
        .pod("default", &pod)
        .unwrap()
        .restarts();
    assert!(
        sim.state()
            .api
            .store
            .pod("default", &pod)
            .unwrap()
            .is_ready()
    );
    let backoffs = events(&sim, "BackOff").len();
    sim.run(&format!("sim pod crash {pod}")).unwrap();
    sim.run("sim advance 1s").unwrap();
    assert_eq!(events(&sim, "BackOff").len(), backoffs);
    assert_eq!(
        sim.state()
            .api
            .store
            .pod("default", &pod)
            .unwrap()
            .restarts(),
        restarts + 1
    );
}

#[test]
fn a_hung_container_is_killed_after_three_liveness_failures() {
    let mut sim = sim();
    let (pod, _) = web_pod(&sim);
    sim.run(&format!("sim pod crash {pod} --hang")).unwrap();
    sim.run("sim advance 25s").unwrap();
    let unhealthy = events(&sim, "Unhealthy");
    assert_eq!(unhealthy.len(), 3, "{unhealthy:?}");
    assert!(
        unhealthy[0]
            .reason
            .starts_with("Liveness probe failed: Get \"http://")
    );
    let killing = events(&sim, "Killing");
    assert_eq!(killing.len(), 1);
    assert!(
        killing[0]
            .reason
            .starts_with("Container app failed liveness probe, will be restarted")
    );
    // SIGKILL after the 30s grace period, then an immediate first restart.
    sim.run("sim advance 35s").unwrap();
    let p = sim.state().api.store.pod("default", &pod).unwrap();
    assert_eq!(p.restarts(), 1);
    assert!(p.status.container_statuses[0].state.running.is_some());
}

#[test]
fn eviction_respects_the_disruption_budget() {
    let mut sim = sim();
    sim.run("kubectl apply -f pdb.yaml").unwrap();
    sim.run("sim advance 1s").unwrap();
    let pdb = sim.state().api.store.pdb("default", "web").unwrap();
    assert_eq!(
        (
            pdb.status.current_healthy,
            pdb.status.desired_healthy,
            pdb.status.disruptions_allowed,
            pdb.status.expected_pods
        ),
        (3, 3, 0, 3)
    );
    let (_, node) = web_pod(&sim);
    let line = format!("kubectl drain {node} --ignore-daemonsets --timeout 12s");
    let out = sim.run(&line).unwrap_err().to_string();
    assert!(out.starts_with(&format!("node/{node} cordoned\n")), "{out}");
    assert!(
        out.contains("(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget."),
        "{out}"
    );
    assert!(out.contains("global timeout reached: 12s"), "{out}");
    // The refused drain still cordoned the node and is journaled (time passed).
    assert!(
        sim.state()
            .api
            .store
            .node_named(&node)
            .unwrap()
            .spec
            .unschedulable
    );
    assert_eq!(sim.journal().lines().last().unwrap(), &line);
}

#[test]
fn taint_and_cordon_commands_match_kubectl() {
    let mut sim = sim();
    let ok = |sim: &mut Simulation, l: &str| sim.run(l).unwrap().output;
    let err = |sim: &mut Simulation, l: &str| sim.run(l).unwrap_err().to_string();
    assert_eq!(
        ok(
            &mut sim,
            "kubectl taint nodes worker-1 example-key=v:NoSchedule"
        ),
        "node/worker-1 tainted\n"
    );
    assert_eq!(
        err(
            &mut sim,
            "kubectl taint nodes worker-1 example-key=w:NoSchedule"
        ),
        "error: node worker-1 already has example-key taint(s) with same effect(s) and --overwrite is false"
    );
    assert_eq!(
        ok(
            &mut sim,
            "kubectl taint node/worker-1 example-key=w:NoSchedule --overwrite"
        ),
        "node/worker-1 modified\n"
    );
    assert_eq!(
        ok(
            &mut sim,
            "kubectl taint nodes worker-1 example-key:NoSchedule-"
        ),
        "node/worker-1 untainted\n"
    );
    assert_eq!(
        err(&mut sim, "kubectl taint nodes worker-1 example-key-"),
        "error: taint \"example-key\" not found"
    );
    assert_eq!(
        err(&mut sim, "kubectl taint nodes worker-1 a=b:Sometimes"),
        "error: invalid taint effect: Sometimes, unsupported taint effect"
    );
    assert_eq!(
        err(&mut sim, "kubectl taint nodes worker-1"),
        "error: at least one taint update is required"
    );
    assert_eq!(
        ok(&mut sim, "kubectl cordon worker-1"),
        "node/worker-1 cordoned\n"
    );
    assert_eq!(
        ok(&mut sim, "kubectl cordon worker-1"),
        "node/worker-1 already cordoned\n"
    );
    sim.run("sim advance 1s").unwrap();
    // taint-nodes-by-condition mirrors the cordon as a taint.
    let n = sim.state().api.store.node_named("worker-1").unwrap();
    assert!(
        n.spec
            .taints
            .iter()
            .any(|t| t.key == "node.kubernetes.io/unschedulable")
    );
    assert_eq!(
        ok(&mut sim, "kubectl uncordon worker-1"),
        "node/worker-1 uncordoned\n"
    );
    sim.run("sim advance 1s").unwrap();
    assert!(
        sim.state()
            .api
            .store
            .node_named("worker-1")
            .unwrap()
            .spec
            .taints
            .is_empty()
    );
    let e = err(&mut sim, "sim node fail worker-7");
    assert!(
        e.starts_with("Error from server (NotFound): nodes \"worker-7\" not found"),
        "{e}"
    );
    assert!(e.contains("Did you mean this?"), "{e}");
}
