//! The ECS model end to end, through the learner's commands: rolling-deployment bounds
//! at every instant, the circuit breaker's rollback, awsvpc address exhaustion, placement,
//! managed scaling, and all-or-nothing failures.

use simulator::ecs::task::TaskStatus;
use simulator::{Scenario, Simulation};

const SUBNET_A: &str = "subnet-06e5d742dfd8c0576";
const SUBNET_B: &str = "subnet-0d9adb02b9dc5e777";

fn sim() -> Simulation {
    Simulation::new(&Scenario::named("empty").unwrap())
}

fn run(sim: &mut Simulation, line: &str) -> String {
    match sim.run(line) {
        Ok(a) => a.output,
        Err(e) => panic!("`{line}` failed: {e}"),
    }
}

fn fargate_def(family: &str, image: &str) -> String {
    format!(
        r#"echo '{{"family": "{family}", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512", "containerDefinitions": [{{"name": "web", "image": "{image}", "portMappings": [{{"containerPort": 80}}]}}]}}' > {family}.json"#
    )
}

fn fargate_service(sim: &mut Simulation, desired: u32, deployment: &str) {
    run(sim, &fargate_def("web", "nginx:1.27"));
    run(sim, "aws ecs create-cluster --cluster-name demo");
    run(
        sim,
        "aws ecs register-task-definition --cli-input-json file://web.json",
    );
    run(
        sim,
        &format!(
            "aws ecs create-service --cluster demo --service-name web --task-definition web --desired-count {desired} --launch-type FARGATE --network-configuration awsvpcConfiguration={{subnets=[{SUBNET_A},{SUBNET_B}]}} --deployment-configuration {deployment}"
        ),
    );
}

fn tasks(sim: &Simulation) -> Vec<&simulator::ecs::task::Task> {
    sim.state()
        .aws
        .live_tasks("demo", "web")
        .collect::<Vec<_>>()
}

/// ECS guide: `minimumHealthyPercent` rounds up and bounds healthy tasks from below;
/// `maximumPercent` rounds down and bounds running + pending + stopping from above.
#[test]
fn rolling_deployment_stays_within_its_bounds_at_every_instant() {
    for (desired, min_pct, max_pct) in [
        (4u32, 50u32, 100u32),
        (4, 100, 200),
        (3, 50, 150),
        (5, 60, 120),
    ] {
        let mut sim = sim();
        fargate_service(
            &mut sim,
            desired,
            &format!("minimumHealthyPercent={min_pct},maximumPercent={max_pct}"),
        );
        run(
            &mut sim,
            "aws ecs wait services-stable --cluster demo --services web",
        );
        run(&mut sim, "sim advance 2m");
        run(
            &mut sim,
            &fargate_def("web2", "nginx:1.27-alpine").replace("\"web2\"", "\"web\""),
        );
        run(
            &mut sim,
            "aws ecs register-task-definition --cli-input-json file://web2.json",
        );
        run(
            &mut sim,
            "aws ecs update-service --cluster demo --service web --task-definition web:2",
        );
        let min_healthy = (desired * min_pct).div_ceil(100);
        let max_tasks = desired * max_pct / 100;
        let deadline = sim.now().after(simulator::SimDuration::from_mins(20));
        let mut saw_new = false;
        while sim.now() < deadline {
            if sim.step().is_none() {
                break;
            }
            let live = tasks(&sim);
            let healthy = live
                .iter()
                .filter(|t| {
                    t.desired_running
                        && t.last_status == TaskStatus::Running
                        && t.healthy_at.is_some()
                })
                .count() as u32;
            assert!(
                live.len() as u32 <= max_tasks,
                "{desired}@{min_pct}/{max_pct}: {} tasks exceed maximumPercent's {max_tasks}",
                live.len()
            );
            assert!(
                healthy >= min_healthy,
                "{desired}@{min_pct}/{max_pct}: {healthy} healthy tasks fell below minimumHealthyPercent's {min_healthy} at {}",
                sim.now()
            );
            saw_new |= live.iter().any(|t| t.task_definition == "web:2");
        }
        assert!(saw_new, "the new revision never started");
        let svc = &sim.state().aws.services[&("demo".to_string(), "web".to_string())];
        assert_eq!(
            svc.deployments.len(),
            1,
            "{desired}@{min_pct}/{max_pct}: rollout did not finish"
        );
        assert_eq!(svc.deployments[0].task_definition, "web:2");
        assert!(tasks(&sim).iter().all(|t| t.task_definition == "web:2"));
    }
}

