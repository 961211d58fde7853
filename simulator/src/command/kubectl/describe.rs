//! `kubectl describe TYPE [NAME]` for nodes, pods, deployments, replicasets, services
//! and namespaces, laid out like kubectl's describers (`k8s.io/kubectl/pkg/describe`):
//! tab-separated cells aligned by a port of Go's `text/tabwriter` (padding 2), the
//! same fields in the same order, and an `Events:` table from the event log.

use super::events::{self, KubeEvent};
use super::flags::Flags;
use super::resource::not_found;
use crate::api::node::Node;
use crate::api::pod::{Container, ContainerState, ContainerStatus, Pod, Probe};
use crate::api::scheduling::Toleration;
use crate::api::service::Service;
use crate::api::values::IntOrString;
use crate::api::workloads::{Deployment, PodTemplateSpec, ReplicaSet};
use crate::api::{KindInfo, Object, Timestamp};
use crate::command::CommandError;
use crate::simulation::Simulation;
use crate::time::SimTime;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Aligns tab-terminated cells like Go's `tabwriter.NewWriter(out, 0, 8, padding, ' ',
/// 0)`: a column block is a run of consecutive lines that have a cell in that column;
/// every cell of the block is padded to the block's widest cell plus `padding`. The
/// last cell of a line is not part of any column.
pub fn tabwriter(text: &str, padding: usize) -> String {
    let lines: Vec<Vec<&str>> = text
        .strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .map(|l| l.split('\t').collect())
        .collect();
    let mut widths: Vec<Vec<usize>> = lines.iter().map(|_| Vec::new()).collect();
    format_block(&lines, &mut widths, 0, lines.len(), 0, padding);
    let mut out = String::new();
    for (cells, w) in lines.iter().zip(&widths) {
        for (j, c) in cells.iter().enumerate() {
            out.push_str(c);
            if j + 1 < cells.len() {
                let pad = w[j].saturating_sub(c.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

fn format_block(
    lines: &[Vec<&str>],
    widths: &mut [Vec<usize>],
    line0: usize,
    line1: usize,
    column: usize,
    padding: usize,
) {
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        let start = this;
        let mut width = 0;
        while this < line1 && column + 1 < lines[this].len() {
            width = width.max(lines[this][column].chars().count() + padding);
            this += 1;
        }
        for w in widths.iter_mut().take(this).skip(start) {
            w.push(width);
        }
        format_block(lines, widths, start, this, column + 1, padding);
    }
}

/// RFC 1123 with numeric zone, as Go's `time.RFC1123Z`: `Wed, 01 Jan 2025 00:00:00 +0000`.
pub fn rfc1123z(t: SimTime) -> String {
    let iso = Timestamp(t).rfc3339(); // 2025-01-01T00:00:00Z
    let days = crate::api::meta::EPOCH_DAYS_SINCE_1970 + (t.as_millis() / 86_400_000) as i64;
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month: usize = iso[5..7].parse().unwrap_or(1);
    format!(
        "{wd}, {} {} {} {} +0000",
        &iso[8..10],
        MONTHS[month.saturating_sub(1) % 12],
        &iso[0..4],
        &iso[11..19]
    )
}

fn ts(t: Option<Timestamp>) -> String {
    t.map(|t| rfc1123z(t.0))
        .unwrap_or_else(|| "Mon, 01 Jan 0001 00:00:00 +0000".into())
}

/// `printLabelsMultiline`.
fn labels(w: &mut String, title: &str, m: &BTreeMap<String, String>) {
    let _ = write!(w, "{title}:\t");
    if m.is_empty() {
        w.push_str("<none>\n");
        return;
    }
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            w.push('\t');
        }
        let _ = writeln!(w, "{k}={v}");
    }
}

/// `printAnnotationsMultiline` (values over 140 characters are shortened).
fn annotations(w: &mut String, title: &str, m: &BTreeMap<String, String>) {
    const MAX: usize = 140;
    let _ = write!(w, "{title}:\t");
    if m.is_empty() {
        w.push_str("<none>\n");
        return;
    }
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            w.push('\t');
        }
        let v = v.strip_suffix('\n').unwrap_or(v);
        if v.len() + k.len() + 2 > MAX || v.contains('\n') {
            let _ = writeln!(w, "{k}:");
            for s in v.split('\n') {
                let short: String = if s.chars().count() > MAX - 2 {
                    s.chars().take(MAX - 2).collect::<String>() + "..."
                } else {
                    s.to_string()
                };
                let _ = writeln!(w, "\t  {short}");
            }
        } else {
            let _ = writeln!(w, "{k}: {v}");
        }
    }
}

/// `printPodTolerationsMultiline` / `printNodeTaintsMultiline`-style lists.
fn tolerations(w: &mut String, title: &str, ts: &[Toleration]) {
    let _ = write!(w, "{title}:\t");
    if ts.is_empty() {
        w.push_str("<none>\n");
        return;
    }
    for (i, t) in ts.iter().enumerate() {
        if i > 0 {
            w.push('\t');
        }
        w.push_str(&t.key);
        if !t.value.is_empty() {
            let _ = write!(w, "={}", t.value);
        }
        if !t.effect.is_empty() {
            let _ = write!(w, ":{}", t.effect);
        }
        if t.operator == "Exists" && t.value.is_empty() {
            if !t.key.is_empty() || !t.effect.is_empty() {
                w.push_str(" op=Exists");
            } else {
                w.push_str("op=Exists");
            }
        }
        if let Some(s) = t.toleration_seconds {
            let _ = write!(w, " for {s}s");
        }
        w.push('\n');
    }
}

fn port_str(p: &IntOrString) -> String {
    p.to_string()
}

