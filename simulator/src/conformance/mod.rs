//! Conformance runners for the upstream vector files in `shared/reference/vectors/`.
//!
//! Each topic module exposes `run_vectors(json)`. A runner only *adapts* a case's JSON
//! input into the domain types, calls the same functions the simulation uses, renders the
//! result as JSON and compares it with the case's `expected`. Unknown kinds are skipped
//! (other topics' kinds arrive in other files). Comparison is structural: every field in
//! `expected` must be produced and equal (objects in `expected` may name a subset of the
//! produced fields; arrays must match element by element; numbers compare by value).
//! `expected.error` (bool) and `expected.errorContains` (text) check a failed call.
//! A case-level `rule_version` (which published rule a case follows, as in the ECS
//! circuit-breaker cases) reaches the adapter inside the input, unless the input has one.

pub mod ecs;
pub mod hpa;
pub mod images;
pub mod kubelet;
pub mod rolling;
pub mod scheduler;
pub mod tolerations;

use serde_json::{Map, Value};

/// The outcome of running one vector file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// `PASS id`, `FAIL id: expected X, got Y`, `SKIP id: unknown kind K`, then the summary.
    pub lines: Vec<String>,
    /// Cases that matched.
    pub passed: usize,
    /// Cases that did not match (or whose input could not be adapted).
    pub failed: usize,
    /// Cases of kinds this runner does not know.
    pub skipped: usize,
}

/// What a runner's adapter says about one case.
pub enum Outcome {
    /// The kind is not handled by this runner.
    Unknown,
    /// The function under test returned an error (compared with `error`/`errorContains`).
    Error(String),
    /// The produced result, as JSON.
    Value(Value),
    /// The adapter compared the case itself (it needed `expected`, e.g. the images kinds):
    /// `Err` says what differed, ideally as `expected X, got Y`.
    Verdict(Result<(), String>),
}

/// Runs every case of a vector file through `adapt(kind, input)` and compares.
pub fn run_cases(
    json: &str,
    adapt: impl Fn(&str, &Value) -> Result<Outcome, String>,
) -> Result<Report, String> {
    run_cases_with(json, |kind, input, _| adapt(kind, input))
}

/// Like [`run_cases`], for adapters that also see the case's `expected`
/// (`adapt(kind, input, expected)`), such as the ones answering [`Outcome::Verdict`].
pub fn run_cases_with(
    json: &str,
    adapt: impl Fn(&str, &Value, &Value) -> Result<Outcome, String>,
) -> Result<Report, String> {
    let doc: Value = serde_json::from_str(json).map_err(|e| format!("invalid vector JSON: {e}"))?;
    let cases = doc
        .get("cases")
        .and_then(Value::as_array)
        .ok_or("vector file has no `cases` array")?;
    let mut r = Report::default();
    for case in cases {
        let id = case.get("id").and_then(Value::as_str).unwrap_or("?");
        let kind = case.get("kind").and_then(Value::as_str).unwrap_or("");
        let mut input = case.get("input").cloned().unwrap_or(Value::Null);
        if let (Some(rule), Some(obj)) = (case.get("rule_version"), input.as_object_mut()) {
            obj.entry("rule_version").or_insert_with(|| rule.clone());
        }
        let expected = case.get("expected").cloned().unwrap_or(Value::Null);
        match adapt(kind, &input, &expected) {
            Ok(Outcome::Unknown) => {
                r.skipped += 1;
                r.lines.push(format!("SKIP {id}: unknown kind {kind}"));
            }
            Ok(Outcome::Verdict(Err(why))) if why.starts_with("expected") => {
                r.failed += 1;
                r.lines.push(format!("FAIL {id}: {why}"));
            }
            Ok(outcome) => match compare(&expected, &outcome) {
                Ok(()) => {
                    r.passed += 1;
                    r.lines.push(format!("PASS {id}"));
                }
                Err(got) => {
                    r.failed += 1;
                    r.lines
                        .push(format!("FAIL {id}: expected {expected}, got {got}"));
                }
            },
            Err(e) => {
                r.failed += 1;
                r.lines.push(format!(
                    "FAIL {id}: expected {expected}, got input error: {e}"
                ));
            }
        }
    }
    r.lines.push(format!(
        "{} passed, {} failed, {} skipped",
        r.passed, r.failed, r.skipped
    ));
    Ok(r)
}

