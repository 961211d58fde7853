//! Validation: the checks the API server runs before storing an object, with the field
//! paths and wording of `pkg/apis/*/validation`. A request with any problem is refused
//! whole.

use crate::api::Object;
use crate::api::pod::{Container, PodSpec};
use crate::api::values::IntOrString;
use crate::kube::quantity::Quantity;

/// Collects `path: problem` strings.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn required(&mut self, path: &str) {
        self.0.push(format!("{path}: Required value"));
    }
    fn invalid(&mut self, path: &str, value: impl std::fmt::Display, why: &str) {
        self.0
            .push(format!("{path}: Invalid value: {value}: {why}"));
    }
    fn unsupported(&mut self, path: &str, value: &str, supported: &[&str]) {
        let list: Vec<String> = supported.iter().map(|s| format!("\"{s}\"")).collect();
        self.0.push(format!(
            "{path}: Unsupported value: \"{value}\": supported values: {}",
            list.join(", ")
        ));
    }
}

const DNS1123_SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1123_LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/// RFC 1123 label: 1-63 chars of `[a-z0-9-]`, alphanumeric at both ends.
pub fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// RFC 1123 subdomain: dot-separated labels, at most 253 chars.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

fn validate_quantity(p: &mut Problems, path: &str, q: &str) {
    if Quantity::parse(q).is_err() {
        p.invalid(
            path,
            format!("\"{q}\""),
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        );
    }
}

fn validate_container(p: &mut Problems, path: &str, c: &Container) {
    if c.name.is_empty() {
        p.required(&format!("{path}.name"));
    } else if !is_dns1123_label(&c.name) {
        p.invalid(
            &format!("{path}.name"),
            format!("\"{}\"", c.name),
            DNS1123_LABEL,
        );
    }
    if c.image.trim().is_empty() {
        p.required(&format!("{path}.image"));
    }
    for (i, port) in c.ports.iter().enumerate() {
        if !(1..=65535).contains(&port.container_port) {
            p.invalid(
                &format!("{path}.ports[{i}].containerPort"),
                port.container_port,
                "must be between 1 and 65535, inclusive",
            );
        }
    }
    for (kind, map) in [
        ("requests", &c.resources.requests),
        ("limits", &c.resources.limits),
    ] {
        for (k, v) in map {
            validate_quantity(p, &format!("{path}.resources.{kind}[{k}]"), &v.0);
        }
    }
    for (k, req) in &c.resources.requests {
        let Some(lim) = c.resources.limits.get(k) else {
            continue;
        };
        let milli = |q: &str| Quantity::parse(q).and_then(|q| q.milli_value());
        if let (Ok(r), Ok(l)) = (milli(&req.0), milli(&lim.0))
            && r > l
        {
            p.invalid(
                &format!("{path}.resources.requests"),
                format!("\"{}\"", req.0),
                &format!("must be less than or equal to {k} limit of {}", lim.0),
            );
        }
    }
    if let Some(policy) = &c.image_pull_policy
        && !["Always", "IfNotPresent", "Never"].contains(&policy.as_str())
    {
        p.unsupported(
            &format!("{path}.imagePullPolicy"),
            policy,
            &["Always", "IfNotPresent", "Never"],
        );
    }
}

fn validate_pod_spec(p: &mut Problems, path: &str, spec: &PodSpec) {
    if spec.containers.is_empty() {
        p.required(&format!("{path}.containers"));
    }
    let mut names: Vec<&str> = Vec::new();
    for (list, field) in [
        (&spec.init_containers, "initContainers"),
        (&spec.containers, "containers"),
    ] {
        for (i, c) in list.iter().enumerate() {
            let cpath = format!("{path}.{field}[{i}]");
            validate_container(p, &cpath, c);
            if !c.name.is_empty() && names.contains(&c.name.as_str()) {
                p.0.push(format!("{cpath}.name: Duplicate value: \"{}\"", c.name));
            }
            names.push(&c.name);
        }
    }
    if let Some(rp) = &spec.restart_policy
        && !["Always", "OnFailure", "Never"].contains(&rp.as_str())
    {
        p.unsupported(
            &format!("{path}.restartPolicy"),
            rp,
            &["Always", "OnFailure", "Never"],
        );
    }
    for (i, t) in spec.tolerations.iter().enumerate() {
        let tp = format!("{path}.tolerations[{i}]");
        match t.operator.as_str() {
            "" | "Equal" => {
                if t.key.is_empty() {
                    p.invalid(&format!("{tp}.operator"), format!("\"{}\"", t.operator), "operator must be Exists when `key` is empty, which means \"match all values and all keys\"");
                }
            }
            "Exists" => {
                if !t.value.is_empty() {
                    p.invalid(
                        &format!("{tp}.operator"),
                        format!("\"{}\"", t.value),
                        "value must be empty when `operator` is 'Exists'",
                    );
                }
            }
            other => p.unsupported(&format!("{tp}.operator"), other, &["Equal", "Exists"]),
        }
        if !["", "NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&t.effect.as_str()) {
            p.unsupported(
                &format!("{tp}.effect"),
                &t.effect,
                &["NoExecute", "NoSchedule", "PreferNoSchedule"],
            );
        }
        if t.toleration_seconds.is_some() && t.effect != "NoExecute" {
            p.invalid(
                &format!("{tp}.effect"),
                format!("\"{}\"", t.effect),
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            );
        }
    }
    if let Some(g) = spec.termination_grace_period_seconds
        && g < 0
    {
        p.invalid(
            &format!("{path}.terminationGracePeriodSeconds"),
            g,
            "must be greater than or equal to 0",
        );
    }
}

