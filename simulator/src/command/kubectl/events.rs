//! `kubectl get events` and the `Events:` table of `kubectl describe`, built from the
//! simulator's event log.
//!
//! The log explains every step in full sentences for the learner; Kubernetes Events are
//! terser. This file maps a log entry to the Event a real component would have recorded
//! (reason, `Normal`/`Warning`, the reporting component as kubectl shows it in `FROM`,
//! and the message without the simulator's explanation), drops what real clusters do
//! not record as Events (node heartbeats, API writes, sandbox and probe-success notes),
//! and folds repeats into one row with a count, as the API server's event series do.

use super::flags::Flags;
use crate::command::CommandError;
use crate::event::{Component, Event};
use crate::format::{human_duration, table};
use crate::simulation::Simulation;
use crate::time::SimTime;

/// An Event as the Kubernetes API would hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeEvent {
    /// `Normal` or `Warning`.
    pub type_: &'static str,
    /// Reason (`Scheduled`, `BackOff` …).
    pub reason: String,
    /// Reporting component (`default-scheduler`, `kubelet`, `deployment-controller`).
    pub from: String,
    /// Message.
    pub message: String,
    /// Kind of the involved object, lower case (`pod`).
    pub kind: String,
    /// Namespace the Event lives in (`default` for cluster-scoped objects).
    pub namespace: String,
    /// Name of the involved object.
    pub name: String,
    /// First occurrence.
    pub first: SimTime,
    /// Last occurrence.
    pub last: SimTime,
    /// Occurrences.
    pub count: u32,
}

/// Reasons Kubernetes reports as `Warning`.
const WARNINGS: [&str; 12] = [
    "Failed",
    "FailedScheduling",
    "BackOff",
    "FailedCreate",
    "FailedDelete",
    "ProgressDeadlineExceeded",
    "ErrImageNeverPull",
    "Unhealthy",
    "FailedKillPod",
    "Evicted",
    "NodeNotReady",
    "FailedMount",
];

/// Log entries with no counterpart among real Events.
const NOT_EVENTS: [&str; 13] = [
    "NodeStatusUpdated",
    // The simulator's own explanations (nodes-and-failures controllers and kubelet).
    "ContainerDied",
    "TaintsChanged",
    "ReadinessChanged",
    "PodGarbageCollected",
    "NodeRemoved",
    "SandboxReady",
    "ReadinessProbeSucceeded",
    "Killed",
    "EndpointsUpdated",
    "GarbageCollected",
    "DeletingReplicaSet",
    "Reseeded",
];

/// Cuts `s` at the first `": "` outside double quotes (where the simulator's
/// explanation starts).
fn before_explanation(s: &str) -> &str {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted && s[i + 1..].starts_with(' ') => return &s[..i],
            _ => {}
        }
    }
    s
}

fn before_paren(s: &str) -> &str {
    s.split(" (").next().unwrap_or(s)
}

