//! The published task definitions in `shared/reference/real/ecs/` (aws-samples) register
//! unchanged through `aws ecs register-task-definition --cli-input-json file://…`, and
//! `describe-task-definition` returns them with what ECS works out (revision,
//! compatibilities, defaults).
#![cfg(not(target_arch = "wasm32"))]

use serde_json::{Value, json};
use simulator::scenario::Scenario;
use simulator::simulation::Simulation;
use simulator::workspace::Workspace;
use std::path::PathBuf;

fn real_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/real/ecs");
    assert!(
        dir.is_dir(),
        "{} is missing: tests need ../shared beside the clone",
        dir.display()
    );
    dir
}

/// `(file name, contents)`, sorted by name.
fn real_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(real_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn run(sim: &mut Simulation, line: &str) -> Value {
    let out = sim
        .run(line)
        .unwrap_or_else(|e| panic!("{line}: {e}"))
        .output;
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{line}: {e}\n{out}"))
}

#[test]
fn every_real_task_definition_registers_and_describes() {
    let files = real_files();
    assert_eq!(files.len(), 6, "six published task definitions");
    let mut ws = Workspace::new();
    for (name, text) in &files {
        ws.insert(&format!("taskdefs/{name}"), text.clone());
    }
    let mut sim = Simulation::new(&Scenario::named("empty").unwrap().with_workspace(ws));
    let expected_compat = |name: &str| -> Value {
        // The `_ec2` samples use bridge networking: EC2 only. The `_fargate` ones use
        // awsvpc with a Fargate size, so ECS also reports FARGATE, whether or not they
        // ask for it (tomcat_fargate has no requiresCompatibilities).
        if name.ends_with("_ec2.json") {
            json!(["EC2"])
        } else {
            json!(["EC2", "FARGATE"])
        }
    };
    for (name, text) in &files {
        let original: Value = serde_json::from_str(text).unwrap();
        let family = original["family"].as_str().unwrap();
        let out = run(
            &mut sim,
            &format!("aws ecs register-task-definition --cli-input-json file://taskdefs/{name}"),
        );
        let td = &out["taskDefinition"];
        assert_eq!(td["family"], family, "{name}");
        assert_eq!(td["status"], "ACTIVE", "{name}");
        assert_eq!(td["compatibilities"], expected_compat(name), "{name}");
        let rev = td["revision"].as_i64().unwrap();
        let described = run(
            &mut sim,
            &format!("aws ecs describe-task-definition --task-definition {family}:{rev}"),
        );
        assert_eq!(described, out, "{name}: describe returns what register did");
        // The containers come back as given, numbers given as strings now numbers.
        for (i, c) in original["containerDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            let got = &td["containerDefinitions"][i];
            assert_eq!(got["name"], c["name"], "{name}");
            assert_eq!(got["image"], c["image"], "{name}");
            assert_eq!(got["logConfiguration"], c["logConfiguration"], "{name}");
            for k in ["memory", "cpu", "memoryReservation"] {
                if let Some(v) = c.get(k) {
                    let want = v
                        .as_i64()
                        .or_else(|| v.as_str().and_then(|s| s.parse().ok()));
                    assert_eq!(got[k].as_i64(), want, "{name}: {k}");
                }
            }
            assert_eq!(got["essential"], true, "{name}");
        }
        for k in ["cpu", "memory"] {
            assert_eq!(td.get(k), original.get(k), "{name}: task {k}");
        }
        match original.get("requiresCompatibilities") {
            Some(r) => assert_eq!(&td["requiresCompatibilities"], r, "{name}"),
            None => assert!(td.get("requiresCompatibilities").is_none(), "{name}"),
        }
    }
    // Two families have an EC2 and a Fargate sample: they are revisions 1 and 2.
    let listed = run(&mut sim, "aws ecs list-task-definitions");
    let arns: Vec<&str> = listed["taskDefinitionArns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        arns,
        [
            "gunicorn:1",
            "kibana:1",
            "nginx:1",
            "nginx:2",
            "tomcat-webserver:1",
            "tomcat-webserver:2"
        ]
    );
    let families = run(&mut sim, "aws ecs list-task-definition-families");
    assert_eq!(
        families["families"],
        json!(["gunicorn", "kibana", "nginx", "tomcat-webserver"])
    );
    // What the engine works with: task sizes from the task level, else the containers.
    let state = &sim.state().aws;
    let tomcat_ec2 = state.task_definition("tomcat-webserver:1").unwrap();
    assert_eq!((tomcat_ec2.cpu_units, tomcat_ec2.memory_mib), (1024, 256));
    let gunicorn = state.task_definition("gunicorn").unwrap();
    assert_eq!((gunicorn.cpu_units, gunicorn.memory_mib), (512, 1024));
    assert_eq!(gunicorn.network_mode(), "awsvpc");
}

#[test]
fn registering_is_deterministic_and_replayable() {
    let (name, text) = real_files().into_iter().next().unwrap();
    let mut ws = Workspace::new();
    ws.insert(&name, text);
    let scenario = Scenario::named("empty").unwrap().with_workspace(ws);
    let lines = vec![
        format!("aws ecs register-task-definition --cli-input-json file://{name}"),
        format!("aws ecs register-task-definition --cli-input-json file://{name}"),
    ];
    let mut a = Simulation::new(&scenario);
    for l in &lines {
        a.run(l).unwrap();
    }
    let b = Simulation::replay(&scenario, scenario.seed, &lines).unwrap();
    assert_eq!(a.log().digest(), b.log().digest());
    assert_eq!(a.state().aws, b.state().aws);
}
