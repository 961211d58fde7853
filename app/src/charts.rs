//! Series extraction for the charts: pure functions of a [`Simulation`], tested
//! natively. [`charts`] picks the charts that apply to a simulation:
//!
//! - per HorizontalPodAutoscaler, replicas over time and CPU utilisation against its
//!   target, from the HPA controller's recorded syncs (`HpaMemory::history`: the event
//!   log only has the syncs that scaled or were held back, not the ones in between);
//! - cost over time by category, integrating the meter's billables at past instants
//!   (each one's own start, stop, rate and minimum);
//! - ECS vs EKS / Fargate vs EC2: cost per hour by utilisation, with the crossover.

use simulator::compare::{Crossover, crossover_points};
use simulator::components::controller_manager::hpa::HpaSample;
use simulator::cost::{Category, Meter, NANO};
use simulator::{SimTime, Simulation};

use crate::components::chart::{Format, Mark, Series};

/// Which chart a [`ChartData`] is (its `data-kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// An HPA's replicas or utilisation over time.
    Hpa,
    /// Cost over time.
    Cost,
    /// The Fargate-vs-EC2 crossover.
    Crossover,
}

impl ChartKind {
    /// The `data-kind` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ChartKind::Hpa => "hpa",
            ChartKind::Cost => "cost",
            ChartKind::Crossover => "crossover",
        }
    }
}

/// Everything a [`crate::components::chart::LineChart`] needs, computed.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartData {
    /// Stable id (`hpa-replicas/default/web`, `cost`, `crossover`), the list's key.
    pub id: String,
    /// Which chart it is.
    pub kind: ChartKind,
    /// Heading.
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Y axis label.
    pub y_label: String,
    /// How x is written.
    pub x_format: Format,
    /// How y is written.
    pub y_format: Format,
    /// The lines.
    pub series: Vec<Series>,
    /// Vertical marks.
    pub marks: Vec<Mark>,
    /// How to read it.
    pub note: String,
}

/// Seconds since the simulation started, the x of every time chart.
fn secs(t: SimTime) -> f64 {
    t.as_millis() as f64 / 1000.0
}

fn dollars(nano: i64) -> f64 {
    nano as f64 / NANO as f64
}

/// The charts that apply to `sim`, in display order: HPAs, cost, crossover.
pub fn charts(sim: &Simulation) -> Vec<ChartData> {
    let mut out = hpa_charts(sim);
    out.extend(cost_chart(sim));
    out.extend(crossover_chart(sim));
    out
}

/// The replicas series of an HPA's syncs: the count before the first sync, then what
/// each sync set, held until `now`.
pub fn replica_points(history: &[HpaSample], now: SimTime) -> Vec<(f64, f64)> {
    let Some(first) = history.first() else {
        return Vec::new();
    };
    let mut pts = vec![(secs(first.at), f64::from(first.replicas))];
    pts.extend(history.iter().map(|s| (secs(s.at), f64::from(s.desired))));
    if let Some(last) = history.last()
        && now > last.at
    {
        pts.push((secs(now), f64::from(last.desired)));
    }
    pts
}

