//! `sim compare`: the same containerised app run three ways — ECS on Fargate, ECS on EC2,
//! and EKS with a managed node group — each in its own fresh simulation driven by the
//! commands a learner would type, under the same traffic, and compared on what the team
//! must set up, how fast it gets healthy, how fast it absorbs a spike, how many tasks,
//! pods and instances it runs over time, and what it costs.
//!
//! Nothing here is a hard-coded figure: every number comes out of the runs, with the
//! price list in effect in the learner's simulation (`sim price`). The Fargate-vs-EC2
//! crossover is computed from the same prices: an instance type costs the same as Fargate
//! capacity of its size when its tasks use `EC2 price / Fargate-equivalent price` of it.

use crate::command::CommandError;
use crate::cost::{PriceList, dollars};
use crate::ecs::task::TaskStatus;
use crate::scenario::Scenario;
use crate::simulation::Simulation;
use crate::time::{SimDuration, SimTime};
use std::fmt::Write as _;

/// The platforms `sim compare` knows.
pub const PLATFORMS: [&str; 3] = ["ecs-fargate", "ecs-ec2", "eks"];

/// How traffic varies over the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// A daily sinusoid between two rates (requests/s).
    Daily(u32, u32),
    /// A constant rate.
    Steady(u32),
}

/// Parsed `sim compare` arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareArgs {
    /// Platforms to run, in order.
    pub platforms: Vec<String>,
    /// The image every platform runs.
    pub app: String,
    /// Traffic pattern.
    pub traffic: Pattern,
    /// How long to run.
    pub duration: SimDuration,
    /// Spike multiplier (`10x`), if any.
    pub spike: Option<u32>,
    /// When the spike starts, from the start of traffic.
    pub spike_at: SimDuration,
    /// How long it lasts.
    pub spike_for: SimDuration,
}

const USAGE: &str = "usage: sim compare [ecs-fargate] [ecs-ec2] [eks] [--app IMAGE] [--traffic daily:MIN..MAX|steady:RPS] [--duration 24h] [--spike 10x|none] [--spike-at 6h] [--spike-for 30m]";

fn err(msg: impl std::fmt::Display) -> CommandError {
    CommandError::new(format!("error: {msg}\n{USAGE}"))
}