#[test]
fn the_circuit_breaker_rolls_a_broken_revision_back() {
    let mut sim = sim();
    fargate_service(
        &mut sim,
        2,
        "deploymentCircuitBreaker={enable=true,rollback=true}",
    );
    run(
        &mut sim,
        "aws ecs wait services-stable --cluster demo --services web",
    );
    run(&mut sim, "sim advance 1m");
    run(
        &mut sim,
        &fargate_def("bad", "nginx:no-such-tag").replace("\"bad\"", "\"web\""),
    );
    run(
        &mut sim,
        "aws ecs register-task-definition --cli-input-json file://bad.json",
    );
    run(
        &mut sim,
        "aws ecs update-service --cluster demo --service web --task-definition web:2",
    );
    run(&mut sim, "sim advance 10m");
    let svc = &sim.state().aws.services[&("demo".to_string(), "web".to_string())];
    assert_eq!(
        svc.task_definition, "web:1",
        "rolled back to the last completed revision"
    );
    let messages: Vec<&str> = svc.events.iter().map(|e| e.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("deployment failed: tasks failed to start"))
    );
    assert!(messages.iter().any(|m| m.contains("rolling back")));
    assert!(
        messages[0].contains("has reached a steady state"),
        "{messages:?}"
    );
    let live = tasks(&sim);
    assert_eq!(live.len(), 2);
    assert!(
        live.iter()
            .all(|t| t.task_definition == "web:1" && t.last_status == TaskStatus::Running)
    );
    let failed = sim
        .state()
        .aws
        .tasks
        .values()
        .filter(|t| t.stop_code.as_deref() == Some("TaskFailedToStart"))
        .count();
    assert!(
        failed >= 3,
        "the breaker trips at 3 failures for 2 desired (current API rule)"
    );
    let out = run(
        &mut sim,
        "aws ecs list-tasks --cluster demo --desired-status STOPPED",
    );
    assert!(out.contains("taskArns"));
}

#[test]
fn a_small_subnet_runs_out_of_addresses() {
    let mut sim = sim();
    run(&mut sim, &fargate_def("web", "nginx:1.27"));
    run(
        &mut sim,
        "aws ec2 create-subnet --vpc-id vpc-037a8eec1ce19687d --cidr-block 172.31.48.0/28 --availability-zone us-east-1a",
    );
    let small = sim
        .state()
        .aws
        .vpc
        .subnets
        .values()
        .find(|s| s.cidr.to_string() == "172.31.48.0/28")
        .unwrap()
        .id
        .clone();
    run(&mut sim, "aws ecs create-cluster --cluster-name demo");
    run(
        &mut sim,
        "aws ecs register-task-definition --cli-input-json file://web.json",
    );
    run(
        &mut sim,
        &format!(
            "aws ecs create-service --cluster demo --service-name web --task-definition web --desired-count 12 --launch-type FARGATE --network-configuration awsvpcConfiguration={{subnets=[{small}]}}"
        ),
    );
    run(&mut sim, "sim advance 3m");
    let running = tasks(&sim)
        .iter()
        .filter(|t| t.last_status == TaskStatus::Running)
        .count();
    assert_eq!(running, 11, "a /28 has 16 addresses, 5 reserved by AWS");
    assert_eq!(sim.state().aws.vpc.subnets[&small].available(), 0);
    let reasons: Vec<String> = sim
        .state()
        .aws
        .tasks
        .values()
        .filter_map(|t| t.stopped_reason.clone())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("InsufficientFreeAddressesInSubnet")),
        "{reasons:?}"
    );
    // A larger second subnet lets the service reach its desired count.
    run(
        &mut sim,
        "aws ec2 create-subnet --vpc-id vpc-037a8eec1ce19687d --cidr-block 172.31.64.0/24 --availability-zone us-east-1b",
    );
    let big = sim
        .state()
        .aws
        .vpc
        .subnets
        .values()
        .find(|s| s.cidr.to_string() == "172.31.64.0/24")
        .unwrap()
        .id
        .clone();
    run(
        &mut sim,
        &format!(
            "aws ecs update-service --cluster demo --service web --network-configuration awsvpcConfiguration={{subnets=[{small},{big}]}}"
        ),
    );
    run(&mut sim, "sim advance 15m");
    let running = tasks(&sim)
        .iter()
        .filter(|t| t.last_status == TaskStatus::Running)
        .count();
    assert_eq!(running, 12);
}

