//! Runner for `vectors/kubelet.json`.

use super::tolerations::{toleration_json, tolerations};
use super::{Outcome, Report, j, run_cases};
use crate::kube::image_ref::{default_pull_policy, parse_image_name};
use crate::kube::taint::{DEFAULT_TOLERATION_SECONDS, default_tolerations_to_add};
use crate::kubelet::backoff::Backoff;
use crate::kubelet::defaults::{
    DNS_POLICY, ProbeTiming, RESTART_POLICY, SCHEDULER_NAME, TERMINATION_GRACE_PERIOD_SECONDS,
    TERMINATION_MESSAGE_PATH, TERMINATION_MESSAGE_POLICY,
};
use crate::kubelet::pod_phase::{
    ContainerPhaseInput, ContainerState, RestartPolicy, get_phase,
    has_any_regular_container_started,
};
use crate::time::{SimDuration, SimTime};
use serde_json::{Value, json};

/// Runs every case; unknown kinds are skipped.
pub fn run_vectors(json: &str) -> Result<Report, String> {
    run_cases(json, adapt)
}

fn secs(v: &Value, k: &str) -> Result<SimDuration, String> {
    let s = j::opt_f64(v, k)?.ok_or_else(|| format!("missing {k}"))?;
    Ok(SimDuration((s * 1000.0).round() as u64))
}

/// The upstream test's state helpers: `running`, `waiting`, `waitingWithLastTermination`
/// (last exit 0), `waitingWithNonZeroTermination`, `stopped`/`succeeded` (exit 0),
/// `failed` (exit −1), `unknown`/`null` (no status).
fn state(name: &str) -> Result<Option<ContainerState>, String> {
    let waiting = |last| ContainerState::Waiting {
        reason: String::new(),
        last_exit_code: last,
    };
    // Accept the helper names too (`runningState`, `waitingStateWithLastTermination`…).
    let normalized = name.replace("State", "");
    Ok(Some(match normalized.as_str() {
        "running" => ContainerState::Running { started: true },
        "runningNotStarted" => ContainerState::Running { started: false },
        "waiting" => waiting(None),
        "waitingWithLastTermination" => waiting(Some(0)),
        "waitingWithNonZeroTermination" | "waitingWithLastTerminationFailed" => waiting(Some(-1)),
        "stopped" | "succeeded" => ContainerState::Terminated { exit_code: 0 },
        "failed" => ContainerState::Terminated { exit_code: -1 },
        "unset" | "empty" => ContainerState::Unset,
        "unknown" | "missing" | "" => return Ok(None),
        other => return Err(format!("unknown container state {other:?}")),
    }))
}

fn containers(
    input: &Value,
    names_key: &str,
    states_key: &str,
) -> Result<Vec<ContainerPhaseInput>, String> {
    let states: Vec<Value> = j::arr(input, states_key)?.to_vec();
    let names = j::arr(input, names_key)?;
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let (name, restartable) = match n {
                Value::String(s) => (s.clone(), false),
                other => (
                    j::opt_str(other, "name")?.unwrap_or("").to_string(),
                    j::opt_str(other, "restartPolicy")? == Some("Always"),
                ),
            };
            let st = match states.get(i) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => state(s)?,
                Some(other) => return Err(format!("unexpected state {other}")),
            };
            Ok(ContainerPhaseInput {
                name,
                restartable,
                state: st,
            })
        })
        .collect()
}