/// Parses the words after `sim compare`.
pub fn parse(args: &[String]) -> Result<CompareArgs, CommandError> {
    let mut out = CompareArgs {
        platforms: Vec::new(),
        app: "nginx:1.27".into(),
        traffic: Pattern::Daily(50, 400),
        duration: SimDuration::from_mins(24 * 60),
        spike: Some(10),
        spike_at: SimDuration::from_mins(6 * 60),
        spike_for: SimDuration::from_mins(30),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (name, inline) = match a.strip_prefix("--") {
            Some(f) => match f.split_once('=') {
                Some((n, v)) => (Some(n.to_string()), Some(v.to_string())),
                None => (Some(f.to_string()), None),
            },
            None => (None, None),
        };
        let Some(name) = name else {
            if !PLATFORMS.contains(&a.as_str()) {
                return Err(err(format!(
                    "unknown platform {a:?}: choose from {}",
                    PLATFORMS.join(", ")
                )));
            }
            if !out.platforms.contains(a) {
                out.platforms.push(a.clone());
            }
            continue;
        };
        let value = match inline {
            Some(v) => v,
            None => it
                .next()
                .cloned()
                .ok_or_else(|| err(format!("flag needs an argument: --{name}")))?,
        };
        let dur = |v: &str| SimDuration::parse(v).map_err(|e| err(format!("--{name}: {e}")));
        match name.as_str() {
            "app" => out.app = value,
            "duration" => out.duration = dur(&value)?,
            "spike-at" => out.spike_at = dur(&value)?,
            "spike-for" => out.spike_for = dur(&value)?,
            "spike" => {
                out.spike = if value == "none" {
                    None
                } else {
                    Some(
                        value
                            .trim_end_matches('x')
                            .parse::<u32>()
                            .ok()
                            .filter(|f| (2..=100).contains(f))
                            .ok_or_else(|| {
                                err(format!("--spike {value}: expected 2x..100x or none"))
                            })?,
                    )
                }
            }
            "traffic" => {
                let bad = || {
                    err(format!(
                        "--traffic {value}: expected daily:MIN..MAX or steady:RPS"
                    ))
                };
                out.traffic = match value.split_once(':') {
                    Some(("daily", r)) => {
                        let (a, b) = r.split_once("..").ok_or_else(bad)?;
                        let (a, b): (u32, u32) =
                            (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
                        if a > b || b > 100_000 {
                            return Err(bad());
                        }
                        Pattern::Daily(a, b)
                    }
                    Some(("steady", r)) => {
                        Pattern::Steady(r.parse().ok().filter(|v| *v <= 100_000).ok_or_else(bad)?)
                    }
                    _ => return Err(bad()),
                };
            }
            other => return Err(err(format!("unknown flag: --{other}"))),
        }
    }
    if out.platforms.is_empty() {
        out.platforms = PLATFORMS.iter().map(|p| p.to_string()).collect();
    }
    if out.duration < SimDuration::from_mins(30)
        || out.duration > SimDuration::from_mins(7 * 24 * 60)
    {
        return Err(err("--duration must be between 30m and 7d"));
    }
    if out.spike.is_some() && out.spike_at >= out.duration {
        return Err(err("--spike-at must fall inside --duration"));
    }
    if crate::kube::image_ref::parse_image_name(&out.app).is_err() {
        return Err(err(format!(
            "--app {}: not a valid image reference",
            out.app
        )));
    }
    Ok(out)
}

/// CPU units and memory (MiB) of one copy of the app on every platform.
const CPU_UNITS: u64 = 256;
const MEMORY_MIB: u64 = 512;
/// Autoscaling target, percent CPU.
const TARGET_CPU: u64 = 50;
/// Replicas at start and the autoscaling ceiling.
const MIN_COPIES: u32 = 2;
const MAX_COPIES: u32 = 100;

/// One platform's run.
struct Run {
    name: &'static str,
    commands: Vec<String>,
    files: usize,
    concepts: Vec<&'static str>,
    manages: &'static str,
    first_healthy: Option<SimDuration>,
    absorbed: Option<SimDuration>,
    spike_needed: u32,
    samples: Vec<(SimTime, u32, u32)>,
    cost: i64,
    by_category: Vec<(String, i64)>,
    failures: Vec<String>,
}

fn task_definition_json(app: &str, ec2: bool) -> String {
    if ec2 {
        format!(
            r#"{{"family": "app", "networkMode": "bridge", "requiresCompatibilities": ["EC2"], "cpu": "{CPU_UNITS}", "memory": "{MEMORY_MIB}", "containerDefinitions": [{{"name": "app", "image": "{app}", "essential": true, "portMappings": [{{"containerPort": 80, "hostPort": 0}}]}}]}}"#
        )
    } else {
        format!(
            r#"{{"family": "app", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "{CPU_UNITS}", "memory": "{MEMORY_MIB}", "containerDefinitions": [{{"name": "app", "image": "{app}", "essential": true, "portMappings": [{{"containerPort": 80}}]}}]}}"#
        )
    }
}

fn manifest(app: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: {MIN_COPIES}\n  selector:\n    matchLabels:\n      app: app\n  template:\n    metadata:\n      labels:\n        app: app\n    spec:\n      containers:\n      - name: app\n        image: {app}\n        ports:\n        - containerPort: 80\n        readinessProbe:\n          httpGet:\n            path: /\n            port: 80\n          periodSeconds: 5\n        resources:\n          requests:\n            cpu: 250m\n            memory: 512Mi\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app\nspec:\n  type: LoadBalancer\n  selector:\n    app: app\n  ports:\n  - port: 80\n    targetPort: 80\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: app\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: app\n  minReplicas: {MIN_COPIES}\n  maxReplicas: {MAX_COPIES}\n  metrics:\n  - type: Resource\n    resource:\n      name: cpu\n      target:\n        type: Utilization\n        averageUtilization: {TARGET_CPU}\n"
    )
}

fn traffic_args(p: &Pattern) -> String {
    match p {
        Pattern::Daily(a, b) => format!("--daily {a}..{b}"),
        Pattern::Steady(r) => format!("{r}"),
    }
}

