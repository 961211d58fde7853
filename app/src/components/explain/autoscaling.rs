//! An HPA sync explained: the documented formula with this sync's numbers, then what
//! happened to the proposal — the tolerance, the stabilisation window, the rate limits
//! and min/max — and the replica count that was set.

use leptos::prelude::*;
use simulator::components::controller_manager::hpa::HpaDecision;
use simulator::controllers::hpa::behavior::{
    REASON_SCALE_DOWN_LIMIT, REASON_SCALE_DOWN_STABILIZED, REASON_SCALE_UP_LIMIT,
    REASON_SCALE_UP_STABILIZED, REASON_TOO_FEW_REPLICAS, REASON_TOO_MANY_REPLICAS,
};
use simulator::controllers::hpa::replica_calculator::DEFAULT_TOLERANCE;
use simulator::kube::quantity::Quantity;

/// The formula as the Kubernetes documentation writes it.
pub const FORMULA: &str =
    "desiredReplicas = ceil[currentReplicas × (currentMetricValue / desiredMetricValue)]";

/// A metric value as shown (`180%`, `168m`, `1`) as a number (percent, or milli-units).
fn metric_value(shown: &str) -> Option<f64> {
    if let Some(p) = shown.strip_suffix('%') {
        return p.trim().parse().ok();
    }
    Quantity::parse(shown.trim())
        .ok()?
        .milli_value()
        .ok()
        .map(|m| m as f64)
}

/// The formula with this sync's numbers: `desiredReplicas = ceil[currentReplicas ×
/// (currentMetricValue / desiredMetricValue)] = ceil[2 × (180% / 60%)] = ceil[6.00] = 6`.
/// The multiplier is the number of pods whose samples counted, as in the replica
/// calculator. Without numbers (a clamp to min/max, a failed metric) it gives the
/// simulator's own arithmetic after the formula.
pub fn formula_text(d: &HpaDecision) -> String {
    match (metric_value(&d.current), metric_value(&d.target)) {
        (Some(current), Some(target)) if target > 0.0 && d.ready_pods > 0 => {
            // Same order as upstream: the ratio first, then × pods.
            let x = current / target * d.ready_pods as f64;
            format!(
                "{FORMULA} = ceil[{} × ({} / {})] = ceil[{x:.2}] = {}",
                d.ready_pods,
                d.current,
                d.target,
                x.ceil() as i64
            )
        }
        _ if d.formula.is_empty() => FORMULA.to_string(),
        _ => format!("{FORMULA}; here: {}", d.formula),
    }
}

/// The simulator's arithmetic when it says more than the plain formula: the ratio was
/// within the tolerance, pods without metrics were filled in, or min/max clamped.
pub fn formula_note(d: &HpaDecision) -> Option<String> {
    (!d.formula.is_empty() && !d.formula.starts_with("ceil(")).then(|| d.formula.clone())
}

/// The tolerance band: the one the formula mentions, or upstream's default.
pub fn tolerance_text(d: &HpaDecision) -> String {
    let band = d
        .formula
        .split_once("tolerance (")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(band, _)| band.replace("..", "–"));
    match band {
        Some(band) => format!("ratios within {band} keep the current count"),
        None => format!(
            "ratios within {:.2}–{:.2} keep the current count (default ±{}%)",
            1.0 - DEFAULT_TOLERANCE,
            1.0 + DEFAULT_TOLERANCE,
            (DEFAULT_TOLERANCE * 100.0).round()
        ),
    }
}

/// Which pods the metric counted.
pub fn pods_text(d: &HpaDecision) -> String {
    let mut s = format!(
        "{} pod(s) with metrics (the target had {} replica(s))",
        d.ready_pods, d.current_replicas
    );
    if !d.missing.is_empty() {
        s.push_str(&format!(
            "; {} without metrics yet: {}",
            d.missing.len(),
            d.missing.join(", ")
        ));
    }
    if !d.unready.is_empty() {
        s.push_str(&format!(
            "; {} not ready (or CPU not trusted yet): {}",
            d.unready.len(),
            d.unready.join(", ")
        ));
    }
    s
}