/// `DescribeProbe`.
fn probe(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(1),
        p.period_seconds.unwrap_or(10),
        p.success_threshold.unwrap_or(1),
        p.failure_threshold.unwrap_or(3)
    );
    if let Some(e) = &p.exec {
        format!("exec [{}] {attrs}", e.command.join(" "))
    } else if let Some(h) = &p.http_get {
        let scheme = h.scheme.as_deref().unwrap_or("HTTP").to_ascii_lowercase();
        format!(
            "http-get {scheme}://{}:{}{} {attrs}",
            h.host.as_deref().unwrap_or(""),
            port_str(&h.port),
            h.path.as_deref().unwrap_or("")
        )
    } else if let Some(t) = &p.tcp_socket {
        format!(
            "tcp-socket {}:{} {attrs}",
            t.host.as_deref().unwrap_or(""),
            port_str(&t.port)
        )
    } else if p.grpc.is_some() {
        format!("grpc {attrs}")
    } else {
        format!("unknown {attrs}")
    }
}

fn state(w: &mut String, title: &str, s: &ContainerState) {
    if let Some(r) = &s.running {
        let _ = writeln!(w, "    {title}:\tRunning");
        let started = r.get("startedAt").and_then(|v| v.as_str()).unwrap_or("");
        let _ = writeln!(w, "      Started:\t{}", rfc3339_to_1123(started));
    } else if let Some(wt) = &s.waiting {
        let _ = writeln!(w, "    {title}:\tWaiting");
        if let Some(r) = wt.reason.as_deref().filter(|r| !r.is_empty()) {
            let _ = writeln!(w, "      Reason:\t{r}");
        }
    } else if let Some(t) = &s.terminated {
        let _ = writeln!(w, "    {title}:\tTerminated");
        if let Some(r) = t.get("reason").and_then(|v| v.as_str()) {
            let _ = writeln!(w, "      Reason:\t{r}");
        }
        if let Some(m) = t.get("message").and_then(|v| v.as_str()) {
            let _ = writeln!(w, "      Message:\t{m}");
        }
        let _ = writeln!(
            w,
            "      Exit Code:\t{}",
            t.get("exitCode").and_then(|v| v.as_i64()).unwrap_or(0)
        );
        for (label, key) in [("Started", "startedAt"), ("Finished", "finishedAt")] {
            let v = t.get(key).and_then(|v| v.as_str()).unwrap_or("");
            let _ = writeln!(w, "      {label}:\t{}", rfc3339_to_1123(v));
        }
    } else {
        let _ = writeln!(w, "    {title}:\tWaiting");
    }
}