/// Go's `time.Duration.String()`: `500ms`, `1.458s`, `2m3.5s`.
pub fn go_duration(d: crate::time::SimDuration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = |ms: u64| {
        let s = format!("{}.{:03}", ms / 1000, ms % 1000);
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    let (h, m) = (ms / 3_600_000, (ms / 60_000) % 60);
    let rest = ms % 60_000;
    if h > 0 {
        format!("{h}h{m}m{}s", secs(rest))
    } else if m > 0 {
        format!("{m}m{}s", secs(rest))
    } else {
        format!("{}s", secs(rest))
    }
}

/// The Event a log entry stands for, if real clusters record one.
pub fn kube_event(e: &Event) -> Option<KubeEvent> {
    if NOT_EVENTS.contains(&e.kind.as_str()) {
        return None;
    }
    let mut msg = e.reason.as_str();
    let from = match e.source.component {
        Component::KubeScheduler => "default-scheduler".to_string(),
        Component::Kubelet if e.kind == "RegisteredNode" => "node-controller".to_string(),
        Component::Kubelet => "kubelet".to_string(),
        Component::KubeControllerManager => match msg.split_once(": ") {
            Some((c, rest)) if c.ends_with("-controller") => {
                msg = rest;
                c.to_string()
            }
            _ => match e.kind.as_str() {
                "SuccessfulCreate" | "SuccessfulDelete" => "replicaset-controller".into(),
                "RegisteredNode" => "node-controller".into(),
                _ => "deployment-controller".into(),
            },
        },
        _ => return None,
    };
    let message = match e.kind.as_str() {
        "Scheduled" | "Started" | "Killing" | "BackOff" | "ScalingReplicaSet" => {
            before_explanation(msg).to_string()
        }
        "ProgressDeadlineExceeded" => format!("{}.", before_explanation(msg)),
        "FailedScheduling" => msg
            .trim_end_matches(" The pod stays Pending and is retried when the cluster changes.")
            .to_string(),
        "SuccessfulCreate" | "SuccessfulDelete" => before_paren(msg).to_string(),
        // The kubelet's own status events (upstream `recordNodeStatusEvent`).
        "NodeReady" | "NodeNotReady" if e.source.component == Component::Kubelet => {
            format!("Node {} status is now: {}", e.object.name, e.kind)
        }
        "NodeNotReady" | "NodeReady" | "TaintManagerEviction" => before_paren(msg).to_string(),
        "Pulled" => {
            const LAYERS: &str = " layers already on the node)";
            if msg.contains("already present on machine") {
                before_paren(msg).to_string()
            } else if let Some(i) = msg.find(LAYERS) {
                // `… in 1.2s (3 of 5 layers already on the node).`: the layer count is
                // what makes a pull fast or slow, so it stays.
                format!("{}.", &msg[..i + LAYERS.len()])
            } else {
                // `Successfully pulled image "x" in 1s458ms. Image size: N bytes (…)`
                let m = before_paren(msg);
                match m.split_once(" in ").and_then(|(head, rest)| {
                    let (took, tail) = rest.split_once(". ")?;
                    let d = crate::time::SimDuration::parse(took).ok()?;
                    let g = go_duration(d);
                    Some(format!("{head} in {g} ({g} including waiting). {tail}."))
                }) {
                    Some(m) => m,
                    None => format!("{m}."),
                }
            }
        }
        "Pulling" => before_explanation(msg).to_string(),
        "RegisteredNode" => format!(
            "Node {} event: Registered Node {} in Controller",
            e.object.name, e.object.name
        ),
        _ => msg.to_string(),
    };
    let namespace = e
        .object
        .namespace
        .clone()
        .unwrap_or_else(|| "default".into());
    Some(KubeEvent {
        type_: if WARNINGS.contains(&e.kind.as_str()) {
            "Warning"
        } else {
            "Normal"
        },
        reason: e.kind.clone(),
        from,
        message,
        kind: e.object.kind.clone(),
        namespace,
        name: e.object.name.clone(),
        first: e.at,
        last: e.at,
        count: 1,
    })
}

/// Every Event so far, repeats folded into one with a count, ordered by last
/// occurrence.
pub fn kube_events(sim: &Simulation) -> Vec<KubeEvent> {
    let mut out: Vec<KubeEvent> = Vec::new();
    for e in sim.log().events() {
        let Some(k) = kube_event(e) else { continue };
        match out.iter_mut().find(|x| {
            x.kind == k.kind
                && x.namespace == k.namespace
                && x.name == k.name
                && x.type_ == k.type_
                && x.reason == k.reason
                && x.from == k.from
                && x.message == k.message
        }) {
            Some(x) => {
                x.count += 1;
                x.last = k.last;
            }
            None => out.push(k),
        }
    }
    out.sort_by_key(|e| e.last);
    out
}

/// Events about one object (`describe`), in the order they happened.
pub fn events_for(sim: &Simulation, kind: &str, namespace: &str, name: &str) -> Vec<KubeEvent> {
    let ns = if namespace.is_empty() {
        "default"
    } else {
        namespace
    };
    let mut v: Vec<KubeEvent> = kube_events(sim)
        .into_iter()
        .filter(|e| e.kind == kind && e.namespace == ns && e.name == name)
        .collect();
    v.sort_by_key(|e| e.first);
    v
}

/// kubectl's event age: `5s`, or `10s (x4 over 2m)` for a series.
pub fn age(e: &KubeEvent, now: SimTime) -> String {
    let last = human_duration(now.since(e.last));
    if e.count > 1 {
        format!(
            "{last} (x{} over {})",
            e.count,
            human_duration(now.since(e.first))
        )
    } else {
        human_duration(now.since(e.first))
    }
}

/// One `--field-selector` requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRequirement {
    /// Field path.
    pub field: String,
    /// `true` for `=`/`==`, `false` for `!=`.
    pub equals: bool,
    /// Value.
    pub value: String,
}