fn ecs_commands(platform: &str, traffic: &Pattern) -> Vec<String> {
    let vpc = crate::ecs::vpc::Vpc::default();
    let subnets = vpc.default_subnets();
    let (s1, s2) = (&subnets[0], &subnets[1]);
    let ec2 = platform == "ecs-ec2";
    let mut c = vec!["aws ecs create-cluster --cluster-name shop".to_string()];
    if ec2 {
        c.push(format!("aws autoscaling create-auto-scaling-group --auto-scaling-group-name shop-asg --instance-type m5.large --min-size 1 --max-size 20 --desired-capacity 1 --vpc-zone-identifier {s1},{s2}"));
        c.push("aws ecs create-capacity-provider --name shop-ec2 --auto-scaling-group-provider autoScalingGroupArn=shop-asg,managedScaling={status=ENABLED,targetCapacity=100}".into());
        c.push("aws ecs put-cluster-capacity-providers --cluster shop --capacity-providers shop-ec2 --default-capacity-provider-strategy capacityProvider=shop-ec2,weight=1".into());
    }
    c.push("aws ecs register-task-definition --cli-input-json file://app.json".into());
    c.push(format!(
        "aws elbv2 create-load-balancer --name shop-alb --subnets {s1} {s2}"
    ));
    c.push(format!(
        "aws elbv2 create-target-group --name shop-tg --protocol HTTP --port 80 --target-type {} --vpc-id {} --health-check-interval-seconds 10 --healthy-threshold-count 2",
        if ec2 { "instance" } else { "ip" },
        vpc.id
    ));
    c.push("aws elbv2 modify-target-group-attributes --target-group-arn shop-tg --attributes Key=deregistration_delay.timeout_seconds,Value=30".into());
    c.push("aws elbv2 create-listener --load-balancer-arn shop-alb --protocol HTTP --port 80 --default-actions Type=forward,TargetGroupArn=shop-tg".into());
    if ec2 {
        c.push(format!("aws ecs create-service --cluster shop --service-name app --task-definition app --desired-count {MIN_COPIES} --capacity-provider-strategy capacityProvider=shop-ec2,weight=1 --load-balancers targetGroupArn=shop-tg,containerName=app,containerPort=80"));
    } else {
        c.push(format!("aws ecs create-service --cluster shop --service-name app --task-definition app --desired-count {MIN_COPIES} --launch-type FARGATE --network-configuration awsvpcConfiguration={{subnets=[{s1},{s2}],assignPublicIp=ENABLED}} --load-balancers targetGroupArn=shop-tg,containerName=app,containerPort=80"));
    }
    c.push(format!("aws application-autoscaling register-scalable-target --service-namespace ecs --resource-id service/shop/app --scalable-dimension ecs:service:DesiredCount --min-capacity {MIN_COPIES} --max-capacity {MAX_COPIES}"));
    c.push(format!("aws application-autoscaling put-scaling-policy --service-namespace ecs --resource-id service/shop/app --scalable-dimension ecs:service:DesiredCount --policy-name cpu{TARGET_CPU} --policy-type TargetTrackingScaling --target-tracking-scaling-policy-configuration '{{\"TargetValue\":{TARGET_CPU}.0,\"PredefinedMetricSpecification\":{{\"PredefinedMetricType\":\"ECSServiceAverageCPUUtilization\"}},\"ScaleOutCooldown\":60,\"ScaleInCooldown\":300}}'"));
    c.push(format!(
        "sim traffic ecs-service/app --cluster shop {}",
        traffic_args(traffic)
    ));
    c
}

fn eks_commands(traffic: &Pattern) -> Vec<String> {
    let vpc = crate::ecs::vpc::Vpc::default();
    let subnets = vpc.default_subnets();
    vec![
        format!("aws eks create-cluster --name shop --kubernetes-version 1.31 --role-arn arn:aws:iam::123456789012:role/eksClusterRole --resources-vpc-config subnetIds={},{}", subnets[0], subnets[1]),
        "aws eks wait cluster-active --name shop".into(),
        "aws eks create-nodegroup --cluster-name shop --nodegroup-name workers --instance-types m5.large --scaling-config minSize=1,maxSize=20,desiredSize=1 --node-role arn:aws:iam::123456789012:role/eksNodeRole".into(),
        "kubectl apply -f app.yaml".into(),
        format!("sim traffic service/app {}", traffic_args(traffic)),
    ]
}