fn ec2_cluster(sim: &mut Simulation, max: u32, task_cpu: u32) {
    run(
        sim,
        &format!(
            r#"echo '{{"family": "web", "networkMode": "bridge", "containerDefinitions": [{{"name": "web", "image": "nginx:1.27", "cpu": {task_cpu}, "memory": 512, "portMappings": [{{"containerPort": 80, "hostPort": 0}}]}}]}}' > web.json"#
        ),
    );
    run(sim, "aws ecs create-cluster --cluster-name demo");
    run(
        sim,
        &format!(
            "aws autoscaling create-auto-scaling-group --auto-scaling-group-name asg --instance-type m5.large --min-size 1 --max-size {max} --desired-capacity 1"
        ),
    );
    run(
        sim,
        "aws ecs create-capacity-provider --name cp --auto-scaling-group-provider autoScalingGroupArn=asg,managedScaling={status=ENABLED,targetCapacity=100}",
    );
    run(
        sim,
        "aws ecs put-cluster-capacity-providers --cluster demo --capacity-providers cp --default-capacity-provider-strategy capacityProvider=cp,weight=1",
    );
    run(
        sim,
        "aws ecs register-task-definition --cli-input-json file://web.json",
    );
}

#[test]
fn managed_scaling_launches_instances_for_waiting_tasks() {
    let mut sim = sim();
    ec2_cluster(&mut sim, 4, 1024);
    // An m5.large registers 2048 CPU units: two of these tasks per instance.
    run(
        &mut sim,
        "aws ecs create-service --cluster demo --service-name web --task-definition web --desired-count 5",
    );
    run(&mut sim, "sim advance 15m");
    let instances = sim
        .state()
        .aws
        .instances
        .values()
        .filter(|i| i.state != simulator::ecs::cluster::InstanceState::Terminated)
        .count();
    assert_eq!(
        instances, 3,
        "5 tasks of 1024 units need 3 instances of 2048"
    );
    assert_eq!(
        tasks(&sim)
            .iter()
            .filter(|t| t.last_status == TaskStatus::Running)
            .count(),
        5
    );
    let out = run(&mut sim, "sim cost");
    assert!(out.contains("EC2 instances"), "{out}");
}

#[test]
fn binpack_and_distinct_instance_shape_placement() {
    let mut sim = sim();
    ec2_cluster(&mut sim, 1, 256);
    run(
        &mut sim,
        "aws autoscaling set-desired-capacity --auto-scaling-group-name asg --desired-capacity 1",
    );
    run(&mut sim, "sim advance 5m");
    run(
        &mut sim,
        "aws ecs create-service --cluster demo --service-name web --task-definition web --desired-count 3 --placement-constraints type=distinctInstance",
    );
    run(&mut sim, "sim advance 2m");
    // One instance, distinctInstance: only one task can be placed.
    assert_eq!(tasks(&sim).len(), 1);
    let svc = &sim.state().aws.services[&("demo".to_string(), "web".to_string())];
    assert!(
        svc.events
            .iter()
            .any(|e| e.message.contains("distinctInstance")),
        "{:?}",
        svc.events
    );
}

