//! `kubectl autoscale (TYPE NAME | TYPE/NAME) [--min=MINPODS] --max=MAXPODS
//! [--cpu-percent=CPU] [--name=NAME]`: creates an `autoscaling/v2`
//! HorizontalPodAutoscaler for a Deployment, like kubectl 1.31 does.

use super::flags::{FlagSpec, Flags, value};
use super::parse_targets;
use crate::api::Object;
use crate::api::meta::ObjectMeta;
use crate::api::policy::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HpaSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};
use crate::apiserver::ApiError;
use crate::command::CommandError;
use crate::simulation::{Simulation, Write};

/// Flags of `kubectl autoscale`.
pub const FLAGS: [FlagSpec; 5] = [
    value("min", None),
    value("max", None),
    value("cpu-percent", None),
    value("name", None),
    value("filename", Some('f')),
];

/// Arguments of `kubectl autoscale`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoscaleArgs {
    /// Kind of the target (`Deployment`).
    pub kind: &'static str,
    /// Target name.
    pub target: String,
    /// HPA name (`--name`, default: the target's).
    pub name: String,
    /// `--min` (-1: unset, the server defaults it to 1).
    pub min: i64,
    /// `--max`.
    pub max: i64,
    /// `--cpu-percent` (-1: unset, the server defaults the metric to 80%).
    pub cpu_percent: i64,
    /// `-n`.
    pub namespace: String,
}

fn int(f: &Flags, flag: &str) -> Result<i64, CommandError> {
    f.get(flag).map_or(Ok(-1), |v| {
        v.parse::<i64>().map_err(|_| {
            CommandError::new(format!(
                "error: invalid argument \"{v}\" for \"--{flag}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"
            ))
        })
    })
}

/// Parses `autoscale` arguments.
pub fn parse(pos: &[String], f: &Flags) -> Result<AutoscaleArgs, CommandError> {
    if !f.all("filename").is_empty() {
        return Err(CommandError::new(
            "error: autoscale -f is not supported here; name the resource (kubectl autoscale deployment/NAME --max=N)",
        ));
    }
    if pos.is_empty() {
        return Err(CommandError::new(
            "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
        ));
    }
    let targets = parse_targets(pos)?;
    let (kind, name) = match targets.as_slice() {
        [t] if t.names.len() == 1 => (t.kind, t.names[0].clone()),
        [t] if t.names.is_empty() => {
            return Err(CommandError::new(format!(
                "error: resource(s) were provided, but no name was specified: kubectl autoscale {} NAME --max=N",
                t.kind.singular
            )));
        }
        _ => {
            return Err(CommandError::new(
                "error: autoscale takes exactly one resource (TYPE NAME or TYPE/NAME)",
            ));
        }
    };
    if kind.kind != "Deployment" {
        return Err(CommandError::new(format!(
            "error: cannot autoscale a {}: the simulator's HPA scales Deployments",
            kind.kind
        )));
    }
    let min = int(f, "min")?;
    let max = int(f, "max")?;
    let cpu_percent = int(f, "cpu-percent")?;
    if max < 1 {
        return Err(CommandError::new(format!(
            "error: --max=MAXPODS is required and must be at least 1, max: {max}"
        )));
    }
    if max < min {
        return Err(CommandError::new(format!(
            "error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: {max}, min: {min}"
        )));
    }
    Ok(AutoscaleArgs {
        kind: kind.kind,
        name: f.get("name").map_or_else(|| name.clone(), String::from),
        target: name,
        min,
        max,
        cpu_percent,
        namespace: f.get("namespace").unwrap_or("default").to_string(),
    })
}

/// The HPA `kubectl autoscale` would create.
pub fn hpa_for(args: &AutoscaleArgs) -> HorizontalPodAutoscaler {
    let metrics = if args.cpu_percent >= 0 {
        vec![MetricSpec {
            type_: "Resource".into(),
            resource: Some(ResourceMetricSource {
                name: "cpu".into(),
                target: MetricTarget {
                    type_: "Utilization".into(),
                    average_utilization: Some(args.cpu_percent),
                    ..MetricTarget::default()
                },
            }),
            ..MetricSpec::default()
        }]
    } else {
        Vec::new()
    };
    HorizontalPodAutoscaler {
        api_version: "autoscaling/v2".into(),
        kind: "HorizontalPodAutoscaler".into(),
        metadata: ObjectMeta {
            name: args.name.clone(),
            namespace: Some(args.namespace.clone()),
            ..ObjectMeta::default()
        },
        spec: HpaSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: args.kind.into(),
                name: args.target.clone(),
            },
            min_replicas: (args.min >= 0).then_some(args.min),
            max_replicas: args.max,
            metrics,
            behavior: None,
        },
        status: Default::default(),
    }
}

/// Runs `kubectl autoscale`.
pub fn run(sim: &mut Simulation, args: &AutoscaleArgs) -> Result<String, CommandError> {
    if sim
        .state()
        .api
        .store
        .deployment(&args.namespace, &args.target)
        .is_none()
    {
        return Err(CommandError::new(
            ApiError::NotFound {
                resource: "deployments.apps".into(),
                name: args.target.clone(),
            }
            .to_string(),
        ));
    }
    let hpa = hpa_for(args);
    sim.submit(vec![Write::Create(Box::new(
        Object::HorizontalPodAutoscaler(hpa),
    ))])
    .map_err(|e| CommandError::new(e.to_string()))?;
    Ok(format!(
        "horizontalpodautoscaler.autoscaling/{} autoscaled\n",
        args.name
    ))
}