/// Healthy copies (tasks or pods) and instances (EC2 instances or nodes) right now.
fn census(sim: &Simulation, platform: &str) -> (u32, u32) {
    let w = sim.state();
    if platform == "eks" {
        let ready = w
            .api
            .store
            .pods()
            .filter(|p| p.metadata.labels.get("app").map(String::as_str) == Some("app"))
            .filter(|p| p.metadata.deletion_timestamp.is_none() && p.is_ready())
            .count() as u32;
        let nodes = w
            .api
            .store
            .nodes()
            .filter(|n| {
                n.metadata
                    .labels
                    .contains_key("eks.amazonaws.com/nodegroup")
            })
            .count() as u32;
        (ready, nodes)
    } else {
        let healthy = w
            .aws
            .live_tasks("shop", "app")
            .filter(|t| {
                t.desired_running && t.last_status == TaskStatus::Running && t.healthy_at.is_some()
            })
            .count() as u32;
        let instances = w
            .aws
            .instances
            .values()
            .filter(|i| i.state != crate::ecs::cluster::InstanceState::Terminated)
            .count() as u32;
        (healthy, instances)
    }
}

fn demand_rps(sim: &Simulation, platform: &str) -> f64 {
    let key = if platform == "eks" {
        crate::apiserver::ObjKey::new("Service", "default", "app")
    } else {
        crate::components::aws::service_autoscaling::load_key("shop", "app")
    };
    sim.state()
        .load
        .traffic
        .get(&key)
        .map_or(0.0, |t| t.rps_at(sim.now()))
}

/// Copies needed to serve `rps` at the autoscaling target.
fn needed(rps: f64) -> u32 {
    let per_copy_m = (CPU_UNITS * 1000 / 1024) as f64 * TARGET_CPU as f64 / 100.0;
    let demand_m = crate::load::IDLE_CPU as f64 + rps * crate::load::DEFAULT_CPU_PER_REQUEST as f64;
    (demand_m / per_copy_m).ceil().max(1.0) as u32
}

fn run_one(platform: &str, args: &CompareArgs, seed: u64, prices: &PriceList) -> Run {
    let mut scenario = Scenario::named("empty").expect("built-in scenario");
    scenario.name = format!("compare-{platform}");
    let (commands, concepts, manages) = match platform {
        "eks" => {
            if let Some(s) = Scenario::named("eks") {
                scenario = s;
            }
            scenario.workspace.insert("app.yaml", manifest(&args.app));
            (
                eks_commands(&args.traffic),
                vec![
                    "EKS cluster",
                    "IAM roles",
                    "managed node group",
                    "Deployment",
                    "ReplicaSet",
                    "Pod",
                    "readiness probe",
                    "Service (LoadBalancer)",
                    "HorizontalPodAutoscaler",
                    "Cluster Autoscaler",
                    "kubectl",
                ],
                "Kubernetes manifests and upgrades (control plane version, add-ons), worker node AMIs and patching through the node group, pod and node autoscaling (HPA + Cluster Autoscaler), bin-packing pods onto nodes",
            )
        }
        "ecs-ec2" => {
            scenario
                .workspace
                .insert("app.json", task_definition_json(&args.app, true));
            (
                ecs_commands(platform, &args.traffic),
                vec![
                    "ECS cluster",
                    "task definition",
                    "service",
                    "Auto Scaling group",
                    "capacity provider (managed scaling)",
                    "ALB + target group + listener",
                    "scalable target + target-tracking policy",
                ],
                "EC2 instances: the ECS-optimised AMI and its patching, instance sizing, the Auto Scaling group and capacity provider that grow it, packing tasks onto instances",
            )
        }
        _ => {
            scenario
                .workspace
                .insert("app.json", task_definition_json(&args.app, false));
            (
                ecs_commands(platform, &args.traffic),
                vec![
                    "ECS cluster",
                    "task definition (awsvpc, Fargate size)",
                    "service",
                    "subnets + ENIs",
                    "ALB + target group + listener",
                    "scalable target + target-tracking policy",
                ],
                "only the task definition and service: AWS runs and patches the hosts; each task gets its own micro-VM and ENI",
            )
        }
    };
    let mut sim = Simulation::with_seed(&scenario, seed);
    sim.world_mut().billing.prices = prices.clone();
    let mut failures = Vec::new();
    for c in &commands {
        if let Err(e) = sim.run(c) {
            failures.push(format!("`{c}`: {}", e.message().trim()));
        }
    }
    let t0 = sim.now();
    let mut run = Run {
        name: match platform {
            "eks" => "EKS (managed nodes)",
            "ecs-ec2" => "ECS on EC2",
            _ => "ECS on Fargate",
        },
        commands,
        files: 1,
        concepts,
        manages,
        first_healthy: None,
        absorbed: None,
        spike_needed: 0,
        samples: Vec::new(),
        cost: 0,
        by_category: Vec::new(),
        failures,
    };
    let end = t0.after(args.duration);
    let spike_at = t0.after(args.spike_at);
    let sample_every = SimDuration::from_mins(5);
    let mut next_sample = t0;
    let mut spiked = false;
    let step = SimDuration::from_secs(15);
    while sim.now() < end {
        let (healthy, instances) = census(&sim, platform);
        // Measured from the learner's first command: on EKS that includes the control
        // plane's creation.
        if run.first_healthy.is_none() && healthy > 0 {
            run.first_healthy = Some(sim.now().since(SimTime::ZERO));
        }
        if sim.now() >= next_sample {
            run.samples.push((sim.now(), healthy, instances));
            next_sample = next_sample.after(sample_every);
        }
        if let Some(f) = args.spike {
            if !spiked && sim.now() >= spike_at {
                spiked = true;
                let target = if platform == "eks" {
                    "service/app".to_string()
                } else {
                    "ecs-service/app --cluster shop".to_string()
                };
                let cmd = format!("sim traffic {target} spike {f}x for {}", args.spike_for);
                if let Err(e) = sim.run(&cmd) {
                    run.failures
                        .push(format!("`{cmd}`: {}", e.message().trim()));
                }
                run.commands.push(cmd);
                run.spike_needed = needed(demand_rps(&sim, platform));
            }
            let in_spike = spiked && sim.now() < spike_at.after(args.spike_for);
            if in_spike && run.absorbed.is_none() && healthy >= needed(demand_rps(&sim, platform)) {
                run.absorbed = Some(sim.now().since(spike_at));
            }
        }
        // Fine steps while something is happening, coarse ones otherwise.
        let fine = run.first_healthy.is_none()
            || (spiked && run.absorbed.is_none() && sim.now() < spike_at.after(args.spike_for))
            || (!spiked && args.spike.is_some() && spike_at.since(sim.now()) <= step);
        let next = if fine {
            sim.now().after(step)
        } else {
            next_sample.min(if spiked { end } else { spike_at })
        };
        let next = next
            .min(end)
            .max(sim.now().after(SimDuration::from_secs(1)));
        sim.run_until(next);
    }
    let (healthy, instances) = census(&sim, platform);
    run.samples.push((sim.now(), healthy, instances));
    run.cost = sim.state().billing.total(sim.now());
    run.by_category = sim
        .state()
        .billing
        .by_category(sim.now())
        .into_iter()
        .map(|(c, v)| (c.label().to_string(), v))
        .collect();
    run
}

