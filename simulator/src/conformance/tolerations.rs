//! Runner for `vectors/tolerations.json`.

use super::{Outcome, Report, j, run_cases};
use crate::kube::taint::{
    DEFAULT_TOLERATION_SECONDS, Taint, TaintEffect, Toleration, TolerationOperator,
    default_tolerations_to_add, find_matching_untolerated_taint, get_min_toleration_time,
};
use crate::scheduler::framework::{NodeInfo, PodInfo, default_normalize_score};
use crate::scheduler::plugins::taint_toleration;
use serde_json::{Value, json};

/// Runs every case; unknown kinds are skipped.
pub fn run_vectors(json: &str) -> Result<Report, String> {
    run_cases(json, adapt)
}

/// A toleration from its API JSON (`effect: ""` = all effects, `operator: ""` = Equal).
pub(crate) fn toleration(v: &Value) -> Result<Toleration, String> {
    let effect = match j::opt_str(v, "effect")? {
        None | Some("") => None,
        Some(e) => Some(TaintEffect::parse(e)?),
    };
    Ok(Toleration {
        key: j::opt_str(v, "key")?.unwrap_or("").to_string(),
        operator: TolerationOperator::parse(j::opt_str(v, "operator")?.unwrap_or("")),
        value: j::opt_str(v, "value")?.unwrap_or("").to_string(),
        effect,
        toleration_seconds: j::opt_i64(v, "tolerationSeconds")?,
    })
}

/// A taint from its API JSON.
pub(crate) fn taint(v: &Value) -> Result<Taint, String> {
    Ok(Taint {
        key: j::opt_str(v, "key")?.unwrap_or("").to_string(),
        value: j::opt_str(v, "value")?.unwrap_or("").to_string(),
        effect: TaintEffect::parse(j::opt_str(v, "effect")?.unwrap_or(""))?,
    })
}

pub(crate) fn tolerations(v: &Value, k: &str) -> Result<Vec<Toleration>, String> {
    j::arr(v, k)?.iter().map(toleration).collect()
}

fn taints_of(items: &[Value]) -> Result<Vec<Taint>, String> {
    items.iter().map(taint).collect()
}

/// A toleration as API JSON.
pub(crate) fn toleration_json(t: &Toleration) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("key".into(), json!(t.key));
    m.insert("operator".into(), json!(t.operator.as_str()));
    if !t.value.is_empty() {
        m.insert("value".into(), json!(t.value));
    }
    if let Some(e) = t.effect {
        m.insert("effect".into(), json!(e.as_str()));
    }
    if let Some(s) = t.toleration_seconds {
        m.insert("tolerationSeconds".into(), json!(s));
    }
    Value::Object(m)
}

/// The filter named in a case: `all`/`nil(all)` (every taint), `none`, or the effects it
/// names (e.g. `NoExecute`, `effect==NoExecute`, `NoSchedule|NoExecute`).
/// A boxed taint predicate.
type TaintFilter = Box<dyn Fn(&Taint) -> bool>;

fn taint_filter(spec: Option<&str>) -> Result<TaintFilter, String> {
    let spec = spec.unwrap_or("all");
    let lower = spec.to_ascii_lowercase();
    if lower.is_empty() || lower.contains("all") || lower == "nil" || lower == "true" {
        return Ok(Box::new(|_| true));
    }
    if lower.contains("none") || lower == "false" {
        return Ok(Box::new(|_| false));
    }
    // Longest names first so "PreferNoSchedule" is not read as "NoSchedule".
    let mut rest = spec.to_string();
    let mut effects = Vec::new();
    for e in [
        TaintEffect::PreferNoSchedule,
        TaintEffect::NoSchedule,
        TaintEffect::NoExecute,
    ] {
        if rest.contains(e.as_str()) {
            effects.push(e);
            rest = rest.replace(e.as_str(), "");
        }
    }
    if effects.is_empty() {
        return Err(format!("unknown taint filter {spec:?}"));
    }
    Ok(Box::new(move |t| effects.contains(&t.effect)))
}