/// The topics this module runs, one runner each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// `tolerations.json` (`taints-and-tolerations`).
    Tolerations,
    /// `scheduler.json` (`kube-scheduler`).
    Scheduler,
    /// `hpa.json` (`horizontal-pod-autoscaler`).
    Hpa,
    /// `rolling.json` (`deployment-rolling-update`).
    Rolling,
    /// `kubelet.json` (`kubelet-and-pods`).
    Kubelet,
    /// `images.json` (`container-images`).
    Images,
    /// `ecs.json` (`amazon-ecs`).
    Ecs,
}

impl Topic {
    /// Every topic, in the order cases of an unknown topic are offered to them.
    pub const ALL: [Topic; 7] = [
        Topic::Tolerations,
        Topic::Scheduler,
        Topic::Hpa,
        Topic::Rolling,
        Topic::Kubelet,
        Topic::Images,
        Topic::Ecs,
    ];

    /// The topic named by a vector file's `topic` field (or its file stem, `hpa`).
    /// `None` for topics without a runner.
    pub fn from_name(name: &str) -> Option<Topic> {
        Some(match name {
            "taints-and-tolerations" | "tolerations" => Topic::Tolerations,
            "kube-scheduler" | "scheduler" => Topic::Scheduler,
            "horizontal-pod-autoscaler" | "hpa" => Topic::Hpa,
            "deployment-rolling-update" | "rolling" => Topic::Rolling,
            "kubelet-and-pods" | "kubelet" => Topic::Kubelet,
            "container-images" | "images" => Topic::Images,
            "amazon-ecs" | "ecs" => Topic::Ecs,
            _ => return None,
        })
    }

    /// This topic's adapter for one case.
    fn adapt(self, kind: &str, input: &Value, expected: &Value) -> Result<Outcome, String> {
        match self {
            Topic::Tolerations => tolerations::adapt(kind, input),
            Topic::Scheduler => scheduler::adapt(kind, input),
            Topic::Hpa => hpa::adapt(kind, input),
            Topic::Rolling => rolling::adapt(kind, input),
            Topic::Kubelet => kubelet::adapt(kind, input),
            Topic::Images => images::adapt(kind, input, expected),
            Topic::Ecs => ecs::adapt(kind, input),
        }
    }
}

/// Runs a whole vector file, whatever it holds: each case goes first to the runner of the
/// file's `topic`, and if that runner does not know the case's kind (a file that mixes
/// topics, or has none) to the first runner that does. Kinds no runner knows are
/// skipped.
pub fn run_file(json: &str) -> Result<Report, String> {
    let doc: Value = serde_json::from_str(json).map_err(|e| format!("invalid vector JSON: {e}"))?;
    let own = doc
        .get("topic")
        .and_then(Value::as_str)
        .and_then(Topic::from_name);
    run_cases_with(json, |kind, input, expected| {
        for topic in own
            .into_iter()
            .chain(Topic::ALL.into_iter().filter(|t| Some(*t) != own))
        {
            match topic.adapt(kind, input, expected)? {
                Outcome::Unknown => continue,
                outcome => return Ok(outcome),
            }
        }
        Ok(Outcome::Unknown)
    })
}

