//! Runner for `vectors/ecs.json` (`amazon-ecs`): deployment bounds and defaults, the
//! circuit breaker threshold, Fargate task sizes, prices and autoscaling defaults.
//!
//! Every answer comes from the function or constant the simulation itself uses
//! ([`crate::ecs::deployment_bounds`], [`crate::ecs::circuit_breaker`],
//! [`crate::ecs::fargate`], [`crate::cost`], [`crate::ecs::autoscaling`]); the case's
//! `expected` is never consulted. Where a case may name either of two inputs (a
//! deployment with only one of the two percentages), the other takes the REPLICA
//! default, and every field the rule defines is produced (the comparison only checks
//! the fields a case names).

use super::{Outcome, Report, j, run_cases};
use crate::cost::{self, PriceList};
use crate::ecs::circuit_breaker::{self, RuleVersion};
use crate::ecs::{autoscaling, deployment_bounds, fargate, fargate_units};
use serde_json::{Map, Value, json};

/// Runs every case; unknown kinds are skipped.
pub fn run_vectors(json: &str) -> Result<Report, String> {
    run_cases(json, adapt)
}

/// The kinds this runner knows.
pub const KINDS: [&str; 6] = [
    "deploymentBounds",
    "deploymentDefaults",
    "circuitBreakerThreshold",
    "fargateTaskSize",
    "pricing",
    "autoscalingDefaults",
];

/// One case: its kind and input (with the case-level `rule_version`, if any, folded into
/// the input by [`super::run_cases_with`]).
pub fn adapt(kind: &str, input: &Value) -> Result<Outcome, String> {
    Ok(Outcome::Value(match kind {
        "deploymentBounds" => bounds(input)?,
        "deploymentDefaults" => defaults(input)?,
        "circuitBreakerThreshold" => threshold(input)?,
        "fargateTaskSize" => task_size(input)?,
        "pricing" => pricing(input)?,
        "autoscalingDefaults" => autoscaling_defaults(),
        _ => return Ok(Outcome::Unknown),
    }))
}

fn u32_field(v: &Value, k: &str) -> Result<Option<u32>, String> {
    j::opt_i64(v, k)?
        .map(|x| u32::try_from(x).map_err(|_| format!("{k}: out of range")))
        .transpose()
}

fn strategy(v: &Value) -> Result<&str, String> {
    Ok(j::opt_str(v, "schedulingStrategy")?.unwrap_or("REPLICA"))
}

/// `desiredCount` with `minimumHealthyPercent` and/or `maximumPercent` (a missing one
/// takes the strategy's default) → the bounds and how many tasks the scheduler may
/// stop before starting / start before stopping.
fn bounds(v: &Value) -> Result<Value, String> {
    let desired = u32_field(v, "desiredCount")?
        .or(u32_field(v, "desired")?)
        .ok_or("missing desiredCount")?;
    let (dmin, dmax) = deployment_bounds::defaults(strategy(v)?);
    let min_pct = u32_field(v, "minimumHealthyPercent")?.unwrap_or(dmin);
    let max_pct = u32_field(v, "maximumPercent")?.unwrap_or(dmax);
    Ok(json!({
        "desiredCount": desired,
        "minimumHealthyPercent": min_pct,
        "maximumPercent": max_pct,
        "minHealthyTasks": deployment_bounds::min_healthy(desired, min_pct),
        "scheduler_may_stop_before_start": deployment_bounds::may_stop_first(desired, min_pct),
        "maxTasks": deployment_bounds::max_tasks(desired, max_pct),
        "scheduler_may_start_before_stop": deployment_bounds::may_start_first(desired, max_pct),
    }))
}

fn defaults(v: &Value) -> Result<Value, String> {
    let (min, max) = deployment_bounds::defaults(strategy(v)?);
    Ok(json!({"minimumHealthyPercent": min, "maximumPercent": max}))
}

/// The rule a case asks for: `rule_version` on the case (or in its input).
fn rule(v: &Value) -> Result<RuleVersion, String> {
    let label = match j::opt_str(v, "rule_version")? {
        Some(l) => Some(l),
        None => j::opt_str(v, "ruleVersion")?,
    };
    Ok(RuleVersion::from_label(label))
}

fn threshold(v: &Value) -> Result<Value, String> {
    let desired = u32_field(v, "desiredCount")?
        .or(u32_field(v, "desired")?)
        .ok_or("missing desiredCount")?;
    let rule = rule(v)?;
    Ok(json!({
        "threshold": circuit_breaker::threshold(desired, rule),
        "minimum": rule.minimum(),
        "maximum": circuit_breaker::MAX_THRESHOLD,
    }))
}