/// Parses `--field-selector` for events.
pub fn parse_field_selector(s: &str) -> Result<Vec<FieldRequirement>, CommandError> {
    let mut out = Vec::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let (field, equals, value) = if let Some((f, v)) = part.split_once("!=") {
            (f, false, v)
        } else if let Some((f, v)) = part.split_once("==") {
            (f, true, v)
        } else if let Some((f, v)) = part.split_once('=') {
            (f, true, v)
        } else {
            return Err(CommandError::new(format!(
                "error: invalid selector: '{s}'; can't understand '{part}'"
            )));
        };
        const FIELDS: [&str; 8] = [
            "involvedObject.name",
            "involvedObject.kind",
            "involvedObject.namespace",
            "type",
            "reason",
            "source",
            "metadata.name",
            "metadata.namespace",
        ];
        if !FIELDS.contains(&field) {
            return Err(CommandError::new(format!(
                "Error from server (BadRequest): Unable to find \"/v1, Resource=events\" that match label selector \"\", field selector \"{s}\": \"{field}\" is not a known field selector: only \"{}\"",
                FIELDS.join("\", \"")
            )));
        }
        out.push(FieldRequirement {
            field: field.to_string(),
            equals,
            value: value.to_string(),
        });
    }
    Ok(out)
}

fn field_matches(e: &KubeEvent, r: &FieldRequirement) -> bool {
    let kind_title = {
        let info = crate::api::kind_by_name(&e.kind);
        info.map(|i| i.kind.to_string())
            .unwrap_or_else(|| e.kind.clone())
    };
    let v = match r.field.as_str() {
        "involvedObject.name" => e.name.clone(),
        "involvedObject.kind" => kind_title,
        "involvedObject.namespace" | "metadata.namespace" => e.namespace.clone(),
        "type" => e.type_.to_string(),
        "reason" => e.reason.clone(),
        "source" => e.from.clone(),
        _ => String::new(),
    };
    (v == r.value) == r.equals
}

/// Arguments of `kubectl get events`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsArgs {
    /// `-n`.
    pub namespace: String,
    /// `-A`.
    pub all_namespaces: bool,
    /// `--field-selector`.
    pub fields: Vec<FieldRequirement>,
}

/// Parses `get events` flags.
pub fn parse(pos: &[String], f: &Flags) -> Result<EventsArgs, CommandError> {
    if pos.len() > 1 {
        return Err(CommandError::new(
            "error: naming single events is not supported here; use --field-selector involvedObject.name=NAME",
        ));
    }
    if f.get("output").is_some() || f.get("selector").is_some() || f.on("show-labels") {
        return Err(CommandError::new(
            "error: `get events` here prints the default table only (no -o, -l or --show-labels)",
        ));
    }
    Ok(EventsArgs {
        namespace: f.get("namespace").unwrap_or("default").to_string(),
        all_namespaces: f.on("all-namespaces"),
        fields: parse_field_selector(f.get("field-selector").unwrap_or(""))?,
    })
}