fn compare(expected: &Value, outcome: &Outcome) -> Result<(), String> {
    match outcome {
        Outcome::Unknown => Err("unknown kind".to_string()),
        Outcome::Verdict(verdict) => verdict.clone(),
        Outcome::Error(msg) => {
            let got = || format!("error {msg:?}");
            let Some(exp) = expected.as_object() else {
                return Err(got());
            };
            let mut checked = false;
            for (k, v) in exp {
                match k.as_str() {
                    "error" => {
                        if v != &Value::Bool(true) && !v.is_string() {
                            return Err(got());
                        }
                        if let Some(s) = v.as_str()
                            && !msg.contains(s)
                        {
                            return Err(got());
                        }
                        checked = true;
                    }
                    "errorContains" => {
                        if !v.as_str().is_some_and(|s| msg.contains(s)) {
                            return Err(got());
                        }
                        checked = true;
                    }
                    // Values upstream returns alongside an error are not compared.
                    _ => {}
                }
            }
            if checked { Ok(()) } else { Err(got()) }
        }
        Outcome::Value(actual) => {
            let Some(exp) = expected.as_object() else {
                return if subset_eq(expected, actual) {
                    Ok(())
                } else {
                    Err(actual.to_string())
                };
            };
            for (k, v) in exp {
                let got = actual.get(k);
                let ok = match (k.as_str(), got) {
                    ("error", None) => v == &Value::Bool(false),
                    ("errorContains", _) => false,
                    (_, Some(g)) => subset_eq(v, g),
                    (_, None) => false,
                };
                if !ok {
                    return Err(actual.to_string());
                }
            }
            Ok(())
        }
    }
}

/// Structural equality where an expected object may name a subset of the actual fields.
pub fn subset_eq(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| subset_eq(v, av))),
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(x, y)| subset_eq(x, y))
        }
        (Value::Number(e), Value::Number(a)) => match (e.as_i64(), a.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => e.as_f64() == a.as_f64(),
        },
        _ => expected == actual,
    }
}

/// Small JSON accessors shared by the runners.
pub(crate) mod j {
    use super::{Map, Value};

    /// The object at `v`, or an error.
    pub fn obj<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, String> {
        v.as_object()
            .ok_or_else(|| format!("{what}: expected an object"))
    }

    /// Field `k` as i64 (`None` if absent or null).
    pub fn opt_i64(v: &Value, k: &str) -> Result<Option<i64>, String> {
        match v.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(x) => x
                .as_i64()
                .or_else(|| x.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .map(Some)
                .ok_or_else(|| format!("{k}: expected an integer, got {x}")),
        }
    }

    /// Field `k` as i64 (required).
    pub fn i64_(v: &Value, k: &str) -> Result<i64, String> {
        opt_i64(v, k)?.ok_or_else(|| format!("missing {k}"))
    }

    /// Field `k` as i32 (required).
    pub fn i32_(v: &Value, k: &str) -> Result<i32, String> {
        i32::try_from(i64_(v, k)?).map_err(|_| format!("{k}: out of range"))
    }