/// What the stabilisation window did to the proposal.
pub fn stabilisation_text(d: &HpaDecision) -> String {
    match d.stabilization_reason.as_str() {
        REASON_SCALE_DOWN_STABILIZED if d.stabilized != d.raw => format!(
            "{REASON_SCALE_DOWN_STABILIZED}: the downscale window keeps the highest recent recommendation, {} (not {})",
            d.stabilized, d.raw
        ),
        REASON_SCALE_UP_STABILIZED if d.stabilized != d.raw => format!(
            "{REASON_SCALE_UP_STABILIZED}: the scale-up window keeps the lowest recent recommendation, {} (not {})",
            d.stabilized, d.raw
        ),
        "" => format!("no window changed the proposal ({})", d.stabilized),
        reason => format!(
            "{reason}: no window changed the proposal ({})",
            d.stabilized
        ),
    }
}

/// What the rate limits and min/max did.
pub fn limits_text(d: &HpaDecision) -> String {
    let bounds = format!("min {}, max {}", d.min_replicas, d.max_replicas);
    if !d.rate_limited {
        return format!("not limited ({bounds})");
    }
    let why = match d.limit_reason.as_str() {
        REASON_SCALE_UP_LIMIT => {
            "the scale-up rate limit (without spec.behavior, at most max(2 × current, 4) per sync)"
        }
        REASON_SCALE_DOWN_LIMIT => "the scale-down rate limit",
        REASON_TOO_MANY_REPLICAS => "maxReplicas",
        REASON_TOO_FEW_REPLICAS => "minReplicas",
        _ => "a limit",
    };
    format!(
        "{}: {} limited to {} by {why} ({bounds})",
        d.limit_reason, d.stabilized, d.final_replicas
    )
}

/// The outcome.
pub fn result_text(d: &HpaDecision) -> String {
    if d.final_replicas == d.current_replicas {
        format!("kept {} replica(s)", d.current_replicas)
    } else {
        format!(
            "scaled {} from {} to {} replica(s)",
            d.scale_target, d.current_replicas, d.final_replicas
        )
    }
}

/// Every line of the explanation after the formula, as (label, text).
pub fn steps(d: &HpaDecision) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if !d.metric.is_empty() {
        out.push(("Metric", d.metric.clone()));
    }
    if !d.current.is_empty() {
        out.push((
            "Current vs target",
            format!("{} vs {} (ratio {})", d.current, d.target, d.ratio),
        ));
        out.push(("Pods counted", pods_text(d)));
        out.push(("Tolerance", tolerance_text(d)));
    }
    out.push(("Proposal", format!("{} replica(s)", d.raw)));
    out.push(("Stabilisation", stabilisation_text(d)));
    out.push(("Limits", limits_text(d)));
    if d.metrics.len() > 1 {
        let others: Vec<String> = d
            .metrics
            .iter()
            .map(|m| match (&m.replicas, &m.error) {
                (Some(r), _) => format!("{} → {r}", m.metric),
                (None, Some(e)) => format!("{}: {e}", m.metric),
                (None, None) => m.metric.clone(),
            })
            .collect();
        out.push(("Every metric", others.join("; ")));
    }
    out.push(("Result", result_text(d)));
    out
}