/// Runs `kubectl get events`.
pub fn run(sim: &Simulation, args: &EventsArgs) -> Result<String, CommandError> {
    let now = sim.now();
    let evs: Vec<KubeEvent> = kube_events(sim)
        .into_iter()
        .filter(|e| args.all_namespaces || e.namespace == args.namespace)
        .filter(|e| args.fields.iter().all(|r| field_matches(e, r)))
        .collect();
    if evs.is_empty() {
        return Ok(if args.all_namespaces {
            "No resources found\n".into()
        } else {
            format!("No resources found in {} namespace.\n", args.namespace)
        });
    }
    let mut header = Vec::new();
    if args.all_namespaces {
        header.push("NAMESPACE");
    }
    header.extend(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
    let rows: Vec<Vec<String>> = evs
        .iter()
        .map(|e| {
            let mut r = Vec::new();
            if args.all_namespaces {
                r.push(e.namespace.clone());
            }
            r.extend([
                human_duration(now.since(e.last)),
                e.type_.to_string(),
                e.reason.clone(),
                format!("{}/{}", e.kind, e.name),
                e.message.clone(),
            ]);
            r
        })
        .collect();
    Ok(table(&header, &rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{ObjectRef, Source};

    fn ev(component: Component, kind: &str, reason: &str) -> Event {
        Event {
            seq: 0,
            at: SimTime(1000),
            source: Source::on(component, "worker-1"),
            object: ObjectRef::namespaced("pod", "default", "web-1"),
            kind: kind.into(),
            reason: reason.into(),
            detail: None,
        }
    }

    #[test]
    fn maps_log_entries_to_kubernetes_events() {
        let e = kube_event(&ev(
            Component::Kubelet,
            "BackOff",
            "Back-off pulling image \"nginx:1.27-broken\": next attempt in 20s (ImagePullBackOff doubles from 10s up to 5m)",
        ))
        .unwrap();
        assert_eq!(e.type_, "Warning");
        assert_eq!(e.from, "kubelet");
        assert_eq!(e.message, "Back-off pulling image \"nginx:1.27-broken\"");
        let e = kube_event(&ev(
            Component::KubeControllerManager,
            "SuccessfulCreate",
            "replicaset-controller: Created pod: web-1 (pod 1 of 3: 0 existed, spec.replicas is 3)",
        ))
        .unwrap();
        assert_eq!(
            (e.from.as_str(), e.message.as_str(), e.type_),
            ("replicaset-controller", "Created pod: web-1", "Normal")
        );
        let e = kube_event(&ev(
            Component::KubeScheduler,
            "Scheduled",
            "Successfully assigned default/web-1 to worker-1: it scored highest",
        ))
        .unwrap();
        assert_eq!(e.from, "default-scheduler");
        assert_eq!(e.message, "Successfully assigned default/web-1 to worker-1");
        assert!(kube_event(&ev(Component::Kubelet, "NodeStatusUpdated", "x")).is_none());
        assert!(kube_event(&ev(Component::KubeApiserver, "Created", "x")).is_none());
    }

    #[test]
    fn go_durations() {
        use crate::time::SimDuration;
        assert_eq!(go_duration(SimDuration(1458)), "1.458s");
        assert_eq!(go_duration(SimDuration(500)), "500ms");
        assert_eq!(go_duration(SimDuration(123_500)), "2m3.5s");
        assert_eq!(go_duration(SimDuration(2000)), "2s");
        let e = kube_event(&ev(
            Component::Kubelet,
            "Pulled",
            "Successfully pulled image \"nginx:1.27\" in 1s458ms. Image size: 62914560 bytes (62 MB at 50 MB/s)",
        ))
        .unwrap();
        assert_eq!(
            e.message,
            "Successfully pulled image \"nginx:1.27\" in 1.458s (1.458s including waiting). Image size: 62914560 bytes."
        );
    }

    #[test]
    fn field_selectors() {
        let r = parse_field_selector("involvedObject.name=web-1,type!=Normal").unwrap();
        assert_eq!(r.len(), 2);
        assert!(!r[1].equals);
        assert!(parse_field_selector("spec.x=1").is_err());
        assert!(parse_field_selector("nonsense").is_err());
    }
}