fn fmt_dur(d: Option<SimDuration>) -> String {
    match d {
        None => "not within the window".into(),
        Some(d) => {
            let s = d.as_millis() / 1000;
            if s >= 3600 {
                format!("{}h{:02}m", s / 3600, s % 3600 / 60)
            } else {
                format!("{}m{:02}s", s / 60, s % 60)
            }
        }
    }
}

fn stats(v: &[u32]) -> String {
    if v.is_empty() {
        return "-".into();
    }
    let min = v.iter().min().copied().unwrap_or(0);
    let max = v.iter().max().copied().unwrap_or(0);
    let avg10 = v.iter().map(|x| u64::from(*x)).sum::<u64>() * 10 / v.len() as u64;
    format!("{min} / {}.{} / {max}", avg10 / 10, avg10 % 10)
}

/// One instance type's Fargate-vs-EC2 comparison: the hourly price of the instance, the
/// hourly price of the same vCPU and memory bought as Fargate capacity, and where the two
/// cross.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crossover {
    /// The instance type (`m5.large`).
    pub instance: &'static str,
    /// Its vCPUs.
    pub vcpu: u32,
    /// Its memory, MiB.
    pub memory_mib: u64,
    /// The instance's price, nano-dollars per hour (paid however much of it is used).
    pub ec2_hour: i64,
    /// Fargate capacity of the instance's size, nano-dollars per hour at 100% use.
    pub fargate_equivalent_hour: i64,
    /// The utilisation at which both cost the same, in tenths of a percent (rounded);
    /// above 1000 the instance costs more even fully used.
    pub crossover_permille: i64,
}

impl Crossover {
    /// What Fargate capacity for `percent`% of the instance costs per hour, nano-dollars.
    pub fn fargate_at(&self, percent: i64) -> i64 {
        self.fargate_equivalent_hour * percent / 100
    }

