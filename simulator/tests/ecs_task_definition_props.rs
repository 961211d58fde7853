//! Task definition validation over random task sizes: it never panics, registration with
//! `requiresCompatibilities: ["FARGATE"]` succeeds exactly for the Fargate table's sizes,
//! `compatibilities` reports FARGATE for exactly those, and `is_valid` agrees with
//! `valid_memory`.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use serde_json::{Value, json};
use simulator::ecs::fargate::{VALID_CPU, is_valid, valid_memory};
use simulator::ecs::validation::{
    AwsError, EC2_TASK_CPU, Registered, parse_task_definition_input, register_task_definition,
};

fn register(doc: &Value) -> Result<Registered, AwsError> {
    let input = parse_task_definition_input(doc)?;
    register_task_definition(&input)
}

fn doc(cpu: &str, memory: &str, fargate: bool) -> Value {
    let mut v = json!({
        "family": "web",
        "networkMode": "awsvpc",
        "cpu": cpu,
        "memory": memory,
        "containerDefinitions": [{"name": "web", "image": "nginx", "portMappings": [{"containerPort": 80}]}]
    });
    if fargate {
        v["requiresCompatibilities"] = json!(["FARGATE"]);
    }
    v
}

fn cpu_units() -> impl Strategy<Value = u64> {
    prop_oneof![
        proptest::sample::select(VALID_CPU.to_vec()),
        0u64..300_000,
        any::<u64>(),
    ]
}

fn memory_mib() -> impl Strategy<Value = u64> {
    prop_oneof![
        (0u64..=256).prop_map(|k| k * 512),
        0u64..200_000,
        any::<u64>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn fargate_registration_follows_the_table(cpu in cpu_units(), mem in memory_mib()) {
        prop_assert_eq!(is_valid(cpu, mem), valid_memory(cpu).contains(&mem));
        let r = register(&doc(&cpu.to_string(), &mem.to_string(), true));
        prop_assert_eq!(r.is_ok(), is_valid(cpu, mem), "{:?}", r);
        match r {
            Ok(r) => {
                prop_assert_eq!(r.compatibilities, vec!["EC2", "FARGATE"]);
                prop_assert_eq!((r.cpu_units, r.memory_mib), (cpu, mem));
            }
            Err(e) => prop_assert!(!e.message.is_empty()),
        }
    }

    #[test]
    fn compatibilities_report_fargate_sizes(cpu in cpu_units(), mem in memory_mib()) {
        let r = register(&doc(&cpu.to_string(), &mem.to_string(), false));
        let ec2_ok = EC2_TASK_CPU.contains(&cpu) && mem > 0;
        prop_assert_eq!(r.is_ok(), ec2_ok, "{:?}", r);
        if let Ok(r) = r {
            prop_assert_eq!(r.compatibilities.iter().any(|c| c == "FARGATE"), is_valid(cpu, mem));
            prop_assert_eq!(&r.compatibilities[0], "EC2");
        }
    }

    #[test]
    fn any_size_strings_are_answered(cpu in "\\PC{0,12}", mem in "[0-9. ]{0,8}(vcpu|vCPU|GB|gb|)") {
        for fargate in [false, true] {
            let _ = register(&doc(&cpu, &mem, fargate));
            let _ = register(&doc(&mem, &cpu, fargate));
        }
    }

    #[test]
    fn valid_memory_is_the_published_ranges(cpu in cpu_units()) {
        let m = valid_memory(cpu);
        prop_assert_eq!(m.is_empty(), !VALID_CPU.contains(&cpu));
        prop_assert!(m.windows(2).all(|w| w[0] < w[1]));
        // Every size has 2 to 8 GB per vCPU (MiB per CPU unit: 2 to 8).
        for x in m {
            prop_assert!(x >= cpu * 2 && x <= cpu * 8, "{} {}", cpu, x);
        }
    }
}