/// Converts an RFC 3339 timestamp the simulator wrote back to RFC 1123Z.
fn rfc3339_to_1123(s: &str) -> String {
    // The simulator writes `YYYY-MM-DDTHH:MM:SSZ` from its epoch; recover the SimTime.
    let parse = || -> Option<SimTime> {
        let y: i64 = s.get(0..4)?.parse().ok()?;
        let mo: i64 = s.get(5..7)?.parse().ok()?;
        let d: i64 = s.get(8..10)?.parse().ok()?;
        let h: u64 = s.get(11..13)?.parse().ok()?;
        let mi: u64 = s.get(14..16)?.parse().ok()?;
        let se: u64 = s.get(17..19)?.parse().ok()?;
        // Days from civil (Howard Hinnant).
        let y2 = if mo <= 2 { y - 1 } else { y };
        let era = y2.div_euclid(400);
        let yoe = y2 - era * 400;
        let mp = (mo + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468 - crate::api::meta::EPOCH_DAYS_SINCE_1970;
        let secs = u64::try_from(days).ok()? * 86_400 + h * 3600 + mi * 60 + se;
        Some(SimTime(secs * 1000))
    };
    parse().map(rfc1123z).unwrap_or_default()
}

/// `describeContainers`.
fn containers(
    w: &mut String,
    title: &str,
    cs: &[Container],
    statuses: Option<&[ContainerStatus]>,
    space: &str,
) {
    let _ = writeln!(w, "{space}{title}:");
    let name_indent = if space.is_empty() { "" } else { " " };
    for c in cs {
        let st = statuses.and_then(|s| s.iter().find(|x| x.name == c.name));
        let _ = writeln!(w, "  {name_indent}{}:", c.name);
        if let Some(s) = st {
            let _ = writeln!(
                w,
                "    Container ID:\t{}",
                s.container_id.as_deref().unwrap_or("")
            );
        }
        let _ = writeln!(w, "    Image:\t{}", c.image);
        if let Some(s) = st {
            let _ = writeln!(w, "    Image ID:\t{}", s.image_id);
        }
        let ports: Vec<String> = c
            .ports
            .iter()
            .map(|p| {
                let proto = p.protocol.as_deref().unwrap_or("TCP");
                match &p.name {
                    Some(n) => format!("{}/{proto} ({n})", p.container_port),
                    None => format!("{}/{proto}", p.container_port),
                }
            })
            .collect();
        let host: Vec<String> = c
            .ports
            .iter()
            .map(|p| {
                format!(
                    "{}/{}",
                    p.host_port.unwrap_or(0),
                    p.protocol.as_deref().unwrap_or("TCP")
                )
            })
            .collect();
        let none = |v: &[String]| {
            if v.is_empty() {
                "<none>".to_string()
            } else {
                v.join(", ")
            }
        };
        let plural = if ports.len() > 1 { "s" } else { "" };
        let _ = writeln!(w, "    Port{plural}:\t{}", none(&ports));
        let _ = writeln!(w, "    Host Port{plural}:\t{}", none(&host));
        if !c.command.is_empty() {
            w.push_str("    Command:\n");
            for a in &c.command {
                let _ = writeln!(w, "      {a}");
            }
        }
        if !c.args.is_empty() {
            w.push_str("    Args:\n");
            for a in &c.args {
                let _ = writeln!(w, "      {a}");
            }
        }
        if let Some(s) = st {
            state(w, "State", &s.state);
            if s.last_state.terminated.is_some() {
                state(w, "Last State", &s.last_state);
            }
            let _ = writeln!(w, "    Ready:\t{}", if s.ready { "True" } else { "False" });
            let _ = writeln!(w, "    Restart Count:\t{}", s.restart_count);
        }
        for (title, list) in [
            ("Limits", &c.resources.limits),
            ("Requests", &c.resources.requests),
        ] {
            if !list.is_empty() {
                let _ = writeln!(w, "    {title}:");
                for (k, v) in list {
                    let _ = writeln!(w, "      {k}:\t{}", v.0);
                }
            }
        }
        for (title, p) in [
            ("Liveness", &c.liveness_probe),
            ("Readiness", &c.readiness_probe),
            ("Startup", &c.startup_probe),
        ] {
            if let Some(p) = p {
                let _ = writeln!(w, "    {title}:\t{}", probe(p));
            }
        }
        if c.env.is_empty() {
            w.push_str("    Environment:\t<none>\n");
        } else {
            w.push_str("    Environment:\n");
            for e in &c.env {
                match &e.value {
                    Some(v) => {
                        let _ = writeln!(w, "      {}:\t{v}", e.name);
                    }
                    None => {
                        let _ = writeln!(w, "      {}:\t<set from valueFrom>", e.name);
                    }
                }
            }
        }
        match c.volume_mounts.as_ref().and_then(|v| v.as_array()) {
            Some(mounts) if !mounts.is_empty() => {
                w.push_str("    Mounts:\n");
                for m in mounts {
                    let path = m.get("mountPath").and_then(|v| v.as_str()).unwrap_or("");
                    let name = m.get("name").and_then(|v| v.as_str()).unwrap_or("");
                    let ro = m.get("readOnly").and_then(|v| v.as_bool()) == Some(true);
                    let _ = writeln!(
                        w,
                        "      {path} from {name} ({})",
                        if ro { "ro" } else { "rw" }
                    );
                }
            }
            _ => w.push_str("    Mounts:\t<none>\n"),
        }
    }
}

fn volumes(w: &mut String, v: Option<&serde_json::Value>, space: &str) {
    match v.and_then(|v| v.as_array()) {
        Some(vols) if !vols.is_empty() => {
            let _ = writeln!(w, "{space}Volumes:");
            for vol in vols {
                let name = vol.get("name").and_then(|v| v.as_str()).unwrap_or("");
                let ty = vol
                    .as_object()
                    .and_then(|o| o.keys().find(|k| *k != "name").cloned())
                    .unwrap_or_default();
                let _ = writeln!(w, "{space}  {name}:");
                let _ = writeln!(w, "{space}    Type:\t{ty}");
            }
        }
        _ => {
            let _ = writeln!(w, "{space}Volumes:\t<none>");
        }
    }
}

/// `DescribePodTemplate`, as raw tab-separated text.
fn pod_template_raw(w: &mut String, t: &PodTemplateSpec) {
    w.push_str("Pod Template:\n");
    labels(w, "  Labels", &t.metadata.labels);
    if !t.metadata.annotations.is_empty() {
        annotations(w, "  Annotations", &t.metadata.annotations);
    }
    if let Some(sa) = t
        .spec
        .service_account_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        let _ = writeln!(w, "  Service Account:\t{sa}");
    }
    if !t.spec.init_containers.is_empty() {
        containers(w, "Init Containers", &t.spec.init_containers, None, "  ");
    }
    containers(w, "Containers", &t.spec.containers, None, "  ");
    volumes(w, t.spec.volumes.as_ref(), "  ");
    if let Some(p) = t.spec.priority_class_name.as_deref() {
        let _ = writeln!(w, "  Priority Class Name:\t{p}");
    }
    labels(w, "  Node-Selectors", &t.spec.node_selector);
    tolerations(w, "  Tolerations", &t.spec.tolerations);
}

/// A pod template as `kubectl rollout history --revision=N` prints it.
pub fn pod_template(t: &PodTemplateSpec) -> String {
    let mut w = String::new();
    pod_template_raw(&mut w, t);
    tabwriter(&w, 2)
}