/// `cpuUnits` (a number, or a string such as `"1 vCPU"`) → the valid memory values.
fn task_size(v: &Value) -> Result<Value, String> {
    let cpu = match v.get("cpuUnits").or_else(|| v.get("cpu")) {
        Some(Value::String(s)) => {
            fargate_units::cpu(s).ok_or(format!("cpuUnits: bad value {s:?}"))?
        }
        Some(x) => x
            .as_u64()
            .ok_or(format!("cpuUnits: expected a number, got {x}"))?,
        None => return Err("missing cpuUnits".into()),
    };
    let mem = fargate::valid_memory(cpu);
    let step = match mem.as_slice() {
        [a, b, ..] if mem.windows(2).all(|w| w[1] - w[0] == b - a) => Some(b - a),
        _ => None,
    };
    Ok(json!({
        "cpuUnits": cpu,
        "validMemoryMiB": mem,
        "validMemoryGB": mem.iter().map(|m| *m as f64 / 1024.0).collect::<Vec<_>>(),
        "minMemoryMiB": mem.first(),
        "maxMemoryMiB": mem.last(),
        "stepMiB": step,
        "valid": !mem.is_empty(),
    }))
}

/// Nano-dollars → dollars.
fn usd(nano: i64) -> f64 {
    nano as f64 / cost::NANO as f64
}

/// A fraction rounded to `decimals` places.
fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// Prices from the default price list (us-east-1, Linux/x86, on-demand): Fargate's
/// per-vCPU-hour and per-GB-hour rates and billing terms, and, when the case names an
/// instance type, its hourly price and the utilisation above which it beats Fargate
/// (its price ÷ the Fargate price of the same vCPUs and memory).
fn pricing(v: &Value) -> Result<Value, String> {
    let prices = PriceList::default();
    let mut out = Map::new();
    out.insert(
        "usdPerVcpuHour".into(),
        json!(usd(prices.fargate_vcpu_hour)),
    );
    out.insert("usdPerGbHour".into(), json!(usd(prices.fargate_gb_hour)));
    out.insert(
        "includedEphemeralGB".into(),
        json!(cost::FARGATE_EPHEMERAL_GB_INCLUDED),
    );
    out.insert("billing".into(), json!(cost::fargate_billing_terms()));
    out.insert(
        "minimumBilledSeconds".into(),
        json!(cost::FARGATE_MINIMUM_BILLED_SECS),
    );
    // Every EC2 price, by instance type (`"m5.large": 0.096`).
    for (name, nano) in &prices.ec2_hour {
        out.insert(name.clone(), json!(usd(*nano)));
    }
    let named = ["instanceType", "instance", "ec2InstanceType", "ec2", "type"]
        .into_iter()
        .find_map(|k| v.get(k).and_then(Value::as_str));
    if let Some(name) = named {
        let kind = cost::instance_type(name).ok_or(format!("unknown instance type {name}"))?;
        let hourly = prices.ec2(name).ok_or(format!("no price for {name}"))?;
        let fargate_equivalent = prices.fargate_hour(u64::from(kind.vcpu) * 1024, kind.memory_mib);
        let break_even = hourly as f64 / fargate_equivalent as f64;
        for k in ["usdPerHour", "usdPerInstanceHour", "onDemandUsdPerHour"] {
            out.insert(k.into(), json!(usd(hourly)));
        }
        out.insert("instanceType".into(), json!(name));
        out.insert("vcpu".into(), json!(kind.vcpu));
        out.insert("vCPU".into(), json!(kind.vcpu));
        out.insert("memoryMiB".into(), json!(kind.memory_mib));
        out.insert("memoryGiB".into(), json!(kind.memory_mib / 1024));
        out.insert("memoryGB".into(), json!(kind.memory_mib / 1024));
        out.insert(
            "fargateEquivalentUsdPerHour".into(),
            json!(usd(fargate_equivalent)),
        );
        out.insert("breakEvenUtilization".into(), json!(round(break_even, 3)));
        out.insert(
            "breakEvenUtilizationPercent".into(),
            json!(round(break_even * 100.0, 1)),
        );
    }
    Ok(Value::Object(out))
}