pub(crate) fn adapt(kind: &str, input: &Value) -> Result<Outcome, String> {
    let comparison = j::opt_bool(input, "comparisonOperatorsEnabled")?.unwrap_or(false);
    let out = match kind {
        "toleratesTaint" => {
            let tol = toleration(input.get("toleration").ok_or("missing toleration")?)?;
            let t = taint(input.get("taint").ok_or("missing taint")?)?;
            json!({ "tolerated": tol.tolerates(&t, comparison) })
        }
        "findMatchingUntoleratedTaint" => {
            let tols = tolerations(input, "tolerations")?;
            let taints = taints_of(j::arr(input, "taints")?)?;
            let filter = taint_filter(j::opt_str(input, "filter")?)?;
            let found = find_matching_untolerated_taint(&taints, &tols, filter, comparison);
            json!({
                "allTolerated": found.is_none(),
                "untoleratedTaint": found.map(|t| json!({"key": t.key, "value": t.value, "effect": t.effect.as_str()})),
            })
        }
        "taintTolerationFilter" => {
            let pod = PodInfo {
                tolerations: tolerations(input, "podTolerations")?,
                ..PodInfo::default()
            };
            let node = NodeInfo {
                taints: taints_of(j::arr(input, "nodeTaints")?)?,
                ..NodeInfo::default()
            };
            let st = taint_toleration::filter(&pod, &node, comparison);
            json!({
                "schedulable": st.is_success(),
                "status": { "code": st.code.as_str(), "message": st.message() },
            })
        }
        "taintTolerationScore" => {
            let pod = PodInfo {
                tolerations: tolerations(input, "podTolerations")?,
                ..PodInfo::default()
            };
            let prefer = taint_toleration::prefer_no_schedule_tolerations(&pod);
            let nodes = j::obj(input.get("nodes").unwrap_or(&Value::Null), "nodes")?;
            let mut names = Vec::new();
            let mut raw = Vec::new();
            for (name, taints) in nodes {
                let node = NodeInfo {
                    name: name.into(),
                    taints: taints_of(taints.as_array().map(Vec::as_slice).unwrap_or(&[]))?,
                    ..NodeInfo::default()
                };
                names.push(name.clone());
                raw.push(taint_toleration::score(&prefer, &node, comparison));
            }
            let mut normalized = raw.clone();
            taint_toleration::normalize(&mut normalized);
            let to_map = |v: &[i64]| {
                Value::Object(
                    names
                        .iter()
                        .cloned()
                        .zip(v.iter().map(|s| json!(s)))
                        .collect(),
                )
            };
            json!({ "rawScores": to_map(&raw), "normalizedScores": to_map(&normalized) })
        }
        "defaultNormalizeScore" => {
            let max = j::i64_(input, "maxPriority")?;
            let reverse = j::opt_bool(input, "reverse")?.unwrap_or(false);
            let mut scores: Vec<i64> = j::arr(input, "scores")?
                .iter()
                .map(|v| {
                    v.as_i64()
                        .ok_or_else(|| format!("score {v} is not an integer"))
                })
                .collect::<Result<_, _>>()?;
            default_normalize_score(max, reverse, &mut scores);
            json!({ "scores": scores })
        }
        "getMinTolerationTime" => {
            let used = tolerations(input, "usedTolerations")?;
            let refs: Vec<&Toleration> = used.iter().collect();
            json!({ "seconds": get_min_toleration_time(&refs).as_seconds() })
        }
        "defaultTolerations" | "defaultTolerationSeconds" => {
            let tols = tolerations(input, "podTolerations")?;
            let added = default_tolerations_to_add(
                &tols,
                j::opt_i64(input, "notReadySeconds")?.unwrap_or(DEFAULT_TOLERATION_SECONDS),
                j::opt_i64(input, "unreachableSeconds")?.unwrap_or(DEFAULT_TOLERATION_SECONDS),
            );
            json!({ "addedTolerations": added.iter().map(toleration_json).collect::<Vec<_>>() })
        }
        _ => return Ok(Outcome::Unknown),
    };
    Ok(Outcome::Value(out))
}