fn events_table(w: &mut String, evs: &[KubeEvent], now: SimTime) {
    if evs.is_empty() {
        w.push_str("Events:\t<none>\n");
        return;
    }
    w.push_str("Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.push_str("  ----\t------\t----\t----\t-------\n");
    for e in evs {
        let _ = writeln!(
            w,
            "  {}\t{}\t{}\t{}\t{}",
            e.type_,
            e.reason,
            events::age(e, now),
            e.from,
            e.message.trim()
        );
    }
}

fn controlled_by(meta: &crate::api::ObjectMeta) -> Option<String> {
    meta.controller().map(|o| format!("{}/{}", o.kind, o.name))
}

fn qos(p: &Pod) -> String {
    if let Some(q) = &p.status.qos_class {
        return q.clone();
    }
    let cs = &p.spec.containers;
    let any = cs
        .iter()
        .any(|c| !c.resources.requests.is_empty() || !c.resources.limits.is_empty());
    if !any {
        return "BestEffort".into();
    }
    let guaranteed = cs.iter().all(|c| {
        ["cpu", "memory"].iter().all(|r| {
            let l = c.resources.limits.get(*r);
            l.is_some() && c.resources.requests.get(*r).is_none_or(|q| Some(q) == l)
        })
    });
    if guaranteed {
        "Guaranteed".into()
    } else {
        "Burstable".into()
    }
}

fn describe_pod(sim: &Simulation, p: &Pod) -> String {
    let mut w = String::new();
    let ns = p.metadata.namespace_or_default();
    let _ = writeln!(w, "Name:\t{}", p.metadata.name);
    let _ = writeln!(w, "Namespace:\t{ns}");
    let _ = writeln!(w, "Priority:\t{}", p.spec.priority.unwrap_or(0));
    if let Some(pc) = &p.spec.priority_class_name {
        let _ = writeln!(w, "Priority Class Name:\t{pc}");
    }
    let _ = writeln!(
        w,
        "Service Account:\t{}",
        p.spec.service_account_name.as_deref().unwrap_or("default")
    );
    match &p.spec.node_name {
        None => w.push_str("Node:\t<none>\n"),
        Some(n) => {
            let _ = writeln!(
                w,
                "Node:\t{n}/{}",
                p.status.host_ip.as_deref().unwrap_or("")
            );
        }
    }
    if let Some(t) = p.status.start_time {
        let _ = writeln!(w, "Start Time:\t{}", rfc1123z(t.0));
    }
    labels(&mut w, "Labels", &p.metadata.labels);
    annotations(&mut w, "Annotations", &p.metadata.annotations);
    match p.metadata.deletion_timestamp {
        Some(t) => {
            let grace = p.metadata.deletion_grace_period_seconds.unwrap_or(30);
            let _ = writeln!(
                w,
                "Status:\tTerminating (lasts {})",
                crate::format::human_duration(sim.now().since(t.0))
            );
            let _ = writeln!(w, "Termination Grace Period:\t{grace}s");
        }
        None => {
            let _ = writeln!(
                w,
                "Status:\t{}",
                p.status.phase.as_deref().unwrap_or("Pending")
            );
        }
    }
    if let Some(r) = &p.status.reason {
        let _ = writeln!(w, "Reason:\t{r}");
    }
    if let Some(m) = &p.status.message {
        let _ = writeln!(w, "Message:\t{m}");
    }
    let _ = writeln!(w, "IP:\t{}", p.status.pod_ip.as_deref().unwrap_or(""));
    match &p.status.pod_ip {
        Some(ip) => {
            w.push_str("IPs:\n");
            let _ = writeln!(w, "  IP:\t{ip}");
        }
        None => w.push_str("IPs:\t<none>\n"),
    }
    if let Some(c) = controlled_by(&p.metadata) {
        let _ = writeln!(w, "Controlled By:\t{c}");
    }
    if let Some(n) = &p.status.nominated_node_name {
        let _ = writeln!(w, "NominatedNodeName:\t{n}");
    }
    if !p.spec.init_containers.is_empty() {
        containers(
            &mut w,
            "Init Containers",
            &p.spec.init_containers,
            Some(&p.status.init_container_statuses),
            "",
        );
    }
    containers(
        &mut w,
        "Containers",
        &p.spec.containers,
        Some(&p.status.container_statuses),
        "",
    );
    if !p.status.conditions.is_empty() {
        w.push_str("Conditions:\n  Type\tStatus\n");
        for c in &p.status.conditions {
            let _ = writeln!(w, "  {} \t{} ", c.type_, c.status);
        }
    }
    volumes(&mut w, p.spec.volumes.as_ref(), "");
    let _ = writeln!(w, "QoS Class:\t{}", qos(p));
    labels(&mut w, "Node-Selectors", &p.spec.node_selector);
    tolerations(&mut w, "Tolerations", &p.spec.tolerations);
    events_table(
        &mut w,
        &events::events_for(sim, "pod", ns, &p.metadata.name),
        sim.now(),
    );
    tabwriter(&w, 2)
}

fn rs_list(rss: &[&ReplicaSet]) -> String {
    if rss.is_empty() {
        return "<none>".into();
    }
    rss.iter()
        .map(|rs| {
            format!(
                "{} ({}/{} replicas created)",
                rs.metadata.name,
                rs.status.replicas,
                rs.spec.replicas.unwrap_or(1)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_deployment(sim: &Simulation, d: &Deployment) -> String {
    let mut w = String::new();
    let ns = d.metadata.namespace_or_default();
    let _ = writeln!(w, "Name:\t{}", d.metadata.name);
    let _ = writeln!(w, "Namespace:\t{ns}");
    let _ = writeln!(
        w,
        "CreationTimestamp:\t{}",
        ts(d.metadata.creation_timestamp)
    );
    labels(&mut w, "Labels", &d.metadata.labels);
    annotations(&mut w, "Annotations", &d.metadata.annotations);
    let _ = writeln!(w, "Selector:\t{}", d.spec.selector.to_selector_string());
    let s = &d.status;
    let _ = writeln!(
        w,
        "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable",
        d.spec.replicas.unwrap_or(1),
        s.updated_replicas,
        s.replicas,
        s.available_replicas,
        s.unavailable_replicas
    );
    let strategy = d.spec.strategy.type_.as_deref().unwrap_or("RollingUpdate");
    let _ = writeln!(w, "StrategyType:\t{strategy}");
    let _ = writeln!(
        w,
        "MinReadySeconds:\t{}",
        d.spec.min_ready_seconds.unwrap_or(0)
    );
    if strategy == "RollingUpdate" {
        let ru = d.spec.strategy.rolling_update.clone().unwrap_or_default();
        let show = |v: &Option<IntOrString>| {
            v.as_ref()
                .map(|v| v.to_string())
                .unwrap_or_else(|| "25%".into())
        };
        let _ = writeln!(
            w,
            "RollingUpdateStrategy:\t{} max unavailable, {} max surge",
            show(&ru.max_unavailable),
            show(&ru.max_surge)
        );
    }
    pod_template_raw(&mut w, &d.spec.template);
    if !s.conditions.is_empty() {
        w.push_str("Conditions:\n  Type\tStatus\tReason\n");
        w.push_str("  ----\t------\t------\n");
        for c in &s.conditions {
            let _ = writeln!(
                w,
                "  {} \t{}\t{}",
                c.type_,
                c.status,
                c.reason.as_deref().unwrap_or("")
            );
        }
    }
    let rss = crate::components::controller_manager::deployment::owned_replicasets(sim.state(), d);
    let hash = crate::components::controller_manager::deployment::template_hash(d);
    let new_name = format!("{}-{hash}", d.metadata.name);
    let new: Vec<&ReplicaSet> = rss
        .iter()
        .copied()
        .filter(|rs| rs.metadata.name == new_name)
        .collect();
    let old: Vec<&ReplicaSet> = rss
        .iter()
        .copied()
        .filter(|rs| rs.metadata.name != new_name && rs.spec.replicas.unwrap_or(1) != 0)
        .collect();
    let _ = writeln!(w, "OldReplicaSets:\t{}", rs_list(&old));
    let _ = writeln!(w, "NewReplicaSet:\t{}", rs_list(&new));
    events_table(
        &mut w,
        &events::events_for(sim, "deployment", ns, &d.metadata.name),
        sim.now(),
    );
    tabwriter(&w, 2)
}

fn describe_replicaset(sim: &Simulation, rs: &ReplicaSet) -> String {
    let mut w = String::new();
    let ns = rs.metadata.namespace_or_default();
    let _ = writeln!(w, "Name:\t{}", rs.metadata.name);
    let _ = writeln!(w, "Namespace:\t{ns}");
    let _ = writeln!(w, "Selector:\t{}", rs.spec.selector.to_selector_string());
    labels(&mut w, "Labels", &rs.metadata.labels);
    annotations(&mut w, "Annotations", &rs.metadata.annotations);
    if let Some(c) = controlled_by(&rs.metadata) {
        let _ = writeln!(w, "Controlled By:\t{c}");
    }
    let _ = writeln!(
        w,
        "Replicas:\t{} current / {} desired",
        rs.status.replicas,
        rs.spec.replicas.unwrap_or(1)
    );
    let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
    for p in crate::components::controller_manager::replicaset::owned_pods(sim.state(), rs) {
        match p.status.phase.as_deref() {
            Some("Running") => running += 1,
            Some("Succeeded") => succeeded += 1,
            Some("Failed") => failed += 1,
            _ => waiting += 1,
        }
    }
    let _ = writeln!(
        w,
        "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed"
    );
    pod_template_raw(&mut w, &rs.spec.template);
    events_table(
        &mut w,
        &events::events_for(sim, "replicaset", ns, &rs.metadata.name),
        sim.now(),
    );
    tabwriter(&w, 2)
}

fn describe_service(sim: &Simulation, s: &Service) -> String {
    let mut w = String::new();
    let ns = s.metadata.namespace_or_default();
    let _ = writeln!(w, "Name:\t{}", s.metadata.name);
    let _ = writeln!(w, "Namespace:\t{ns}");
    labels(&mut w, "Labels", &s.metadata.labels);
    annotations(&mut w, "Annotations", &s.metadata.annotations);
    let sel: Vec<String> = s
        .spec
        .selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let _ = writeln!(
        w,
        "Selector:\t{}",
        if sel.is_empty() {
            "<none>".to_string()
        } else {
            sel.join(",")
        }
    );
    let ty = s.spec.type_.as_deref().unwrap_or("ClusterIP");
    let _ = writeln!(w, "Type:\t{ty}");
    if ty != "ExternalName" {
        let _ = writeln!(
            w,
            "IP Family Policy:\t{}",
            s.spec.ip_family_policy.as_deref().unwrap_or("SingleStack")
        );
        let fams = s
            .spec
            .ip_families
            .as_ref()
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_else(|| "IPv4".into());
        let _ = writeln!(w, "IP Families:\t{fams}");
    }
    let _ = writeln!(w, "IP:\t{}", s.spec.cluster_ip.as_deref().unwrap_or(""));
    if !s.spec.cluster_ips.is_empty() {
        let _ = writeln!(w, "IPs:\t{}", s.spec.cluster_ips.join(","));
    }
    if !s.spec.external_ips.is_empty() {
        let _ = writeln!(w, "External IPs:\t{}", s.spec.external_ips.join(","));
    }
    if let Some(n) = &s.spec.external_name {
        let _ = writeln!(w, "External Name:\t{n}");
    }
    // The cloud load balancer's address, once provisioned (status.loadBalancer.ingress).
    let ingress: Vec<&str> = s
        .status
        .load_balancer
        .as_ref()
        .and_then(|lb| lb.get("ingress"))
        .and_then(|i| i.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|i| i.get("ip").or_else(|| i.get("hostname")))
                .filter_map(|v| v.as_str())
                .collect()
        })
        .unwrap_or_default();
    if !ingress.is_empty() {
        let _ = writeln!(w, "LoadBalancer Ingress:\t{}", ingress.join(", "));
    }
    let slices: Vec<&crate::api::service::EndpointSlice> = sim
        .state()
        .api
        .store
        .of_kind("EndpointSlice")
        .filter_map(|o| match o {
            Object::EndpointSlice(e) => Some(e),
            _ => None,
        })
        .filter(|e| {
            e.metadata.namespace_or_default() == ns
                && e.metadata.labels.get("kubernetes.io/service-name") == Some(&s.metadata.name)
        })
        .collect();
    for sp in &s.spec.ports {
        let name = sp.name.clone().unwrap_or_else(|| "<unset>".into());
        let proto = sp.protocol.as_deref().unwrap_or("TCP");
        let _ = writeln!(w, "Port:\t{name}\t{}/{proto}", sp.port);
        let target = sp
            .target_port
            .as_ref()
            .map(|t| t.to_string())
            .unwrap_or_else(|| sp.port.to_string());
        let _ = writeln!(w, "TargetPort:\t{target}/{proto}");
        if let Some(np) = sp.node_port {
            let _ = writeln!(w, "NodePort:\t{name}\t{np}/{proto}");
        }
        let mut list: Vec<String> = Vec::new();
        let mut count = 0;
        for sl in &slices {
            let want = sp.name.as_deref().unwrap_or("");
            for ep_port in sl
                .ports
                .iter()
                .filter(|p| p.name.as_deref().unwrap_or("") == want)
            {
                // Like kubectl, list only endpoints ready to receive traffic.
                for ep in sl.endpoints.iter().filter(|ep| ep.conditions.ready) {
                    for a in &ep.addresses {
                        if list.len() < 3 {
                            list.push(format!("{a}:{}", ep_port.port));
                        }
                        count += 1;
                    }
                }
            }
        }
        let eps = if slices.is_empty() {
            "<none>".to_string()
        } else if count > 3 {
            format!("{} + {} more...", list.join(","), count - 3)
        } else {
            list.join(",")
        };
        let _ = writeln!(w, "Endpoints:\t{eps}");
    }
    let _ = writeln!(
        w,
        "Session Affinity:\t{}",
        s.spec.session_affinity.as_deref().unwrap_or("None")
    );
    if let Some(p) = &s.spec.external_traffic_policy {
        let _ = writeln!(w, "External Traffic Policy:\t{p}");
    } else if ty == "NodePort" || ty == "LoadBalancer" {
        w.push_str("External Traffic Policy:\tCluster\n");
    }
    if ty != "ExternalName" {
        let _ = writeln!(
            w,
            "Internal Traffic Policy:\t{}",
            s.spec
                .internal_traffic_policy
                .as_deref()
                .unwrap_or("Cluster")
        );
    }
    events_table(
        &mut w,
        &events::events_for(sim, "service", ns, &s.metadata.name),
        sim.now(),
    );
    tabwriter(&w, 2)
}

fn describe_namespace(o: &Object) -> String {
    let mut w = String::new();
    let m = o.meta();
    let _ = writeln!(w, "Name:\t{}", m.name);
    labels(&mut w, "Labels", &m.labels);
    annotations(&mut w, "Annotations", &m.annotations);
    let phase = match o {
        Object::Namespace(n) => n
            .status
            .as_ref()
            .and_then(|s| s.get("phase"))
            .and_then(|p| p.as_str())
            .unwrap_or("Active")
            .to_string(),
        _ => "Active".into(),
    };
    let _ = writeln!(w, "Status:\t{phase}");
    w.push_str("\nNo resource quota.\n\nNo LimitRange resource.\n");
    tabwriter(&w, 2)
}

/// A Kubernetes quantity for a sum: millicores as `250m` or whole cores, bytes in the
/// largest binary (else decimal) unit that divides them.
fn quantity(resource: &str, v: i64) -> String {
    if v == 0 {
        return "0".into();
    }
    if resource == "cpu" {
        return if v % 1000 == 0 {
            (v / 1000).to_string()
        } else {
            format!("{v}m")
        };
    }
    for (suffix, unit) in [("Gi", 1i64 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)] {
        if v % unit == 0 {
            return format!("{}{suffix}", v / unit);
        }
    }
    for (suffix, unit) in [("G", 1_000_000_000i64), ("M", 1_000_000), ("k", 1000)] {
        if v % unit == 0 {
            return format!("{}{suffix}", v / unit);
        }
    }
    v.to_string()
}

fn amount(list: &BTreeMap<String, crate::api::values::Quantity>, r: &str) -> i64 {
    list.get(r)
        .and_then(|q| crate::kube::quantity::parse_for_resource(r, &q.0).ok())
        .unwrap_or(0)
}

/// A pod's requests and limits (`PodRequestsAndLimits`): the sum over app containers,
/// at least the largest init container, plus overhead.
fn pod_totals(p: &Pod, r: &str) -> (i64, i64) {
    let sum = |f: &dyn Fn(&Container) -> i64| p.spec.containers.iter().map(f).sum::<i64>();
    let max_init =
        |f: &dyn Fn(&Container) -> i64| p.spec.init_containers.iter().map(f).max().unwrap_or(0);
    let req = |c: &Container| amount(&c.resources.requests, r);
    let lim = |c: &Container| amount(&c.resources.limits, r);
    let over = amount(&p.spec.overhead, r);
    (
        sum(&req).max(max_init(&req)) + over,
        sum(&lim).max(max_init(&lim)) + if sum(&lim) > 0 { over } else { 0 },
    )
}

fn pct(v: i64, of: i64) -> i64 {
    if of == 0 {
        0
    } else {
        ((v as f64) / (of as f64) * 100.0) as i64
    }
}

fn describe_node(sim: &Simulation, n: &Node) -> String {
    let mut w = String::new();
    let _ = writeln!(w, "Name:\t{}", n.metadata.name);
    let _ = writeln!(w, "Roles:\t{}", n.roles());
    labels(&mut w, "Labels", &n.metadata.labels);
    annotations(&mut w, "Annotations", &n.metadata.annotations);
    let _ = writeln!(
        w,
        "CreationTimestamp:\t{}",
        ts(n.metadata.creation_timestamp)
    );
    w.push_str("Taints:\t");
    if n.spec.taints.is_empty() {
        w.push_str("<none>\n");
    }
    for (i, t) in n.spec.taints.iter().enumerate() {
        if i > 0 {
            w.push('\t');
        }
        if t.value.is_empty() {
            let _ = writeln!(w, "{}:{}", t.key, t.effect);
        } else {
            let _ = writeln!(w, "{}={}:{}", t.key, t.value, t.effect);
        }
    }
    let _ = writeln!(w, "Unschedulable:\t{}", n.spec.unschedulable);
    if !n.status.conditions.is_empty() {
        w.push_str(
            "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n",
        );
        w.push_str("  ----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in &n.status.conditions {
            let _ = writeln!(
                w,
                "  {} \t{} \t{} \t{} \t{} \t{}",
                c.type_,
                c.status,
                ts(c.last_heartbeat_time),
                ts(c.last_transition_time),
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or("")
            );
        }
    }
    w.push_str("Addresses:\n");
    for a in &n.status.addresses {
        let _ = writeln!(w, "  {}:\t{}", a.type_, a.address);
    }
    for (title, list) in [
        ("Capacity", &n.status.capacity),
        ("Allocatable", &n.status.allocatable),
    ] {
        if !list.is_empty() {
            let _ = writeln!(w, "{title}:");
            for (k, v) in list {
                let _ = writeln!(w, "  {k}:\t{}", v.0);
            }
        }
    }
    let info = &n.status.node_info;
    w.push_str("System Info:\n");
    let _ = writeln!(w, "  Kernel Version:\t{}", info.kernel_version);
    let _ = writeln!(w, "  OS Image:\t{}", info.os_image);
    let _ = writeln!(w, "  Operating System:\t{}", info.operating_system);
    let _ = writeln!(w, "  Architecture:\t{}", info.architecture);
    let _ = writeln!(
        w,
        "  Container Runtime Version:\t{}",
        info.container_runtime_version
    );
    let _ = writeln!(w, "  Kubelet Version:\t{}", info.kubelet_version);
    if let Some(c) = &n.spec.pod_cidr {
        let _ = writeln!(w, "PodCIDR:\t{c}");
    }
    if !n.spec.pod_cidrs.is_empty() {
        let _ = writeln!(w, "PodCIDRs:\t{}", n.spec.pod_cidrs.join(","));
    }
    if let Some(p) = &n.spec.provider_id {
        let _ = writeln!(w, "ProviderID:\t{p}");
    }
    let pods: Vec<&Pod> = sim
        .state()
        .api
        .store
        .pods()
        .filter(|p| {
            p.spec.node_name.as_deref() == Some(n.metadata.name.as_str())
                && !matches!(
                    p.status.phase.as_deref(),
                    Some("Succeeded") | Some("Failed")
                )
        })
        .collect();
    let alloc = if n.status.allocatable.is_empty() {
        &n.status.capacity
    } else {
        &n.status.allocatable
    };
    let (acpu, amem) = (amount(alloc, "cpu"), amount(alloc, "memory"));
    let _ = writeln!(w, "Non-terminated Pods:\t({} in total)", pods.len());
    w.push_str(
        "  Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n",
    );
    w.push_str(
        "  ---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n",
    );
    let (mut tcr, mut tcl, mut tmr, mut tml) = (0, 0, 0, 0);
    for p in &pods {
        let (cr, cl) = pod_totals(p, "cpu");
        let (mr, ml) = pod_totals(p, "memory");
        tcr += cr;
        tcl += cl;
        tmr += mr;
        tml += ml;
        let age = p
            .metadata
            .creation_timestamp
            .map(|t| crate::format::human_duration(sim.now().since(t.0)))
            .unwrap_or_else(|| "<unknown>".into());
        let _ = writeln!(
            w,
            "  {}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{age}",
            p.metadata.namespace_or_default(),
            p.metadata.name,
            quantity("cpu", cr),
            pct(cr, acpu),
            quantity("cpu", cl),
            pct(cl, acpu),
            quantity("memory", mr),
            pct(mr, amem),
            quantity("memory", ml),
            pct(ml, amem)
        );
    }
    w.push_str(
        "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n",
    );
    w.push_str("  Resource\tRequests\tLimits\n");
    w.push_str("  --------\t--------\t------\n");
    let _ = writeln!(
        w,
        "  cpu\t{} ({}%)\t{} ({}%)",
        quantity("cpu", tcr),
        pct(tcr, acpu),
        quantity("cpu", tcl),
        pct(tcl, acpu)
    );
    let _ = writeln!(
        w,
        "  memory\t{} ({}%)\t{} ({}%)",
        quantity("memory", tmr),
        pct(tmr, amem),
        quantity("memory", tml),
        pct(tml, amem)
    );
    w.push_str("  ephemeral-storage\t0 (0%)\t0 (0%)\n");
    for k in alloc.keys().filter(|k| k.starts_with("hugepages-")) {
        let _ = writeln!(w, "  {k}\t0 (0%)\t0 (0%)");
    }
    events_table(
        &mut w,
        &events::events_for(sim, "node", "", &n.metadata.name),
        sim.now(),
    );
    tabwriter(&w, 2)
}

/// Arguments of `kubectl describe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeArgs {
    /// The kind.
    pub kind: &'static KindInfo,
    /// Names or name prefixes; empty = all.
    pub names: Vec<String>,
    /// `-n`.
    pub namespace: String,
    /// `-A`.
    pub all_namespaces: bool,
    /// `-l`.
    pub selector: Option<String>,
}

const SUPPORTED: [&str; 6] = [
    "Node",
    "Pod",
    "Deployment",
    "ReplicaSet",
    "Service",
    "Namespace",
];

/// Parses `describe` arguments.
pub fn parse(pos: &[String], f: &Flags) -> Result<DescribeArgs, CommandError> {
    if pos.is_empty() {
        return Err(CommandError::new(
            "You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nSee 'kubectl describe -h' for help and examples",
        ));
    }
    let targets = super::parse_targets(pos)?;
    let [t] = targets.as_slice() else {
        return Err(CommandError::new(
            "error: describe one resource type at a time here",
        ));
    };
    if !SUPPORTED.contains(&t.kind.kind) {
        return Err(CommandError::new(format!(
            "error: describe for {} is not simulated yet; try `kubectl get {} -o yaml`",
            t.kind.plural, t.kind.plural
        )));
    }
    Ok(DescribeArgs {
        kind: t.kind,
        names: t.names.clone(),
        namespace: f.get("namespace").unwrap_or("default").to_string(),
        all_namespaces: f.on("all-namespaces"),
        selector: f.get("selector").map(String::from),
    })
}

/// Describes one object.
pub fn describe(sim: &Simulation, o: &Object) -> String {
    match o {
        Object::Pod(p) => describe_pod(sim, p),
        Object::Deployment(d) => describe_deployment(sim, d),
        Object::ReplicaSet(rs) => describe_replicaset(sim, rs),
        Object::Service(s) => describe_service(sim, s),
        Object::Node(n) => describe_node(sim, n),
        other => describe_namespace(other),
    }
}

/// Runs `kubectl describe`: exact names first, else every object whose name starts
/// with the given prefix (as kubectl does).
pub fn run(sim: &Simulation, args: &DescribeArgs) -> Result<String, CommandError> {
    let store = &sim.state().api.store;
    let info = args.kind;
    let sel = super::parse_selector(args.selector.as_deref())?;
    let in_scope = |o: &&Object| {
        !info.namespaced || args.all_namespaces || o.meta().namespace_or_default() == args.namespace
    };
    let mut objs: Vec<&Object> = Vec::new();
    if args.names.is_empty() {
        objs.extend(
            store
                .of_kind(info.kind)
                .filter(in_scope)
                .filter(|o| sel.as_ref().is_none_or(|s| s.matches(&o.meta().labels))),
        );
        if objs.is_empty() {
            return Ok(if info.namespaced && !args.all_namespaces {
                format!("No resources found in {} namespace.\n", args.namespace)
            } else {
                "No resources found\n".into()
            });
        }
    }
    for n in &args.names {
        let exact = store.get(&super::resource::key(info, &args.namespace, n));
        match exact {
            Some(o) => objs.push(o),
            None => {
                let pre: Vec<&Object> = store
                    .of_kind(info.kind)
                    .filter(in_scope)
                    .filter(|o| o.meta().name.starts_with(n.as_str()))
                    .collect();
                if pre.is_empty() {
                    return Err(not_found(info, n));
                }
                objs.extend(pre);
            }
        }
    }
    Ok(objs
        .iter()
        .map(|o| describe(sim, o))
        .collect::<Vec<_>>()
        .join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabwriter_aligns_blocks_like_go() {
        let t = "Name:\tweb\nNamespace:\tdefault\nIPs:\n  IP:\t10.0.0.1\nControlled By:\tReplicaSet/x\n";
        assert_eq!(
            tabwriter(t, 2),
            "Name:       web\nNamespace:  default\nIPs:\n  IP:           10.0.0.1\nControlled By:  ReplicaSet/x\n"
        );
        // An empty cell still takes the column's width; the last cell is never padded.
        assert_eq!(
            tabwriter("a\t\tc\nbbb\tx\ty\n", 2),
            "a       c\nbbb  x  y\n"
        );
    }

    #[test]
    fn dates_are_rfc1123z() {
        assert_eq!(rfc1123z(SimTime(0)), "Wed, 01 Jan 2025 00:00:00 +0000");
        assert_eq!(
            rfc1123z(SimTime(86_400_000 + 61_000)),
            "Thu, 02 Jan 2025 00:01:01 +0000"
        );
        assert_eq!(
            rfc3339_to_1123("2025-03-01T10:00:05Z"),
            "Sat, 01 Mar 2025 10:00:05 +0000"
        );
    }

    #[test]
    fn service_lists_only_ready_endpoints_and_the_load_balancer() {
        use crate::workspace::Workspace;
        use crate::{Scenario, Simulation};
        let mut ws = Workspace::new();
        ws.insert(
            "web.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n        readinessProbe: {httpGet: {path: /, port: 80}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 80}]\n",
        );
        let mut sim = Simulation::new(&Scenario::default_scenario().with_workspace(ws));
        sim.run("kubectl apply -f web.yaml").unwrap();
        sim.run("sim advance 1m").unwrap();
        let pods: Vec<String> = sim
            .state()
            .api
            .store
            .pods()
            .filter(|p| p.metadata.namespace_or_default() == "default")
            .map(|p| (p.metadata.name.clone(), p.status.pod_ip.clone()))
            .map(|(n, ip)| format!("{n} {}", ip.unwrap_or_default()))
            .collect();
        let (unready, unready_ip) = pods[0].split_once(' ').unwrap();
        let (_, ready_ip) = pods[1].split_once(' ').unwrap();
        sim.run(&format!("sim pod unready {unready}")).unwrap();
        sim.run("sim advance 1m").unwrap();
        let out = sim.run("kubectl describe svc web").unwrap().output;
        let line = |key: &str| {
            out.lines()
                .find(|l| l.starts_with(key))
                .unwrap_or("")
                .to_string()
        };
        assert_eq!(
            line("Endpoints:").split_whitespace().nth(1),
            Some(format!("{ready_ip}:80").as_str()),
            "{out}"
        );
        assert!(!out.contains(&format!("{unready_ip}:80")), "{out}");
        assert!(
            line("LoadBalancer Ingress:").ends_with("203.0.113.10"),
            "{out}"
        );
    }

    #[test]
    fn quantities_and_percentages() {
        assert_eq!(quantity("cpu", 250), "250m");
        assert_eq!(quantity("cpu", 2000), "2");
        assert_eq!(quantity("memory", 128 << 20), "128Mi");
        assert_eq!(quantity("memory", 0), "0");
        assert_eq!(pct(250, 4000), 6);
    }
}
