//! Property tests for the AWS CLI layer: the shorthand parser and every `aws` command
//! line either parse or fail with a message, never panic; a failing command changes
//! nothing.

#![cfg(not(target_arch = "wasm32"))]
use proptest::prelude::*;
use simulator::command::aws::params::shorthand;
use simulator::{Scenario, Simulation};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn shorthand_never_panics(s in "[a-zA-Z0-9=,{}\\[\\]:._ -]{0,60}") {
        let _ = shorthand(&s);
    }

    #[test]
    fn shorthand_round_trips_flat_structures(
        pairs in proptest::collection::btree_map("[a-zA-Z][a-zA-Z0-9]{0,8}", "[a-zA-Z0-9-]{1,10}", 1..5)
    ) {
        let text = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
        let v = shorthand(&text).unwrap();
        for (k, val) in &pairs {
            let expected = match val.as_str() {
                "true" => serde_json::Value::Bool(true),
                "false" => serde_json::Value::Bool(false),
                other => serde_json::Value::String(other.to_string()),
            };
            prop_assert_eq!(&v[k], &expected);
        }
    }

    #[test]
    fn random_aws_commands_fail_cleanly_and_atomically(
        service in prop::sample::select(vec!["ecs", "elbv2", "ec2", "autoscaling", "application-autoscaling", "eks"]),
        op in prop::sample::select(vec![
            "create-cluster", "create-service", "update-service", "describe-services", "delete-service",
            "register-task-definition", "create-subnet", "create-target-group", "create-listener",
            "create-auto-scaling-group", "put-scaling-policy", "register-scalable-target",
            "create-nodegroup", "wait", "list-tasks", "stop-task", "describe-tasks",
        ]),
        args in proptest::collection::vec(prop::sample::select(vec![
            "--cluster", "demo", "--service", "web", "--service-name", "--desired-count", "3", "-1",
            "--task-definition", "web:1", "--launch-type", "FARGATE", "--cidr-block", "172.31.48.0/28",
            "--vpc-id", "vpc-037a8eec1ce19687d", "--network-configuration", "awsvpcConfiguration={subnets=[x]}",
            "--name", "--min-size", "--max-size", "services-stable", "{", "}", "=",
        ]), 0..8),
    ) {
        let mut sim = Simulation::new(&Scenario::named("empty").unwrap());
        sim.run("aws ecs create-cluster --cluster-name demo").unwrap();
        let before = sim.fingerprint();
        let line = format!("aws {service} {op} {}", args.join(" "));
        if let Err(e) = sim.run(&line) {
            prop_assert!(!e.message().is_empty());
            if !e.time_passed() {
                prop_assert_eq!(sim.fingerprint(), before, "`{}` failed but changed state", line);
            }
        }
    }
}