pub(crate) fn adapt(kind: &str, input: &Value) -> Result<Outcome, String> {
    let out = match kind {
        "parseImageName" => {
            let image = j::opt_str(input, "image")?.unwrap_or("");
            match parse_image_name(image) {
                Ok(r) => json!({
                    "repo": r.repo,
                    "tag": r.tag,
                    "digest": r.digest,
                    "pullPolicy": default_pull_policy(image).as_str(),
                }),
                Err(e) => return Ok(Outcome::Error(e)),
            }
        }
        "backoffSequence" => {
            let mut b = Backoff::new(secs(input, "initialSeconds")?, secs(input, "maxSeconds")?);
            let step = secs(input, "stepSecondsBetweenCalls")?;
            let mut now = SimTime::ZERO;
            let mut seen = Vec::new();
            for _ in 0..j::i64_(input, "calls")? {
                now = now.after(step);
                seen.push(json!(b.get("id").as_secs_f64_exact()));
                b.next("id", now, now);
            }
            json!({ "getBeforeEachNextSeconds": seen })
        }
        "backoffReset" | "backoffHighWaterMark" => {
            let mut b = Backoff::new(secs(input, "initialSeconds")?, secs(input, "maxSeconds")?);
            let step = secs(input, "stepSeconds")?;
            let mut now = SimTime::ZERO;
            for _ in 0..j::i64_(input, "nextCalls")? {
                now = now.after(step);
                b.next("id", now, now);
            }
            let before = b.is_in_backoff_since("id", now, now);
            let last_update = now;
            now = now.after(secs(input, "thenAdvanceSeconds")?);
            let after = b.is_in_backoff_since("id", last_update, now);
            if j::opt_bool(input, "thenNext")?.unwrap_or(false) {
                b.next("id", now, now);
            }
            json!({
                "inBackoffBeforeAdvance": before,
                "inBackoffAfterAdvance": after,
                "backoffSeconds": b.get("id").as_secs_f64_exact(),
            })
        }
        "podPhase" => {
            let policy = RestartPolicy::parse(j::opt_str(input, "restartPolicy")?.unwrap_or(""))?;
            let regular = containers(input, "containers", "containerStates")?;
            let init = containers(input, "initContainers", "initContainerStates")?;
            let terminal = j::opt_bool(input, "podIsTerminal")?.unwrap_or(false);
            let initialized = j::opt_bool(input, "podHasInitialized")?
                .unwrap_or_else(|| has_any_regular_container_started(&regular));
            let phase = get_phase(policy, &init, &regular, terminal, initialized);
            json!({ "phase": phase.as_str() })
        }
        "defaults" => {
            let mut out = serde_json::Map::new();
            if let Some(p) = input.get("probe") {
                let timing: ProbeTiming =
                    serde_json::from_value(p.clone()).map_err(|e| format!("probe: {e}"))?;
                let d = timing.with_defaults();
                out.insert("timeoutSeconds".into(), json!(d.timeout_seconds));
                out.insert("periodSeconds".into(), json!(d.period_seconds));
                out.insert("successThreshold".into(), json!(d.success_threshold));
                out.insert("failureThreshold".into(), json!(d.failure_threshold));
                out.insert("initialDelaySeconds".into(), json!(d.initial_delay_seconds));
            }
            if input.get("podTolerations").is_some() {
                let added = default_tolerations_to_add(
                    &tolerations(input, "podTolerations")?,
                    DEFAULT_TOLERATION_SECONDS,
                    DEFAULT_TOLERATION_SECONDS,
                );
                out.insert(
                    "addedTolerations".into(),
                    json!(added.iter().map(toleration_json).collect::<Vec<_>>()),
                );
            }
            if let Some(image) = j::opt_str(input, "image")? {
                out.insert(
                    "imagePullPolicy".into(),
                    json!(default_pull_policy(image).as_str()),
                );
            }
            let pod = input.get("pod").or_else(|| input.get("podSpec"));
            if let Some(p) = pod {
                let grace = j::opt_i64(p, "terminationGracePeriodSeconds")?
                    .unwrap_or(TERMINATION_GRACE_PERIOD_SECONDS);
                out.insert("terminationGracePeriodSeconds".into(), json!(grace));
                let rp = j::opt_str(p, "restartPolicy")?.unwrap_or(RESTART_POLICY);
                out.insert("restartPolicy".into(), json!(rp));
                out.insert(
                    "dnsPolicy".into(),
                    json!(j::opt_str(p, "dnsPolicy")?.unwrap_or(DNS_POLICY)),
                );
                out.insert(
                    "schedulerName".into(),
                    json!(j::opt_str(p, "schedulerName")?.unwrap_or(SCHEDULER_NAME)),
                );
            }
            if pod.is_some() || input.get("container").is_some() {
                out.insert(
                    "terminationMessagePath".into(),
                    json!(TERMINATION_MESSAGE_PATH),
                );
                out.insert(
                    "terminationMessagePolicy".into(),
                    json!(TERMINATION_MESSAGE_POLICY),
                );
            }
            if let Some(c) = input.get("container")
                && let Some(image) = j::opt_str(c, "image")?
            {
                out.insert(
                    "imagePullPolicy".into(),
                    json!(default_pull_policy(image).as_str()),
                );
            }
            if out.is_empty() {
                return Err(format!("no known defaults for input {input}"));
            }
            Value::Object(out)
        }
        _ => return Ok(Outcome::Unknown),
    };
    Ok(Outcome::Value(out))
}

/// Seconds of a duration as an exact JSON number (integral when whole).
trait SecsJson {
    fn as_secs_f64_exact(&self) -> Value;
}

impl SecsJson for SimDuration {
    fn as_secs_f64_exact(&self) -> Value {
        if self.0.is_multiple_of(1000) {
            json!(self.0 / 1000)
        } else {
            json!(self.0 as f64 / 1000.0)
        }
    }
}