/// Two charts per HorizontalPodAutoscaler: replicas, and utilisation against the
/// target (the second only once a sync has measured a utilisation).
pub fn hpa_charts(sim: &Simulation) -> Vec<ChartData> {
    let world = sim.state();
    let now = sim.now();
    let mut out = Vec::new();
    for h in world.api.store.hpas() {
        let ns = h.metadata.namespace_or_default();
        let name = &h.metadata.name;
        let target = format!(
            "{}/{}",
            h.spec.scale_target_ref.kind, h.spec.scale_target_ref.name
        );
        let history: &[HpaSample] = world
            .hpa_controller
            .iter()
            .find(|(k, m)| k.namespace == ns && k.name == *name && m.uid == h.metadata.uid)
            .map(|(_, m)| m.history.as_slice())
            .unwrap_or_default();
        let replicas = replica_points(history, now);
        let max = i32::try_from(h.spec.max_replicas).unwrap_or(i32::MAX);
        let mut series = vec![Series {
            name: "Replicas (set by the HPA)".into(),
            points: replicas.clone(),
            step: true,
        }];
        if !history.is_empty() {
            series.push(Series {
                name: "Pods with metrics".into(),
                points: history
                    .iter()
                    .map(|s| (secs(s.at), s.ready_pods as f64))
                    .collect(),
                step: true,
            });
        }
        if !replicas.is_empty() {
            series.push(Series {
                name: "maxReplicas".into(),
                // At every x of the replicas line, so the data table has no gaps.
                points: replicas.iter().map(|p| (p.0, f64::from(max))).collect(),
                step: true,
            });
        }
        out.push(ChartData {
            id: format!("hpa-replicas/{ns}/{name}"),
            kind: ChartKind::Hpa,
            title: format!("Replicas of {target} (HPA {name})"),
            x_label: "Time".into(),
            y_label: "Replicas".into(),
            x_format: Format::Clock,
            y_format: Format::Number,
            series,
            marks: Vec::new(),
            note: if history.is_empty() {
                "The HPA syncs every 15 s, the first time 15 s after it was created; each sync adds a point.".into()
            } else {
                "Each point is an HPA sync (every 15 s; runs of identical syncs keep only their ends). New pods have no metrics for a scrape or two, which is why the two lines part.".into()
            },
        });
        let utilisation: Vec<(f64, f64)> = history
            .iter()
            .filter_map(|s| Some((secs(s.at), s.utilization? as f64)))
            .collect();
        if utilisation.is_empty() {
            continue;
        }
        let cpu_only = h.spec.metrics.is_empty()
            || h.spec.metrics.iter().all(|m| {
                m.resource
                    .as_ref()
                    .is_some_and(|r| r.name == "cpu" && m.type_ == "Resource")
            });
        let what = if cpu_only { "CPU" } else { "Deciding metric's" };
        out.push(ChartData {
            id: format!("hpa-utilisation/{ns}/{name}"),
            kind: ChartKind::Hpa,
            title: format!("{what} utilisation of {target} vs target (HPA {name})"),
            x_label: "Time".into(),
            y_label: "% of request".into(),
            x_format: Format::Clock,
            y_format: Format::Percent,
            series: vec![
                Series {
                    name: "Utilisation (average over pods)".into(),
                    points: utilisation,
                    step: false,
                },
                Series {
                    name: "Target".into(),
                    points: history
                        .iter()
                        .filter_map(|s| Some((secs(s.at), s.target? as f64)))
                        .collect(),
                    step: true,
                },
            ],
            marks: Vec::new(),
            note: "Above the target the HPA adds replicas (ceil of replicas × utilisation / target); below it, it removes them after the 5-minute downscale stabilisation window.".into(),
        });
    }
    out
}

/// Instants at which to sample the meter between its first start and `now`: an even
/// grid of `grid` steps, plus each billable's start, minimum and stop (where the
/// cumulative cost bends) while there are not too many of them.
pub fn cost_instants(meter: &Meter, now: SimTime, grid: u64) -> Vec<SimTime> {
    let Some(start) = meter.items.values().map(|b| b.start).min() else {
        return Vec::new();
    };
    if now <= start {
        return vec![start];
    }
    let span = now.as_millis() - start.as_millis();
    let grid = grid.max(1);
    let mut out: Vec<SimTime> = (0..=grid)
        .map(|k| SimTime(start.as_millis() + span * k / grid))
        .collect();
    const MAX_BENDS: usize = 400;
    let bends: Vec<SimTime> = meter
        .items
        .values()
        .flat_map(|b| [Some(b.start), Some(b.start.after(b.minimum)), b.end])
        .flatten()
        .filter(|t| *t >= start && *t <= now)
        .collect();
    if bends.len() <= MAX_BENDS {
        out.extend(bends);
    }
    out.sort();
    out.dedup();
    out
}

/// Cumulative cost by category (and in total when there is more than one) at each of
/// `instants`, in dollars. A billable started after an instant adds nothing there.
pub fn cost_series(meter: &Meter, instants: &[SimTime]) -> Vec<Series> {
    let mut categories: Vec<Category> = meter.items.values().map(|b| b.category).collect();
    categories.sort();
    categories.dedup();
    let mut out: Vec<Series> = categories
        .iter()
        .map(|c| Series {
            name: c.label().to_string(),
            points: instants
                .iter()
                .map(|t| {
                    let nano: i64 = meter
                        .items
                        .values()
                        .filter(|b| b.category == *c)
                        .map(|b| b.cost(*t))
                        .sum();
                    (secs(*t), dollars(nano))
                })
                .collect(),
            step: false,
        })
        .collect();
    if out.len() > 1 {
        out.push(Series {
            name: "Total".into(),
            points: instants
                .iter()
                .map(|t| (secs(*t), dollars(meter.total(*t))))
                .collect(),
            step: false,
        });
    }
    out
}