    /// Whether EC2 becomes the cheaper option at some utilisation up to 100%.
    pub fn crosses(&self) -> bool {
        self.crossover_permille <= 1000
    }
}

/// The Fargate-vs-EC2 crossover of each priced instance type, in the order of
/// [`crate::cost::INSTANCE_TYPES`] (types without a price, or whose Fargate equivalent
/// is free, are left out).
pub fn crossover_points(prices: &PriceList) -> Vec<Crossover> {
    crate::cost::INSTANCE_TYPES
        .iter()
        .filter_map(|t| {
            let ec2 = prices.ec2(t.name)?;
            let equiv = prices.fargate_hour(u64::from(t.vcpu) * 1024, t.memory_mib);
            if equiv <= 0 {
                return None;
            }
            // Utilisation u at which u × equiv = ec2, in tenths of a percent.
            let permille =
                ((i128::from(ec2) * 1000 + i128::from(equiv) / 2) / i128::from(equiv)) as i64;
            Some(Crossover {
                instance: t.name,
                vcpu: t.vcpu,
                memory_mib: t.memory_mib,
                ec2_hour: ec2,
                fargate_equivalent_hour: equiv,
                crossover_permille: permille,
            })
        })
        .collect()
}

/// The Fargate-vs-EC2 crossover for each priced instance type.
pub fn crossover(prices: &PriceList) -> String {
    let mut out = String::from(
        "Fargate vs EC2 crossover (same vCPU and memory bought as Fargate capacity vs a whole instance):\n\nINSTANCE     EC2/H       FARGATE-EQUIVALENT/H   EC2 CHEAPER FROM   COST AT 25% / 50% / 75% / 100% USED (FARGATE vs EC2)\n",
    );
    for c in crossover_points(prices) {
        let permille = c.crossover_permille;
        let cross = if c.crosses() {
            format!("{}.{}% used", permille / 10, permille % 10)
        } else {
            "never (EC2 costs more even fully used)".to_string()
        };
        let at = |pct: i64| {
            format!(
                "{} vs {}",
                dollars(c.fargate_at(pct), 4),
                dollars(c.ec2_hour, 4)
            )
        };
        let _ = writeln!(
            out,
            "{:<12} {:<11} {:<22} {:<18} {} | {} | {} | {}",
            c.instance,
            dollars(c.ec2_hour, 4),
            dollars(c.fargate_equivalent_hour, 5),
            cross,
            at(25),
            at(50),
            at(75),
            at(100)
        );
    }
    out.push_str("\nBelow the crossover, paying per task (Fargate) is cheaper than keeping the instance; above it, a well-packed instance wins. Real instances rarely stay packed: scaling headroom, daemon tasks and uneven task sizes keep utilisation down.\n");
    out
}

