//! Same scenario + seed + journal ⇒ byte-identical event log, natively and in wasm.
//!
//! The digest is pinned in `golden/determinism.digest`; the native run and the
//! wasm-bindgen-test run compare against the same bytes, so a platform difference (a
//! usize-dependent RNG draw, an unordered map) fails here. If the event model changes on
//! purpose, update the file with the digest the failure prints.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use simulator::{Scenario, Simulation};

const SCRIPT: &[&str] = &[
    "sim advance 1m",
    "kubectl get pods -n kube-system",
    "sim seed 9",
    "sim reset",
    "sim advance 35s",
    "kubectl get nodes -o wide",
    "sim advance 2h",
];

fn run(seed: u64) -> Simulation {
    let lines: Vec<String> = SCRIPT.iter().map(|s| s.to_string()).collect();
    match Simulation::replay(&Scenario::default_scenario(), seed, &lines) {
        Ok(sim) => sim,
        Err(e) => panic!("script failed: {e}"),
    }
}

#[test]
fn same_inputs_same_log() {
    let a = run(42);
    let b = run(42);
    assert_eq!(a.log().to_jsonl(), b.log().to_jsonl());
    assert_eq!(a.log().digest(), b.log().digest());
    assert_eq!(a.fingerprint(), b.fingerprint());
}

#[test]
fn digest_matches_golden_on_every_target() {
    let golden = include_str!("golden/determinism.digest").trim();
    let got = run(42).log().digest();
    assert_eq!(
        got, golden,
        "event log digest changed; if intended, write {got} to tests/golden/determinism.digest"
    );
}

#[test]
fn seed_changes_random_names() {
    let a = Simulation::with_seed(&Scenario::default_scenario(), 1);
    let b = Simulation::with_seed(&Scenario::default_scenario(), 2);
    assert_ne!(a.log().digest(), b.log().digest());
    let names = |s: &Simulation| {
        s.state()
            .api
            .store
            .pods()
            .map(|p| p.metadata.name.clone())
            .collect::<Vec<_>>()
    };
    assert_ne!(
        names(&a),
        names(&b),
        "kube-proxy and coredns names come from the seeded RNG"
    );
}

/// The AWS side too: ECS placement and ids from the RNG, target tracking's floating-point
/// utilisation, billing, and `sim compare`'s three nested simulations. The digest covers
/// the event log and every command's output.
const AWS_SCRIPT: &[&str] = &[
    r#"echo '{"family": "web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512", "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "portMappings": [{"containerPort": 80}]}]}' > web.json"#,
    "aws ecs create-cluster --cluster-name demo",
    "aws ecs register-task-definition --cli-input-json file://web.json",
    "aws ecs create-service --cluster demo --service-name web --task-definition web --desired-count 2 --launch-type FARGATE --network-configuration awsvpcConfiguration={subnets=[subnet-06e5d742dfd8c0576,subnet-0d9adb02b9dc5e777]}",
    "aws application-autoscaling register-scalable-target --service-namespace ecs --resource-id service/demo/web --scalable-dimension ecs:service:DesiredCount --min-capacity 2 --max-capacity 20",
    r#"aws application-autoscaling put-scaling-policy --service-namespace ecs --resource-id service/demo/web --scalable-dimension ecs:service:DesiredCount --policy-name cpu --policy-type TargetTrackingScaling --target-tracking-scaling-policy-configuration '{"TargetValue": 50.0, "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}'"#,
    "sim traffic ecs-service/web --cluster demo --daily 50..300",
    "sim advance 3h",
    "aws ecs describe-services --cluster demo --services web",
    "sim cost",
    "sim compare --duration 2h --spike-at 1h",
];

fn aws_digest() -> String {
    use sha2::{Digest, Sha256};
    let mut sim = Simulation::new(&Scenario::named("empty").unwrap());
    let mut h = Sha256::new();
    for line in AWS_SCRIPT {
        match sim.run(line) {
            Ok(a) => h.update(a.output.as_bytes()),
            Err(e) => panic!("`{line}` failed: {e}"),
        }
    }
    h.update(sim.log().digest().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn aws_digest_matches_golden_on_every_target() {
    let golden = include_str!("golden/determinism-aws.digest").trim();
    let got = aws_digest();
    assert_eq!(
        got, golden,
        "AWS digest changed; if intended, write {got} to tests/golden/determinism-aws.digest"
    );
}