/// Cost so far, over time, once anything has been billed.
pub fn cost_chart(sim: &Simulation) -> Option<ChartData> {
    let meter = &sim.state().billing;
    if meter.items.is_empty() {
        return None;
    }
    let instants = cost_instants(meter, sim.now(), 48);
    Some(ChartData {
        id: "cost".into(),
        kind: ChartKind::Cost,
        title: "Cost so far, by category".into(),
        x_label: "Time".into(),
        y_label: "US dollars (cumulative)".into(),
        x_format: Format::Clock,
        y_format: Format::Dollars,
        series: cost_series(meter, &instants),
        marks: Vec::new(),
        note: "Each resource bills from the moment it starts at its hourly price (sim price), per second with a one-minute minimum for Fargate tasks and EC2 instances; a steeper line means more is running.".into(),
    })
}

/// Whether the simulation has anything on AWS (ECS, EKS, EC2, load balancers or a bill).
pub fn has_aws(sim: &Simulation) -> bool {
    let w = sim.state();
    let aws = &w.aws;
    !(aws.clusters.is_empty()
        && aws.eks.is_empty()
        && aws.instances.is_empty()
        && aws.tasks.is_empty()
        && aws.services.is_empty()
        && aws.auto_scaling_groups.is_empty()
        && aws.load_balancers.is_empty()
        && w.billing.items.is_empty())
}

/// The instance type to compare: the one most running instances have, else m5.large
/// (what `sim compare` uses), else the first priced one.
fn instance_to_compare<'a>(sim: &Simulation, points: &'a [Crossover]) -> Option<&'a Crossover> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for i in sim.state().aws.instances.values() {
        match counts.iter_mut().find(|(t, _)| *t == i.instance_type) {
            Some((_, n)) => *n += 1,
            None => counts.push((&i.instance_type, 1)),
        }
    }
    // Most instances first; ties keep the first seen (instances iterate in id order).
    let mut best: Option<(&str, usize)> = None;
    for (t, n) in counts {
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((t, n));
        }
    }
    best.and_then(|(t, _)| points.iter().find(|c| c.instance == t))
        .or_else(|| points.iter().find(|c| c.instance == "m5.large"))
        .or_else(|| points.first())
}

/// Fargate and EC2 cost per hour against utilisation, for one instance type: Fargate at
/// 0, 10 … 100% of the instance's size (and at the crossover), EC2 flat.
pub fn crossover_series(c: &Crossover) -> Vec<Series> {
    let mut xs: Vec<i64> = (0..=10).map(|k| k * 100).collect();
    if c.crosses() && !xs.contains(&c.crossover_permille) {
        xs.push(c.crossover_permille);
        xs.sort();
    }
    let fargate = xs
        .iter()
        .map(|&pm| {
            let nano = (i128::from(c.fargate_equivalent_hour) * i128::from(pm) / 1000) as i64;
            (pm as f64 / 10.0, dollars(nano))
        })
        .collect();
    let ec2 = xs
        .iter()
        .map(|&pm| (pm as f64 / 10.0, dollars(c.ec2_hour)))
        .collect();
    vec![
        Series {
            name: "Fargate (pay for what runs)".into(),
            points: fargate,
            step: false,
        },
        Series {
            name: format!("EC2 {} (the whole instance)", c.instance),
            points: ec2,
            step: false,
        },
    ]
}