/// An HPA sync: the formula with numbers, then each step.
#[component]
pub fn AutoscalingExplanation(
    /// The sync's numbers, as the controller recorded them.
    decision: HpaDecision,
) -> impl IntoView {
    let formula = formula_text(&decision);
    let note = formula_note(&decision);
    let rows = steps(&decision)
        .into_iter()
        .map(|(label, text)| {
            view! {
                <dt>{label}</dt>
                <dd>{text}</dd>
            }
        })
        .collect_view();
    view! {
        <div class="explain explain-autoscaling">
            <p class="explain-outcome">
                {format!("HorizontalPodAutoscaler {} → {}", decision.hpa, decision.scale_target)}
            </p>
            <p class="explain-formula mono" data-testid="explain-formula">{formula}</p>
            {note.map(|n| view! { <p class="explain-note">{format!("In detail: {n}")}</p> })}
            <dl class="explain-facts">{rows}</dl>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision() -> HpaDecision {
        HpaDecision {
            hpa: "web".into(),
            scale_target: "Deployment/web".into(),
            metric: "cpu resource utilization (percentage of request)".into(),
            current: "180%".into(),
            target: "60%".into(),
            ratio: "3.00".into(),
            ready_pods: 2,
            missing: Vec::new(),
            unready: Vec::new(),
            formula: "ceil(2 × 180/60) = ceil(6.00) = 6".into(),
            current_replicas: 2,
            min_replicas: 1,
            max_replicas: 10,
            raw: 6,
            stabilized: 6,
            rate_limited: true,
            limit_reason: "ScaleUpLimit".into(),
            stabilization_reason: "ReadyForNewScale".into(),
            final_replicas: 4,
            reason: "cpu resource utilization (percentage of request) above target".into(),
            metrics: Vec::new(),
        }
    }

    #[test]
    fn the_formula_shows_its_numbers() {
        assert_eq!(
            formula_text(&decision()),
            "desiredReplicas = ceil[currentReplicas × (currentMetricValue / desiredMetricValue)] = ceil[2 × (180% / 60%)] = ceil[6.00] = 6"
        );
        assert_eq!(formula_note(&decision()), None);
    }

    #[test]
    fn value_targets_and_clamps_still_explain() {
        let mut d = decision();
        d.current = "168m".into();
        d.target = "100m".into();
        d.ready_pods = 3;
        assert!(formula_text(&d).ends_with("= ceil[3 × (168m / 100m)] = ceil[5.04] = 6"));
        let mut d = decision();
        d.current = String::new();
        d.target = String::new();
        d.formula = "12 is outside [1, 10]: set 10".into();
        assert_eq!(
            formula_text(&d),
            format!("{FORMULA}; here: 12 is outside [1, 10]: set 10")
        );
        assert_eq!(
            formula_note(&d).as_deref(),
            Some("12 is outside [1, 10]: set 10")
        );
    }

    #[test]
    fn steps_name_the_limits_and_the_result() {
        let d = decision();
        let s = steps(&d);
        let get = |label| s.iter().find(|(l, _)| *l == label).map(|(_, t)| t.clone());
        assert_eq!(
            get("Limits").as_deref(),
            Some(
                "ScaleUpLimit: 6 limited to 4 by the scale-up rate limit (without spec.behavior, at most max(2 × current, 4) per sync) (min 1, max 10)"
            )
        );
        assert_eq!(
            get("Result").as_deref(),
            Some("scaled Deployment/web from 2 to 4 replica(s)")
        );
        assert_eq!(
            get("Tolerance").as_deref(),
            Some("ratios within 0.90–1.10 keep the current count (default ±10%)")
        );
        assert_eq!(
            get("Stabilisation").as_deref(),
            Some("ReadyForNewScale: no window changed the proposal (6)")
        );
    }

    #[test]
    fn real_syncs_agree_with_the_simulator_arithmetic() {
        use simulator::event::Detail;
        use simulator::{Scenario, Simulation};
        let web = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n        resources:\n          requests:\n            cpu: 100m\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n";
        let scenario = Scenario::named("default").expect("default scenario");
        let mut ws = scenario.workspace.clone();
        ws.insert("web.yaml", web);
        let mut sim = Simulation::new(&scenario.with_workspace(ws));
        for line in [
            "kubectl apply -f web.yaml",
            "kubectl autoscale deployment web --min=2 --max=8 --cpu-percent=60",
            "sim advance 1m",
            "sim traffic service/web 300",
            "sim advance 5m",
            "sim traffic service/web off",
            "sim advance 10m",
        ] {
            sim.run(line).expect(line);
        }
        let decisions: Vec<HpaDecision> = sim
            .log()
            .events()
            .iter()
            .filter_map(|e| match e.detail.as_deref() {
                Some(Detail::Autoscaling(d)) => Some((**d).clone()),
                _ => None,
            })
            .collect();
        assert!(decisions.len() >= 2, "{} decisions", decisions.len());
        for d in &decisions {
            let text = formula_text(d);
            assert!(text.starts_with(FORMULA), "{text}");
            if d.formula.starts_with("ceil(") {
                assert!(
                    text.ends_with(&format!("= {}", d.raw)),
                    "{text} vs {}",
                    d.formula
                );
            } else {
                assert_eq!(formula_note(d).as_deref(), Some(d.formula.as_str()));
            }
            assert!(!steps(d).is_empty());
        }
    }

    #[test]
    fn downscale_stabilisation_is_explained() {
        let mut d = decision();
        d.current = "10%".into();
        d.raw = 1;
        d.stabilized = 4;
        d.final_replicas = 4;
        d.current_replicas = 4;
        d.rate_limited = false;
        d.stabilization_reason = REASON_SCALE_DOWN_STABILIZED.into();
        d.formula = "10/60 = 0.17, within the tolerance (0.85..1.15): keep 4".into();
        assert!(stabilisation_text(&d).contains("highest recent recommendation, 4 (not 1)"));
        assert_eq!(limits_text(&d), "not limited (min 1, max 10)");
        assert_eq!(result_text(&d), "kept 4 replica(s)");
        assert_eq!(
            tolerance_text(&d),
            "ratios within 0.85–1.15 keep the current count"
        );
    }
}