fn autoscaling_defaults() -> Value {
    json!({
        "scaleInCooldownSeconds": autoscaling::DEFAULT_COOLDOWN_SECS,
        "scaleOutCooldownSeconds": autoscaling::DEFAULT_COOLDOWN_SECS,
        "metricPeriodSeconds": autoscaling::METRIC_PERIOD.as_millis() / 1000,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(kind: &str, input: Value) -> Value {
        match adapt(kind, &input).unwrap() {
            Outcome::Value(v) => v,
            _ => panic!("{kind}: not a value"),
        }
    }

    #[test]
    fn bounds_from_either_percentage() {
        let v = value(
            "deploymentBounds",
            json!({"desiredCount": 2, "minimumHealthyPercent": 75}),
        );
        assert_eq!(v["minHealthyTasks"], 2);
        assert_eq!(v["scheduler_may_stop_before_start"], 0);
        let v = value(
            "deploymentBounds",
            json!({"desiredCount": 3, "maximumPercent": 125}),
        );
        assert_eq!(v["maxTasks"], 3);
        assert_eq!(v["scheduler_may_start_before_stop"], 0);
        // The other percentage takes the REPLICA default.
        assert_eq!(v["minHealthyTasks"], 3);
        let v = value(
            "deploymentBounds",
            json!({"desiredCount": 4, "schedulingStrategy": "DAEMON"}),
        );
        assert_eq!(
            (v["minHealthyTasks"].clone(), v["maxTasks"].clone()),
            (json!(0), json!(4))
        );
        assert!(adapt("deploymentBounds", &json!({})).is_err());
    }

    #[test]
    fn defaults_and_thresholds() {
        assert_eq!(
            value(
                "deploymentDefaults",
                json!({"schedulingStrategy": "DAEMON"})
            ),
            json!({"minimumHealthyPercent": 0, "maximumPercent": 100})
        );
        assert_eq!(
            value("deploymentDefaults", json!({}))["maximumPercent"],
            200
        );
        for (desired, label, want) in [
            (1, Some("2023-min10"), 10),
            (20, Some("2023-min10"), 10),
            (30, Some("2023-min10"), 15),
            (500, Some("2023-min10"), 200),
            (10, None, 10),
            (1, Some("current-min3"), 3),
            (10, Some("current"), 5),
        ] {
            let mut input = json!({"desiredCount": desired});
            if let Some(l) = label {
                input["rule_version"] = json!(l);
            }
            assert_eq!(
                value("circuitBreakerThreshold", input)["threshold"],
                want,
                "{desired} {label:?}"
            );
        }
    }

    #[test]
    fn task_sizes() {
        let v = value("fargateTaskSize", json!({"cpuUnits": 512}));
        assert_eq!(v["validMemoryMiB"], json!([1024, 2048, 3072, 4096]));
        assert_eq!(v["stepMiB"], 1024);
        let v = value("fargateTaskSize", json!({"cpuUnits": 8192}));
        assert_eq!(v["minMemoryMiB"], 16384);
        assert_eq!(v["maxMemoryMiB"], 61440);
        assert_eq!(v["stepMiB"], 4096);
        let v = value("fargateTaskSize", json!({"cpuUnits": "2 vCPU"}));
        assert_eq!(v["validMemoryMiB"].as_array().unwrap().len(), 13);
        let v = value("fargateTaskSize", json!({"cpuUnits": 300}));
        assert_eq!(v["validMemoryMiB"], json!([]));
        assert_eq!(v["valid"], false);
        let v = value("fargateTaskSize", json!({"cpuUnits": 256}));
        assert_eq!(v["stepMiB"], Value::Null);
    }

    #[test]
    fn prices() {
        let v = value("pricing", json!({"region": "us-east-1"}));
        assert_eq!(v["usdPerVcpuHour"], json!(0.04048));
        assert_eq!(v["usdPerGbHour"], json!(0.004445));
        assert_eq!(v["includedEphemeralGB"], 20);
        assert_eq!(v["billing"], "per-second, 1-minute minimum");
        let v = value("pricing", json!({"instanceType": "m5.large"}));
        assert_eq!(v["usdPerHour"], json!(0.096));
        assert_eq!(v["fargateEquivalentUsdPerHour"], json!(0.11652));
        assert_eq!(v["breakEvenUtilizationPercent"], json!(82.4));
        let v = value("pricing", json!({"instanceType": "c5.large"}));
        assert_eq!(v["usdPerHour"], json!(0.085));
        assert_eq!(v["fargateEquivalentUsdPerHour"], json!(0.09874));
        assert_eq!(v["breakEvenUtilizationPercent"], json!(86.1));
        assert!(adapt("pricing", &json!({"instanceType": "z9.huge"})).is_err());
        let v = value("pricing", json!({}));
        assert_eq!(v["m5.large"], json!(0.096));
        assert_eq!(v["c5.large"], json!(0.085));
    }

    #[test]
    fn autoscaling_and_unknown() {
        let v = value(
            "autoscalingDefaults",
            json!({"scalableTarget": "ECS service"}),
        );
        assert_eq!(v["scaleInCooldownSeconds"], 300);
        assert_eq!(v["scaleOutCooldownSeconds"], 300);
        assert!(matches!(
            adapt("podPhase", &json!({})),
            Ok(Outcome::Unknown)
        ));
    }
}