/// The crossover chart, when the simulation uses AWS.
pub fn crossover_chart(sim: &Simulation) -> Option<ChartData> {
    if !has_aws(sim) {
        return None;
    }
    let points = crossover_points(&sim.state().billing.prices);
    let c = instance_to_compare(sim, &points)?;
    let pct = |pm: i64| format!("{}.{}%", pm / 10, pm % 10);
    let marks = if c.crosses() {
        vec![Mark {
            x: c.crossover_permille as f64 / 10.0,
            label: "crossover".into(),
        }]
    } else {
        Vec::new()
    };
    let verdict = if c.crosses() {
        format!(
            "Below {} of the instance used, Fargate is cheaper; above it, a well-packed {} wins.",
            pct(c.crossover_permille),
            c.instance
        )
    } else {
        format!(
            "At these prices a {} costs more than the same Fargate capacity even fully used.",
            c.instance
        )
    };
    let others: Vec<String> = points
        .iter()
        .filter(|o| o.instance != c.instance)
        .map(|o| {
            if o.crosses() {
                format!("{} {}", o.instance, pct(o.crossover_permille))
            } else {
                format!("{} never", o.instance)
            }
        })
        .collect();
    Some(ChartData {
        id: "crossover".into(),
        kind: ChartKind::Crossover,
        title: format!(
            "Fargate vs EC2 per hour: {} ({} vCPU, {} GiB) by how much of it is used",
            c.instance,
            c.vcpu,
            c.memory_mib / 1024
        ),
        x_label: "Share of the instance used by tasks".into(),
        y_label: "US dollars per hour".into(),
        x_format: Format::Percent,
        y_format: Format::Dollars,
        series: crossover_series(c),
        marks,
        note: format!(
            "{verdict} Other types' crossovers: {}. Prices from sim price.",
            others.join(", ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use simulator::Scenario;
    use simulator::cost::Billable;
    use simulator::time::SimDuration;

    const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n        resources:\n          requests:\n            cpu: 100m\n            memory: 64Mi\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n";

    fn sim(scenario: &str, lines: &[&str]) -> Simulation {
        let mut scenario = Scenario::named(scenario).expect("scenario");
        let mut ws = scenario.workspace.clone();
        ws.insert("web.yaml", WEB);
        scenario = scenario.with_workspace(ws);
        let mut sim = Simulation::new(&scenario);
        for l in lines {
            sim.run(l).unwrap_or_else(|e| panic!("{l}: {e}"));
        }
        sim
    }

    #[test]
    fn a_fresh_cluster_has_no_charts() {
        assert!(charts(&sim("default", &["sim advance 30s"])).is_empty());
    }

    #[test]
    fn an_autoscaled_deployment_charts_replicas_and_cpu() {
        let s = sim(
            "default",
            &[
                "kubectl apply -f web.yaml",
                "kubectl autoscale deployment web --min=2 --max=8 --cpu-percent=60",
                "sim advance 1m",
                "sim traffic service/web 300",
                "sim advance 10m",
            ],
        );
        let all = charts(&s);
        let kinds: Vec<&str> = all.iter().map(|c| c.kind.as_str()).collect();
        assert_eq!(kinds, ["hpa", "hpa"]);
        let replicas = &all[0];
        assert_eq!(replicas.id, "hpa-replicas/default/web");
        let line = &replicas.series[0].points;
        assert_eq!(line.first().map(|p| p.1), Some(2.0));
        let top = line.iter().map(|p| p.1).fold(0.0, f64::max);
        assert!(top > 2.0 && top <= 8.0, "replicas peaked at {top}");
        // Held until now.
        assert_eq!(line.last().map(|p| p.0), Some(secs(s.now())));
        let cpu = &all[1];
        assert_eq!(cpu.y_format, Format::Percent);
        assert!(cpu.title.starts_with("CPU utilisation of Deployment/web"));
        assert!(cpu.series[0].points.iter().any(|p| p.1 > 60.0));
        assert!(cpu.series[1].points.iter().all(|p| p.1 == 60.0));
        // The x values only move forward.
        assert!(line.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn a_new_hpa_gets_an_empty_replicas_chart() {
        let s = sim(
            "default",
            &[
                "kubectl apply -f web.yaml",
                "kubectl autoscale deployment web --max=4",
            ],
        );
        let all = charts(&s);
        assert_eq!(all.len(), 1);
        assert!(all[0].series.iter().all(|s| s.points.is_empty()));
    }

    #[test]
    fn past_costs_count_only_what_had_started() {
        let mut meter = Meter::default();
        let hour = SimDuration::from_mins(60);
        meter.items.insert(
            "a".into(),
            Billable {
                category: Category::Ec2,
                description: "instance".into(),
                rate: NANO,
                start: SimTime::ZERO,
                end: None,
                minimum: SimDuration::from_secs(60),
            },
        );
        meter.items.insert(
            "b".into(),
            Billable {
                category: Category::Fargate,
                description: "task".into(),
                rate: 2 * NANO,
                start: SimTime::ZERO.after(hour),
                end: Some(SimTime::ZERO.after(hour).after(hour)),
                minimum: SimDuration::from_secs(60),
            },
        );
        let now = SimTime::ZERO.after(hour).after(hour).after(hour);
        let instants = cost_instants(&meter, now, 3);
        assert_eq!(instants.first(), Some(&SimTime::ZERO));
        assert_eq!(instants.last(), Some(&now));
        let series = cost_series(&meter, &instants);
        let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Fargate compute", "EC2 instances", "Total"]);
        let at = |s: &Series, h: f64| {
            s.points
                .iter()
                .find(|p| p.0 == h * 3600.0)
                .map(|p| p.1)
                .expect("sampled")
        };
        // The task started at 1h: nothing before, $2 an hour while it ran, then flat.
        assert_eq!(at(&series[0], 1.0), 0.0);
        assert_eq!(at(&series[0], 2.0), 2.0);
        assert_eq!(at(&series[0], 3.0), 2.0);
        assert_eq!(at(&series[1], 3.0), 3.0);
        assert_eq!(at(&series[2], 3.0), 5.0);
        assert!(cost_instants(&Meter::default(), now, 3).is_empty());
    }

    #[test]
    fn fargate_on_ecs_charts_cost_and_the_crossover() {
        let s = sim(
            "default",
            &[
                "aws ecs create-cluster --cluster-name shop",
                "aws ecs register-task-definition --family web --network-mode awsvpc --requires-compatibilities FARGATE --cpu 256 --memory 512 --container-definitions '[{\"name\": \"web\", \"image\": \"nginx:1.27\", \"essential\": true}]'",
                "aws ecs create-service --cluster shop --service-name web --task-definition web --desired-count 2 --launch-type FARGATE --network-configuration awsvpcConfiguration={subnets=[subnet-06e5d742dfd8c0576],assignPublicIp=ENABLED}",
                "sim advance 30m",
            ],
        );
        let all = charts(&s);
        let kinds: Vec<&str> = all.iter().map(|c| c.kind.as_str()).collect();
        assert_eq!(kinds, ["cost", "crossover"]);
        let cost = &all[0];
        assert_eq!(cost.series.len(), 1);
        assert_eq!(cost.series[0].name, "Fargate compute");
        let pts = &cost.series[0].points;
        assert!(pts.windows(2).all(|w| w[0].1 <= w[1].1), "cumulative");
        let last = pts.last().expect("points").1;
        let billed = dollars(s.state().billing.total(s.now()));
        assert!((last - billed).abs() < 1e-9);
        assert!(last > 0.0);

        let cross = &all[1];
        assert!(cross.title.contains("m5.large"));
        assert_eq!(cross.marks.len(), 1);
        assert!((cross.marks[0].x - 82.4).abs() < 1e-9);
        let fargate = &cross.series[0].points;
        let ec2 = &cross.series[1].points;
        let at =
            |pts: &[(f64, f64)], x: f64| pts.iter().find(|p| (p.0 - x).abs() < 1e-9).map(|p| p.1);
        assert_eq!(at(fargate, 100.0), Some(0.11652));
        assert_eq!(at(ec2, 0.0), Some(0.096));
        // At the crossover the two lines meet (to a tenth of a percent).
        let (f, e) = (at(fargate, 82.4).unwrap(), at(ec2, 82.4).unwrap());
        assert!((f - e).abs() < 0.0002, "{f} vs {e}");
    }

    #[test]
    fn eks_with_a_node_group_compares_its_instance_type() {
        let s = sim(
            "eks",
            &[
                "aws eks create-cluster --name shop --kubernetes-version 1.31",
                "aws eks wait cluster-active --name shop",
                "aws eks create-nodegroup --cluster-name shop --nodegroup-name workers --instance-types c5.large --scaling-config minSize=1,maxSize=3,desiredSize=2",
                "sim advance 5m",
            ],
        );
        let all = charts(&s);
        let cross = all
            .iter()
            .find(|c| c.kind == ChartKind::Crossover)
            .expect("crossover chart");
        assert!(cross.title.contains("c5.large"), "{}", cross.title);
        let cost = all
            .iter()
            .find(|c| c.kind == ChartKind::Cost)
            .expect("cost chart");
        let names: Vec<&str> = cost.series.iter().map(|s| s.name.as_str()).collect();
        assert!(names.contains(&"EKS control plane"), "{names:?}");
        assert!(names.contains(&"EC2 instances"), "{names:?}");
        assert!(names.contains(&"Total"), "{names:?}");
    }
}