#[test]
fn failed_aws_commands_change_nothing() {
    let mut sim = sim();
    run(&mut sim, &fargate_def("web", "nginx:1.27"));
    run(&mut sim, "aws ecs create-cluster --cluster-name demo");
    run(
        &mut sim,
        "aws ecs register-task-definition --cli-input-json file://web.json",
    );
    let before = sim.fingerprint();
    for bad in [
        "aws ecs create-service --cluster demo --service-name web --task-definition web --desired-count 2 --launch-type FARGATE",
        "aws ecs create-service --cluster nope --service-name web --task-definition web",
        "aws ecs create-service --cluster demo --service-name web --task-definition missing",
        "aws ecs register-task-definition --family x --network-mode awsvpc --requires-compatibilities FARGATE --cpu 256 --memory 4096 --container-definitions '[{\"name\": \"a\", \"image\": \"nginx\"}]'",
        "aws ec2 create-subnet --vpc-id vpc-037a8eec1ce19687d --cidr-block 10.0.0.0/24",
        "aws ec2 create-subnet --vpc-id vpc-037a8eec1ce19687d --cidr-block 172.31.0.0/24",
        "aws elbv2 create-load-balancer --name alb --subnets subnet-06e5d742dfd8c0576",
        "aws ecs update-service --cluster demo --service missing --desired-count 3",
        "aws ecs wait services-stable --cluster demo",
        "aws ecs frobnicate",
    ] {
        let err = sim.run(bad).expect_err(bad);
        assert!(!err.message().contains("panicked"), "{bad}");
        assert_eq!(sim.fingerprint(), before, "`{bad}` changed the state");
    }
    let err = sim.run("aws ecs create-service --cluster demo --service-name web --task-definition web --desired-count 2 --launch-type FARGATE").unwrap_err();
    assert!(err.message().contains("An error occurred (InvalidParameterException) when calling the CreateService operation: Network Configuration must be provided"), "{}", err.message());
}

#[test]
fn ecs_runs_replay_to_the_same_state() {
    let mut a = sim();
    fargate_service(&mut a, 3, "maximumPercent=200");
    run(&mut a, "sim traffic ecs-service/web --cluster demo 300");
    run(&mut a, "sim advance 10m");
    let b = Simulation::replay(&Scenario::named("empty").unwrap(), 1, a.journal().lines()).unwrap();
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_eq!(a.log().digest(), b.log().digest());
}

/// binpack fills the instance with the least room first; spread(instanceId) evens tasks out.
#[test]
fn binpack_packs_and_spread_spreads() {
    for (strategy, expect_max_on_one) in [
        ("type=binpack,field=memory", 4usize),
        ("type=spread,field=instanceId", 2usize),
    ] {
        let mut sim = sim();
        ec2_cluster(&mut sim, 2, 256);
        run(
            &mut sim,
            "aws autoscaling set-desired-capacity --auto-scaling-group-name asg --desired-capacity 2",
        );
        run(&mut sim, "sim advance 5m");
        run(
            &mut sim,
            &format!(
                "aws ecs create-service --cluster demo --service-name web --task-definition web --desired-count 4 --placement-strategy {strategy}"
            ),
        );
        run(&mut sim, "sim advance 1m");
        let mut per_instance: std::collections::BTreeMap<String, usize> = Default::default();
        for t in tasks(&sim) {
            *per_instance.entry(t.instance.clone().unwrap()).or_default() += 1;
        }
        assert_eq!(
            per_instance.values().copied().max(),
            Some(expect_max_on_one),
            "{strategy}: {per_instance:?}"
        );
    }
}