fn scaled(v: &IntOrString, total: i64) -> Result<i64, String> {
    crate::kube::intstr::get_scaled_value_from_int_or_percent(Some(v), total, false)
        .map_err(|e| e.to_string())
}

/// Validates an object (after defaults). Returns every problem found.
pub fn validate(obj: &Object) -> Vec<String> {
    let mut p = Problems::default();
    let meta = obj.meta();
    if meta.name.is_empty() && meta.generate_name.is_none() {
        p.required("metadata.name");
    } else if !meta.name.is_empty() && !is_dns1123_subdomain(&meta.name) {
        p.invalid(
            "metadata.name",
            format!("\"{}\"", meta.name),
            DNS1123_SUBDOMAIN,
        );
    }
    match obj {
        Object::Pod(pod) => validate_pod_spec(&mut p, "spec", &pod.spec),
        Object::Deployment(d) => {
            if let Some(r) = d.spec.replicas
                && r < 0
            {
                p.invalid("spec.replicas", r, "must be greater than or equal to 0");
            }
            if d.spec.selector.match_labels.is_empty()
                && d.spec.selector.match_expressions.is_empty()
            {
                p.required("spec.selector");
            } else if !d.spec.selector.matches(&d.spec.template.metadata.labels) {
                let labels: Vec<String> = d
                    .spec
                    .template
                    .metadata
                    .labels
                    .iter()
                    .map(|(k, v)| format!("\"{k}\":\"{v}\""))
                    .collect();
                p.invalid(
                    "spec.template.metadata.labels",
                    format!("map[string]string{{{}}}", labels.join(", ")),
                    "`selector` does not match template `labels`",
                );
            }
            validate_pod_spec(&mut p, "spec.template.spec", &d.spec.template.spec);
            if let Some(rp) = &d.spec.template.spec.restart_policy
                && rp != "Always"
            {
                p.unsupported("spec.template.spec.restartPolicy", rp, &["Always"]);
            }
            if let Some(ty) = &d.spec.strategy.type_
                && !["RollingUpdate", "Recreate"].contains(&ty.as_str())
            {
                p.unsupported("spec.strategy.type", ty, &["Recreate", "RollingUpdate"]);
            }
            if let Some(ru) = &d.spec.strategy.rolling_update {
                let surge = ru.max_surge.as_ref().map(|v| scaled(v, 100));
                let unavail = ru.max_unavailable.as_ref().map(|v| scaled(v, 100));
                for (field, v) in [("maxSurge", &surge), ("maxUnavailable", &unavail)] {
                    if let Some(Err(e)) = v {
                        p.invalid(&format!("spec.strategy.rollingUpdate.{field}"), "\"?\"", e);
                    }
                }
                if let (Some(Ok(0)), Some(Ok(0))) = (&surge, &unavail) {
                    p.invalid(
                        "spec.strategy.rollingUpdate.maxUnavailable",
                        0,
                        "may not be 0 when `maxSurge` is 0",
                    );
                }
                if let Some(Ok(u)) = unavail
                    && matches!(ru.max_unavailable, Some(IntOrString::Str(_)))
                    && u > 100
                {
                    p.invalid(
                        "spec.strategy.rollingUpdate.maxUnavailable",
                        format!("\"{u}%\""),
                        "must not be greater than 100%",
                    );
                }
            }
        }
        Object::ReplicaSet(rs) => {
            if !rs.spec.selector.matches(&rs.spec.template.metadata.labels) {
                p.invalid(
                    "spec.template.metadata.labels",
                    "…",
                    "`selector` does not match template `labels`",
                );
            }
            validate_pod_spec(&mut p, "spec.template.spec", &rs.spec.template.spec);
        }
        Object::Service(s) => {
            let ty = s.spec.type_.as_deref().unwrap_or("ClusterIP");
            if !["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"].contains(&ty) {
                p.unsupported(
                    "spec.type",
                    ty,
                    &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
                );
            }
            if ty != "ExternalName" && s.spec.ports.is_empty() {
                p.required("spec.ports");
            }
            for (i, port) in s.spec.ports.iter().enumerate() {
                if !(1..=65535).contains(&port.port) {
                    p.invalid(
                        &format!("spec.ports[{i}].port"),
                        port.port,
                        "must be between 1 and 65535, inclusive",
                    );
                }
                if s.spec.ports.len() > 1 && port.name.as_deref().unwrap_or("").is_empty() {
                    p.required(&format!("spec.ports[{i}].name"));
                }
            }
        }
        Object::HorizontalPodAutoscaler(h) => {
            let min = h.spec.min_replicas.unwrap_or(1);
            if min < 1 {
                p.invalid(
                    "spec.minReplicas",
                    min,
                    "must be greater than or equal to 1",
                );
            }
            if h.spec.max_replicas < min {
                p.invalid(
                    "spec.maxReplicas",
                    h.spec.max_replicas,
                    "must be greater than or equal to `minReplicas`",
                );
            }
            if h.spec.scale_target_ref.name.is_empty() {
                p.required("spec.scaleTargetRef.name");
            }
        }
        Object::PodDisruptionBudget(pdb)
            if pdb.spec.min_available.is_some() && pdb.spec.max_unavailable.is_some() =>
        {
            p.invalid(
                "spec",
                "…",
                "minAvailable and maxUnavailable cannot be both set",
            );
        }
        _ => {}
    }
    p.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names() {
        assert!(is_dns1123_subdomain("web-1.example"));
        assert!(!is_dns1123_subdomain("Web"));
        assert!(!is_dns1123_subdomain("-web"));
        assert!(is_dns1123_label("nginx"));
        assert!(!is_dns1123_label("a.b"));
    }
}