    /// Field `k` as f64 (`None` if absent or null).
    pub fn opt_f64(v: &Value, k: &str) -> Result<Option<f64>, String> {
        match v.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(x) => x
                .as_f64()
                .map(Some)
                .ok_or_else(|| format!("{k}: expected a number, got {x}")),
        }
    }

    /// Field `k` as bool (`None` if absent or null).
    pub fn opt_bool(v: &Value, k: &str) -> Result<Option<bool>, String> {
        match v.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(x) => x
                .as_bool()
                .map(Some)
                .ok_or_else(|| format!("{k}: expected a bool, got {x}")),
        }
    }

    /// Field `k` as a string (`None` if absent or null).
    pub fn opt_str<'a>(v: &'a Value, k: &str) -> Result<Option<&'a str>, String> {
        match v.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(x) => x
                .as_str()
                .map(Some)
                .ok_or_else(|| format!("{k}: expected a string, got {x}")),
        }
    }

    /// Field `k` as an array (empty if absent or null).
    pub fn arr<'a>(v: &'a Value, k: &str) -> Result<&'a [Value], String> {
        match v.get(k) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(x) => Err(format!("{k}: expected an array, got {x}")),
        }
    }

    /// Field `k` as a list of strings (empty if absent).
    pub fn strs(v: &Value, k: &str) -> Result<Vec<String>, String> {
        arr(v, k)?
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{k}: expected strings, got {x}"))
            })
            .collect()
    }

    /// A JSON value as a string map (labels, nodeSelector).
    pub fn string_map(
        v: Option<&Value>,
    ) -> Result<std::collections::BTreeMap<String, String>, String> {
        let mut out = std::collections::BTreeMap::new();
        if let Some(Value::Object(m)) = v {
            for (k, x) in m {
                let s = x
                    .as_str()
                    .ok_or_else(|| format!("{k}: expected a string value, got {x}"))?;
                out.insert(k.clone(), s.to_string());
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_kinds_skip_and_summary_closes() {
        let json = r#"{"topic":"x","version":1,"cases":[
            {"id":"a","kind":"k1","source":"s","input":{"v":1},"expected":{"v":1}},
            {"id":"b","kind":"k1","source":"s","input":{"v":2},"expected":{"v":1}},
            {"id":"c","kind":"other","source":"s","input":{},"expected":{}}]}"#;
        let r = run_cases(json, |kind, input| {
            Ok(match kind {
                "k1" => Outcome::Value(input.clone()),
                _ => Outcome::Unknown,
            })
        })
        .unwrap();
        assert_eq!((r.passed, r.failed, r.skipped), (1, 1, 1));
        assert_eq!(r.lines[0], "PASS a");
        assert!(r.lines[1].starts_with("FAIL b: expected {\"v\":1}, got {\"v\":2}"));
        assert_eq!(r.lines[2], "SKIP c: unknown kind other");
        assert_eq!(r.lines[3], "1 passed, 1 failed, 1 skipped");
    }

    #[test]
    fn comparisons() {
        let v = |s: &str| serde_json::from_str::<Value>(s).unwrap();
        assert!(subset_eq(
            &v(r#"{"a":[{"x":1}]}"#),
            &v(r#"{"a":[{"x":1,"y":2}],"b":3}"#)
        ));
        assert!(!subset_eq(&v(r#"[1,2]"#), &v(r#"[1]"#)));
        assert!(subset_eq(&v("1"), &v("1.0")));
        let err = Outcome::Error("boom: must be lowercase".into());
        assert!(compare(&v(r#"{"errorContains":"lowercase"}"#), &err).is_ok());
        assert!(compare(&v(r#"{"error":true}"#), &err).is_ok());
        assert!(compare(&v(r#"{"error":false,"value":1}"#), &err).is_err());
        assert!(compare(&v(r#"{"value":1}"#), &err).is_err());
        assert!(
            compare(
                &v(r#"{"error":false,"value":1}"#),
                &Outcome::Value(v(r#"{"value":1}"#))
            )
            .is_ok()
        );
        assert!(compare(&v(r#"{"extra":1}"#), &Outcome::Value(v(r#"{"value":1}"#))).is_err());
    }

    #[test]
    fn run_file_dispatches_by_topic_then_by_kind() {
        // A scheduler file with an image case, an ECS case and a kind nobody knows.
        let json = r#"{"topic":"kube-scheduler","version":1,"cases":[
            {"id":"n","kind":"numFeasibleNodesToFind","source":"s",
             "input":{"numAllNodes":1000,"percentageOfNodesToScore":0},"expected":{"numNodes":420}},
            {"id":"d","kind":"digest","source":"s","input":{"bytes":"a"},"expected":{"size":1}},
            {"id":"e","kind":"fargateTaskSize","source":"s","input":{"cpuUnits":256},
             "expected":{"validMemoryMiB":[512,1024,2048]}},
            {"id":"c","kind":"circuitBreakerThreshold","source":"s","rule_version":"current-min3",
             "input":{"desiredCount":1},"expected":{"threshold":3}},
            {"id":"x","kind":"teleport","source":"s","input":{},"expected":{}}]}"#;
        let r = run_file(json).unwrap();
        assert_eq!(r.lines[0], "PASS n");
        assert_eq!(r.lines[1], "PASS d");
        assert_eq!(r.lines[2], "PASS e");
        assert_eq!(r.lines[3], "PASS c");
        assert_eq!(r.lines[4], "SKIP x: unknown kind teleport");
        assert_eq!(r.skipped, 1);
        assert!(run_file("{").is_err());
        assert_eq!(Topic::from_name("amazon-ecs"), Some(Topic::Ecs));
        assert_eq!(Topic::from_name("amazon-eks"), None);
        assert_eq!(Topic::from_name("container-images"), Some(Topic::Images));
    }

    #[test]
    fn invalid_json_is_an_error() {
        assert!(run_cases("nope", |_, _| Ok(Outcome::Unknown)).is_err());
        assert!(run_cases("{}", |_, _| Ok(Outcome::Unknown)).is_err());
    }
}