/// Runs the comparison and prints the report.
pub fn run(args: &CompareArgs, seed: u64, prices: &PriceList) -> String {
    let runs: Vec<Run> = args
        .platforms
        .iter()
        .map(|p| run_one(p, args, seed, prices))
        .collect();
    let traffic = match args.traffic {
        Pattern::Daily(a, b) => format!("a daily curve between {a} and {b} requests/s"),
        Pattern::Steady(r) => format!("a steady {r} requests/s"),
    };
    let spike = match args.spike {
        Some(f) => format!(
            ", with a {f}x spike at +{} for {}",
            args.spike_at, args.spike_for
        ),
        None => String::new(),
    };
    let mut out = format!(
        "Comparing {} ({} vCPU / {} GB per copy, autoscaling at {TARGET_CPU}% CPU between {MIN_COPIES} and {MAX_COPIES} copies) for {} under {traffic}{spike}.\nEach platform ran in its own simulation (seed {seed}) from the commands below; every figure comes from those runs.\n\n",
        args.app,
        crate::load::fmt_milli((CPU_UNITS * 1000 / 1024) as i64),
        crate::load::fmt_milli((MEMORY_MIB * 1000 / 1024) as i64),
        args.duration
    );
    let w = 32;
    let row = |out: &mut String, label: &str, cells: Vec<String>| {
        let _ = write!(out, "{label:<w$}");
        for c in cells {
            let _ = write!(out, " {c:<28}");
        }
        out.push('\n');
    };
    row(
        &mut out,
        "",
        runs.iter().map(|r| r.name.to_string()).collect(),
    );
    row(
        &mut out,
        "Commands typed",
        runs.iter()
            .map(|r| format!("{} (+{} file)", r.commands.len(), r.files))
            .collect(),
    );
    row(
        &mut out,
        "Objects and concepts",
        runs.iter().map(|r| r.concepts.len().to_string()).collect(),
    );
    row(
        &mut out,
        "First healthy copy (from start)",
        runs.iter().map(|r| fmt_dur(r.first_healthy)).collect(),
    );
    if args.spike.is_some() {
        row(
            &mut out,
            "Time to absorb the spike",
            runs.iter()
                .map(|r| format!("{} (needs {})", fmt_dur(r.absorbed), r.spike_needed))
                .collect(),
        );
    }
    row(
        &mut out,
        "Copies min / avg / max",
        runs.iter()
            .map(|r| stats(&r.samples.iter().map(|s| s.1).collect::<Vec<_>>()))
            .collect(),
    );
    row(
        &mut out,
        "Instances min / avg / max",
        runs.iter()
            .map(|r| {
                if r.name.contains("Fargate") {
                    "none to manage".to_string()
                } else {
                    stats(&r.samples.iter().map(|s| s.2).collect::<Vec<_>>())
                }
            })
            .collect(),
    );
    row(
        &mut out,
        &format!("Cost for {}", args.duration),
        runs.iter().map(|r| dollars(r.cost, 2)).collect(),
    );
    let cats: std::collections::BTreeSet<String> = runs
        .iter()
        .flat_map(|r| r.by_category.iter().map(|(c, _)| c.clone()))
        .collect();
    for c in cats {
        row(
            &mut out,
            &format!("  {c}"),
            runs.iter()
                .map(|r| {
                    r.by_category
                        .iter()
                        .find(|(k, _)| *k == c)
                        .map_or("-".to_string(), |(_, v)| dollars(*v, 2))
                })
                .collect(),
        );
    }
    out.push_str("\nCopies (healthy tasks or ready pods) / instances over time:\n");
    let mut header = format!("{:<8}", "TIME");
    for r in &runs {
        let _ = write!(header, " {:<22}", r.name);
    }
    out.push_str(header.trim_end());
    out.push('\n');
    let every = (args.duration.as_millis() / 12).max(1);
    let t0 = runs
        .first()
        .and_then(|r| r.samples.first())
        .map_or(SimTime::ZERO, |s| s.0);
    for k in 0..=12u64 {
        let at = t0.after(SimDuration(every * k));
        let mut line = format!("+{:<7}", fmt_short(SimDuration(every * k)));
        for r in &runs {
            let s = r
                .samples
                .iter()
                .rev()
                .find(|s| s.0 <= at.max(r.samples.first().map_or(at, |f| f.0)));
            let cell = match s {
                Some((_, c, i)) if r.name.contains("Fargate") => format!("{c} tasks"),
                Some((_, c, i)) => format!("{c} / {i}"),
                None => "-".into(),
            };
            let _ = write!(line, " {cell:<22}");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    for r in &runs {
        let _ = write!(
            out,
            "\n{} — what the team manages: {}.\n  Concepts: {}.\n  Commands:\n",
            r.name,
            r.manages,
            r.concepts.join(", ")
        );
        for c in &r.commands {
            let _ = writeln!(out, "    $ {c}");
        }
        for f in &r.failures {
            let _ = writeln!(out, "  ! failed: {f}");
        }
    }
    out.push('\n');
    out.push_str(&crossover(prices));
    out
}

fn fmt_short(d: SimDuration) -> String {
    let m = d.as_millis() / 60_000;
    if m.is_multiple_of(60) {
        format!("{}h", m / 60)
    } else {
        format!("{}h{:02}", m / 60, m % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossover_points_match_the_printed_table() {
        let prices = PriceList::default();
        let points = crossover_points(&prices);
        let m5 = points.iter().find(|c| c.instance == "m5.large");
        let m5 = m5.expect("m5.large is priced by default");
        // 2 vCPU × $0.04048 + 8 GB × $0.004445 = $0.11652 an hour.
        assert_eq!(m5.fargate_equivalent_hour, 116_520_000);
        assert_eq!(m5.ec2_hour, 96_000_000);
        assert_eq!(m5.crossover_permille, 824);
        assert!(m5.crosses());
        assert_eq!(m5.fargate_at(50), 58_260_000);
        assert!(
            crossover(&prices)
                .contains("m5.large     $0.0960     $0.11652               82.4% used")
        );
    }
}
